#if canImport(Glibc)
import Glibc
#endif
import Guest
import ELF
import RISCV

/// A guest Linux process in user mode: the `Environment` that turns the guest's `ecall`s into
/// host system calls, over memory laid out by the ELF loader.
public final class LinuxProcess: Environment {
    public let memory: GuestMemory
    public let options: LinuxOptions
    public let program: LoadedProgram
    /// The first thread's signals; `signals` is the calling thread's.
    let leaderSignals: SignalState
    /// The signal state of the guest thread running on the calling host thread (the first
    /// thread's when called from elsewhere).
    public var signals: SignalState {
        if let thread = GuestThread.current, thread.signals.shared === leaderSignals.shared { return thread.signals }
        return leaderSignals
    }
    /// Absolute host path of the guest program: what `/proc/self/exe` names.
    public let executablePath: String
    public let layout: AddressSpaceLayout
    /// The initial stack pointer.
    public let initialStackPointer: UInt64
    /// What /proc shows of the process's start (Proc/).
    public let startup: ProcStartup

    /// The command line that runs Trapeze on another guest program, for `execve`. The CLI sets it
    /// (it knows its own flags); the result is executed as `/proc/self/exe` with the guest's envp.
    public var reexecCommand: (_ guestPath: String, _ argv: [String], _ envp: [String]) -> [String] = { path, argv, _ in
        ["trapeze", "run", "--argv0", argv.first ?? path, "--", path] + argv.dropFirst()
    }

    /// Called just before the process image is replaced by a successful-looking `execve` (the
    /// facade saves the persistent translation cache there).
    public var willExec: (() -> Void)?

    /// The heap: `brkStart` is fixed at load time, `brkEnd` is the guest's current break.
    public internal(set) var brkStart: UInt64
    public internal(set) var brkEnd: UInt64
    /// Names, offsets and sharing of mappings, for the guest's /proc/self/maps (ProcMaps/).
    public internal(set) var mappingLabels: MappingLabels
    /// The guest's threads and how the process ends (Threads/).
    public let threads: ThreadGroup
    /// The leader's `--cpu` choice (what /proc/cpuinfo describes).
    public let cpu: CPUModel

    /// Runs a new guest thread's hart to its end on the calling (new) host thread, with an engine
    /// of its own. The facade sets it; without it, thread clones are refused.
    public var threadRunner: ((Hart) -> ExitStatus)?
    /// Called once, before the process's second thread starts: builds the engine's lazily
    /// initialised constants while no other thread can be building one when a thread forks
    /// (`JIT.prepareForThreads`).
    public var prepareForThreads: (() -> Void)?
    let tracer: SyscallTracer?
    /// Enforces `options.limits` (Limits.swift).
    public let accounting: LimitAccounting

    /// Loads the program, builds its stack, points the hart at its entry and attaches itself to it.
    public init(hart: Hart, options: LinuxOptions) throws(LoaderError) {
        memory = hart.memory
        cpu = hart.cpu
        self.options = options
        layout = AddressSpaceLayout(limit: hart.memory.limit)
        leaderSignals = SignalState(memory: hart.memory)
        program = try ELFLoader.load(options.program, into: hart.memory, sysroot: options.sysroot)
        executablePath = LinuxProcess.absolute(options.program)
        brkStart = program.brk
        brkEnd = program.brk
        mappingLabels = LinuxProcess.initialLabels(program, executablePath: executablePath, layout: layout)
        var random = [UInt8](repeating: 0, count: 16)
        _ = random.withUnsafeMutableBytes { HostSyscall.call(.getrandom, Int(bitPattern: $0.baseAddress), 16) }
        initialStackPointer = try InitialStack.build(
            memory: hart.memory, program: program, arguments: options.arguments,
            environment: options.environment.filter { !$0.hasPrefix(ProcessSlots.variable + "=") }, execFilename: options.program, random: random,
            identity: .init(uid: UInt64(getuid()), euid: UInt64(geteuid()), gid: UInt64(getgid()), egid: UInt64(getegid())),
            // A setuid or setgid start (binfmt_misc's C flag) is the guest's too.
            secure: (HostAuxv.value(HostAuxv.secure) ?? 0) != 0, hwcap: hart.cpu.hwcap)
        startup = ProcStartup(memory: hart.memory, sp: initialStackPointer)
        tracer = options.strace ? SyscallTracer(fd: options.straceFD) : nil
        accounting = LimitAccounting(options.limits, memory: hart.memory)
        threads = ThreadGroup(leader: hart, signals: leaderSignals)
        let group = threads
        leaderSignals.interrupted = { group.stopRequested.load(ordering: .acquiring) }
        leaderSignals.lock = threads.lock
        if let sandbox = options.sandbox { Seccomp.install(allowNetwork: sandbox.allowNetwork) }
        hart.state.pc = program.entry
        hart.state.setX(2, initialStackPointer)
        hart.environment = self
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard Glibc.getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(cString: buffer)
        return cwd.hasSuffix("/") ? cwd + path : cwd + "/" + path
    }

