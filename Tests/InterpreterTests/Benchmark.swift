import Guest
import Interpreter
import RISCV
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Guest instructions per second on a compute loop. Runs only with TRAPEZE_BENCH set (use a
/// release build: `TRAPEZE_BENCH=1 swift test -c release --filter InterpreterBenchmark`).
@Suite struct InterpreterBenchmark {
    @Test(.enabled(if: getenv("TRAPEZE_BENCH") != nil))
    func computeLoop() {
        let hart = makeHart()
        let program = TestProgram()
        let iterations: Int64 = 10_000_000
        // loop: ld t1, 0(a1); add a0, a0, t1; xor a2, a2, a0; slli a3, a2, 3; add a0, a0, a3;
        //       addi t0, t0, -1; sd a0, 8(a1); bnez t0, loop; then exit.
        program.place([
            i(.addi, 5, 0, 0), u(.lui, 5, iterations & ~0xfff), i(.addi, 5, 5, iterations & 0xfff),
            r(.add, 11, 0, 0), u(.lui, 11, Int64(Layout.data)),
            i(.ld, 6, 11, 0), r(.add, 10, 10, 6), r(.xor, 12, 12, 10), i(.slli, 13, 12, 3),
            r(.add, 10, 10, 13), i(.addi, 5, 5, -1), s(.sd, 11, 10, 8), s(.bne, 5, 0, -28),
            i(.addi, 17, 0, 93), Instruction(opcode: .ecall),
        ], at: Layout.code, in: hart.memory)
        let interpreter = program.interpreter()
        // Thread CPU time, not wall time: the machine is shared, and preemption is not our cost.
        let start = threadNanoseconds()
        let status = interpreter.run(hart, maxInstructions: nil)
        let seconds = Double(threadNanoseconds() - start) / 1e9
        #expect(status == .exited(Int32(truncatingIfNeeded: hart.state.x(10))))
        #expect(hart.state.x(5) == 0)
        let retired = hart.state.instret
        #expect(retired == UInt64(5 + 8 * iterations + 2))
        print("interpreter: \(retired) instructions in \(seconds) s of CPU = \(Double(retired) / seconds / 1e6) M instructions/s")
    }
}

private func threadNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
