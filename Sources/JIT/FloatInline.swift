import Guest
import Interpreter
import RISCV
import X86

/// Read-only data inline F/D code addresses through one 64-bit constant: the MXCSR image for
/// each rounding mode x86 has, and the map from MXCSR exception flags to RISC-V fflags.
///
/// Why MXCSR at all: with the rounding control set to RNE, RTZ, RDN or RUP and DAZ/FTZ off, SSE
/// add/sub/mul/div/sqrt, FMA3, int↔float and single↔double conversions round exactly as RISC-V
/// does and raise the same flags (both detect tininess after rounding), so the flags an
/// instruction raised are read back from MXCSR rather than recomputed. What x86 gets wrong
/// (NaN results, conversions out of range) is caught on the way out.
enum FloatConstants {
    /// `mxcsr[rm]` at offset 4·rm for rm = RNE, RTZ, RDN, RUP: all exceptions masked, flags clear.
    static let mxcsr: [UInt32] = [0x1f80, 0x7f80, 0x3f80, 0x5f80]
    /// The flag map, 64 bytes indexed by MXCSR bits 5:0.
    static let flagMapOffset: Int32 = 16

    /// The RISC-V flags for MXCSR's IE, ZE, OE, UE and PE; DE (bit 1) has no RISC-V counterpart.
    static func fflags(mxcsr m: UInt32) -> UInt8 {
        var f: UInt32 = 0
        if m & 0x01 != 0 { f |= FloatFlags.invalid }
        if m & 0x04 != 0 { f |= FloatFlags.divideByZero }
        if m & 0x08 != 0 { f |= FloatFlags.overflow }
        if m & 0x10 != 0 { f |= FloatFlags.underflow }
        if m & 0x20 != 0 { f |= FloatFlags.inexact }
        return UInt8(f)
    }

    /// Host address of the table; allocated once and never freed or written again.
    static let address: UInt64 = {
        let p = UnsafeMutableRawPointer.allocate(byteCount: 80, alignment: 16)
        for (k, m) in mxcsr.enumerated() { p.storeBytes(of: m, toByteOffset: 4 * k, as: UInt32.self) }
        for m in 0..<64 { p.storeBytes(of: fflags(mxcsr: UInt32(m)), toByteOffset: Int(flagMapOffset) + m, as: UInt8.self) }
        return UInt64(UInt(bitPattern: p))
    }()
}

/// Where inline F/D code keeps the MXCSR it reads back (the state block's last scratch word).
let mxcsrScratch = StateOffset.scratch + 8 * (StateOffset.scratchCount - 1)

/// Out-of-line code of inline F/D and A lowerings, emitted after the block's body.
enum InlineStub {
    /// Instruction `i` through `helper` (with its pc and position in the block), then back to
    /// `resume`; first the pending MXCSR flags into fflags if `fold`, and MXCSR back to RNE if
    /// the inline code had changed it.
    case helper(Instruction, UInt64, pc: UInt64, index: Int, resume: Label, restoreRNE: Bool, fold: Bool)
    /// fcvt.{s,d}.lu of a value in `x` with the top bit set, into xmm0.
    case unsignedToFloat(GPR, Precision, resume: Label)
}

/// The rounding an inline F/D instruction runs under.
enum InlineRounding: Equatable {
    /// An x86 rounding mode (RISC-V rm 0–3).
    case mode(UInt8)
    /// rm = dynamic: inline under RNE when frm is RNE, otherwise through `FloatUnit`.
    case dynamic
    /// RMM (no x86 equivalent) or a reserved rm: `FloatUnit` does it (or reports it illegal).
    case helper

    init(rm: UInt16) {
        switch rm {
        case 0...3: self = .mode(UInt8(rm))
        case 7: self = .dynamic
        default: self = .helper
        }
    }
}

extension Translator {
    /// Label of an out-of-line path that performs instruction `i` in `FloatUnit` (exact in every
    /// case) and continues at `done`. Inline code jumps there for whatever it does not handle:
    /// frm ≠ RNE, an operand not NaN-boxed, a NaN result. With `restoreRNE` the path first puts
    /// MXCSR back to the host's RNE, because the helper is Swift code.
    mutating func floatFallback(_ i: Instruction, done: Label, restoreRNE: Bool = false) -> Label {
        helperPath(i, targets.float, done: done, restoreRNE: restoreRNE)
    }

    /// Label of an out-of-line call of `helper` for instruction `i` (as `callHelper` emits it
    /// inline, with this instruction's pc and retirement count) that rejoins inline code at `done`.
    mutating func helperPath(_ i: Instruction, _ helper: UInt64, done: Label, restoreRNE: Bool = false) -> Label {
        // Flags pending now are still in MXCSR when inline code jumps here, perhaps with some the
        // instruction itself raised before it gave up (a NaN result); those are a subset of the
        // flags the helper raises for it (invalid for a signalling NaN or an invalid operation).
        outOfLine(.inline(.helper(i, helper, pc: pc, index: index, resume: done, restoreRNE: restoreRNE, fold: flagsPending)))
    }

    mutating func emitInlineStub(_ stub: InlineStub) {
        switch stub {
        case .helper(let i, let helper, let pc, let index, let resume, let restoreRNE, let fold):
            let (savedPC, savedIndex) = (self.pc, self.index)
            self.pc = pc
            self.index = index
            if fold { emitFold() }
            if restoreRNE { loadMXCSR(0) }
            callHelper(i, helper)
            // The helper is host code that may leave flags in MXCSR; inline code after `resume`
            // counts on a clean RNE MXCSR (`mxcsrClean`).
            loadMXCSR(0)
            a.jmp(resume)
            self.pc = savedPC
            self.index = savedIndex
        case .unsignedToFloat(let x, let p, let resume):
            // Halve, keeping the lost bit as a sticky bit; convert; double (exactly).
            a.mov(.rax, .r64(x))
            a.mov(.rcx, .rax)
            a.shr(.rax, imm: 1)
            a.and(.ecx, imm: 1)
            a.or(.rax, .rcx)
            a.cvtsi2s(p, .xmm0, .rax)
            a.scalar(.add, p, .xmm0, .xmm0)
            a.jmp(resume)
        }
    }

