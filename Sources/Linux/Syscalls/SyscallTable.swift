#if canImport(Glibc)
import Glibc
#endif
import Guest

/// How `--strace` shows one argument.
public enum ArgumentKind: Sendable, Equatable {
    case int, hex, octal, fd, pointer
    /// A directory fd for the *at calls (AT_FDCWD shown by name).
    case dirfd
    /// A NUL-terminated string (paths).
    case string
    /// Bytes the guest passes in; the length is argument `length`.
    case input(length: Int)
    /// Bytes the kernel fills in; the length is the result.
    case output
    /// A NULL-terminated array of string pointers (execve's argv).
    case strings
}

/// One row of the syscall table: the name and arguments `--strace` prints, and the handler.
public struct SyscallEntry: Sendable {
    public enum Handler: Sendable {
        /// Returns the a0 value (a result, or −errno).
        case value(@Sendable (LinuxProcess, SyscallArguments) throws -> Int64)
        /// Ends the guest or changes control flow itself (exit).
        case control(@Sendable (LinuxProcess, SyscallArguments) -> Continuation)
    }
    public let name: String
    public let arguments: [ArgumentKind]
    /// Print the result in hex (mmap, brk).
    public let returnsAddress: Bool
    /// Nil for the calls `SignalState` answers; they are here for their names.
    public let handler: Handler?
}

/// The riscv64 (asm-generic) syscall table: every call Trapeze knows, by number.
public enum SyscallTable {
    public static func entry(_ number: Int) -> SyscallEntry? {
        guard number >= 0, number < rowOf.count, rowOf[number] != 0 else { return nil }
        return rows[Int(rowOf[number]) - 1].1
    }

    private static func v(_ name: String, _ args: [ArgumentKind], address: Bool = false,
                          _ f: @escaping @Sendable (LinuxProcess, SyscallArguments) throws -> Int64) -> SyscallEntry {
        SyscallEntry(name: name, arguments: args, returnsAddress: address, handler: .value(f))
    }
    private static func named(_ name: String, _ args: [ArgumentKind]) -> SyscallEntry {
        SyscallEntry(name: name, arguments: args, returnsAddress: false, handler: nil)
    }

