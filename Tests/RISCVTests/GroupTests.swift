import Testing
import RISCV

/// The opcode groups partition `Opcode`, each narrow enum mirrors its group's section of
/// `Opcode`, and the table's flags follow from the groups.
@Suite struct GroupTests {
    /// The narrow operation an `Operation` carries, as its group and opcode.
    static func unpack(_ operation: Operation) -> (OpcodeGroup, Opcode) {
        switch operation {
        case .integer(let op): (IntegerOp.group, op.opcode)
        case .bit(let op): (BitOp.group, op.opcode)
        case .crypto(let op): (CryptoOp.group, op.opcode)
        case .control(let op): (ControlOp.group, op.opcode)
        case .memory(let op): (MemoryOp.group, op.opcode)
        case .atomic(let op): (AtomicOp.group, op.opcode)
        case .floatMemory(let op): (FloatMemoryOp.group, op.opcode)
        case .float(let op): (FloatOp.group, op.opcode)
        case .system(let op): (SystemOp.group, op.opcode)
        }
    }

    /// Every narrow enum's cases, as the opcodes they stand for, in declaration order.
    static let members: [OpcodeGroup: [Opcode]] = [
        .integer: IntegerOp.allCases.map(\.opcode),
        .bit: BitOp.allCases.map(\.opcode),
        .crypto: CryptoOp.allCases.map(\.opcode),
        .control: ControlOp.allCases.map(\.opcode),
        .memory: MemoryOp.allCases.map(\.opcode),
        .atomic: AtomicOp.allCases.map(\.opcode),
        .floatMemory: FloatMemoryOp.allCases.map(\.opcode),
        .float: FloatOp.allCases.map(\.opcode),
        .system: SystemOp.allCases.map(\.opcode),
    ]

    static func names<T>(_ cases: [T]) -> [String] { cases.map { String(describing: $0) } }

    @Test func groupsPartitionTheOpcodes() {
        var seen: [Opcode] = []
        for group in OpcodeGroup.allCases {
            let members = Self.members[group] ?? []
            #expect(!members.isEmpty, "\(group) is empty")
            #expect(members.first == group.first, "\(group) starts at \(group.first)")
            for opcode in members { #expect(opcode.group == group, "\(opcode) is in \(opcode.group), not \(group)") }
            seen += members
        }
        // Every opcode exactly once, in declaration order: the groups are consecutive runs.
        #expect(seen == Opcode.allCases)
    }

    @Test func narrowEnumsMirrorOpcodeNameForName() {
        #expect(Self.names(IntegerOp.allCases) == Self.names(Self.members[.integer] ?? []))
        #expect(Self.names(BitOp.allCases) == Self.names(Self.members[.bit] ?? []))
        #expect(Self.names(CryptoOp.allCases) == Self.names(Self.members[.crypto] ?? []))
        #expect(Self.names(ControlOp.allCases) == Self.names(Self.members[.control] ?? []))
        #expect(Self.names(MemoryOp.allCases) == Self.names(Self.members[.memory] ?? []))
        #expect(Self.names(AtomicOp.allCases) == Self.names(Self.members[.atomic] ?? []))
        #expect(Self.names(FloatMemoryOp.allCases) == Self.names(Self.members[.floatMemory] ?? []))
        #expect(Self.names(FloatOp.allCases) == Self.names(Self.members[.float] ?? []))
        #expect(Self.names(SystemOp.allCases) == Self.names(Self.members[.system] ?? []))
    }

    @Test func operationRoundTrips() {
        for opcode in Opcode.allCases {
            let (group, back) = Self.unpack(opcode.operation)
            #expect(group == opcode.group && back == opcode, "\(opcode)")
            #expect((IntegerOp(opcode)?.opcode ?? opcode) == opcode)
            #expect((IntegerOp(opcode) != nil) == (opcode.group == .integer), "\(opcode)")
            #expect((BitOp(opcode) != nil) == (opcode.group == .bit), "\(opcode)")
            #expect((CryptoOp(opcode) != nil) == (opcode.group == .crypto), "\(opcode)")
            #expect((AtomicOp(opcode) != nil) == (opcode.group == .atomic), "\(opcode)")
            #expect((FloatOp(opcode) != nil) == (opcode.group == .float), "\(opcode)")
            #expect((SystemOp(opcode) != nil) == (opcode.group == .system), "\(opcode)")
            #expect(opcode.isSystem == (opcode.group == .system), "\(opcode)")
        }
    }

    /// Every row (fence.tso's too) names its opcode's group, and the flags agree with it.
    @Test func rowsAgreeWithTheirGroup() {
        for spec in ISA.all {
            let name = spec.mnemonic
            #expect(spec.group == spec.opcode.group, "\(name): row says \(spec.group), Opcode says \(spec.opcode.group)")
            #expect(spec.endsBlock == spec.group.endsBlock, "\(name)")
            if spec.isPrivileged { #expect(spec.group == .system, "\(name): privileged outside the system group") }
            if spec.flags.contains(.roundingMode) { #expect(spec.group == .float, "\(name)") }
            switch spec.group {
            case .integer, .control:
                #expect(!spec.mayTrap && spec.memory == nil, "\(name)")
            case .bit:
                #expect(!spec.mayTrap && spec.memory == nil && spec.writesX, "\(name)")
            case .crypto:
                // Only a reserved aes64ks1i round number traps.
                #expect(spec.mayTrap == (spec.opcode == .aes64ks1i) && spec.memory == nil && spec.writesX, "\(name)")
            case .memory:
                // fence orders accesses without making one.
                #expect(spec.mayTrap == (spec.opcode != .fence) && (spec.memory != nil) == (spec.opcode != .fence), "\(name)")
            case .atomic, .floatMemory:
                #expect(spec.mayTrap && spec.memory != nil, "\(name)")
                #expect((spec.group == .atomic) == (spec.ext == .a || spec.ext == .zacas), "\(name)")
            case .float:
                #expect(spec.memory == nil && [.f, .d, .zfa, .zfh, .zfhmin].contains(spec.ext), "\(name)")
            case .system:
                // fence.i only discards translations; everything else may raise an exception.
                #expect(spec.mayTrap == (spec.opcode != .fence_i) && spec.memory == nil, "\(name)")
            }
        }
    }
}
