/// The part of the machine an instruction works on, which decides how every engine treats it:
/// the one definition of "system instruction", of what ends a block, and of which code handles
/// an opcode. Each group has a narrow enum of its operations (`IntegerOp`, `BitOp`, `CryptoOp`, `ControlOp`,
/// `MemoryOp`, `AtomicOp`, `FloatMemoryOp`, `FloatOp`, `SystemOp`); engines dispatch on
/// `Opcode.operation` and then `switch` exhaustively over the narrow enum, so no switch lists
/// opcodes that do not belong to it. (The interpreter's hot `Executor.step` is the exception:
/// it switches over `Opcode` in one jump table, for speed.)
///
/// Adding an instruction:
/// 1. a case in `Opcode`, declared inside its group's section (and in the same place in the
///    group's narrow enum below: the table test checks that names and order agree);
/// 2. one row in the ISA table (`ISA+*.swift`) naming the same group;
/// 3. its semantics: one arm in `Executor.step` naming a function in `Execute+*.swift`, or in
///    `FloatUnit` for the float group, or in `Hart.emulateSystem` for the system group;
/// 4. its lowering in the JIT's switch for the group, or a call to the slow path;
/// 5. its text in the disassembler if objdump prints an alias for it.
/// The compiler points at each of 3–5, since those switches are exhaustive and have no `default:`.
public enum OpcodeGroup: UInt8, CaseIterable, Sendable {
    /// Register and immediate arithmetic (RV64I and M): no memory, no traps, falls through.
    case integer
    /// Bit manipulation, carry-less multiplication and conditional zeroing (Zba, Zbb, Zbc, Zbs,
    /// Zbkb, Zbkc, Zbkx, Zicond): register arithmetic like `integer`, kept apart so that the
    /// extensions a `--cpu` choice leaves out are one range of opcodes.
    case bit
    /// Scalar cryptography (Zkne, Zknd, Zknh, Zksh, Zksed): register arithmetic like `bit`, with
    /// AES-NI lowerings in the JIT; its own range of opcodes for `--cpu` to leave out.
    case crypto
    /// Jumps and conditional branches: end the block.
    case control
    /// Integer loads and stores, and `fence`.
    case memory
    /// LR/SC and AMOs (A).
    case atomic
    /// F and D loads and stores.
    case floatMemory
    /// F and D register-to-register operations: arithmetic, conversion, comparison, moves.
    case float
    /// What engines hand to the trap-and-emulate handler: `ecall`, `ebreak`, `fence.i`, Zicsr and
    /// the privileged instructions. They end the block.
    case system

    /// The group's first opcode; its opcodes are the consecutive cases from there.
    @inlinable public var first: Opcode {
        switch self {
        case .integer: .lui
        case .bit: .sh1add
        case .crypto: .aes64es
        case .control: .jal
        case .memory: .lb
        case .atomic: .lr_w
        case .floatMemory: .flw
        case .float: .fmadd_s
        case .system: .ecall
        }
    }

    /// A block ends after an instruction of this group: it transfers control, or it must leave
    /// translated code for the trap-and-emulate handler.
    @inlinable public var endsBlock: Bool {
        switch self {
        case .control, .system: true
        case .integer, .bit, .crypto, .memory, .atomic, .floatMemory, .float: false
        }
    }
}

/// One instruction's group together with its operation in that group's narrow enum.
public enum Operation: Equatable, Sendable {
    case integer(IntegerOp)
    case bit(BitOp)
    case crypto(CryptoOp)
    case control(ControlOp)
    case memory(MemoryOp)
    case atomic(AtomicOp)
    case floatMemory(FloatMemoryOp)
    case float(FloatOp)
    case system(SystemOp)
}

extension Opcode {
    /// This opcode's group: a few comparisons, since `Opcode` declares its cases group by group.
    @inlinable public var group: OpcodeGroup {
        let r = index
        if r < OpcodeGroup.bit.first.index { return .integer }
        if r < OpcodeGroup.crypto.first.index { return .bit }
        if r < OpcodeGroup.control.first.index { return .crypto }
        if r < OpcodeGroup.memory.first.index { return .control }
        if r < OpcodeGroup.atomic.first.index { return .memory }
        if r < OpcodeGroup.floatMemory.first.index { return .atomic }
        if r < OpcodeGroup.float.first.index { return .floatMemory }
        if r < OpcodeGroup.system.first.index { return .float }
        return .system
    }

    /// The case's position in the declaration, which is also its raw value: the tag itself, so
    /// hot code never goes through `rawValue`'s switch. The tag is one byte while there are at
    /// most 256 cases and two bytes past that; the size test folds away at compile time.
    @inlinable var index: UInt16 {
        MemoryLayout<Opcode>.size == 1 ? UInt16(unsafeBitCast(self, to: UInt8.self))
                                       : unsafeBitCast(self, to: UInt16.self)
    }

    /// This opcode's group and narrow operation, for engines to dispatch on.
    @inlinable public var operation: Operation {
        switch group {
        case .integer: .integer(IntegerOp(member: self))
        case .bit: .bit(BitOp(member: self))
        case .crypto: .crypto(CryptoOp(member: self))
        case .control: .control(ControlOp(member: self))
        case .memory: .memory(MemoryOp(member: self))
        case .atomic: .atomic(AtomicOp(member: self))
        case .floatMemory: .floatMemory(FloatMemoryOp(member: self))
        case .float: .float(FloatOp(member: self))
        case .system: .system(SystemOp(member: self))
        }
    }

    /// Handled by the trap-and-emulate handler rather than by the engines themselves.
    @inlinable public var isSystem: Bool { group == .system }
}

/// A group's narrow enum: its cases mirror the group's section of `Opcode`, name for name and
/// in the same order, so converting either way is an offset.
public protocol GroupOperation: RawRepresentable, CaseIterable, Sendable where RawValue == UInt8 {
    static var group: OpcodeGroup { get }
}

extension GroupOperation {
    /// The narrow operation of `opcode`, or nil if it belongs to another group.
    @inlinable public init?(_ opcode: Opcode) {
        guard opcode.group == Self.group else { return nil }
        self.init(member: opcode)
    }

    /// The narrow operation of an opcode known to be in this group.
    @inlinable init(member opcode: Opcode) {
        self = unsafeBitCast(UInt8(truncatingIfNeeded: opcode.index &- Self.group.first.index), to: Self.self)
    }

    /// The opcode this operation stands for.
    @inlinable public var opcode: Opcode {
        Opcode(rawValue: Self.group.first.rawValue &+ UInt16(rawValue))!
    }
}
