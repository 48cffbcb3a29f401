import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport

/// LR/SC and AMOs inline: values, sign extension, reservations, and the exceptions the
/// interpreter raises (misaligned before access faults; AMOs fault as stores), with exact pcs.
@Suite struct JITAtomicTests {
    static let a0 = 10, a1 = 11, a2 = 12, t0 = 5, t1 = 6, s2 = 18

    @Test func lrScLoopCounts() {
        // t0 = &data[0] (−16); ten times: lr.d a1; addi a1 += 3; sc.d a2; bnez a2 retry. Then an sc
        // without a reservation fails; lr.w reads 14; sc.w stores the low word of 0x20000.
        let code: [UInt32] = [
            RV.addi(Self.t0, Layout.dataRegister, 0), RV.addi(Self.a0, 0, 10),
            rv(.lr_d, rd: Self.a1, rs1: Self.t0, rm: 2), RV.addi(Self.a1, Self.a1, 3),
            rv(.sc_d, rd: Self.a2, rs1: Self.t0, rs2: Self.a1, rm: 1), RV.bne(Self.a2, 0, -12),
            RV.addi(Self.a0, Self.a0, -1), RV.bne(Self.a0, 0, -20),
            rv(.sc_d, rd: Self.s2, rs1: Self.t0, rs2: 0, rm: 0),
            rv(.lr_w, rd: Self.t1, rs1: Self.t0, rm: 0),
            rv(.sc_w, rd: 7, rs1: Self.t0, rs2: Layout.dataRegister, rm: 0),
        ]
        let outcome = expectSameUnderBothEngines(Program(code: code + RV.exit, data: [0xffff_ffff_ffff_fff0]))
        #expect(outcome.x[Self.s2] == 1 && outcome.x[7] == 0 && outcome.x[Self.t1] == 14)
        #expect(outcome.data.prefix(8).elementsEqual([0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]))
    }

    @Test func amosReturnTheOldValueSignExtended() {
        let ops: [(Opcode, UInt64, UInt64)] = [ // (op, memory after, with old 0x7fffffff_80000001 and rs2 = −2)
            (.amoadd_w, 0x7fff_ffff_7fff_ffff, 0), (.amoswap_w, 0x7fff_ffff_ffff_fffe, 0),
            (.amoxor_w, 0x7fff_ffff_7fff_ffff, 0), (.amoand_w, 0x7fff_ffff_8000_0000, 0),
            (.amoor_w, 0x7fff_ffff_ffff_ffff, 0), (.amomin_w, 0x7fff_ffff_8000_0001, 0),
            (.amomax_w, 0x7fff_ffff_ffff_fffe, 0), (.amominu_w, 0x7fff_ffff_8000_0001, 0),
            (.amomaxu_w, 0x7fff_ffff_ffff_fffe, 0),
            (.amoadd_d, 0x7fff_ffff_7fff_ffff, 1), (.amoswap_d, 0xffff_ffff_ffff_fffe, 1),
            (.amoxor_d, 0x8000_0000_7fff_ffff, 1), (.amoand_d, 0x7fff_ffff_8000_0000, 1),
            (.amoor_d, 0xffff_ffff_ffff_ffff, 1), (.amomin_d, 0xffff_ffff_ffff_fffe, 1),
            (.amomax_d, 0x7fff_ffff_8000_0001, 1), (.amominu_d, 0x7fff_ffff_8000_0001, 1),
            (.amomaxu_d, 0xffff_ffff_ffff_fffe, 1),
        ]
        let old: UInt64 = 0x7fff_ffff_8000_0001
        for (op, after, double) in ops {
            for rs2 in [Self.a1, Self.t1, 28] { // cached callee-saved, uncached, uncached high
                let code = [RV.addi(rs2, 0, -2), rv(op, rd: Self.a0, rs1: Layout.dataRegister, rs2: rs2, rm: 3)]
                let outcome = expectSameUnderBothEngines(Program(code: code + RV.exit, data: [old]))
                let memory = outcome.data.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                #expect(memory == after, "\(op)")
                #expect(outcome.x[Self.a0] == (double == 1 ? old : 0xffff_ffff_8000_0001), "\(op)")
            }
        }
    }

    @Test func faultsAreExact() {
        let cases: [(UInt32, UInt64, ExceptionCause)] = [
            (rv(.amoswap_d, rd: Self.a0, rs1: Self.t0, rs2: Self.a1), Layout.readOnly, .storeAccessFault),
            (rv(.amoor_w, rd: Self.a0, rs1: Self.t0, rs2: Self.a1), Layout.readOnly + 4, .storeAccessFault),
            (rv(.amoadd_w, rd: Self.a0, rs1: Self.t0, rs2: Self.a1), Layout.hole, .storeAccessFault),
            (rv(.lr_w, rd: Self.a0, rs1: Self.t0), Layout.hole, .loadAccessFault),
            (rv(.lr_d, rd: Self.a0, rs1: Self.t0), Layout.readOnly, .breakpoint), // no fault: marker
            (rv(.lr_d, rd: Self.a0, rs1: Self.t0), Layout.data + 4, .loadMisaligned),
            (rv(.amomax_d, rd: Self.a0, rs1: Self.t0, rs2: Self.a1), Layout.hole + 2, .storeMisaligned),
            (rv(.sc_w, rd: Self.a0, rs1: Self.t0, rs2: Self.a1), Layout.data + 1, .storeMisaligned),
            (rv(.amominu_d, rd: Self.a0, rs1: Self.t0, rs2: Self.a1), Layout.limit + 8, .storeAccessFault),
        ]
        for (inst, address, cause) in cases {
            let code = [RV.lui(Self.t0, Int(address >> 12)), RV.addi(Self.t0, Self.t0, Int(address & 0xfff)),
                        RV.addi(Self.a0, 0, 77), inst, RV.addi(Self.a2, 0, 1)] + RV.exit
            let outcome = expectSameUnderBothEngines(Program(code: code))
            if cause == .breakpoint {
                #expect(outcome.exceptions.isEmpty && outcome.x[Self.a2] == 1)
            } else {
                #expect(outcome.exceptions == [GuestTrap(cause, pc: Layout.code + 12, tval: address)])
                #expect(outcome.x[Self.a0] == 77 && outcome.x[Self.a2] == 0) // rd untouched, nothing after ran
            }
        }
    }

    /// A store-conditional that faults keeps the reservation; one that completes drops it.
    @Test func scOnReadOnlyMemoryFaultsAndKeepsTheReservation() {
        let code = [RV.lui(Self.t0, Int(Layout.readOnly >> 12)), rv(.lr_d, rd: Self.a0, rs1: Self.t0),
                    rv(.sc_d, rd: Self.a1, rs1: Self.t0, rs2: Self.a0)] + RV.exit
        var states: [(UInt64, Bool)] = []
        for engine in [Interpreter(), smallJIT()] as [Engine] {
            let (hart, environment) = Program(code: code).makeHart()
            _ = engine.run(hart, maxInstructions: 100)
            #expect(environment.exceptions == [GuestTrap(.storeAccessFault, pc: Layout.code + 8, tval: Layout.readOnly)])
            states.append((hart.state.reservation, hart.state.reservationValid))
        }
        #expect(states.allSatisfy { $0 == (Layout.readOnly, true) })
    }
}
