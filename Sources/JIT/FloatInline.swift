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
    /// `resume`.
    case helper(Instruction, UInt64, pc: UInt64, index: Int, resume: Label)
    /// Dynamic-rm instruction `i` (at `pc`, position `index`) found frm to be 4–7: `FloatUnit`
    /// performs it (or reports it illegal), then the block leaves for the next instruction,
    /// because the instructions after it in this block count on frm having been checked.
    case invalidFRM(Instruction, pc: UInt64, index: Int)
    /// A double operation's NaN result in `x` (`floatInPlace`): the canonical NaN, then back.
    case canonicalNaN(XMM, resume: Label)
    /// fcvt.{s,d}.lu of a value in `x` with the top bit set, into xmm0.
    case unsignedToFloat(GPR, Precision, resume: Label)
    /// fcvt.{s,d}.{w,l} of a value in `x` too wide to convert exactly, under static mode `mode`,
    /// into xmm0.
    case roundedFromInteger(GPR, Precision, IntegerKind, mode: UInt8, resume: Label)
    /// A write of fflags dropped a flag that MXCSR may still hold: the guest image (no flags).
    case clearMXCSRFlags(resume: Label)
    /// System mode: a block's first F/D instruction found mstatus.FS not Dirty (`systemFloat`).
    case floatStatus(Instruction, pc: UInt64, index: Int, resume: Label)
    /// System mode: the head of a group of accesses sharing one TLB probe missed
    /// (SystemSharedProbes.swift); its access is at `access`, the next instruction at `resume`.
    case sharedHead(Instruction, pc: UInt64, index: Int, group: Int, access: Label, resume: Label)
    /// System mode: in a self-loop's second copy, a group's span is not in the page its probe
    /// hit last (LoopPeel.swift); `miss` is its head's `sharedHead` stub.
    case loopProbe(group: Int, miss: Label, access: Label)
}

/// User mode: translated code runs only while frm is a rounding mode x86 has (0–3), so that no
/// dynamic-rm instruction checks it (lu's and fmatmul's inner loops did, once per iteration).
///
/// - The dispatcher enters translated code only when it holds; when it does not (RMM or a
///   reserved value set by the program, a signal frame or a debugger), it steps the interpreter
///   one instruction at a time until it holds again, as for `ConfinedBases`. glibc's
///   `fesetround` sets only 0–3, so that is rare, and costs only speed.
/// - Translated code checks every write of frm or fcsr (`leaveUnlessFRMInvariant`) and leaves
///   right after the instruction, which has retired, when the new value breaks it.
enum FRMInvariant {
    static func holds(_ state: GuestState) -> Bool { state.frm <= 3 }
}

/// The rounding an inline F/D instruction runs under.
enum InlineRounding: Equatable {
    /// An x86 rounding mode (RISC-V rm 0–3), loaded into MXCSR around the instruction.
    case mode(UInt8)
    /// rm = dynamic: the guest MXCSR already rounds as frm says, unless frm is 4–7 (RMM or
    /// reserved), which goes to `FloatUnit`.
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
    /// frm of 4–7, an operand not NaN-boxed, a NaN result, a conversion out of range.
    mutating func floatFallback(_ i: Instruction, done: Label) -> Label {
        helperPath(i, targets.float, done: done)
    }

    /// Label of an out-of-line call of `helper` for instruction `i` (as `callHelper` emits it
    /// inline, with this instruction's pc and retirement count) that rejoins inline code at `done`.
    ///
    /// Folding flags there also folds those the instruction itself raised in x86 before it gave up
    /// (a NaN result); those are a subset of what the helper raises for it (invalid for a
    /// signalling NaN or an invalid operation), so fflags ends up the same.
    mutating func helperPath(_ i: Instruction, _ helper: UInt64, done: Label) -> Label {
        outOfLine(.inline(.helper(i, helper, pc: pc, index: index, resume: done)))
    }

