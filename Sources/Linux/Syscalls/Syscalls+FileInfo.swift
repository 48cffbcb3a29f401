#if canImport(Glibc)
import Glibc
#endif
import Guest

/// stat-family syscalls. riscv64 uses the asm-generic `struct stat` (128 bytes, 32-bit mode,
/// nlink, uid and gid), which differs from x86-64's, so results are re-encoded; `statx` has one
/// layout everywhere and is forwarded.
extension LinuxProcess {
    /// The asm-generic `struct stat` bytes for a host stat result.
    public static func guestStat(_ st: stat) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 128)
        func put(_ offset: Int, _ value: UInt64, _ width: Int) {
            for i in 0..<width { out[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        put(0, UInt64(st.st_dev), 8)
        put(8, UInt64(st.st_ino), 8)
        put(16, UInt64(st.st_mode), 4)
        put(20, UInt64(truncatingIfNeeded: st.st_nlink), 4)
        put(24, UInt64(st.st_uid), 4)
        put(28, UInt64(st.st_gid), 4)
        put(32, UInt64(st.st_rdev), 8)
        put(48, UInt64(bitPattern: Int64(st.st_size)), 8)
        put(56, UInt64(truncatingIfNeeded: st.st_blksize), 4)
        put(64, UInt64(bitPattern: Int64(st.st_blocks)), 8)
        put(72, UInt64(bitPattern: Int64(st.st_atim.tv_sec)), 8)
        put(80, UInt64(bitPattern: Int64(st.st_atim.tv_nsec)), 8)
        put(88, UInt64(bitPattern: Int64(st.st_mtim.tv_sec)), 8)
        put(96, UInt64(bitPattern: Int64(st.st_mtim.tv_nsec)), 8)
        put(104, UInt64(bitPattern: Int64(st.st_ctim.tv_sec)), 8)
        put(112, UInt64(bitPattern: Int64(st.st_ctim.tv_nsec)), 8)
        return out
    }

    private func storeStat(_ st: stat, _ address: UInt64) throws(SyscallError) -> Int64 {
        do { try memory.write(address, LinuxProcess.guestStat(st)) } catch { throw .fault }
        return 0
    }

    func sysNewfstatat(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        _ = try buffer(a[2], 128, .write)
        let p = try path(a[1])
        var st = stat()
        let r = withPath(p) { s in
            host { HostSyscall.call(.newfstatat, a.int(0), s, withUnsafeMutablePointer(to: &st) { Int(bitPattern: $0) }, a.int(3)) }
        }
        return r < 0 ? r : try storeStat(st, a[2])
    }

    func sysFstat(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        _ = try buffer(a[1], 128, .write)
        var st = stat()
        let r = host { HostSyscall.call(.fstat, a.int(0), withUnsafeMutablePointer(to: &st) { Int(bitPattern: $0) }) }
        return r < 0 ? r : try storeStat(st, a[1])
    }

    func sysStatx(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let buf = try buffer(a[4], 256, .write)
        let p = try path(a[1])
        return withPath(p) { s in host { HostSyscall.call(.statx, a.int(0), s, a.int(2), a.int(3), buf) } }
    }
}
