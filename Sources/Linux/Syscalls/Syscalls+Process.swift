#if canImport(Glibc)
import Glibc
#endif
import Guest

/// Process and identity syscalls. The guest process is the host process: pids, uids, limits and
/// children are the host's, and fork is a host fork that carries the whole emulator along.
extension LinuxProcess {
    static let cloneVM: UInt64 = 0x100, cloneVFork: UInt64 = 0x4000, cloneThread: UInt64 = 0x10000
    static let cloneSetTLS: UInt64 = 0x80000, cloneParentSetTID: UInt64 = 0x100000
    static let cloneChildClearTID: UInt64 = 0x200000, cloneChildSetTID: UInt64 = 0x1000000

    /// clone: a thread (CLONE_THREAD, Threads/), or a fork. vfork and posix_spawn
    /// (CLONE_VM|CLONE_VFORK) become a plain fork: the child runs on its own copy of memory and
    /// the parent continues at once. CLONE_VM without CLONE_THREAD or CLONE_VFORK (a process
    /// sharing memory) is refused with EAGAIN.
    func sysClone(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        // riscv64 has CLONE_BACKWARDS order: (flags, newsp, parent_tid, tls, child_tid).
        let flags = a[0], newStack = a[1], parentTID = a[2], tls = a[3], childTID = a[4]
        if flags & LinuxProcess.cloneThread != 0 {
            return try spawnThread(a, flags: flags, stack: newStack, parentTID: parentTID, tls: tls, childTID: childTID)
        }
        return try forkClone(a.hart, flags: flags, newStack: newStack, parentTID: parentTID, tls: tls, childTID: childTID)
    }

    func forkClone(_ hart: Hart, flags: UInt64, newStack: UInt64, parentTID: UInt64, tls: UInt64,
                   childTID: UInt64) throws(SyscallError) -> Int64 {
        if flags & LinuxProcess.cloneVM != 0 && flags & LinuxProcess.cloneVFork == 0 { throw SyscallError(EAGAIN) }
        if flags & LinuxProcess.cloneParentSetTID != 0 { _ = try buffer(parentTID, 4, .write) }
        if flags & LinuxProcess.cloneChildSetTID != 0 { _ = try buffer(childTID, 4, .write) }

        guard let slot = accounting.reserveChild() else { throw SyscallError(EAGAIN) }  // --max-processes
        let pid = fork()
        if pid < 0 {
            let e = errno
            accounting.forked(slot)
            return -Int64(e)
        }
        if pid == 0 {
            accounting.becameChild(slot)
            signals.didFork()
            TimedRun.restartWatchdogAfterFork()
            let thread = threads.thread(hart)
            threads.becameForkChild(thread)
            // Host signals go to this thread now: the one `run` was on is not in the child.
            if signals.receivesHostSignals { HostSignals.routeToCurrentThread(true) }
            let tid = getpid()
            hostPID = tid
            if newStack != 0 { hart.state.setX(2, newStack) }
            if flags & LinuxProcess.cloneSetTLS != 0 { hart.state.setX(4, tls) }
            if flags & LinuxProcess.cloneChildSetTID != 0 { try? memory.store(childTID, UInt32(bitPattern: tid)) }
            if flags & LinuxProcess.cloneParentSetTID != 0 { try? memory.store(parentTID, UInt32(bitPattern: tid)) }
            if flags & LinuxProcess.cloneChildClearTID != 0 { thread.clearChildTID = childTID }
            return 0
        }
        accounting.forked(slot)
        if flags & LinuxProcess.cloneParentSetTID != 0 { try? memory.store(parentTID, UInt32(bitPattern: pid)) }
        return Int64(pid)
    }

    func sysWait4(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let status = try optionalBuffer(a[1], 4, .write), usage = try optionalBuffer(a[3], 144, .write)
        return host { HostSyscall.call(.wait4, a.int(0), status, a.int(2), usage) }
    }

