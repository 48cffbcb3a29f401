#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import JIT
import Linux
import Trapeze

/// Trapeze started by the kernel's binfmt_misc for a riscv64 program.
///
/// The kernel runs the registered interpreter with argv = {interpreter, PATH, ARGS...}, where PATH
/// is the file name given to execve and ARGS are the program's argv after argv[0]; with the P flag
/// the program's own argv[0] comes before ARGS (and the kernel says so with AT_FLAGS bit 0, since
/// Linux 5.12). AT_EXECFN still names the file execve was given. It passes no options: they come
/// from a config file and an environment variable (`configLines`).
public enum BinfmtLaunch {
    static let configFile = "/etc/trapeze/binfmt.conf"
    static let configVariable = "TRAPEZE_BINFMT_CONFIG"
    static let flagsVariable = "TRAPEZE_BINFMT_FLAGS"

    public struct Invocation: Equatable, Sendable {
        /// The file to run, as execve named it.
        public var program: String
        public var argv0: String
        public var arguments: [String]

        public init(program: String, argv0: String, arguments: [String]) {
            (self.program, self.argv0, self.arguments) = (program, argv0, arguments)
        }
    }

    /// How the kernel started this process, or nil when it was not binfmt_misc (a command line).
    static func invocation(_ argv: [String]) -> Invocation? {
        invocation(argv, preserveArgv0: (HostAuxv.value(HostAuxv.flags) ?? 0) & 1 != 0,
                   execFilename: HostAuxv.string(HostAuxv.execFilename))
    }

    /// The decision, from argv, AT_FLAGS's P bit and AT_EXECFN. Without the P bit, this is binfmt
    /// when argv[1] is the file execve was given (the kernel's own PATH), or when execve was given
    /// a `#!` script whose interpreter, argv[1], is a riscv64 program. A command line starting
    /// Trapeze has its own x86-64 file in AT_EXECFN and a subcommand in argv[1].
    public static func invocation(_ argv: [String], preserveArgv0: Bool, execFilename: String?) -> Invocation? {
        guard argv.count >= 2 else { return nil }
        let path = argv[1]
        if !preserveArgv0 {
            guard let execfn = execFilename else { return nil }
            let kernel = path == execfn || (fileHeader(execfn).starts(with: [0x23, 0x21]) && isRISCV64(fileHeader(path)))
            guard kernel else { return nil }
            return Invocation(program: path, argv0: path, arguments: Array(argv.dropFirst(2)))
        }
        // P: {interpreter, PATH, argv[0], ARGS...}; a program started with no argv at all gets "".
        return Invocation(program: path, argv0: argv.count > 2 ? argv[2] : "", arguments: Array(argv.dropFirst(3)))
    }

    /// The settings to run `invocation` with: the config file's options, then the environment
    /// variable's (neither for a setuid or setgid program, AT_SECURE: its caller controls the
    /// environment), then the sysroot default.
    public static func settings(_ invocation: Invocation, secure: Bool = (HostAuxv.value(HostAuxv.secure) ?? 0) != 0,
                         environment: (String) -> String? = { HostIO.variable($0) }) throws -> RunSettings {
        let configPath = secure ? configFile : environment(configVariable) ?? configFile
        var options = try configLines(configPath)
        if !secure, let flags = environment(flagsVariable) { options += words(flags) }
        var log: String?
        if let i = options.firstIndex(where: { $0 == "--log" || $0.hasPrefix("--log=") }) {
            if options[i] == "--log" {
                guard i + 1 < options.count else { throw BinfmtError("--log wants a file name") }
                log = options[i + 1]
                options.removeSubrange(i...i + 1)
            } else {
                log = String(options[i].dropFirst(6))
                options.remove(at: i)
            }
        }
        if !options.contains(where: { $0 == "-L" || $0 == "--sysroot" || $0.hasPrefix("--sysroot=") }) {
            options += ["--sysroot", defaultSysroot(secure ? nil : environment("TRAPEZE_SYSROOT"))]
        }
        let line = ["run"] + options + ["--argv0=" + invocation.argv0, "--", invocation.program] + invocation.arguments
        var settings: RunSettings
        if let fast = RunLine.fast(line) {
            settings = fast
        } else {
            do { settings = try RunLine.parsed(line) } catch {
                let message = RunCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid options"
                throw BinfmtError("binfmt options (\(configPath), \(flagsVariable)): \(message)")
            }
        }
        settings.argv0 = invocation.argv0  // also when empty, which the parsers refuse
        settings.execThroughKernel = true
        if let log {
            append(log, "\(getpid()) \(invocation.program)\n")
            settings.exitLog = log
        }
        return settings
    }

    /// Runs the program the kernel handed over; never returns.
    static func run(_ invocation: Invocation) throws {
        closeExecFD()
        let settings: RunSettings
        do { settings = try BinfmtLaunch.settings(invocation) } catch let e as BinfmtError {
            report(e.description)
            throw GuestExit(status: 64)
        }
        try settings.execute()
    }

    /// The sysroot when none is configured: TRAPEZE_SYSROOT; `/` when the root directory is a
    /// riscv64 userland (a riscv64 chroot or container: its dynamic linker is at the usual place);
    /// else Debian's cross root if present, else `/`.
    static func defaultSysroot(_ variable: String?) -> String {
        if let v = variable, !v.isEmpty { return v }
        if access("/lib/ld-linux-riscv64-lp64d.so.1", F_OK) == 0 { return "/" }
        return SysrootPath.defaultSysroot(environment: [:]) ?? "/"
    }

    /// The options in a config file: `run` options separated by white space, `#` to the end of a
    /// line is a comment. A missing file has none.
    static func configLines(_ path: String) throws -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw BinfmtError("\(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").flatMap { line in
            words(String(line.prefix { $0 != "#" }))
        }
    }

    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
    }

    /// The first 20 bytes of a file (fewer if it is shorter or unreadable).
    static func fileHeader(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 20)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return Array(head.prefix(max(0, n)))
    }

    public static func isRISCV64(_ header: [UInt8]) -> Bool {
        header.count == 20 && (0..<20).allSatisfy { header[$0] & BinfmtMisc.mask[$0] == BinfmtMisc.magic[$0] & BinfmtMisc.mask[$0] }
    }

    /// With the O or C flag the kernel passes the program open as AT_EXECFD; Trapeze reads the
    /// program by its path, and the guest must not inherit the descriptor.
    private static func closeExecFD() {
        if let fd = HostAuxv.value(HostAuxv.execFD), fd > 2, fd < 1 << 20 { close(Int32(fd)) }
    }

    /// The line `--log` adds when a process ends: which blocks its main thread's engine
    /// translated and which it took from the persistent cache, and the CPU time of the process
    /// (since its fork, or since the `trapeze` that started it: an `execve` through the kernel
    /// keeps the count). With the start lines' pids this says, per program of a bootstrap, what
    /// a warm cache still translates and where the CPU time goes (`--stats` would change the
    /// cache key, so it cannot answer that).
    static func logExit(_ path: String, _ guest: GuestRun) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func ms(_ t: timeval) -> Int { t.tv_sec * 1000 + t.tv_usec / 1000 }
        var line = "\(getpid()) exit (parent \(getppid())):"
        if let jit = guest.engine as? JIT {
            let s = jit.stats
            line += " \(s.blocksTranslated) blocks translated, \(s.blocksLoaded) from the cache (\(s.blocksLoadRejected) rejected),"
        }
        append(path, line + " CPU \(ms(usage.ru_utime)) ms user \(ms(usage.ru_stime)) ms system\n")
    }

    static func append(_ path: String, _ line: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = Array(line.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}
