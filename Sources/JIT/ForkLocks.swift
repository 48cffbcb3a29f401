#if canImport(Glibc)
import Glibc
#endif

/// The JIT's locks that threads take outside the process lock (the persistent cache's store, the
/// fault handler's table of code caches), held across a host fork: a guest `fork` is a host fork
/// of the whole process, and a lock that another thread held at that moment would stay locked in
/// the child for good (a threaded guest's forked child hung in `forgetUnsaved`, its store lock
/// copied while a sibling thread was reading a saved block). `pthread_atfork` takes every such
/// lock before the fork, in one order, and lets go of it in the parent and the child after, so
/// the child starts with them free and with what they guard in a consistent state.
enum ForkLocks {
    /// The registry's own lock, then every registered lock, in registration order.
    nonisolated(unsafe) private static let registry: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()
    nonisolated(unsafe) private static var locks: UnsafeMutablePointer<UnsafeMutablePointer<pthread_mutex_t>?> = .allocate(capacity: capacity)
    nonisolated(unsafe) private static var count = 0
    private static let capacity = 64

    private static let installed: Bool = {
        pthread_atfork({ ForkLocks.acquire() }, { ForkLocks.release() }, { ForkLocks.release() })
        return true
    }()

    /// Holds `lock` across every later fork (a process has a handful: beyond `capacity` a lock is
    /// not registered, and a fork while it is held would hang the child as before).
    static func register(_ lock: UnsafeMutablePointer<pthread_mutex_t>) {
        _ = installed
        pthread_mutex_lock(registry)
        defer { pthread_mutex_unlock(registry) }
        guard count < capacity else { return }
        locks[count] = lock
        count += 1
    }

    /// Forgets `lock` (before it is destroyed).
    static func unregister(_ lock: UnsafeMutablePointer<pthread_mutex_t>) {
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