    /// Resolves an instruction's rounding for inline code: the x86 mode, after checking frm for
    /// a dynamic rm. Nil when the whole instruction should go to `FloatUnit`.
    mutating func inlineMode(_ i: Instruction, fallback: Label) -> UInt8? {
        switch InlineRounding(rm: i.rm) {
        case .mode(let m): return m
        case .dynamic:
            a.cmp(.dword(Host.state, Int32(StateOffset.frm)), imm: 0)
            a.jcc(.ne, fallback)
            return 0
        case .helper: return nil
        }
    }

    func fHigh(_ f: UInt8) -> Mem { .dword(Host.state, Int32(StateOffset.f + 8 * Int(f) + 4)) }
    func fLow(_ f: UInt8) -> Mem { .dword(Host.state, Int32(StateOffset.f + 8 * Int(f))) }

    /// `x = f` as an operand of precision `p`. A single that is not NaN-boxed goes to `unboxed`.
    mutating func loadF(_ x: XMM, _ f: UInt8, _ p: Precision, unboxed: Label) {
        switch p {
        case .double:
            a.movsd(x, fSlot(f))
        case .single:
            a.cmp(fHigh(f), imm: -1)
            a.jcc(.ne, unboxed)
            a.movss(x, fLow(f))
        }
    }

    /// `f = x` (NaN-boxed if single).
    mutating func storeF(_ f: UInt8, _ x: XMM, _ p: Precision) {
        switch p {
        case .double:
            a.movsd(fSlot(f), x)
        case .single:
            a.movss(fLow(f), x)
            a.mov(fHigh(f), imm: -1)
        }
    }

    /// Makes MXCSR round in mode `m` (RISC-V numbering) with no flags that are not already in
    /// fflags. ldmxcsr is slow, so under RNE it is skipped when MXCSR is known clean: then flags
    /// of earlier instructions of the block may still be set, but they were accrued already and
    /// ORing them into fflags again changes nothing. Clobbers rdx.
    mutating func setRounding(_ m: UInt8) {
        if m == 0 && mxcsrClean { return }
        foldFlags()
        loadMXCSR(m)
    }

    /// Loads MXCSR with rounding mode `m` and no flags raised, unconditionally. Clobbers rdx.
    mutating func loadMXCSR(_ m: UInt8) {
        a.mov(.rdx, imm: Int64(bitPattern: FloatConstants.address))
        a.ldmxcsr(.dword(.rdx, Int32(4 * Int(m))))
    }

    /// Whether lowering `i` keeps `mxcsrClean` true: integer and memory instructions (a fault
    /// leaves the block) and F/D arithmetic, which keeps it itself (out-of-line helper calls
    /// reload MXCSR before they rejoin; `floatHelper` clears it). Everything else may run host
    /// code inline (A's slow path, Zicsr on fflags) and clears it.
    static func keepsMXCSR(_ i: Instruction) -> Bool {
        switch Lowering.kind(i) {
        case .inline: return true
        case .branch, .system: return false
        case .slowPath: return isFloatArithmetic(i)
        }
    }

    /// F/D register-to-register instructions (everything in F and D but loads and stores): the
    /// ones that may leave flags pending, and need none folded before them.
    static func isFloatArithmetic(_ i: Instruction) -> Bool {
        let spec = i.opcode.info
        return (spec.ext == .f || spec.ext == .d) && spec.memory == nil
    }

    /// ORs the flags RNE instructions left in MXCSR into fflags, if any are pending: before
    /// anything that can leave the block, fault, call host code, read or write fflags, or load
    /// MXCSR. MXCSR keeps them (they are in fflags now, so they may be ORed in again).
    mutating func foldFlags() {
        guard flagsPending else { return }
        emitFold()
        flagsPending = false
    }

    /// Makes the flags the operation raised since `setRounding` count: under RNE by leaving them
    /// pending in MXCSR (reading MXCSR waits for every FP operation in flight, so it is done
    /// once per run of F/D instructions); otherwise ORed into fflags now, and RNE put back.
    mutating func accrueFlags(mode m: UInt8) {
        mxcsrClean = true
        if m == 0 {
            flagsPending = true
            return
        }
        emitFold()
        a.ldmxcsr(.dword(.rdx, 0))
    }

    /// stmxcsr and OR the mapped flags into fflags. Leaves the table address in rdx; clobbers rcx.
    mutating func emitFold() {
        let slot = Mem.dword(Host.state, Int32(mxcsrScratch))
        a.stmxcsr(slot)
        a.mov(.ecx, slot)
        a.and(.ecx, imm: 0x3f)
        a.mov(.rdx, imm: Int64(bitPattern: FloatConstants.address))
        a.movzx(.ecx, Mem(.byte, base: .gpr(.rdx), index: .rcx, scale: 1, disp: FloatConstants.flagMapOffset))
        a.or(.dword(Host.state, Int32(StateOffset.fflags)), .ecx)
    }

    /// Jumps to `nan` when `x` holds a NaN (ucomis of a quiet NaN raises nothing).
    mutating func jumpIfNaN(_ x: XMM, _ p: Precision, _ nan: Label) {
        a.ucomis(p, x, x)
        a.jcc(.p, nan)
    }
}
