import Guest
import RISCV

/// Where a fuzz program lives in guest memory, and the registers that always point into the
/// sandbox so every load, store and atomic stays inside it.
public enum FuzzLayout {
    public static let code: UInt64 = 0x10000
    public static let codeSize: UInt64 = 0x4000
    public static let sandbox: UInt64 = 0x20000
    public static let sandboxSize: UInt64 = 0x4000
    /// Guest memory just large enough for both regions.
    public static let memoryLimit: UInt64 = 0x40000
    /// sp, s0 and s1 hold sandbox addresses (8-byte aligned, so atomics are aligned) and are never
    /// written by generated code. s0 and s1 are also the compressed-register bases.
    static let bases: [UInt8] = [2, 8, 9]
    static let baseValues: [UInt64] = [sandbox + 0x3800, sandbox + 0x0800, sandbox + 0x2800]
}

/// Generates random valid RV64GC instruction streams from the ISA table: every extension's
/// instructions (compressed forms too), Zicsr on fflags/frm/fcsr (and reads of instret and
/// cycle), memory accesses confined to the sandbox, and forward branches and jumps only.
public struct FuzzGenerator {
    var random: FuzzRandom
    /// The hart the programs are for (`--cpu`): only its instructions are drawn.
    let cpu: CPUModel
    let drawable: [Opcode]

    public init(seed: UInt64, cpu: CPUModel = .all) {
        random = FuzzRandom(seed: seed)
        self.cpu = cpu
        drawable = cpu.isAll ? FuzzGenerator.opcodes : FuzzGenerator.opcodes.filter { cpu.allows(Instruction(opcode: $0)) }
    }

    /// Opcodes the generator draws from: everything that runs in user mode without leaving the
    /// sandbox. `ecall`, `ebreak`, `jalr` and the privileged instructions are left out.
    static let opcodes: [Opcode] = Opcode.allCases.filter { op in
        switch op.info.ext {
        case .privileged: return false
        case .i, .m, .a, .f, .d, .zicsr, .zifencei, .zba, .zbb, .zbc, .zbs, .zbkb, .zbkc, .zbkx, .zicond,
             .c:
            return op != .ecall && op != .ebreak && op != .jalr
        // The crypto group (fpcrypto).
        case .zkne, .zknd, .zknh, .zksh, .zksed, .zfa:
            return true
        // Zimop and Zacas run in both engines, and cbo.zero (inline in the JIT, the handler in
        // the interpreter) on a block around a base register; the other cbo.* and wrs.* only
        // check or wait.
        case .zimop, .zacas, .zicboz:
            return true
        case .zicbom, .zawrs, .zcb, .zcmop, .zicbop, .zihintpause, .zihintntl:
            return false
        case .zfh, .zfhmin:
            return true
        }
    }

    static let writableX: [UInt8] = (0..<32).map(UInt8.init).filter { !FuzzLayout.bases.contains($0) }

    public mutating func program(length: Int) -> FuzzProgram {
        var items: [FuzzItem] = []
        while items.count < length {
            if random.oneIn(5), let c = compressed() {
                items.append(.plain(c))
            } else {
                items.append(item(length: length - items.count))
            }
        }
        return FuzzProgram(items: items)
    }

    mutating func item(length: Int) -> FuzzItem {
        while true {
            let op = random.pick(drawable)
            let spec = op.info
            let skip = random.below(min(8, length) + 1)
            if spec.format == .b {
                return .branch(op, rs1: UInt8(random.below(32)), rs2: UInt8(random.below(32)), skip: skip)
            }
            if op == .jal { return .jump(rd: random.pick(FuzzGenerator.writableX), skip: skip) }
            let candidate = FuzzProgram.canonical(fields(op, spec))
            // The canonical form must still be the instruction asked for (encodings binutils
            // rejects decode to nothing and come back unchanged, without raw bits).
            if candidate.raw != 0, candidate.opcode == op { return .plain(candidate) }
        }
    }

    mutating func register(_ file: RegisterFile, destination: Bool) -> UInt8 {
        switch file {
        case .none: return 0
        case .f: return UInt8(random.below(32))
        case .x:
            guard destination else { return UInt8(random.below(32)) }
            // gp and tp less often: the JIT leaves translated code when one is written above the
            // guest limit (Sources/JIT/ConfinedBases.swift) and interprets until it is back, so
            // frequent wild writes would leave most of a program to the interpreter on both sides.
            let rd = random.pick(FuzzGenerator.writableX)
            return rd == 3 || rd == 4 ? (random.oneIn(4) ? rd : random.pick(FuzzGenerator.writableX)) : rd
        }
    }

