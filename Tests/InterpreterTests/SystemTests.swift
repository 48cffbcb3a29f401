import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

/// Runs a system instruction the way the run loop does: the interpreter hands it over, and the
/// trap-and-emulate handler performs it.
@discardableResult
private func emulate(_ hart: Hart, _ inst: Instruction) -> Emulation {
    #expect(hart.exec(inst) == .system)
    return hart.emulateSystem(inst)
}

private func illegal(_ hart: Hart, _ inst: Instruction) -> Emulation {
    .exception(GuestTrap(.illegalInstruction, pc: hart.state.pc, tval: UInt64(inst.raw)))
}

@Suite struct SystemTests {
    @Test func fcsrFieldsReadAndWrite() {
        let hart = makeHart()
        hart.set((1, 0xFFFF_FFFF_FFFF_FFFF))
        // csrrw fcsr: old value (0) into rd, bits above 7 dropped.
        #expect(emulate(hart, csr(.csrrw, 2, CSRNumber.fcsr, 1)) == .retired(.resume))
        #expect(hart.state.x(2) == 0)
        #expect(hart.state.fcsr == 0xff)
        #expect(hart.state.frm == 7 && hart.state.fflags == 0x1f)
        #expect(hart.state.pc == Layout.code + 4)
        // csrrci fflags: clear NV and NX (uimm 0b10001); rd gets the old fflags.
        emulate(hart, csr(.csrrci, 3, CSRNumber.fflags, 0b10001))
        #expect(hart.state.x(3) == 0x1f)
        #expect(hart.state.fflags == 0b01110)
        // csrrwi frm: 1 (RTZ).
        emulate(hart, csr(.csrrwi, 4, CSRNumber.frm, 1))
        #expect(hart.state.x(4) == 7)
        #expect(hart.state.fcsr == 1 << 5 | 0b01110)
        // csrrs fflags with a register: sets the bits, reads the old ones.
        hart.set((5, 0b10000 | 0x100))
        emulate(hart, csr(.csrrs, 6, CSRNumber.fflags, 5))
        #expect(hart.state.x(6) == 0b01110)
        #expect(hart.state.fflags == 0b11110)
        // csrrc frm.
        hart.set((5, 1))
        emulate(hart, csr(.csrrc, 7, CSRNumber.frm, 5))
        #expect(hart.state.x(7) == 1)
        #expect(hart.state.frm == 0)
        // csrrsi fcsr sets bits; frm 5..7 may be written (instructions using it become illegal).
        emulate(hart, csr(.csrrsi, 8, CSRNumber.fcsr, 0))   // read only
        #expect(hart.state.x(8) == 0b11110)
        hart.set((5, 6 << 5))
        emulate(hart, csr(.csrrw, 0, CSRNumber.fcsr, 5))
        #expect(hart.state.frm == 6 && hart.state.fflags == 0)
    }

    @Test func rdIsWrittenAfterRs1IsRead() {
        let hart = makeHart()
        hart.state.fflags = 3
        hart.set((5, 0x10))
        emulate(hart, csr(.csrrw, 5, CSRNumber.fflags, 5))
        #expect(hart.state.x(5) == 3)
        #expect(hart.state.fflags == 0x10)
    }

    @Test func countersAreReadOnly() {
        let hart = makeHart()
        hart.state.instret = 1234
        for number in [CSRNumber.cycle, CSRNumber.instret] {
            // csrrs/csrrc with x0 and csrrsi/csrrci with 0 do not write: legal reads.
            #expect(emulate(hart, csr(.csrrs, 5, number, 0)) == .retired(.resume))
            #expect(hart.state.x(5) == 1234)
            #expect(emulate(hart, csr(.csrrci, 6, number, 0)) == .retired(.resume))
            #expect(hart.state.x(6) == 1234)
            // Any write is illegal, even of a zero value, even with rd = x0.
            hart.set((7, 0), (8, 0xAB))
            for inst in [csr(.csrrw, 8, number, 0), csr(.csrrs, 8, number, 7), csr(.csrrc, 8, number, 7),
                         csr(.csrrwi, 8, number, 0), csr(.csrrsi, 8, number, 1)] {
                let pc = hart.state.pc
                #expect(emulate(hart, inst) == illegal(hart, inst))
                #expect(hart.state.x(8) == 0xAB)
                #expect(hart.state.pc == pc)
            }
        }
    }

    @Test func timeAdvances() {
        let hart = makeHart()
        emulate(hart, csr(.csrrs, 5, CSRNumber.time, 0))
        let start = hart.state.x(5)
        var now = start
        for _ in 0..<1_000_000 where now == start {
            emulate(hart, csr(.csrrs, 5, CSRNumber.time, 0))
            now = hart.state.x(5)
        }
        #expect(now > start)
    }

