#if canImport(Glibc)
import Glibc
#endif
import Guest
import RISCV

/// Threads: clone/clone3 with CLONE_THREAD, exit vs exit_group, set_tid_address, futex.
extension LinuxProcess {
    static let cloneSighand: UInt64 = 0x800
    /// What a thread must share with its creator for Trapeze to run it: memory, signal handlers.
    static let threadFlags: UInt64 = cloneVM | cloneSighand | cloneThread

    /// clone for a thread: a new hart with a copy of the caller's registers (a0 = 0, sp and tp
    /// as asked), run by a new engine on a new host thread; the caller gets the thread id.
    func spawnThread(_ a: SyscallArguments, flags: UInt64, stack: UInt64, parentTID: UInt64,
                     tls: UInt64, childTID: UInt64) throws(SyscallError) -> Int64 {
        guard flags & LinuxProcess.threadFlags == LinuxProcess.threadFlags else { throw .invalid }
        guard let runner = threadRunner else {
            // No engine to run it (a tool driving one hart): refuse loudly, never silently.
            signals.report("trapeze: guest pc 0x\(String(a.hart.state.pc, radix: 16)): clone of a thread refused: this tool runs one thread")
            throw SyscallError(EAGAIN)
        }
        if flags & LinuxProcess.cloneParentSetTID != 0 { _ = try buffer(parentTID, 4, .write) }
        if flags & LinuxProcess.cloneChildSetTID != 0 { _ = try buffer(childTID, 4, .write) }
        guard threads.count < LinuxProcess.maxThreads else { throw SyscallError(EAGAIN) }
        if threads.count == 1 {
            // Lazy global constants are built under a once-lock held by the thread building them,
            // and a host fork while another thread holds one leaves the child's copy locked for
            // good: a threaded dpkg-deb's forked child spun forever waiting for the decoder's
            // tables, which a warm start builds only at its first translation. Build those used
            // outside the process lock (decoding, translation, thread start) while this is the
            // only thread; the rest are first used under the process lock, which a fork holds.
            _ = RISCV.decode(0x0000_0013)
            _ = RISCV.decode(0x0001)
            _ = GuestThread.current
            prepareForThreads?()
        }

        let parent = a.hart
        let hart = Hart(memory: memory)
        hart.cpu = parent.cpu
        hart.state.raw.copyMemory(from: parent.state.raw, byteCount: StateOffset.size)
        hart.state.setX(10, 0)
        if stack != 0 { hart.state.setX(2, stack) }
        if flags & LinuxProcess.cloneSetTLS != 0 { hart.state.setX(4, tls) }
        hart.state.pc = parent.state.pc &+ 4
        hart.state.reservationValid = false
        hart.state.instret = 0
        hart.environment = self
        let thread = GuestThread(hart: hart, signals: SignalState(threadOf: signals), tid: 0, host: pthread_self())
        if threads.count == 1 {
            // The first thread: from now on signals find their thread.
            let group = threads
            leaderSignals.shared.route = { info, sender in group.route(info, from: sender) }
            leaderSignals.shared.directed = { tid, info in group.direct(tid, info) }
        }
        if flags & LinuxProcess.cloneChildClearTID != 0 { thread.clearChildTID = childTID }

        // The child reports its host tid, then waits until the parent has published it.
        let started = HostThread.Handshake()
        let group = threads
        let memory = self.memory
        let ok = HostThread.start {
            thread.tid = Int32(HostSyscall.call(.gettid))
            thread.host = pthread_self()
            thread.becomeCurrent()
            started.signal(.tidKnown)
            started.wait(.published)
            let status = runner(hart)
            group.finished(thread, status, memory: memory)
            if group.leader === thread && group.returningHost == nil {
                // A forked child whose forking thread was not the one `run` returns on.
                ThreadGroup.endHostProcess(group.endStatus ?? status)
            }
        }
        guard ok else { throw SyscallError(EAGAIN) }
        threads.lock.released { started.wait(.tidKnown) }
        let tid = UInt32(bitPattern: thread.tid)
        if flags & LinuxProcess.cloneParentSetTID != 0 { try? memory.store(parentTID, tid) }
        if flags & LinuxProcess.cloneChildSetTID != 0 { try? memory.store(childTID, tid) }
        threads.add(thread)
        started.signal(.published)
        return Int64(thread.tid)
    }

    /// Live threads at most (then EAGAIN): each costs a host thread and, under the JIT, a code
    /// cache, of which the fault handler tracks 1024.
    static let maxThreads = 1000

