import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `trapeze binfmt install|uninstall|status`: registers Trapeze with the kernel's binfmt_misc so
/// riscv64 programs run by path (`./prog`, a riscv64 chroot, a container) run under Trapeze.
struct BinfmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "binfmt",
        abstract: "Register Trapeze with binfmt_misc as the kernel's handler for riscv64 programs.",
        discussion: """
            Programs started this way get Trapeze's options from /etc/trapeze/binfmt.conf (`run` \
            options, e.g. `--sysroot DIR`) and the TRAPEZE_BINFMT_FLAGS environment variable, since \
            the kernel passes none. See README "riscv64 chroots and containers".
            """,
        subcommands: [Install.self, Uninstall.self, Status.self])

    struct Location: ParsableArguments {
        @Option(help: "Name of Trapeze's binfmt_misc entry.")
        var name: String = BinfmtMisc.defaultName

        @Option(name: .customLong("binfmt-dir"), help: ArgumentHelp("Where binfmt_misc is (or gets) mounted.", visibility: .hidden))
        var directory: String = "/proc/sys/fs/binfmt_misc"

        var kernel: BinfmtMisc { BinfmtMisc(directory: directory) }

        func validate() throws {
            if let p = BinfmtMisc.problem(name: name) { throw ValidationError(p) }
        }
    }

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register Trapeze for riscv64 ELF executables and shared objects (mounts binfmt_misc if needed).",
            discussion: """
                The entry has the F flag: the kernel opens Trapeze once, now, so it works inside \
                chroots and containers that do not contain it. --credentials (C) runs setuid and \
                setgid riscv64 programs with the credentials they ask for: Trapeze itself then runs \
                with them, trusted with everything the program may do; it ignores TRAPEZE_* \
                variables for such programs (AT_SECURE), and should only be used where the riscv64 \
                userland is trusted.
                """)

        @OptionGroup var location: Location

        @Option(help: "The interpreter to register (default: this trapeze executable).")
        var interpreter: String?

        @Flag(name: .customLong("preserve-argv0"), help: "P flag: the program sees the argv[0] it was started with, not its path.")
        var preserveArgv0 = false

        @Flag(help: "C flag: setuid/setgid riscv64 programs get their credentials (implies O: the kernel opens the program).")
        var credentials = false

        @Flag(name: .customLong("no-fix-binary"), help: "Leave out the F flag: the kernel opens the interpreter path at every start (it must exist inside chroots).")
        var noFixBinary = false

        @Flag(help: "Register even though another riscv64 handler (such as qemu-user-static's) exists, and disable it.")
        var replace = false

        func validate() throws {
            if let i = interpreter, !i.hasPrefix("/") || i.contains(":") || i.contains("\n") {
                throw ValidationError("--interpreter wants an absolute path without ':', got '\(i)'")
            }
        }

        var flags: String { (preserveArgv0 ? "P" : "") + (credentials ? "C" : "") + (noFixBinary ? "" : "F") }

        func run() throws {
            try BinfmtCommand.perform {
                let kernel = location.kernel
                let path = try interpreter ?? BinfmtCommand.ownExecutable()
                guard access(path, X_OK) == 0 else { throw BinfmtError("\(path): not an executable file") }
                try kernel.mountIfNeeded()
                let others = kernel.entries().filter { $0.name != location.name && $0.enabled && $0.handlesRISCV64 }
                if !others.isEmpty && !replace {
                    let list = others.map { "\($0.name) (\($0.interpreter))" }.joined(separator: ", ")
                    throw BinfmtError("another riscv64 handler is registered: \(list); pass --replace to disable it and register Trapeze")
                }
                // Re-installing replaces Trapeze's own entry: its options may have changed.
                if kernel.entry(location.name) != nil { try kernel.control(location.name, "-1") }
                for other in others {
                    try kernel.control(other.name, "0")
                    print("disabled \(other.name) (\(other.interpreter)); `echo 1 > \(kernel.directory)/\(other.name)` enables it again")
                }
                try kernel.register(BinfmtMisc.registration(name: location.name, interpreter: path, flags: flags))
                print("registered \(location.name): \(path), flags \(flags.isEmpty ? "none" : flags)")
            }
        }
    }

    struct Uninstall: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove Trapeze's binfmt_misc entry (and only that).")

        @OptionGroup var location: Location

        func run() throws {
            try BinfmtCommand.perform {
                let kernel = location.kernel
                guard kernel.isMounted, kernel.entry(location.name) != nil else {
                    print("\(location.name) is not registered")
                    return
                }
                try kernel.control(location.name, "-1")
                print("removed \(location.name)")
                for other in kernel.entries() where other.handlesRISCV64 && !other.enabled {
                    print("note: \(other.name) (\(other.interpreter)) is disabled; `echo 1 > \(kernel.directory)/\(other.name)` enables it")
                }
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show Trapeze's entry and every other riscv64 handler (exit status 0 when Trapeze's is registered and enabled).")

        @OptionGroup var location: Location

        func run() throws {
            let kernel = location.kernel
            guard kernel.isMounted else {
                print("binfmt_misc is not mounted at \(kernel.directory) (`trapeze binfmt install` mounts it)")
                throw GuestExit(status: 1)
            }
            print("binfmt_misc: \(kernel.directory), \(kernel.globallyEnabled ? "enabled" : "disabled")")
            let handlers = kernel.entries().filter { $0.handlesRISCV64 || $0.name == location.name }
            if handlers.isEmpty { print("no riscv64 handler is registered") }
            for e in handlers {
                let who = e.name == location.name ? " (Trapeze)" : ""
                print("\(e.name)\(who): \(e.enabled ? "enabled" : "disabled"), interpreter \(e.interpreter), flags \(e.flags.isEmpty ? "none" : e.flags)")
            }
            let active = handlers.filter(\.enabled)
            if active.count > 1 {
                print("warning: \(active.count) enabled riscv64 handlers; the kernel uses the one registered last")
            }
            let ours = kernel.entry(location.name)
            if ours?.enabled != true || !kernel.globallyEnabled { throw GuestExit(status: 1) }
        }
    }

    /// The running executable's path (what `install` registers by default).
    static func ownExecutable() throws(BinfmtError) -> String {
        guard let p = realpath("/proc/self/exe", nil) else {
            throw BinfmtError("cannot find this trapeze executable (/proc/self/exe): pass --interpreter")
        }
        defer { free(p) }
        return String(cString: p)
    }

    /// Runs `body`; a `BinfmtError` becomes one `trapeze:` line and exit status 1.
    static func perform(_ body: () throws -> Void) throws {
        do { try body() } catch let e as BinfmtError {
            report(e.description)
            throw GuestExit(status: 1)
        }
    }
}
