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
/// goes through it). The choice is the registers compiled RISC-V code touches most: sp and ra for
/// every call, a0–a5 for arguments and results, s0 for loop state (s1 lost its place to the
/// budget register: measured, the budget check matters more). Four go in callee-saved host
/// registers, which survive the helper calls of the slow path; the rest in caller-saved ones, which
/// are written back and reloaded around such calls.
enum RegisterMap {
    static let calleeSaved: [(guest: Int, host: GPR)] = [
        (2, .rbp), (10, .r12), (11, .r13), (15, .r14),
    ]
    static let callerSaved: [(guest: Int, host: GPR)] = [
        (1, .rsi), (12, .rdi), (13, .r8), (14, .r9), (8, .r10),
    ]
    static let all = calleeSaved + callerSaved

    /// Host register of guest register `x`, if it is cached. Indexed by guest register number.
    static let host: [GPR?] = {
        var table = [GPR?](repeating: nil, count: 32)
        for (g, h) in all { table[g] = h }
        return table
    }()

    static func isCalleeSaved(_ h: GPR) -> Bool { calleeSaved.contains { $0.host == h } }

    /// The host registers the prologue saves for the caller (System V callee-saved ones we use).
    static let preserved: [GPR] = [.rbx, .rbp, .r12, .r13, .r14, .r15]
}
