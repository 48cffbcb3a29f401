import Guest

/// What Linux keeps from a process's start for /proc: the auxiliary vector as the guest received
/// it (`auxv` shows that copy, not the stack, which the guest may have reused), and where the
/// argument and environment strings lie (`cmdline` and `environ` read those guest bytes live).
public struct ProcStartup: Sendable, Equatable {
    public var auxv: [UInt8] = []
    public var arguments: Range<UInt64> = 0..<0
    public var environment: Range<UInt64> = 0..<0

    public init() {}

    /// Reads the initial stack at `sp` (argc, argv, NULL, envp, NULL, auxv pairs).
    public init(memory: GuestMemory, sp: UInt64) {
        var a = sp
        func next() -> UInt64? {
            defer { a &+= 8 }
            return try? memory.load(a, as: UInt64.self)
        }
        guard let argc = next(), argc < 1 << 20 else { return }
        var argv: [UInt64] = []
        for _ in 0..<argc { guard let p = next() else { return }; argv.append(p) }
        _ = next()
        var envp: [UInt64] = []
        while let p = next(), p != 0 { envp.append(p) }
        var words: [UInt64] = []
        while let key = next(), let value = next() {
            words += [key, value]
            if key == 0 || words.count > 256 { break }
        }
        auxv = words.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> ($0 * 8)) } }
        arguments = ProcStartup.span(argv, memory)
        environment = ProcStartup.span(envp, memory)
    }

    /// From the first string's start to the last one's terminating NUL, inclusive.
    private static func span(_ pointers: [UInt64], _ memory: GuestMemory) -> Range<UInt64> {
        guard let first = pointers.first, let last = pointers.last,
              let text = try? memory.readCString(last) else { return 0..<0 }
        let end = last &+ UInt64(text.utf8.count) &+ 1
        return end > first ? first..<end : 0..<0
    }
}