    private static let rows: [(Int, SyscallEntry)] = [
        // Files and directories (Syscalls+Files.swift, +FileInfo.swift)
        (17, v("getcwd", [.pointer, .int]) { try $0.sysGetcwd($1) }),
        (23, v("dup", [.fd]) { $0.passthrough(.dup, $1.int(0)) }),
        (24, v("dup3", [.fd, .fd, .hex]) { $0.passthrough(.dup3, $1.int(0), $1.int(1), $1.int(2)) }),
        (25, v("fcntl", [.fd, .int, .hex]) { try $0.sysFcntl($1) }),
        (29, v("ioctl", [.fd, .hex, .pointer]) { try $0.sysIoctl($1) }),
        (32, v("flock", [.fd, .int]) { $0.passthrough(.flock, $1.int(0), $1.int(1)) }),
        (33, v("mknodat", [.dirfd, .string, .octal, .hex]) { try $0.sysMknodat($1) }),
        (34, v("mkdirat", [.dirfd, .string, .octal]) { try $0.atPath(.mkdirat, $1, $1.int(2)) }),
        (35, v("unlinkat", [.dirfd, .string, .hex]) { try $0.atPath(.unlinkat, $1, $1.int(2)) }),
        (36, v("symlinkat", [.string, .dirfd, .string]) { try $0.sysSymlinkat($1) }),
        (37, v("linkat", [.dirfd, .string, .dirfd, .string, .hex]) { try $0.twoPaths(.linkat, $1, flags: $1.int(4)) }),
        (38, v("renameat", [.dirfd, .string, .dirfd, .string]) { try $0.twoPaths(.renameat2, $1, flags: 0) }),
        (43, v("statfs", [.string, .pointer]) { try $0.sysStatfs($1) }),
        (44, v("fstatfs", [.fd, .pointer]) { try $0.sysFstatfs($1) }),
        (45, v("truncate", [.string, .int]) { try $0.sysTruncate($1) }),
        (46, v("ftruncate", [.fd, .int]) { $0.passthrough(.ftruncate, $1.int(0), $1.long(1)) }),
        (48, v("faccessat", [.dirfd, .string, .octal]) { try $0.atPath(.faccessat, $1, $1.int(2)) }),
        (49, v("chdir", [.string]) { try $0.sysChdir($1) }),
        (50, v("fchdir", [.fd]) { $0.passthrough(.fchdir, $1.int(0)) }),
        (52, v("fchmod", [.fd, .octal]) { $0.passthrough(.fchmod, $1.int(0), $1.int(1)) }),
        (53, v("fchmodat", [.dirfd, .string, .octal]) { try $0.atPath(.fchmodat, $1, $1.int(2)) }),
        (54, v("fchownat", [.dirfd, .string, .int, .int, .hex]) { try $0.atPath(.fchownat, $1, $1.int(2), $1.int(3), $1.int(4)) }),
        (55, v("fchown", [.fd, .int, .int]) { $0.passthrough(.fchown, $1.int(0), $1.int(1), $1.int(2)) }),
        (56, v("openat", [.dirfd, .string, .hex, .octal]) { try $0.sysOpenat($1) }),
        (57, v("close", [.fd]) { $0.sysClose($1) }),
        (59, v("pipe2", [.pointer, .hex]) { try $0.sysPipe2($1) }),
        (61, v("getdents64", [.fd, .pointer, .int]) { try $0.sysGetdents64($1) }),
        (62, v("lseek", [.fd, .int, .int]) { $0.passthrough(.lseek, $1.int(0), $1.long(1), $1.int(2)) }),
        (63, v("read", [.fd, .output, .int]) { try $0.sysRead($1) }),
        (64, v("write", [.fd, .input(length: 2), .int]) { try $0.sysWrite($1) }),
        (65, v("readv", [.fd, .pointer, .int]) { try $0.sysVectored(.readv, $1, offset: nil) }),
        (66, v("writev", [.fd, .pointer, .int]) { try $0.sysVectored(.writev, $1, offset: nil) }),
        (67, v("pread64", [.fd, .output, .int, .int]) { try $0.sysPread($1) }),
        (68, v("pwrite64", [.fd, .input(length: 2), .int, .int]) { try $0.sysPwrite($1) }),
        (69, v("preadv", [.fd, .pointer, .int, .int]) { try $0.sysVectored(.preadv, $1, offset: $1.long(3)) }),
        (70, v("pwritev", [.fd, .pointer, .int, .int]) { try $0.sysVectored(.pwritev, $1, offset: $1.long(3)) }),
        (71, v("sendfile", [.fd, .fd, .pointer, .int]) { try $0.sysSendfile($1) }),
        // Sockets (Syscalls+Sockets.swift)
        (198, v("socket", [.int, .hex, .int]) { $0.sysSocket($1) }),
        (199, v("socketpair", [.int, .hex, .int, .pointer]) { try $0.sysSocketpair($1) }),
        (200, v("bind", [.int, .pointer, .int]) { try $0.sysSocketAddress(.bind, $1) }),
        (201, v("listen", [.int, .int]) { $0.passthrough(.listen, $1.int(0), $1.int(1)) }),
        (202, v("accept", [.int, .pointer, .pointer]) { try $0.sysSocketNameOut(.accept4, $1) }),
        (203, v("connect", [.int, .pointer, .int]) { try $0.sysSocketAddress(.connect, $1) }),
        (204, v("getsockname", [.int, .pointer, .pointer]) { try $0.sysSocketNameOut(.getsockname, $1) }),
        (205, v("getpeername", [.int, .pointer, .pointer]) { try $0.sysSocketNameOut(.getpeername, $1) }),
        (206, v("sendto", [.int, .pointer, .int, .hex, .pointer, .int]) { try $0.sysSendto($1) }),
        (207, v("recvfrom", [.int, .pointer, .int, .hex, .pointer, .pointer]) { try $0.sysRecvfrom($1) }),
        (208, v("setsockopt", [.int, .int, .int, .pointer, .int]) { try $0.sysSetsockopt($1) }),
        (209, v("getsockopt", [.int, .int, .int, .pointer, .pointer]) { try $0.sysGetsockopt($1) }),
        (210, v("shutdown", [.int, .int]) { $0.passthrough(.shutdown, $1.int(0), $1.int(1)) }),
        (211, v("sendmsg", [.int, .pointer, .hex]) { try $0.sysMessage(.sendmsg, $1) }),
        (212, v("recvmsg", [.int, .pointer, .hex]) { try $0.sysMessage(.recvmsg, $1) }),
        (242, v("accept4", [.int, .pointer, .pointer, .hex]) { try $0.sysSocketNameOut(.accept4, $1, flags: $1.int(3)) }),
        (243, v("recvmmsg", [.int, .pointer, .int, .hex, .pointer]) { try $0.sysMessages(.recvmmsg, $1) }),
        (269, v("sendmmsg", [.int, .pointer, .int, .hex]) { try $0.sysMessages(.sendmmsg, $1) }),
        (72, v("pselect6", [.int, .pointer, .pointer, .pointer, .pointer, .pointer]) { try $0.sysPselect6($1) }),
        (73, v("ppoll", [.pointer, .int, .pointer, .pointer, .int]) { try $0.sysPpoll($1) }),
        (78, v("readlinkat", [.dirfd, .string, .output, .int]) { try $0.sysReadlinkat($1) }),
        (79, v("newfstatat", [.dirfd, .string, .pointer, .hex]) { try $0.sysNewfstatat($1) }),
        (80, v("fstat", [.fd, .pointer]) { try $0.sysFstat($1) }),
        (81, v("sync", []) { _, _ in Glibc.sync(); return 0 }),
        (82, v("fsync", [.fd]) { $0.passthrough(.fsync, $1.int(0)) }),
        (83, v("fdatasync", [.fd]) { $0.passthrough(.fdatasync, $1.int(0)) }),
        (88, v("utimensat", [.dirfd, .string, .pointer, .hex]) { try $0.sysUtimensat($1) }),
        (276, v("renameat2", [.dirfd, .string, .dirfd, .string, .hex]) { try $0.twoPaths(.renameat2, $1, flags: $1.int(4)) }),
        (279, v("memfd_create", [.string, .hex]) { try $0.sysMemfdCreate($1) }),
        (291, v("statx", [.dirfd, .string, .hex, .hex, .pointer]) { try $0.sysStatx($1) }),
        (439, v("faccessat2", [.dirfd, .string, .octal, .hex]) { try $0.atPath(.faccessat2, $1, $1.int(2), $1.int(3)) }),

        // Memory (Syscalls+Memory.swift)
        (214, v("brk", [.hex], address: true) { $0.sysBrk($1) }),
        (215, v("munmap", [.hex, .int]) { try $0.sysMunmap($1) }),
        (216, v("mremap", [.hex, .int, .int, .hex, .hex], address: true) { try $0.sysMremap($1) }),
        (222, v("mmap", [.hex, .int, .hex, .hex, .fd, .hex], address: true) { try $0.sysMmap($1) }),
        (226, v("mprotect", [.hex, .int, .hex]) { try $0.sysMprotect($1) }),
        (227, v("msync", [.hex, .int, .hex]) { try $0.sysMsync($1) }),
        (228, v("mlock", [.hex, .int]) { _, _ in 0 }),
        (229, v("munlock", [.hex, .int]) { _, _ in 0 }),
        (230, v("mlockall", [.hex]) { _, _ in 0 }),
        (231, v("munlockall", []) { _, _ in 0 }),
        (233, v("madvise", [.hex, .int, .int]) { try $0.sysMadvise($1) }),
        (283, v("membarrier", [.int, .hex, .int]) { _, _ in 0 }),

        // Processes and identity (Syscalls+Process.swift)
        (92, v("personality", [.hex]) { _, _ in 0 }),
        (93, SyscallEntry(name: "exit", arguments: [.int], returnsAddress: false, handler: .control { $0.sysExitThread($1) })),
        (94, SyscallEntry(name: "exit_group", arguments: [.int], returnsAddress: false, handler: .control { $0.sysExitGroup($1) })),
        (95, v("waitid", [.int, .int, .pointer, .hex, .pointer]) { try $0.sysWaitid($1) }),
        (96, v("set_tid_address", [.pointer]) { $0.sysSetTIDAddress($1) }),
        (99, v("set_robust_list", [.pointer, .int]) { _, _ in 0 }),
        (122, v("sched_setaffinity", [.int, .int, .pointer]) { _, _ in 0 }),
        (123, v("sched_getaffinity", [.int, .int, .pointer]) { try $0.sysSchedGetaffinity($1) }),
        (124, v("sched_yield", []) { p, _ in p.passthrough(.sched_yield) }),
        (129, v("kill", [.int, .int]) { $0.passthrough(.kill, $1.int(0), $1.int(1)) }),
        (130, v("tkill", [.int, .int]) { $0.passthrough(.tkill, $1.int(0), $1.int(1)) }),
        (131, v("tgkill", [.int, .int, .int]) { $0.passthrough(.tgkill, $1.int(0), $1.int(1), $1.int(2)) }),
        (140, v("setpriority", [.int, .int, .int]) { $0.passthrough(.setpriority, $1.int(0), $1.int(1), $1.int(2)) }),
        (141, v("getpriority", [.int, .int]) { $0.passthrough(.getpriority, $1.int(0), $1.int(1)) }),
        // Credentials change for the calling thread only, as the raw syscalls do: the guest's
        // libc makes the other threads follow (glibc's setxid broadcast), as on Linux.
        (143, v("setregid", [.int, .int]) { $0.passthrough(.setregid, $1.int(0), $1.int(1)) }),
        (144, v("setgid", [.int]) { $0.passthrough(.setgid, $1.int(0)) }),
        (145, v("setreuid", [.int, .int]) { $0.passthrough(.setreuid, $1.int(0), $1.int(1)) }),
        (146, v("setuid", [.int]) { $0.passthrough(.setuid, $1.int(0)) }),
        (147, v("setresuid", [.int, .int, .int]) { $0.passthrough(.setresuid, $1.int(0), $1.int(1), $1.int(2)) }),
        (149, v("setresgid", [.int, .int, .int]) { $0.passthrough(.setresgid, $1.int(0), $1.int(1), $1.int(2)) }),
        (151, v("setfsuid", [.int]) { $0.passthrough(.setfsuid, $1.int(0)) }),
        (152, v("setfsgid", [.int]) { $0.passthrough(.setfsgid, $1.int(0)) }),
        (159, v("setgroups", [.int, .pointer]) { try $0.sysSetgroups($1) }),
        (148, v("getresuid", [.pointer, .pointer, .pointer]) { try $0.sysThreeIDs(.getresuid, $1) }),
        (150, v("getresgid", [.pointer, .pointer, .pointer]) { try $0.sysThreeIDs(.getresgid, $1) }),
        (154, v("setpgid", [.int, .int]) { $0.passthrough(.setpgid, $1.int(0), $1.int(1)) }),
        (155, v("getpgid", [.int]) { $0.passthrough(.getpgid, $1.int(0)) }),
        (156, v("getsid", [.int]) { $0.passthrough(.getsid, $1.int(0)) }),
        (157, v("setsid", []) { p, _ in p.passthrough(.setsid) }),
        (158, v("getgroups", [.int, .pointer]) { try $0.sysGetgroups($1) }),
        (160, v("uname", [.pointer]) { try $0.sysUname($1) }),
        (163, v("getrlimit", [.int, .pointer]) { try $0.sysPrlimit(resource: $1.int(0), new: 0, old: $1[1]) }),
        (164, v("setrlimit", [.int, .pointer]) { try $0.sysPrlimit(resource: $1.int(0), new: $1[1], old: 0) }),
        (165, v("getrusage", [.int, .pointer]) { try $0.sysGetrusage($1) }),
        (166, v("umask", [.octal]) { $0.passthrough(.umask, $1.int(0)) }),
        (167, v("prctl", [.int, .hex, .hex, .hex, .hex]) { try $0.sysPrctl($1) }),
        (168, v("getcpu", [.pointer, .pointer, .pointer]) { try $0.sysGetcpu($1) }),
        (172, v("getpid", []) { p, _ in p.passthrough(.getpid) }),
        (173, v("getppid", []) { p, _ in p.passthrough(.getppid) }),
        (174, v("getuid", []) { p, _ in p.passthrough(.getuid) }),
        (175, v("geteuid", []) { p, _ in p.passthrough(.geteuid) }),
        (176, v("getgid", []) { p, _ in p.passthrough(.getgid) }),
        (177, v("getegid", []) { p, _ in p.passthrough(.getegid) }),
        (178, v("gettid", []) { $0.sysGettid($1) }),
        (179, v("sysinfo", [.pointer]) { try $0.sysSysinfo($1) }),
        (220, v("clone", [.hex, .pointer, .pointer, .hex, .pointer]) { try $0.sysClone($1) }),
        (221, v("execve", [.string, .strings, .pointer]) { try $0.sysExecve($1) }),
        (260, v("wait4", [.int, .pointer, .hex, .pointer]) { try $0.sysWait4($1) }),
        (261, v("prlimit64", [.int, .int, .pointer, .pointer]) { try $0.sysPrlimit64($1) }),

        // Time (Syscalls+Time.swift)
        (101, v("nanosleep", [.pointer, .pointer]) { try $0.sysNanosleep($1) }),
        (113, v("clock_gettime", [.int, .pointer]) { try $0.sysClockTime(.clock_gettime, $1) }),
        (114, v("clock_getres", [.int, .pointer]) { try $0.sysClockTime(.clock_getres, $1) }),
        (115, v("clock_nanosleep", [.int, .hex, .pointer, .pointer]) { try $0.sysClockNanosleep($1) }),
        (153, v("times", [.pointer]) { try $0.sysTimes($1) }),
        (169, v("gettimeofday", [.pointer, .pointer]) { try $0.sysGettimeofday($1) }),

        // Synchronisation, randomness, RISC-V specials (Syscalls+Misc.swift)
        (98, v("futex", [.pointer, .int, .int, .pointer, .pointer, .int]) { try $0.sysFutex($1) }),
        (258, v("riscv_hwprobe", [.pointer, .int, .int, .pointer, .hex]) { try $0.sysRiscvHWProbe($1) }),
        (259, v("riscv_flush_icache", [.hex, .hex, .hex]) { $0.sysFlushICache($1) }),
        (278, v("getrandom", [.output, .int, .hex]) { try $0.sysGetrandom($1) }),

        // Answered by SignalState.
        (102, named("getitimer", [.int, .pointer])),
        (103, named("setitimer", [.int, .pointer, .pointer])),
        (132, named("sigaltstack", [.pointer, .pointer])),
        (133, named("rt_sigsuspend", [.pointer, .int])),
        (134, named("rt_sigaction", [.int, .pointer, .pointer, .int])),
        (135, named("rt_sigprocmask", [.int, .pointer, .pointer, .int])),
        (136, named("rt_sigpending", [.pointer, .int])),
        (137, named("rt_sigtimedwait", [.pointer, .pointer, .pointer, .int])),
        (139, named("rt_sigreturn", [])),

        // Known, deliberately unimplemented: glibc falls back when these fail with ENOSYS.
        (293, named("rseq", [.pointer, .int, .hex, .hex])),
        (435, v("clone3", [.pointer, .int]) { try $0.sysClone3($1) }),
    ]

    /// Syscall number → 1 + its row in `rows`, or 0 (a table of entries by number was 28 KiB:
    /// seven fresh pages for every process).
    private static let rowOf: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 512)
        for (row, (number, _)) in rows.enumerated() { t[number] = UInt16(row + 1) }
        return t
    }()
}