    mutating func fields(_ op: Opcode, _ spec: InstructionSpec) -> Instruction {
        var i = Instruction(opcode: op)
        i.rd = register(spec.rd, destination: true)
        i.rs1 = register(spec.rs1, destination: false)
        i.rs2 = register(spec.rs2, destination: false)
        i.rs3 = register(spec.rs3, destination: false)
        if spec.memory != nil { i.rs1 = random.pick(FuzzLayout.bases) }
        if spec.flags.contains(.roundingMode) {
            // Mostly valid static modes and dynamic; now and then a reserved one (illegal).
            i.rm = random.oneIn(40) ? UInt16(5 + random.below(2)) : random.pick([0, 1, 2, 3, 4, 7, 7, 7])
        }
        switch spec.format {
        case .i, .s:
            i.imm = random.oneIn(2) ? Int64(random.below(64) - 32) : Int64(random.below(4096) - 2048)
        case .shift:
            i.imm = Int64(random.below(64))
        // The crypto group's immediates (fpcrypto): now and then a reserved round number.
        case .byteSelect:
            i.imm = Int64(random.below(4))
        case .roundNumber:
            i.imm = Int64(random.oneIn(20) ? random.below(16) : random.below(11))
        // fli's rs1 field is the constant's index, not a register (fpcrypto).
        case .unary where op == .fli_s || op == .fli_d || op == .fli_h:
            i.rs1 = UInt8(random.below(32))
        case .u:
            i.imm = Int64(Int32(truncatingIfNeeded: random.next() & 0xffff_f000))
        case .csr, .csrImm:
            if random.oneIn(4) {
                // Reading the counters checks that an engine keeps instret exact.
                i.csr = random.pick([CSR.instret, CSR.cycle])
                i.rs1 = 0
                if op != .csrrs && op != .csrrc && op != .csrrsi && op != .csrrci { i.opcode = .csrrs }
            } else {
                i.csr = random.pick([CSR.fflags, CSR.frm, CSR.fcsr])
                if spec.format == .csrImm { i.rs1 = UInt8(random.below(32)) }
            }
        case .fence:
            i.rm = UInt16(random.below(15) + 1) << 4 | UInt16(random.below(15) + 1)
        case .amo, .lr:
            i.rm = UInt16(random.below(4))
            // amocas.q works on even register pairs (odd numbers are reserved).
            if op == .amocas_q {
                i.rd &= ~1
                i.rs2 &= ~1
                if FuzzLayout.bases.contains(i.rd) { i.rd = 0 }
            }
        case .mop:
            i.imm = Int64(random.below(spec.rs2 == .x ? 8 : 32))
        case .cbo:
            i.rs1 = random.pick(FuzzLayout.bases)
        case .r, .rRM, .r4, .unary, .unaryRM, .b, .j, .none, .sfence:
            break
        }
        return i
    }

    /// A random compressed instruction that stays inside the rules: no control flow, no writes
    /// to the base registers, memory only through them.
    mutating func compressed() -> Instruction? {
        for _ in 0..<64 {
            let half = UInt32(truncatingIfNeeded: random.next()) & 0xffff
            guard half & 3 != 3, let inst = decode(half), cpu.isAll || cpu.allows(inst) else { continue }
            let spec = inst.opcode.info
            if spec.endsBlock { continue }
            if spec.writesX && FuzzLayout.bases.contains(inst.rd) { continue }
            if spec.memory != nil && !FuzzLayout.bases.contains(inst.rs1) { continue }
            return inst
        }
        return nil
    }

    /// A random starting state: registers from the edge-value pool, the bases pointing into the
    /// sandbox, random fcsr (rarely RMM or an invalid frm), a random instret, and random sandbox bytes.
    public mutating func initialState() -> FuzzState {
        var x = (0..<32).map { _ in EdgeValues.integer(&random) }
        x[0] = 0
        for (r, v) in zip(FuzzLayout.bases, FuzzLayout.baseValues) { x[Int(r)] = v }
        // gp and tp mostly within the guest range, so the JIT's translated code runs (see `register`).
        for r in [3, 4] where !random.oneIn(4) { x[r] %= FuzzLayout.memoryLimit + 1 }
        let f = (0..<32).map { _ in EdgeValues.float(&random) }
        // frm mostly 0–3: the JIT runs translated code only then (FRMInvariant), the interpreter otherwise.
        let frm = random.oneIn(20) ? UInt32(4 + random.below(4)) : UInt32(random.below(4))
        var memory: [UInt8] = []
        memory.reserveCapacity(Int(FuzzLayout.sandboxSize))
        while memory.count < Int(FuzzLayout.sandboxSize) {
            let v = random.oneIn(4) ? EdgeValues.float(&random) : EdgeValues.integer(&random)
            withUnsafeBytes(of: v.littleEndian) { memory += $0 }
        }
        return FuzzState(x: x, f: f, fflags: UInt32(random.below(32)), frm: frm,
                         instret: random.next() & 0xffff_ffff, sandbox: memory)
    }
}

/// The state a fuzz case starts from.
public struct FuzzState: Sendable, Equatable {
    public var x: [UInt64]
    public var f: [UInt64]
    public var fflags: UInt32
    public var frm: UInt32
    public var instret: UInt64
    public var sandbox: [UInt8]
}