    // MARK: Environment

    public func environmentCall(_ hart: Hart) -> Continuation {
        threads.lock.locked { lockedEnvironmentCall(hart) }
    }

    private func lockedEnvironmentCall(_ hart: Hart) -> Continuation {
        if threads.stopRequested.load(ordering: .acquiring) { return stopForGroup(hart) }
        if let tracer { tracer.threadID = threads.count > 1 ? threads.thread(hart).tid : nil }
        let number = Int(truncatingIfNeeded: hart.state.x(17))
        let args = SyscallArguments(hart)
        if let handled = signals.syscall(number, hart) {
            switch handled {
            case .value(let v):
                tracer?.trace(number, args, result: v, memory: memory)
                return finish(hart, v)
            case .continuation(let c):
                tracer?.trace(number, args, result: nil, memory: memory)
                return c
            }
        }
        let result: Int64
        switch SyscallTable.entry(number)?.handler {
        case .value(let handler)?:
            do {
                try refuseOwnDescriptors(number, args)
                try sandboxGate(number, args)
                result = try procMemCall(number, args) ?? handler(self, args)
            } catch {
                result = -Int64((error as? SyscallError)?.code ?? EINVAL)
            }
        case .control(let handler)?:
            tracer?.trace(number, args, result: nil, memory: memory)
            return handler(self, args)
        case nil:
            result = -Int64(ENOSYS)
        }
        tracer?.trace(number, args, result: result, memory: memory)
        return finish(hart, result)
    }

    /// The kernel's ERESTARTSYS: a blocking call was interrupted by a signal whose handler has
    /// SA_RESTART (or that has no handler). The ecall is left in place: the signal is delivered
    /// first, and then the guest issues the call again.
    static let restartSyscall: Int64 = -512

    private func finish(_ hart: Hart, _ result: Int64) -> Continuation {
        if result == LinuxProcess.restartSyscall { return .resume }
        hart.state.setX(10, UInt64(bitPattern: result))
        hart.state.pc &+= 4
        return .resume
    }

    public func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        threads.lock.locked { signals.fault(hart, trap) }
    }
    public var eventPending: Bool { threads.stopRequested.load(ordering: .relaxed) || signals.pending }
    public func deliverEvents(_ hart: Hart) -> Continuation {
        threads.lock.locked {
            if threads.stopRequested.load(ordering: .acquiring) { return stopForGroup(hart) }
            return signals.deliver(hart)
        }
    }

    /// Another thread ended the process: the leader returns its status; any other thread just
    /// stops (its host thread then ends, or dies with the host process).
    private func stopForGroup(_ hart: Hart) -> Continuation {
        if threads.thread(hart) === threads.leader { threads.leaderStopped.store(true, ordering: .releasing) }
        return .stop(threads.endStatus ?? .exited(0))
    }
    /// A guest `fork` is a host fork inside the system call, so the process id tells them apart.
    /// The JIT asks after every environment call: `getpid` is a system call each time (glibc
    /// caches nothing), so the id is kept here and renewed in the child of a fork (`forkClone`).
    public var hostProcess: Int32 { hostPID }
    var hostPID = getpid()
}
