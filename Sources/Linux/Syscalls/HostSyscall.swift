#if canImport(Glibc)
import Glibc
#endif
import CHost

/// Raw host (x86-64 Linux) system calls: the one place Trapeze enters the host kernel without a
/// typed glibc wrapper.
///
/// Swift's Glibc module leaves out the GNU-only wrappers (statx, getdents64, getrandom, renameat2,
/// prlimit, …) and every variadic function, including `syscall(2)`, which `CHost` wraps with a
/// fixed six arguments; the results come back in the kernel's own convention: a value, or −errno.
enum HostSyscall {
    /// Calls host syscall `number`; returns the result or −errno.
    static func call(_ number: Number, _ a: Int = 0, _ b: Int = 0, _ c: Int = 0, _ d: Int = 0,
                     _ e: Int = 0, _ f: Int = 0) -> Int64 {
        let r = trapeze_syscall(number.rawValue, a, b, c, d, e, f)
        return r == -1 ? -Int64(errno) : Int64(r)
    }

    /// x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl) for the calls we forward.
    enum Number: Int {
        case read = 0, write = 1, close = 3, fstat = 5, poll = 7, lseek = 8, ioctl = 16
        case pread64 = 17, pwrite64 = 18, readv = 19, writev = 20, sched_yield = 24, mremap = 25, msync = 26
        case madvise = 28, dup = 32, nanosleep = 35, getpid = 39, sendfile = 40
        case execve = 59, wait4 = 61, kill = 62, uname = 63, fcntl = 72, flock = 73, fsync = 74
        case fdatasync = 75, truncate = 76, ftruncate = 77, getcwd = 79, chdir = 80, fchdir = 81
        case fchmod = 91, fchown = 93, umask = 95, gettimeofday = 96, getrlimit = 97, getrusage = 98
        case sysinfo = 99, times = 100, getuid = 102, getgid = 104, setuid = 105, setgid = 106
        case geteuid = 107, getegid = 108, setpgid = 109, getppid = 110, getpgrp = 111, setsid = 112
        case getgroups = 115, getresuid = 118, getresgid = 120, getpgid = 121, getsid = 124
        case statfs = 137, fstatfs = 138, getpriority = 140, setpriority = 141, prctl = 157
        case gettid = 186, tkill = 200, futex = 202, sched_getaffinity = 204, getdents64 = 217
        case clock_gettime = 228, clock_getres = 229, clock_nanosleep = 230, tgkill = 234
        case waitid = 247, openat = 257, mkdirat = 258, mknodat = 259, fchownat = 260, newfstatat = 262, unlinkat = 263
        case linkat = 265, symlinkat = 266, readlinkat = 267, fchmodat = 268, faccessat = 269
        case pselect6 = 270, ppoll = 271, utimensat = 280, fallocate = 285, dup3 = 292, pipe2 = 293
        case preadv = 295, pwritev = 296, prlimit64 = 302, getcpu = 309, renameat2 = 316
        case getrandom = 318, memfd_create = 319, copy_file_range = 326, statx = 332, faccessat2 = 439
        case seccomp = 317
        case setreuid = 113, setregid = 114, setgroups = 116, setresuid = 117, setresgid = 119
        case setfsuid = 122, setfsgid = 123
        case socket = 41, connect = 42, sendto = 44, recvfrom = 45, sendmsg = 46, recvmsg = 47
        case shutdown = 48, bind = 49, listen = 50, getsockname = 51, getpeername = 52, socketpair = 53
        case setsockopt = 54, getsockopt = 55, accept4 = 288, recvmmsg = 299, sendmmsg = 307
    }
}