    mutating func emitInlineStub(_ stub: InlineStub) {
        switch stub {
        case .helper(let i, let helper, let pc, let index, let resume):
            let (savedPC, savedIndex) = (self.pc, self.index)
            self.pc = pc
            self.index = index
            callHelper(i, helper)
            a.jmp(resume)
            self.pc = savedPC
            self.index = savedIndex
        case .invalidFRM(let i, let pc, let index):
            let (savedPC, savedIndex) = (self.pc, self.index)
            self.pc = pc
            self.index = index
            callHelper(i, targets.float)
            leaveAfter(index)
            self.pc = savedPC
            self.index = savedIndex
        case .floatStatus(let i, let pc, let index, let resume):
            emitFloatStatusStub(i, pc: pc, index: index, resume: resume)
        case .sharedHead(let i, let pc, let index, let group, let access, let resume):
            emitSharedHeadStub(i, pc: pc, index: index, group: group, access: access, resume: resume)
        case .loopProbe(let group, let miss, let access):
            emitLoopProbeStub(group: group, miss: miss, access: access)
        case .canonicalNaN(let x, let resume):
            a.mov(.rax, imm: 0x7ff8_0000_0000_0000)
            a.movq(x, .rax)
            a.jmp(resume)
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
        case .roundedFromInteger(let x, let p, let kind, let mode, let resume):
            beginRounding(mode)
            convertFromInteger(x, p, kind)
            endRounding(mode)
            a.jmp(resume)
        case .clearMXCSRFlags(let resume):
            a.ldmxcsr(GuestMXCSR.guest)
            a.jmp(resume)
        }
    }

    /// Resolves an instruction's rounding for inline code: nil for the guest's, or the static
    /// x86 mode. `.helper` is resolved by the caller.
    ///
    /// The guest's needs frm to be one x86 has (0–3). In user mode that always holds while
    /// translated code runs (`FRMInvariant`), so `frmChecked` is true from the start. In system
    /// mode it is checked once per block, at its first dynamic-rm instruction and again after
    /// anything that writes frm (`frmChecked`): nothing else in a block can change it, and when
    /// the check fails the block leaves right after that instruction, so the next block checks
    /// afresh. (Measured: 5–8% on nbody and lu against a check per instruction.)
    mutating func inlineMode(_ i: Instruction) -> UInt8? {
        switch InlineRounding(rm: i.rm) {
        case .mode(let m): return m
        case .dynamic, .helper:
            if !frmChecked {
                let invalid = outOfLine(.inline(.invalidFRM(i, pc: pc, index: index)))
                a.cmp(.dword(Host.state, Int32(StateOffset.frm)), imm: 3)
                a.jcc(.a, invalid)
                frmChecked = true
            }
            return nil
        }
    }

    /// Starts an instruction with a static rounding mode `m` (nil: the guest's, nothing to do):
    /// pending flags into fflags, then MXCSR with mode `m` and no flags. Clobbers rcx and rdx.
    mutating func beginRounding(_ m: UInt8?) {
        guard let m else { return }
        GuestMXCSR.fold(&a)
        loadMXCSR(m)
    }

    /// Ends it: the instruction's flags into fflags and the guest's MXCSR back.
    mutating func endRounding(_ m: UInt8?) {
        guard m != nil else { return }
        GuestMXCSR.fold(&a)
        a.ldmxcsr(GuestMXCSR.guest)
    }

    /// Loads MXCSR with rounding mode `m` and no flags raised. Clobbers rdx.
    mutating func loadMXCSR(_ m: UInt8) {
        a.mov(.rdx, imm: Int64(bitPattern: FloatConstants.address), tag: Relocation.tag(.floatConstants))
        a.ldmxcsr(.dword(.rdx, Int32(4 * Int(m))))
    }

    /// Jumps to `nan` when `x` holds a NaN (ucomis of a quiet NaN raises nothing).
    mutating func jumpIfNaN(_ x: XMM, _ p: Precision, _ nan: Label) {
        a.ucomis(p, x, x)
        a.jcc(.p, nan)
    }
}

extension Translator {
    /// User mode, after an instruction that wrote frm: leave right after it, for the dispatcher,
    /// when frm is no longer 0–3 (`FRMInvariant`); past the check it is known good again.
    mutating func leaveUnlessFRMInvariant() {
        a.cmp(.dword(Host.state, Int32(StateOffset.frm)), imm: 3)
        a.jcc(.a, exitAfter(index))
        frmChecked = true
    }

    /// Out of line, after the helper ran instruction `index` itself: gives back the budget taken
    /// for the instructions after it and leaves for the next instruction's pc.
    mutating func leaveAfter(_ index: Int) {
        let rest = notRetired - 1 // budget taken for the instructions after this one
        if rest > 0 { a.add(.r64(Host.budget), imm: Int32(rest)) }
        storePC(index + 1 < block.pcs.count ? block.pcs[index + 1] : block.end)
        leave(.direct)
    }
}
