#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The guest process's one lock (a "big kernel lock"): held while a guest thread runs Trapeze's
/// side of a syscall, a fault or a signal delivery, so the process's Swift state (file tables,
/// mappings, dispositions, the thread list) is only ever changed by one thread at a time. It is let
/// go around every host call that may block (`released`), so threads never wait for each other's
/// `read` or `futex`. Translated code and the interpreter never take it.
final class ProcessLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when a thread ends or the process is ending (`ThreadGroup`).
    let changed: UnsafeMutablePointer<pthread_cond_t>
    /// The holder's `pthread_self()`, or 0.
    private let owner = Atomic<UInt>(0)

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        changed = .allocate(capacity: 1)
        pthread_cond_init(changed, nil)
    }

    var heldByCurrentThread: Bool { owner.load(ordering: .relaxed) == pthread_self() }

    /// Runs `body` holding the lock (re-entrant: a holder just runs it).
    @inline(__always) func locked<T>(_ body: () -> T) -> T {
        if heldByCurrentThread { return body() }
        pthread_mutex_lock(mutex)
        owner.store(pthread_self(), ordering: .relaxed)
        defer {
            owner.store(0, ordering: .relaxed)
            pthread_mutex_unlock(mutex)
        }
        return body()
    }

    /// Runs `body` without the lock if the calling thread holds it (a blocking host call).
    @inline(__always) func released<T>(_ body: () -> T) -> T {
        guard heldByCurrentThread else { return body() }
        owner.store(0, ordering: .relaxed)
        pthread_mutex_unlock(mutex)
        defer {
            pthread_mutex_lock(mutex)
            owner.store(pthread_self(), ordering: .relaxed)
        }
        return body()
    }

    /// Waits for `changed` (the caller holds the lock), at most `nanoseconds` if given.
    func wait(nanoseconds: UInt64? = nil) {
        owner.store(0, ordering: .relaxed)
        if let nanoseconds {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let total = UInt64(now.tv_nsec) + nanoseconds
            var until = timespec(tv_sec: now.tv_sec + Int(total / 1_000_000_000), tv_nsec: Int(total % 1_000_000_000))
            pthread_cond_timedwait(changed, mutex, &until)
        } else {
            pthread_cond_wait(changed, mutex)
        }
        owner.store(pthread_self(), ordering: .relaxed)
    }

    func broadcast() { pthread_cond_broadcast(changed) }
}
