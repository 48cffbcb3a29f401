#if canImport(Glibc)
import Glibc
#endif
import Guest
import ELF

/// execve. The host kernel cannot run a riscv64 program, so Trapeze re-executes itself on it
/// (`reexecCommand`), as a binfmt_misc registration would. A `#!` script whose interpreter is a
/// riscv64 program runs under Trapeze too. Host programs (x86-64 ELF files, scripts with a host
/// interpreter) are handed to the host kernel, so a guest shell can still run host tools; other
/// machines' ELF files fail with ENOEXEC.
extension LinuxProcess {
    enum ExecTarget: Equatable {
        case guest
        case host
        case script(interpreter: String, argument: String?)
    }

    func sysExecve(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let guestPath = try string(a[0])
        var budget = Int(AddressSpaceLayout.stackSize / 4)
        let argv = try stringArray(a[1], budget: &budget), envp = try stringArray(a[2], budget: &budget)
        let path = hostPath(guestPath)
        let target = try LinuxProcess.classify(path)
        var program = path, arguments = argv
        switch target {
        case .host:
            if options.sandbox != nil { throw sandboxRefusal(EACCES, "execve of \(path): no host programs in the sandbox") }
            return hostProgramExecve(path, argv, envp, a)
        case .guest:
            break
        case .script(let interpreter, let argument):
            let interpreterPath = hostPath(interpreter)
            guard (try? LinuxProcess.classify(interpreterPath)) == .guest else {
                if options.sandbox != nil { throw sandboxRefusal(EACCES, "execve of \(path): no host programs in the sandbox") }
                return hostProgramExecve(path, argv, envp, a)
            }
            program = interpreterPath
            arguments = [interpreter] + (argument.map { [$0] } ?? []) + [guestPath] + argv.dropFirst()
        }
        if options.execThroughKernel {
            let r = hostProgramExecve(path, argv, envp, a)
            if r != -Int64(ENOEXEC) { return r }
        }
        // The new Trapeze keeps this process's --max-processes slot; the guest cannot forge it.
        let handed = envp.filter { !$0.hasPrefix(ProcessSlots.variable + "=") } + (accounting.handOff.map { [$0] } ?? [])
        return hostExecve("/proc/self/exe", reexecCommand(program, arguments, envp), handed, a)
    }

    /// execve of a host program: it inherits what is left of --timeout as a SIGALRM.
    func hostProgramExecve(_ path: String, _ argv: [String], _ envp: [String], _ a: SyscallArguments) -> Int64 {
        TimedRun.armForHostExec()
        let envp = envp.filter { !$0.hasPrefix(ProcessSlots.variable + "=") }
        return hostExecve(path, argv, envp, a)
    }

    /// Decides how a file is run, with Linux's errors for files that cannot be.
    static func classify(_ path: String) throws(SyscallError) -> ExecTarget {
        var st = stat()
        guard fstatat(AT_FDCWD, path, &st, 0) == 0 else { throw SyscallError(errno) }
        guard st.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 else { throw SyscallError(EACCES) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SyscallError(errno) }
        defer { Glibc.close(fd) }
        var head = [UInt8](repeating: 0, count: 256)
        let n = head.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n >= 0 else { throw SyscallError(errno) }
        head.removeSubrange(n...)
        if head.starts(with: [0x7f, 0x45, 0x4c, 0x46]) {
            guard head.count >= 20 else { throw SyscallError(ENOEXEC) }
            let machine = UInt16(head[18]) | UInt16(head[19]) << 8
            if machine == ELFFile.machineRISCV && head[4] == 2 { return .guest }
            if machine == 62 { return .host }
            throw SyscallError(ENOEXEC)
        }
        if head.starts(with: [0x23, 0x21]) {  // "#!"
            let line = head.dropFirst(2).prefix { $0 != 0x0a }
            let words = String(decoding: line, as: UTF8.self).split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = words.first else { throw SyscallError(ENOEXEC) }
            let rest = words.count > 1 ? String(words[1]).trimmingTrailingSpace : nil
            return .script(interpreter: String(first), argument: rest?.isEmpty == false ? rest : nil)
        }
        return .host
    }

    /// Linux's bound on one argument or environment string (MAX_ARG_STRLEN, 32 pages).
    static let maximumArgumentString = 32 * 4096

    /// A guest NULL-terminated array of string pointers (argv, envp). `budget` is what is left of
    /// the bytes Linux allows argv and envp together (a quarter of the stack limit, counting
    /// each string's NUL and pointer): past it, or past MAX_ARG_STRLEN for one string, E2BIG,
    /// before anything large is allocated.
    func stringArray(_ address: UInt64, budget: inout Int) throws(SyscallError) -> [String] {
        var out: [String] = []
        var a = address
        if address == 0 { return [] }
        while true {
            guard let p = try? memory.load(a, as: UInt64.self) else { throw .fault }
            if p == 0 { return out }
            let s: String
            do { s = try string(p, max: min(LinuxProcess.maximumArgumentString, max(budget, 1))) } catch {
                throw error.code == ENAMETOOLONG ? SyscallError(E2BIG) : error
            }
            budget -= s.utf8.count + 1 + 8
            guard budget >= 0 else { throw SyscallError(E2BIG) }
            out.append(s)
            a &+= 8
        }
    }

    /// Replaces this process; returns only on failure.
    func hostExecve(_ path: String, _ argv: [String], _ envp: [String], _ a: SyscallArguments) -> Int64 {
        tracer?.trace(221, a, result: nil, memory: memory)
        func cArray(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] { strings.map { strdup($0) } + [nil] }
        let cArgv = cArray(argv), cEnvp = cArray(envp)
        defer { (cArgv + cEnvp).forEach { free($0) } }
        // The new image inherits the guest's signal dispositions and mask, as Linux's exec does.
        signals.prepareForExec()
        willExec?()
        let result: Int64 = cArgv.withUnsafeBufferPointer { av in
            cEnvp.withUnsafeBufferPointer { ev in
                withPath(path) { p in
                    HostSyscall.call(.execve, p, Int(bitPattern: av.baseAddress), Int(bitPattern: ev.baseAddress))
                }
            }
        }
        signals.cancelExec()  // only reached when execve failed
        return result
    }
}

extension String {
    var trimmingTrailingSpace: String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
