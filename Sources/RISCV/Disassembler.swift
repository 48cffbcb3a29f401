/// Renders instructions exactly as binutils 2.40 `riscv64-linux-gnu-objdump -d` does: mnemonic,
/// a tab, comma-separated operands, objdump's pseudo-instruction aliases, branch targets as
/// absolute hex addresses, and its `# address` comments for lui/auipc-based addressing.
///
/// The comments depend on earlier instructions (objdump remembers the value each lui or auipc put
/// in a register until a load, store, addi or jalr uses it), so disassemble a stream with one
/// `Disassembler` in address order. Call `disassemble(_:pc:)` for a stateless rendering.
public struct Disassembler {
    /// Called for every address objdump would follow with ` <symbol+0xoffset>` (branch and jump
    /// targets, address comments); return the part between the angle brackets, or nil for none.
    public var symbolize: ((UInt64) -> String?)?
    /// The value of `__global_pointer$`, if known: gp-relative accesses then get address comments.
    public var globalPointer: UInt64?
    /// Whether to append objdump's ` # address` comments at all.
    public var addressComments: Bool
    /// Whose CSR names to print (an ELF's Tag_priv_spec; 1.12 without one).
    public var privilegedSpec: PrivilegedSpec = .v1_12
    /// Which hint extensions' names to print (Zihintpause's `pause`, Zicbop's `prefetch.*`,
    /// Zihintntl's `ntl.*`): objdump prints them only when the file's arch attribute names the
    /// extension, and otherwise the base instruction (`fence w,unknown`, `ori`, `add`).
    public var hints: ExtensionSet = ExtensionSet([.zihintpause, .zicbop, .zihintntl])
    /// The hart `listing(of:at:)` decodes for (`--cpu`): what it lacks lists as `.2byte`/`.4byte`.
    public var cpu: CPUModel = .all

    /// What the last lui/auipc (or c.lui) wrote to each register, until an addressing use consumes it.
    private var upper = [UInt64?](repeating: nil, count: 32)
    /// The address the current instruction's comment will show.
    private var commentAddress: UInt64?

    public init(symbolize: ((UInt64) -> String?)? = nil, globalPointer: UInt64? = nil, addressComments: Bool = true) {
        self.symbolize = symbolize
        self.globalPointer = globalPointer
        self.addressComments = addressComments
    }

    /// Forgets the lui/auipc values carried between instructions (e.g. at a new function).
    public mutating func reset() {
        upper = [UInt64?](repeating: nil, count: 32)
    }

    /// The objdump text of `inst` located at `pc`.
    public mutating func disassemble(_ inst: Instruction, pc: UInt64) -> String {
        commentAddress = nil
        var text = render(inst, pc: pc)
        if let address = commentAddress, addressComments {
            text += " # " + self.address(address)
        }
        return text
    }

    // MARK: - Pieces shared by the renderers

    /// An address as objdump prints a target: lowercase hex without leading zeros, then the symbol.
    func address(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        if let symbol = symbolize?(value) { return hex + " <" + symbol + ">" }
        return hex
    }

    func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// objdump's `maybe_print_address`: decides whether a base+offset access gets a comment.
    mutating func noteAccess(base: UInt8, offset: Int64, wide: Bool = false) {
        let base = Int(base & 31)
        var value: UInt64
        if let high = upper[base] {
            value = (base != 0 ? high : 0) &+ UInt64(bitPattern: offset)
            upper[base] = nil
        } else if base == 3, let gp = globalPointer {
            value = gp &+ UInt64(bitPattern: offset)
        } else if base == 4 || base == 0 {
            value = UInt64(bitPattern: offset)
        } else {
            return
        }
        if wide { value = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value))) }
        commentAddress = value
    }

    /// objdump remembers what lui, auipc and c.lui put in their destination register.
    mutating func noteUpper(_ rd: UInt8, _ value: Int64) {
        upper[Int(rd & 31)] = UInt64(bitPattern: value)
    }
}

/// The objdump text of one instruction, without state carried from earlier instructions.
public func disassemble(_ inst: Instruction, pc: UInt64) -> String {
    var disassembler = Disassembler()
    return disassembler.disassemble(inst, pc: pc)
}

/// `mnemonic` alone, or `mnemonic<TAB>operands`.
@inline(__always) func line(_ mnemonic: String, _ operands: String...) -> String {
    operands.isEmpty ? mnemonic : mnemonic + "\t" + operands.joined(separator: ",")
}
