#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Guest
import Testing

@Suite struct ForkSafeLockTests {
    /// Forks while another thread is inside `lock`; the child takes the lock and exits with 7.
    /// A lock the child inherited held would hang it: an alarm ends it with SIGALRM instead.
    func forkWhileHeld(_ lock: ForkSafeLock<Int>) -> Int32 {
        let inside = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let shared = lock
        let holder = Thread {
            shared.withLock { value in
                inside.signal()
                usleep(50_000)
                value += 1
            }
        }
        holder.start()
        inside.wait()
        let pid = fork()
        if pid == 0 {
            var alarmOnly = sigset_t()  // the forking thread may block SIGALRM (a dispatch worker)
            sigemptyset(&alarmOnly)
            sigaddset(&alarmOnly, SIGALRM)
            pthread_sigmask(SIG_UNBLOCK, &alarmOnly, nil)
            alarm(5)
            let seen = lock.withLock { $0 }
            _exit(seen == 1 ? 7 : 8)
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return status
    }

    @Test("a fork while another thread holds the lock waits for it, and the child finds it free, also behind 200 other locks")
    func childGetsAFreeLock() {
        let others = (0..<200).map { ForkSafeLock($0) }  // past the registry's first table
        let status = forkWhileHeld(ForkSafeLock(0))
        withExtendedLifetime(others) {}
        #expect(status & 0x7f == 0, "the child was killed by signal \(status & 0x7f)")
        #expect((status >> 8) & 0xff == 7, "the child saw the holder's update finished")
    }
}