    func sysWaitid(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let info = try optionalBuffer(a[2], 128, .write), usage = try optionalBuffer(a[4], 144, .write)
        return host { HostSyscall.call(.waitid, a.int(0), a.int(1), info, a.int(3), usage) }
    }

    func sysSchedGetaffinity(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let size = a[1]
        guard size <= 1 << 16 else { throw .invalid }
        return passthrough(.sched_getaffinity, a.int(0), Int(size), try buffer(a[2], size, .write))
    }

    /// getresuid/getresgid: three `unsigned int` out-parameters.
    func sysThreeIDs(_ n: HostSyscall.Number, _ a: SyscallArguments) throws(SyscallError) -> Int64 {
        passthrough(n, try buffer(a[0], 4, .write), try buffer(a[1], 4, .write), try buffer(a[2], 4, .write))
    }

    func sysGetgroups(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let count = a.int(0)
        guard count >= 0, count <= 65536 else { throw .invalid }
        if count == 0 { return passthrough(.getgroups, 0, 0) }
        return passthrough(.getgroups, count, try buffer(a[1], UInt64(count) * 4, .write))
    }

    func sysSetgroups(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let count = a.int(0)
        guard count >= 0, count <= 65536 else { throw .invalid }
        if count == 0 { return passthrough(.setgroups, 0, 0) }
        return passthrough(.setgroups, count, try buffer(a[1], UInt64(count) * 4, .read))
    }

    /// The host's uname, with the machine field saying riscv64.
    func sysUname(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let buf = try buffer(a[0], 390, .write)
        let r = passthrough(.uname, buf)
        guard r == 0 else { return r }
        let machine = Array("riscv64".utf8) + [UInt8](repeating: 0, count: 65 - 7)
        try? memory.write(a[0] + 4 * 65, machine)
        return 0
    }

    /// Limits that shape Trapeze's own address space (RLIMIT_DATA 2, RLIMIT_STACK 3, RLIMIT_AS 9)
    /// are accepted but not applied to the host process.
    func sysPrlimit(resource: Int, new: UInt64, old: UInt64) throws(SyscallError) -> Int64 {
        let newLimit = try optionalBuffer(new, 16, .read), oldLimit = try optionalBuffer(old, 16, .write)
        if newLimit != 0 && [2, 3, 9].contains(resource) {
            return oldLimit == 0 ? 0 : passthrough(.prlimit64, 0, resource, 0, oldLimit)
        }
        return passthrough(.prlimit64, 0, resource, newLimit, oldLimit)
    }

    func sysPrlimit64(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let pid = a.int(0)
        if pid != 0 && pid != Int(getpid()) {
            let new = try optionalBuffer(a[2], 16, .read), old = try optionalBuffer(a[3], 16, .write)
            return passthrough(.prlimit64, pid, a.int(1), new, old)
        }
        return try sysPrlimit(resource: a.int(1), new: a[2], old: a[3])
    }

    func sysGetrusage(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        passthrough(.getrusage, a.int(0), try buffer(a[1], 144, .write))
    }

    func sysSysinfo(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        passthrough(.sysinfo, try buffer(a[0], 112, .write))
    }

    func sysGetcpu(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        passthrough(.getcpu, try optionalBuffer(a[0], 4, .write), try optionalBuffer(a[1], 4, .write))
    }

    /// The prctl options programs use at start-up; others are EINVAL, as for an unknown option.
    func sysPrctl(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        switch a.int(0) {
        case 15: return passthrough(.prctl, 15, try buffer(a[1], 16, .read))        // PR_SET_NAME
        case 16: return passthrough(.prctl, 16, try buffer(a[1], 16, .write))       // PR_GET_NAME
        case 2: return passthrough(.prctl, 2, try buffer(a[1], 4, .write))          // PR_GET_PDEATHSIG
        case 1, 3, 4: return passthrough(.prctl, a.int(0), Int(truncatingIfNeeded: a[1]))  // PDEATHSIG, DUMPABLE
        default: throw .invalid
        }
    }
}
