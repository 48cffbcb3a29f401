import Guest
import RISCV
import X86

/// Zicsr on fflags, frm and fcsr, inline: math libraries read and restore them around many calls,
/// and they are plain fields of the state block (kept in step with MXCSR, `GuestMXCSR`) that
/// every privilege level may access (the trap-and-emulate handler's `csr` does the same: rd = old
/// value, then the update, fields masked).
extension Translator {
    mutating func floatCSR(_ i: Instruction) {
        let fflags = Mem.dword(Host.state, Int32(StateOffset.fflags))
        let frm = Mem.dword(Host.state, Int32(StateOffset.frm))
        let immediate = [.csrrwi, .csrrsi, .csrrci].contains(i.opcode)
        let assign = i.opcode == .csrrw || i.opcode == .csrrwi
        // csrrs/csrrc with x0 (or uimm 0) read only.
        let writes = assign || i.rs1 != 0
        // The flags pending in MXCSR belong in fflags before it is read, and before a write of
        // frm reloads MXCSR (which drops them). A plain read of frm can do without, and so can
        // fsflags/fscsr that discard the old value: they replace fflags whole. (The folding
        // stmxcsr waits for every FP operation in flight: glibc brackets quiet comparisons with
        // frflags/fsflags.)
        let replacesFlags = assign && i.rd == 0 && i.csr != CSRNumber.frm
        let folds = (writes || i.csr != CSRNumber.frm) && !replacesFlags
        if folds { GuestMXCSR.fold(&a) }
        // Whether every flag pending in MXCSR is in the old fflags: just folded, or folded
        // earlier in the block with nothing raised since (`mxcsrFolded`).
        let covered = folds || mxcsrFolded
        // eax = the old value.
        switch i.csr {
        case CSRNumber.fflags: a.mov(.eax, fflags)
        case CSRNumber.frm: a.mov(.eax, frm)
        default: // fcsr
            a.mov(.eax, frm)
            a.shl(.eax, imm: 5)
            a.or(.eax, fflags)
        }
        if writes {
            if immediate {
                a.mov(.ecx, imm: Int64(i.rs1))
            } else {
                a.mov(.ecx, .r32(register(i.rs1, scratch: .rcx)))
            }
            switch i.opcode {
            case .csrrs, .csrrsi: a.or(.ecx, .eax)
            case .csrrc, .csrrci: a.not(.ecx); a.and(.ecx, .eax)
            default: break
            }
            switch i.csr {
            case CSRNumber.fflags:
                a.and(.ecx, imm: 0x1f)
                a.mov(fflags, .ecx)
            case CSRNumber.frm:
                a.and(.ecx, imm: 7)
                a.mov(frm, .ecx)
            default:
                a.mov(.edx, .ecx)
                a.and(.edx, imm: 0x1f)
                a.mov(fflags, .edx)
                a.shr(.ecx, imm: 5)
                a.and(.ecx, imm: 7)
                a.mov(frm, .ecx)
            }
            // The guest image without flags: they were just folded, or fflags was overwritten;
            // with the new rounding mode if frm changed.
            if i.csr == CSRNumber.fflags && covered {
                // MXCSR's flags need clearing only when the new value drops some of the old
                // (then they might not all be in it). glibc restores the flags it read around
                // each quiet comparison (frflags; flt; fsflags): a store, and no ldmxcsr.
                let kept = a.newLabel()
                a.mov(.edx, .ecx)
                a.not(.edx)
                a.test(.edx, .eax)
                a.jcc(.ne, outOfLine(.inline(.clearMXCSRFlags(resume: kept))))
                a.bind(kept)
            } else if i.csr == CSRNumber.fflags {
                a.ldmxcsr(GuestMXCSR.guest)
            } else {
                GuestMXCSR.loadFromFRM(&a)
                frmChecked = false
            }
        }
        if folds || writes { mxcsrFolded = true }
        store(i.rd, .rax)
        if !frmChecked && targets.system == nil { leaveUnlessFRMInvariant() }
    }

    /// Whether `i`'s inline code may leave exception flags in MXCSR that are not yet in fflags
    /// (the rounding F/D/Zfh instructions). Comparisons, min/max, moves, sign injection,
    /// classification and exact widening raise nothing inline: an operand that would (a
    /// signalling NaN) goes to `FloatUnit`, and every helper call folds MXCSR's flags into fflags
    /// and clears them. Nothing outside the F/D/Zfh group touches MXCSR's flags.
    static func mayRaiseInline(_ i: Instruction) -> Bool {
        guard case .float(let op) = i.opcode.operation else { return false }
        switch op {
        case .fsgnj_s, .fsgnjn_s, .fsgnjx_s, .fsgnj_d, .fsgnjn_d, .fsgnjx_d, .fsgnj_h, .fsgnjn_h, .fsgnjx_h,
             .fmin_s, .fmax_s, .fmin_d, .fmax_d, .fmin_h, .fmax_h,
             .feq_s, .flt_s, .fle_s, .feq_d, .flt_d, .fle_d, .feq_h, .flt_h, .fle_h,
             .fclass_s, .fclass_d, .fclass_h, .fmv_x_w, .fmv_x_d, .fmv_w_x, .fmv_d_x, .fmv_x_h, .fmv_h_x,
             .fli_s, .fli_d, .fli_h, .fcvt_s_h, .fcvt_d_h:
            return false
        default:
            return true
        }
    }
}
