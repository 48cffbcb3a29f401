import Guest
import RISCV

extension Opcode {
    /// Instructions the engines hand to the trap-and-emulate handler. The inspection tools run
    /// each of them exactly once, on its own, because some have effects outside the hart
    /// (a syscall) or read values that change between two executions (the `time` CSR).
    var isSystem: Bool {
        let spec = info
        switch spec.ext {
        case .zicsr, .zifencei, .privileged: return true
        case .i, .m, .a, .f, .d: return self == .ecall || self == .ebreak
        }
    }
}
