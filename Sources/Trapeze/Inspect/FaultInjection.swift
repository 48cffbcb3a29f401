import Guest
import JIT
import RISCV

/// A deliberate, test-only bug: every retired instruction with `opcode` gets its result flipped
/// by `mask` (the destination register, or for a store the first byte it wrote). It exists to
/// prove that `difftest` and `fuzz` catch a wrong lowering and name the instruction responsible.
public struct FaultInjection: Sendable, Equatable {
    public var opcode: Opcode
    public var mask: UInt64

    public init(opcode: Opcode, mask: UInt64 = 1) {
        self.opcode = opcode
        self.mask = mask == 0 ? 1 : mask
    }

    /// From an objdump mnemonic (`addi`, `fadd.d`, `amoadd.w`) or the `Opcode` case name (`fadd_d`).
    public init?(mnemonic: String) {
        let name = mnemonic.lowercased()
        guard let spec = ISA.all.first(where: { $0.mnemonic == name || "\($0.opcode)" == name }) else { return nil }
        self.init(opcode: spec.opcode)
    }

    /// Applies the fault after `inst` retired; `store` is the store's footprint, taken before it ran.
    func corrupt(_ inst: Instruction, _ hart: Hart, store: (address: UInt64, width: UInt64)?) {
        let spec = inst.opcode.info
        let state = hart.state
        if spec.writesX, inst.rd != 0 {
            state.setX(Int(inst.rd), state.x(Int(inst.rd)) ^ mask)
        } else if spec.writesF {
            state.setF(Int(inst.rd), state.f(Int(inst.rd)) ^ mask)
        } else if let store {
            // Only a byte the store could write (it faulted otherwise, and wrote nothing).
            let memory = hart.memory
            var byte: UInt8 = 0
            let read: Void? = withUnsafeMutableBytes(of: &byte) { try? memory.copyOut(store.address, to: $0, need: .write) }
            guard read != nil else { return }
            byte ^= UInt8(truncatingIfNeeded: mask)
            withUnsafeBytes(of: byte) { try? memory.copyIn(store.address, from: $0, need: .write) }
        }
    }
}

/// Wraps an engine and injects a `FaultInjection` into its results: it runs the inner engine one
/// instruction at a time, so it works over any engine (at a cost only tests pay). The JIT's own
/// hook, once it has one, should break the lowering itself instead; see `EngineKind.make`.
public final class FaultInjectingEngine: Engine {
    let inner: any Engine
    public let fault: FaultInjection

    public init(wrapping inner: any Engine, _ fault: FaultInjection) {
        self.inner = inner
        self.fault = fault
    }

    public func run(_ hart: Hart, maxInstructions: UInt64?) -> ExitStatus {
        let proxy = InspectingEnvironment(wrapping: hart.environment)
        defer { hart.environment = proxy.real }
        var budget = maxInstructions ?? UInt64.max
        while true {
            if case .stop(let status) = proxy.deliverPendingEvents(hart) { return status }
            if budget == 0 { return .instructionLimit }
            let inst = try? hart.fetchInstruction(hart.state.pc)
            let store = inst.flatMap { MemoryJournal.footprint($0, hart.state) }
            switch proxy.run(inner, hart, 1) {
            case .ran:
                budget &-= 1
                if let inst, inst.opcode == fault.opcode { fault.corrupt(inst, hart, store: store) }
            case .trapped(let trap):
                if case .stop(let status) = proxy.report(trap, hart) { return status }
            case .stopped(let status):
                return status
            }
        }
    }
}

extension EngineKind {
    /// An engine of this kind with `fault` injected. The JIT breaks the lowering itself (its
    /// translation of `fault.opcode` corrupts the destination register), so the bug lives in
    /// translated code exactly as a real one would; instructions without a destination register or
    /// that end a block, and the interpreter, are wrapped in a `FaultInjectingEngine` instead.
    public func make(jit options: JITOptions, fault: FaultInjection?) -> any Engine {
        guard let fault else { return make(jit: options) }
        let info = fault.opcode.info
        if self == .jit, !info.endsBlock, info.writesX || info.writesF, let mask = Int32(exactly: fault.mask) {
            var broken = options
            broken.faultInjection = JITFaultInjection(opcode: fault.opcode, mask: mask)
            return JIT(options: broken)
        }
        return FaultInjectingEngine(wrapping: make(jit: options), fault)
    }
}
