import Guest
import RISCV
import X86

/// Test-only: a deliberately wrong lowering. After every translated instruction with `opcode`
/// that writes a register, the translation XORs the destination with `mask`. It exists so tests can
/// prove that `trapeze difftest` and `trapeze fuzz` catch a broken lowering inside the JIT itself
/// and name the instruction responsible (`--inject-fault MNEMONIC`).
public struct JITFaultInjection: Sendable, Equatable {
    public var opcode: Opcode
    public var mask: Int32

    public init(opcode: Opcode, mask: Int32 = 1) {
        self.opcode = opcode
        self.mask = mask == 0 ? 1 : mask
    }
}

extension Translator {
    /// Emits the injected bug after `inst`'s correct lowering (block-ending instructions, which
    /// have already left the block, and instructions without a destination are left alone).
    mutating func injectFault(_ inst: Instruction, _ fault: JITFaultInjection) {
        let info = inst.opcode.info
        if info.writesX, inst.rd != 0 {
            switch operand(inst.rd) {
            case .zero: break
            case .host(let h): a.xor(.r64(h), imm: fault.mask)
            case .memory(let d): a.xor(.qword(Host.state, d), imm: fault.mask)
            }
        } else if info.writesF {
            loadFBits(.rcx, inst.rd) // f registers may be cached in xmm registers
            a.xor(.rcx, imm: fault.mask)
            storeFBits(inst.rd, .rcx)
        }
    }
}
