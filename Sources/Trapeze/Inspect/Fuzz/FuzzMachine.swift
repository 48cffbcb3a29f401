import Guest

/// A small guest (code page, sandbox, one hart, no environment) that runs fuzz programs on any
/// engine from a given starting state.
final class FuzzMachine {
    let memory = GuestMemory(limit: FuzzLayout.memoryLimit)
    let hart: Hart
    let proxy = InspectingEnvironment(wrapping: nil)

    init() {
        hart = Hart(memory: memory)
        memory.mapAnonymous(FuzzLayout.sandbox, FuzzLayout.sandboxSize, [.read, .write])
    }

    /// What one engine did with one program.
    struct Run: Equatable {
        var outcome: EngineOutcome
        var state: StateSnapshot
        var sandbox: [UInt8]
    }

    /// Loads `program`, fresh: remapping the code page tells every engine its old code is gone.
    func load(_ program: FuzzProgram) {
        memory.mapAnonymous(FuzzLayout.code, FuzzLayout.codeSize, [.read, .execute])
        let bytes = program.bytes(at: FuzzLayout.code)
        _ = memory.poke(FuzzLayout.code, bytes.prefix(Int(FuzzLayout.codeSize)))
    }

    func run(_ engine: any Engine, _ program: FuzzProgram, from start: FuzzState) -> Run {
        let state = hart.state
        state.raw.initializeMemory(as: UInt8.self, repeating: 0, count: StateOffset.scratch)
        for i in 1..<32 { state.setX(i, start.x[i]) }
        for i in 0..<32 { state.setF(i, start.f[i]) }
        state.fflags = start.fflags
        state.frm = start.frm
        state.instret = start.instret
        state.pc = FuzzLayout.code
        // The memory fields sit inside the zeroed range; engines need them back.
        state.raw.storeBytes(of: UInt64(UInt(bitPattern: memory.base)), toByteOffset: StateOffset.memoryBase, as: UInt64.self)
        state.raw.storeBytes(of: memory.limit, toByteOffset: StateOffset.memoryLimit, as: UInt64.self)
        _ = memory.poke(FuzzLayout.sandbox, start.sandbox)
        // Forward-only control flow: every instruction runs at most once, then the ebreak traps.
        let outcome = proxy.run(engine, hart, UInt64(program.items.count) + 2)
        let sandbox = (try? memory.read(FuzzLayout.sandbox, count: Int(FuzzLayout.sandboxSize))) ?? []
        return Run(outcome: outcome, state: StateSnapshot(state), sandbox: sandbox)
    }
}
