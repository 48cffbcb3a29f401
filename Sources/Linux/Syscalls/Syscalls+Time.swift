#if canImport(Glibc)
import Glibc
#endif
import Guest

/// Time syscalls. struct timespec, timeval and tms have the same layout on riscv64 and x86-64.
extension LinuxProcess {
    func sysClockTime(_ n: HostSyscall.Number, _ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let tp = n == .clock_gettime ? try buffer(a[1], 16, .write) : try optionalBuffer(a[1], 16, .write)
        return passthrough(n, a.int(0), tp)
    }

    func sysGettimeofday(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        passthrough(.gettimeofday, try optionalBuffer(a[0], 16, .write), try optionalBuffer(a[1], 8, .write))
    }

    func sysTimes(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        passthrough(.times, try optionalBuffer(a[0], 32, .write))
    }

    func sysNanosleep(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        try sleep(clock: nil, flags: 0, request: a[0], remaining: a[1])
    }

    func sysClockNanosleep(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        try sleep(clock: a.int(0), flags: a.int(1), request: a[2], remaining: a[3])
    }

    /// Sleeps, resuming after host signals that are not for the guest with the time that was
    /// left (an absolute sleep simply starts again), so a forwarded SIGCHLD does not cut it short.
    private func sleep(clock: Int?, flags: Int, request: UInt64, remaining: UInt64) throws(SyscallError) -> Int64 {
        guard var req = try? memory.read(request, count: 16) else { throw .fault }
        let guestRemaining = try optionalBuffer(remaining, 16, .write)
        var left = [UInt8](repeating: 0, count: 16)
        while true {
            let r = req.withUnsafeBytes { rp in
                left.withUnsafeMutableBytes { lp in
                    let reqPtr = Int(bitPattern: rp.baseAddress), leftPtr = Int(bitPattern: lp.baseAddress)
                    if let clock {
                        // clock_nanosleep returns the error number itself, not −1/errno.
                        let e = HostSyscall.call(.clock_nanosleep, clock, flags, reqPtr, leftPtr)
                        return e
                    }
                    return HostSyscall.call(.nanosleep, reqPtr, leftPtr)
                }
            }
            if r == -Int64(EINTR) && !signals.pending {
                if flags & 1 == 0 { req = left }
                continue
            }
            if r == -Int64(EINTR) && guestRemaining != 0 && flags & 1 == 0 { try? memory.write(remaining, left) }
            return r
        }
    }
}
