import Guest
import ELF

/// Auxiliary vector keys (include/uapi/linux/auxvec.h).
public enum AuxKey: UInt64, Sendable, CaseIterable {
    case null = 0, phdr = 3, phent = 4, phnum = 5, pagesz = 6, base = 7, flags = 8, entry = 9
    case uid = 11, euid = 12, gid = 13, egid = 14, hwcap = 16, clktck = 17, secure = 23, random = 25
    case execfn = 31, minsigstksz = 51
}

/// The stack a new Linux process starts with.
///
/// From `sp` upward: argc, the argv pointers and NULL, the envp pointers and NULL, the auxv
/// (key, value) pairs ending in AT_NULL; above that AT_RANDOM's 16 bytes, then the argv and envp
/// strings, the AT_EXECFN string, and an 8-byte NULL at the very top (fs/binfmt_elf.c).
public enum InitialStack {
    /// AT_HWCAP of RV64IMAFDC: one bit per single-letter extension (`CPUModel.hwcap` for others).
    public static let hwcap: UInt64 = ["I", "M", "A", "F", "D", "C"].reduce(0) {
        $0 | 1 << UInt64($1.unicodeScalars.first!.value - 65)
    }
    /// AT_MINSIGSTKSZ: enough for the riscv64 rt_sigframe (siginfo, ucontext with the integer
    /// and F/D register file) plus a margin for the handler's first frame.
    public static let minimumSignalStackSize: UInt64 = 2048
    /// Linux refuses arguments and environment larger than a quarter of the stack limit.
    static let maximumStrings = AddressSpaceLayout.stackSize / 4

    /// The identity reported in AT_UID and friends.
    public struct Identity: Sendable {
        public var uid, euid, gid, egid: UInt64
        public init(uid: UInt64, euid: UInt64, gid: UInt64, egid: UInt64) {
            self.uid = uid; self.euid = euid; self.gid = gid; self.egid = egid
        }
    }

    /// Maps the stack and writes the initial frame; returns the initial sp. `secure` is AT_SECURE.
    public static func build(memory: GuestMemory, program: LoadedProgram, arguments: [String],
                             environment: [String], execFilename: String, random: [UInt8],
                             identity: Identity, secure: Bool = false, hwcap: UInt64 = InitialStack.hwcap) throws(LoaderError) -> UInt64 {
        let layout = AddressSpaceLayout(limit: memory.limit)
        let stackFlags: PageFlags = program.executableStack ? [.read, .write, .execute] : [.read, .write]
        guard memory.mapAnonymous(layout.stackBottom, AddressSpaceLayout.stackSize, stackFlags) else {
            throw LoaderError(execFilename, "cannot map the stack")
        }
        let strings = (arguments + environment).map { Array($0.utf8) + [0] }
        let execfn = Array(execFilename.utf8) + [0]
        let stringBytes = strings.reduce(UInt64(execfn.count)) { $0 + UInt64($1.count) }
        guard stringBytes <= maximumStrings else { throw LoaderError(execFilename, "argument list too long") }

        var p = layout.stackTop - 8
        p -= UInt64(execfn.count)
        let execfnAddress = p
        try put(memory, p, execfn)
        p -= strings.reduce(0) { $0 + UInt64($1.count) }
        var addresses: [UInt64] = []
        var q = p
        for s in strings {
            addresses.append(q)
            try put(memory, q, s)
            q += UInt64(s.count)
        }
        p &= ~15
        p -= 16
        let randomAddress = p
        try put(memory, p, random.count == 16 ? random : Array(random.prefix(16)) + Array(repeating: 0, count: max(0, 16 - random.count)))

        let main = program.main
        let auxv: [(AuxKey, UInt64)] = [
            (.hwcap, hwcap), (.pagesz, GuestMemory.pageSize), (.clktck, 100),
            (.phdr, main.programHeaders), (.phent, 56), (.phnum, UInt64(main.elf.programHeaders.count)),
            (.base, program.interpreter?.bias ?? 0), (.flags, 0), (.entry, main.entry),
            (.uid, identity.uid), (.euid, identity.euid), (.gid, identity.gid), (.egid, identity.egid),
            (.secure, secure ? 1 : 0), (.random, randomAddress), (.execfn, execfnAddress),
            (.minsigstksz, minimumSignalStackSize), (.null, 0),
        ]
        var words: [UInt64] = [UInt64(arguments.count)]
        words += addresses[0..<arguments.count] + [0]
        words += addresses[arguments.count...] + [0]
        for (key, value) in auxv { words += [key.rawValue, value] }
        let sp = (p - UInt64(words.count) * 8) & ~15
        try put(memory, sp, words.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> ($0 * 8)) } })
        return sp
    }

    private static func put(_ memory: GuestMemory, _ address: UInt64, _ bytes: [UInt8]) throws(LoaderError) {
        do { try memory.write(address, bytes) } catch { throw LoaderError("", "initial stack overflows") }
    }

    /// Reads back a stack built by `build`, for tests and `--strace`-style dumps.
    public struct Frame: Sendable, Equatable {
        public var arguments: [String]
        public var environment: [String]
        public var auxv: [UInt64: UInt64]
    }

    public static func read(memory: GuestMemory, sp: UInt64) throws(MemoryFault) -> Frame {
        var a = sp
        func next() throws(MemoryFault) -> UInt64 { defer { a &+= 8 }; return try memory.load(a, as: UInt64.self) }
        let argc = try next()
        var args: [String] = [], env: [String] = []
        for _ in 0..<min(argc, 1 << 16) { args.append(try memory.readCString(try next())) }
        _ = try next()
        while true {
            let ptr = try next()
            if ptr == 0 { break }
            env.append(try memory.readCString(ptr))
        }
        var aux: [UInt64: UInt64] = [:]
        while true {
            let key = try next(), value = try next()
            if key == 0 { break }
            aux[key] = value
        }
        return Frame(arguments: args, environment: env, auxv: aux)
    }
}
