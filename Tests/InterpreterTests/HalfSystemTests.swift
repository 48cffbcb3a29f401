import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// System mode: with mstatus.FS = Off every half instruction is illegal, like F and D (tval =
/// the encoding, nothing written); with FS on it runs and leaves FS Dirty.
@Suite struct HalfSystemTests {
    typealias Rig = SystemRig

    static let words: [UInt32] = [
        RV.i(.flh, 1, 11, 0x100), RV.s(.fsh, 1, 11, 0x108), RV.encode(.fmv_h_x, rd: 1, rs1: 12),
        RV.encode(.fmv_x_h, rd: 13, rs1: 1), RV.fp(.fadd_h, 1, 1, 1), RV.encode(.fcvt_s_h, rd: 2, rs1: 1),
        RV.fp(.fcvt_h_d, 2, 1), RV.encode(.fli_h, rd: 3, rs1: 16),
    ]

    @Test(arguments: words)
    func trapsWithFSOffAndRunsWithFSOn(_ word: UInt32) {
        let rig = Rig()
        rig.place([word] + Rig.exit)
        rig.hart.state.setX(11, Rig.code)
        rig.hart.state.setX(12, 0x3c00)
        rig.hart.state.setF(1, 0x1234)
        rig.set(CSRNumber.mstatus, MStatus.fsOff)
        #expect(rig.run() == .unhandled(GuestTrap(.illegalInstruction, pc: Rig.code, tval: UInt64(word))))
        #expect(rig.hart.state.f(1) == 0x1234 && rig.hart.state.x(13) == 0)

        rig.set(CSRNumber.mstatus, MStatus.fsInitial << MStatus.fsShift)
        rig.hart.state.pc = Rig.code
        guard case .exited = rig.run() else { Issue.record("\(String(word, radix: 16)) did not run"); return }
        #expect(rig.hart.state.mstatus & MStatus.fs == MStatus.fs)
    }
}
