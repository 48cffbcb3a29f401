import X86

/// The roles of host registers inside translated code, named once (DESIGN.md §6.6).
enum Host {
    /// Pinned: the `GuestState` block. Guest registers not cached live at `[state + 8*i]`.
    static let state = GPR.rbx
    /// Pinned: host address of guest address 0; guest address g is `[memory + g]`.
    static let memory = GPR.r15
    /// Scratch for one instruction's lowering. `rax` also always holds the guest address of a
    /// load or store (the fault handler reports it from there); `rcx` is the shift count;
    /// `rdx` takes the high half of mul/div.
    static let t0 = GPR.rax
    static let t1 = GPR.rcx
    static let t2 = GPR.rdx
    /// Instructions left before translated code must return to the dispatcher. A register rather
    /// than a counter in memory, so the check at every block entry (`sub; jb`) carries no
    /// store-to-load dependency from one block to the next.
    static let budget = GPR.r11
}

/// Which guest registers live in host registers while translated code runs.
///
/// The map is static, so every block agrees on it and chained blocks jump to each other with
/// registers in place; they are loaded by the prologue and written back by the epilogue (every exit
/// goes through it). Nine host registers are free for it (16 minus rsp, the two pinned, the three
/// scratch and the budget). The choice was measured: counting register operands of every
/// instruction retired by the compute fixtures (sha256, crc32, matmul, sieve, sort, bytecode, fib),
/// a5, a4, a3, a1, a0, a2 and s0 lead everywhere; then s1, a6, a7, s2 and sp come out close, and sp
/// wins for being the busiest register in ordinary (call-heavy) code. Four live in callee-saved
/// host registers, which survive the slow path's helper calls; the rest in caller-saved ones,
/// which are written back and reloaded around such calls.
enum RegisterMap {
    static let calleeSaved: [(guest: Int, host: GPR)] = [
        (15, .rbp), (14, .r12), (13, .r13), (10, .r14),
    ]
    static let callerSaved: [(guest: Int, host: GPR)] = [
        (11, .rsi), (12, .rdi), (8, .r8), (9, .r9), (2, .r10),
    ]
    static let all = calleeSaved + callerSaved

    /// Host register of guest register `x`, if it is cached. Indexed by guest register number.
    static let host: [GPR?] = {
        var table = [GPR?](repeating: nil, count: 32)
        for (g, h) in all { table[g] = h }
        return table
    }()

    /// User mode (`JITOptions.returnAddressRegister`): ra in rsi instead of a1. Every call and
    /// return writes or reads ra, through its state-block slot when it has no register (fib:
    /// `jal` stored the link, the prologue's `sd ra` reloaded it, the epilogue's `ld ra` stored
    /// it again and the return's table probe reloaded it); a1 is the least used of the nine in
    /// the bench kernels' hot code (4% of register operands, against 25% for a5), and a block
    /// that uses it a lot swaps it in (BlockRegisters.swift). System mode keeps the nine above.
    static let returnAddressCallerSaved: [(guest: Int, host: GPR)] = callerSaved.map {
        $0.guest == 11 ? (guest: 1, host: $0.host) : $0
    }

    /// The cache registers between blocks: `calleeSaved` and `callerSaved`, or
    /// `returnAddressCallerSaved` in its place with ra cached.
    static func callerSaved(returnAddress: Bool) -> [(guest: Int, host: GPR)] {
        returnAddress ? returnAddressCallerSaved : callerSaved
    }

    static func all(returnAddress: Bool) -> [(guest: Int, host: GPR)] {
        returnAddress ? calleeSaved + returnAddressCallerSaved : all
    }

    static let returnAddressHost: [GPR?] = {
        var table = [GPR?](repeating: nil, count: 32)
        for (g, h) in all(returnAddress: true) { table[g] = h }
        return table
    }()

    /// `host` for the map chosen by `returnAddress`.
    static func host(returnAddress: Bool) -> [GPR?] { returnAddress ? returnAddressHost : host }

    static func isCalleeSaved(_ h: GPR) -> Bool { calleeSaved.contains { $0.host == h } }

    /// The host registers the prologue saves for the caller (System V callee-saved ones we use).
    static let preserved: [GPR] = [.rbx, .rbp, .r12, .r13, .r14, .r15]
}