    @Test(arguments: [0x000 as UInt16, 0x004, 0xC03, 0xC80, 0x100, 0x180, 0x300, 0x341, 0xF14, 0x7B0])
    func otherCSRsAreIllegal(number: UInt16) {
        let hart = makeHart()
        hart.set((5, 0x77))
        let inst = csr(.csrrs, 5, number, 0)
        #expect(emulate(hart, inst) == illegal(hart, inst))
        #expect(hart.state.x(5) == 0x77)
    }

    @Test func ecallGoesToTheEnvironment() {
        let hart = makeHart()
        hart.set((17, 64))
        #expect(emulate(hart, Instruction(opcode: .ecall, raw: 0x73)) == .retired(.resume))
        #expect(hart.recorder.ecalls == [64])
        #expect(hart.state.pc == Layout.code + 4)   // the environment advanced it
        hart.set((17, 93), (10, 3))
        #expect(emulate(hart, Instruction(opcode: .ecall, raw: 0x73)) == .retired(.stop(.exited(3))))
    }

    @Test func ecallWithoutEnvironmentIsAnException() {
        let hart = makeHart(environment: nil)
        #expect(emulate(hart, Instruction(opcode: .ecall)) == .exception(GuestTrap(.ecallFromU, pc: Layout.code)))
        let breakpoint = GuestTrap(.breakpoint, pc: Layout.code, tval: Layout.code)
        #expect(Interpreter.step(Instruction(opcode: .ebreak), hart) == .stop(.unhandled(breakpoint)))
    }

    @Test func ebreakIsABreakpoint() {
        let hart = makeHart()
        let inst = Instruction(opcode: .ebreak, raw: 0x0010_0073)
        #expect(emulate(hart, inst) == .exception(GuestTrap(.breakpoint, pc: Layout.code, tval: Layout.code)))
        #expect(Interpreter.step(inst, hart) == .stop(.signaled(5)))
        #expect(hart.recorder.exceptions == [GuestTrap(.breakpoint, pc: Layout.code, tval: Layout.code)])
    }

    @Test(arguments: [Opcode.mret, .sret, .wfi, .sfence_vma])
    func privilegedInstructionsAreIllegalInUserMode(op: Opcode) {
        let hart = makeHart()
        let inst = Instruction(opcode: op, raw: 0x3020_0073)
        #expect(emulate(hart, inst) == illegal(hart, inst))
        #expect(Interpreter.step(inst, hart) == .stop(.signaled(4)))
        #expect(hart.state.pc == Layout.code)
    }

    @Test func fenceIInvalidatesCode() {
        let hart = makeHart()
        let before = hart.memory.codeGeneration
        #expect(emulate(hart, Instruction(opcode: .fence_i)) == .retired(.resume))
        #expect(hart.memory.codeGeneration != before)
        #expect(hart.state.pc == Layout.code + 4)
    }

    @Test func stepCountsRetiredInstructionsAndReadsInstretBeforeThisOne() {
        let hart = makeHart()
        #expect(Interpreter.step(i(.addi, 1, 0, 1), hart) == .resume)
        #expect(Interpreter.step(i(.addi, 1, 1, 1), hart) == .resume)
        #expect(Interpreter.step(csr(.csrrs, 5, CSRNumber.instret, 0), hart) == .resume)
        #expect(hart.state.x(5) == 2)
        #expect(hart.state.instret == 3)
        // A trapping instruction does not count and goes to the environment.
        hart.set((2, Layout.hole))
        #expect(Interpreter.step(i(.ld, 3, 2, 0), hart) == .stop(.signaled(11)))
        #expect(hart.state.instret == 3)
        #expect(hart.recorder.exceptions == [GuestTrap(.loadAccessFault, pc: Layout.code + 12, tval: Layout.hole)])
    }

    @Test func floatArithmeticGoesToTheFloatUnit() {
        // An invalid static rounding mode (5) is illegal, and nothing is written.
        let hart = makeHart()
        hart.state.setF(1, 0x1234)
        let inst = Instruction(opcode: .fadd_d, rd: 1, rs1: 2, rs2: 3, rm: 5, raw: 0x0231_50d3)
        #expect(hart.exec(inst) == .trap(GuestTrap(.illegalInstruction, pc: Layout.code, tval: 0x0231_50d3)))
        #expect(hart.state.pc == Layout.code)
        #expect(hart.state.f(1) == 0x1234)
        // A valid one computes: 1.0 + 2.0 = 3.0, and pc moves on.
        hart.state.setF(2, 0x3FF0_0000_0000_0000)
        hart.state.setF(3, 0x4000_0000_0000_0000)
        var add = inst
        add.rm = 0
        #expect(hart.exec(add) == .retired)
        #expect(hart.state.f(1) == 0x4008_0000_0000_0000)
        #expect(hart.state.pc == Layout.code + 4)
    }
}