    /// clone3(args, size): the same as clone, from a struct clone_args.
    func sysClone3(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let size = a[1]
        guard size >= 64, size <= 4096 else { throw .invalid }
        guard let bytes = try? memory.read(a[0], count: 64) else { throw .fault }
        func field(_ i: Int) -> UInt64 {
            bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) }
        }
        // flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls
        let flags = field(0), childTID = field(2), parentTID = field(3), exitSignal = field(4)
        let stack = field(5), stackSize = field(6), tls = field(7)
        guard flags & 0xff == 0, exitSignal <= 64 else { throw .invalid }
        if flags & 0x1000 != 0 { throw SyscallError(ENOSYS) }  // CLONE_PIDFD
        let top = stack == 0 ? 0 : stack &+ stackSize
        if flags & LinuxProcess.cloneThread != 0 {
            return try spawnThread(a, flags: flags, stack: top, parentTID: parentTID, tls: tls, childTID: childTID)
        }
        return try forkClone(a.hart, flags: flags | exitSignal, newStack: top, parentTID: parentTID, tls: tls, childTID: childTID)
    }

    /// exit: ends the calling thread only. The leader waits for the others (the process lives
    /// while any thread does).
    func sysExitThread(_ a: SyscallArguments) -> Continuation {
        let code = Int32(truncatingIfNeeded: a[0]) & 0xff
        let thread = threads.thread(a.hart)
        if thread === threads.leader { return .stop(threads.leaderExit(code)) }
        thread.exitedAlone = true
        return .stop(.exited(code))
    }

    /// exit_group: ends every thread.
    func sysExitGroup(_ a: SyscallArguments) -> Continuation {
        let status = ExitStatus.exited(Int32(truncatingIfNeeded: a[0]) & 0xff)
        if threads.count > 1 || threads.thread(a.hart) !== threads.leader { threads.end(status) }
        return .stop(threads.endStatus ?? status)
    }

    func sysSetTIDAddress(_ a: SyscallArguments) -> Int64 {
        let thread = threads.thread(a.hart)
        thread.clearChildTID = a[0]
        return Int64(thread.tid)
    }

    func sysGettid(_ a: SyscallArguments) -> Int64 { Int64(threads.thread(a.hart).tid) }

    /// futex on guest memory is the host futex on the same bytes: guest address g is host address
    /// base + g, so host waiters and wakers meet (and with a MAP_SHARED page, across processes).
    /// The timeout struct has the same layout on both sides.
    func sysFutex(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let op = a.int(1), command = op & 0x7f
        guard a[0] % 4 == 0 else { throw .invalid }
        let word = try buffer(a[0], 4, .read)
        var timeout = 0, second = 0
        switch command {
        case 0, 9, 11:  // WAIT, WAIT_BITSET, WAIT_REQUEUE_PI's plain form: a timespec pointer
            timeout = try optionalBuffer(a[3], 16, .read)
        case 3, 4, 5:  // REQUEUE, CMP_REQUEUE, WAKE_OP: a second word, val2 in the timeout slot
            guard a[4] % 4 == 0 else { throw .invalid }
            second = try buffer(a[4], 4, command == 5 ? .write : .read)
            timeout = a.int(3)
        case 1, 10:  // WAKE, WAKE_BITSET
            break
        default:
            throw SyscallError(ENOSYS)  // the PI futexes
        }
        // An interrupted wait restarts after a handler with SA_RESTART, as Linux's does (`host`).
        return host { HostSyscall.call(.futex, word, op, a.int(2), timeout, second, a.int(5)) }
    }
}

/// Starting host threads for guest threads.
enum HostThread {
    /// Two one-shot events between a parent and its new thread.
    final class Handshake: @unchecked Sendable {
        enum Event: Int { case tidKnown = 0, published = 1 }
        private let semaphores = UnsafeMutablePointer<sem_t>.allocate(capacity: 2)
        init() {
            sem_init(semaphores, 0, 0)
            sem_init(semaphores + 1, 0, 0)
        }
        deinit {
            sem_destroy(semaphores)
            sem_destroy(semaphores + 1)
            semaphores.deallocate()
        }
        func signal(_ e: Event) { sem_post(semaphores + e.rawValue) }
        func wait(_ e: Event) { while sem_wait(semaphores + e.rawValue) != 0 && errno == EINTR {} }
    }

    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// Runs `body` on a new detached host thread with a generous stack; false if the host refused.
    static func start(_ body: @escaping () -> Void) -> Bool {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attr, 16 << 20)
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let r = pthread_create(&thread, &attr, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        if r != 0 { Unmanaged<Body>.fromOpaque(context).release() }
        return r == 0
    }
}
