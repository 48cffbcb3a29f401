import Guest

/// The riscv64 `struct rt_sigframe` the kernel pushes for a handler (arch/riscv/kernel/signal.c):
///
/// ```
/// 0     siginfo            128 bytes
/// 128   ucontext:  +0 uc_flags, +8 uc_link, +16 uc_stack (24), +40 uc_sigmask (8),
///                  +48 padding to a 1024-bit sigset, +176 uc_mcontext (struct sigcontext):
///                      +0 pc, x1...x31          (user_regs_struct, 256 bytes)
///                      +256 f0...f31, +512 fcsr (__riscv_d_ext_state inside the 528-byte FP union)
///                      +516 12 reserved bytes   (zero; the kernel's extension header, END = 0/0)
/// 1088  end (frames are 16-byte aligned)
/// ```
/// Offsets checked against riscv64-linux-gnu-gcc's `offsetof` over the uapi headers.
public enum SignalFrame {
    public static let size = 1088
    public static let info = 0
    public static let ucontext = 128
    public static let ucFlags = ucontext + 0
    public static let ucLink = ucontext + 8
    public static let ucStack = ucontext + 16
    public static let ucSigmask = ucontext + 40
    public static let mcontext = ucontext + 176
    /// pc, then x1...x31, 8 bytes each.
    public static let pc = mcontext
    public static func x(_ i: Int) -> Int { mcontext + 8 * i }
    public static func f(_ i: Int) -> Int { mcontext + 256 + 8 * i }
    public static let fcsr = mcontext + 512
    public static let reserved = mcontext + 516
    public static let reservedSize = 12

    /// The frame for a handler of `info`, saving the hart's registers, `mask` (the mask to restore
    /// on sigreturn) and the alternate-stack state.
    static func build(_ info: SignalInfo, _ state: GuestState, mask: SignalSet, altStack: [UInt8]) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: size)
        b.replaceSubrange(SignalFrame.info..<SignalFrame.info + SignalInfo.size, with: info.bytes)
        b.replaceSubrange(ucStack..<ucStack + SignalAltStack.encodedSize, with: altStack)
        b.putLE(mask.raw, at: ucSigmask)
        b.putLE(state.pc, at: pc)
        for i in 1..<32 { b.putLE(state.x(i), at: x(i)) }
        for i in 0..<32 { b.putLE(state.f(i), at: f(i)) }
        b.putLE(state.fcsr, at: fcsr)
        return b
    }

    /// What rt_sigreturn takes back from a frame.
    struct Saved {
        var pc: UInt64
        var x: [UInt64]     // x0...x31, x0 unused
        var f: [UInt64]
        var fcsr: UInt32
        var mask: SignalSet
        var altStack: SignalAltStack
        var altStackFlags: Int32
    }

    /// Parses a frame the guest handed back; nil if it is malformed (nonzero reserved bytes, which
    /// the kernel treats as an unknown extension and answers with SIGSEGV).
    static func parse(_ b: [UInt8]) -> Saved? {
        guard b.count >= size else { return nil }
        for i in reserved..<reserved + reservedSize where b[i] != 0 { return nil }
        var xs = [UInt64](repeating: 0, count: 32)
        for i in 1..<32 { xs[i] = b.getLE(x(i)) }
        return Saved(pc: b.getLE(pc), x: xs, f: (0..<32).map { b.getLE(f($0)) }, fcsr: b.getLE(fcsr),
                     mask: SignalSet(raw: b.getLE(ucSigmask)),
                     altStack: SignalAltStack(base: b.getLE(ucStack), size: b.getLE(ucStack + 16)),
                     altStackFlags: b.getLE(ucStack + 8))
    }
}

/// The return trampoline: glibc gives riscv64 handlers no `sa_restorer` (the kernel points ra at
/// its vDSO's `__vdso_rt_sigreturn`), and Trapeze maps no vDSO, so it places the same two
/// instructions in a read+execute guest page of its own.
enum SignalTrampoline {
    /// `li a7, 139` (addi a7, zero, 139) and `ecall`.
    static let code: [UInt32] = [0x08b0_0893, 0x0000_0073]

    static var bytes: [UInt8] {
        var b = [UInt8](repeating: 0, count: code.count * 4)
        for (i, w) in code.enumerated() { b.putLE(w, at: i * 4) }
        return b
    }

    /// Maps the page at the highest free guest address and returns it, or nil if memory is full.
    static func map(in memory: GuestMemory) -> UInt64? {
        let page = GuestMemory.pageSize
        guard let address = memory.findFree(page, below: memory.limit),
              memory.mapAnonymous(address, page, [.read, .write]),
              memory.poke(address, bytes),
              memory.protect(address, page, [.read, .execute]) else { return nil }
        return address
    }
}
