#if canImport(Glibc)
import Glibc
#endif
import Guest

/// `--max-processes` for a whole process tree, across fork and any chain of execve.
///
/// The slots are bytes of one memfd, shared by every process of the tree; a process holds its
/// slot as an open-file-description lock (F_OFD_SETLK) on that byte, taken on its own open of the
/// memfd. The kernel drops such a lock when the last descriptor of its description closes, so a
/// slot comes back however its holder ends — exit, a signal, or an execve'd host program exiting —
/// and survives execve, where descriptors stay open. The parent takes the child's slot before
/// fork (so fork can fail with EAGAIN) and closes its copy after, leaving the child the only
/// holder. Both descriptors sit at high numbers and are Trapeze's own (`descriptors`), which the
/// guest cannot name.
final class ProcessSlots {
    /// The environment variable that hands the table to a re-executed Trapeze.
    static let variable = "TRAPEZE_PROCESS_SLOTS"
    let capacity: Int
    /// The shared table: reopened (through /proc/self/fd) for each new slot.
    private let table: Int32
    /// This process's own slot description, if it took or inherited one.
    private var held: Int32?

    /// Joins the table named by `TRAPEZE_PROCESS_SLOTS` ("TABLE,HELD": this process was
    /// re-executed by a guest execve and holds its slot already), or starts a new one and takes
    /// slot 0.
    init?(capacity: Int) {
        self.capacity = capacity
        if let text = getenv(ProcessSlots.variable).map({ String(cString: $0) }) {
            unsetenv(ProcessSlots.variable)
            let fds = text.split(separator: ",").compactMap { Int32($0) }
            if fds.count == 2, fds.allSatisfy(ProcessSlots.isTable) {
                table = fds[0]
                held = fds[1]
                for fd in fds { HostDescriptors.register(fd) }
                return
            }
        }
        let made = ProcessSlots.variable.withCString { HostSyscall.call(.memfd_create, Int(bitPattern: $0), 0) }
        guard made >= 0, let high = ProcessSlots.moveHigh(Int32(made)) else { return nil }
        table = high
        held = takeSlot()
    }

    /// True for this table's descriptors (which `HostDescriptors` keeps from the guest).
    func owns(_ fd: Int32) -> Bool { fd == table || fd == held }

    /// `TRAPEZE_PROCESS_SLOTS` for a re-executed Trapeze, which keeps this process's slot.
    var handOff: String? { held.map { "\(ProcessSlots.variable)=\(table),\($0)" } }

    /// A new description of the table with a free slot locked, or nil when every slot is held.
    func takeSlot() -> Int32? {
        let opened = open("/proc/self/fd/\(table)", O_RDWR)
        guard opened >= 0, let fd = ProcessSlots.moveHigh(opened) else { return nil }
        for slot in 0..<capacity where ProcessSlots.lock(fd, slot) { return fd }
        ProcessSlots.close(fd)
        return nil
    }

    /// After fork, in the child: `slot` (taken by the parent) is now this process's, and the
    /// parent's slot description, inherited by fork, is let go (the parent's ending frees it).
    func adopt(_ slot: Int32) {
        if let mine = held { ProcessSlots.close(mine) }
        held = slot
    }

    /// The parent's side of a fork: its copy of the child's slot.
    func release(_ slot: Int32) { ProcessSlots.close(slot) }

    /// This process is done with the table (tests run many guests in one host process).
    func leave() {
        if let mine = held { ProcessSlots.close(mine) }
        held = nil
        ProcessSlots.close(table)
    }

    private static func close(_ fd: Int32) {
        HostDescriptors.forget(fd)
        _ = Glibc.close(fd)
    }

    /// F_OFD_SETLK of a write lock on byte `slot`; x86-64 `struct flock` is 32 bytes:
    /// l_type, l_whence (shorts), l_start, l_len, l_pid.
    private static func lock(_ fd: Int32, _ slot: Int) -> Bool {
        var flock = [Int64](repeating: 0, count: 4)
        flock[0] = 1  // F_WRLCK, SEEK_SET
        flock[1] = Int64(slot)
        flock[2] = 1
        let r = flock.withUnsafeMutableBytes { HostSyscall.call(.fcntl, Int(fd), 37, Int(bitPattern: $0.baseAddress)) }
        return r == 0
    }

    /// Moves a descriptor out of the range the guest's own opens use (Linux gives the lowest
    /// free number, and the guest expects its first open to get 3); kept across execve.
    private static func moveHigh(_ fd: Int32) -> Int32? {
        let high = HostDescriptors.adopt(fd, closeOnExec: false)
        guard high != fd else {
            close(fd)
            return nil
        }
        return high
    }

    /// True when `fd` is a memfd made by `init` (its name says so).
    private static func isTable(_ fd: Int32) -> Bool {
        ProcPath.readLink("/proc/self/fd/\(fd)")?.hasPrefix("/memfd:\(variable)") == true
    }
}
