#if canImport(Glibc)
import Glibc
#endif

/// Locks that threads take outside the process lock (the persistent cache's store, the fault
/// handler's table of code caches, guest memory's code-change log, Trapeze's own descriptors),
/// held across a host fork: a guest `fork` is a host fork
/// of the whole process, and a lock that another thread held at that moment would stay locked in
/// the child for good (a threaded guest's forked child hung in `forgetUnsaved`, its store lock
/// copied while a sibling thread was reading a saved block). `pthread_atfork` takes every such
/// lock before the fork, in one order, and lets go of it in the parent and the child after, so
/// the child starts with them free and with what they guard in a consistent state.
public enum ForkLocks {
    /// The registry's own lock, then every registered lock, in registration order.
    nonisolated(unsafe) private static let registry: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()
    nonisolated(unsafe) private static var locks: UnsafeMutablePointer<UnsafeMutablePointer<pthread_mutex_t>?> = .allocate(capacity: 64)
    nonisolated(unsafe) private static var count = 0
    nonisolated(unsafe) private static var capacity = 64

    private static let installed: Bool = {
        pthread_atfork({ ForkLocks.acquire() }, { ForkLocks.release() }, { ForkLocks.release() })
        return true
    }()

    /// Holds `lock` across every later fork. A process has a handful; a test process, one per
    /// live guest memory, so the table grows (under the registry's lock, which a fork holds too).
    public static func register(_ lock: UnsafeMutablePointer<pthread_mutex_t>) {
        _ = installed
        pthread_mutex_lock(registry)
        defer { pthread_mutex_unlock(registry) }
        if count == capacity {
            let larger = UnsafeMutablePointer<UnsafeMutablePointer<pthread_mutex_t>?>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: locks, count: count)
            locks.deallocate()
            locks = larger
            capacity *= 2
        }
        locks[count] = lock
        count += 1
    }

    /// Forgets `lock` (before it is destroyed).
    public static func unregister(_ lock: UnsafeMutablePointer<pthread_mutex_t>) {
        pthread_mutex_lock(registry)
        defer { pthread_mutex_unlock(registry) }
        for i in 0..<count where locks[i] == lock {
            locks[i] = locks[count - 1]
            count -= 1
            return
        }
    }

    private static func acquire() {
        pthread_mutex_lock(registry)
        for i in 0..<count { pthread_mutex_lock(locks[i]!) }
    }

    private static func release() {
        for i in stride(from: count - 1, through: 0, by: -1) { pthread_mutex_unlock(locks[i]!) }
        pthread_mutex_unlock(registry)
    }
}

/// A lock around `value` that a host fork never leaves held in the child (`ForkLocks`), for state
/// any guest thread may change while another forks. Only for leaf locks: nothing else is taken
/// while it is held, so the fixed order in which a fork takes every registered lock cannot
/// deadlock against it.
public final class ForkSafeLock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = .allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        ForkLocks.register(mutex)
    }

    deinit {
        ForkLocks.unregister(mutex)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
