#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Descriptors Trapeze holds for itself in a guest's process: the --max-processes table, a perf
/// map, a trace file, a command's saved stdout. They are not the guest's: each is moved to the top
/// of the descriptor range, so the guest's first `open` gets the number Linux would give it (3),
/// and the Linux environment refuses every call that names one (EBADF, as for a closed
/// descriptor), hides them from /proc/self/fd, and skips them in `close_range`.
public enum HostDescriptors {
    private static let owned = ForkSafeLock<Set<Int32>>([])
    /// A plain copy of `owned.isEmpty`, so the check on every system call costs a load.
    private static let anyOwned = Atomic<Bool>(false)

    /// Moves `fd` to a free number near the top of the descriptor limit (closing `fd`) and marks
    /// the new one Trapeze's; `fd` itself if it cannot be moved.
    public static func adopt(_ fd: Int32, closeOnExec: Bool = true) -> Int32 {
        guard fd >= 0 else { return fd }
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let floor = Int32(max(64, Int(min(limit.rlim_cur, 1 << 20)) - 64))
        let high = fcntl(fd, closeOnExec ? F_DUPFD_CLOEXEC : F_DUPFD, floor)
        guard high >= 0 else {
            register(fd)
            return fd
        }
        close(fd)
        register(high)
        return high
    }

    /// Marks `fd` Trapeze's (one that is already where it should be).
    public static func register(_ fd: Int32) {
        owned.withLock {
            $0.insert(fd)
            anyOwned.store(true, ordering: .releasing)
        }
    }

    /// `fd` is no longer Trapeze's (call before closing it).
    public static func forget(_ fd: Int32) {
        owned.withLock {
            $0.remove(fd)
            anyOwned.store(!$0.isEmpty, ordering: .releasing)
        }
    }

    /// True when `fd` is one of Trapeze's own.
    @inline(__always) public static func contains(_ fd: Int32) -> Bool {
        guard anyOwned.load(ordering: .acquiring) else { return false }
        return owned.withLock { $0.contains(fd) }
    }

    /// Trapeze's own descriptors, in ascending order.
    public static var all: [Int32] { owned.withLock { $0.sorted() } }
}
