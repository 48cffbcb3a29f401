#if canImport(Glibc)
import Glibc
#endif

/// A file under a process's /proc directory: `/proc/PID/REST…` or `/proc/PID/task/TID/REST…`,
/// as the host kernel names an open file (so every spelling — /proc/self, /proc/thread-self,
/// `..`, symlinks, a dirfd — has already been resolved by the time it is parsed).
struct ProcPath: Equatable {
    let pid: Int32
    /// The components after `PID` or after `PID/task/TID`; empty for those directories themselves.
    let rest: [String]
    /// True for a path inside `task/TID`.
    let inTask: Bool

    /// Parses a resolved procfs path; nil for files that describe no process (/proc/cpuinfo).
    init?(resolved path: String) {
        var parts = path.split(separator: "/").map(String.init)
        // The pid is the first all-digit component: procfs may be mounted somewhere else than /proc.
        guard let index = parts.firstIndex(where: ProcPath.isNumber), let pid = Int32(parts[index]) else { return nil }
        parts.removeFirst(index + 1)
        self.pid = pid
        if parts.first == "task", parts.count >= 2, ProcPath.isNumber(parts[1]) {
            rest = Array(parts.dropFirst(2))
            inTask = true
        } else {
            rest = parts
            inTask = false
        }
    }

    static func isNumber(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }

    /// The procfs path an open host fd names, when it is a procfs file; nil otherwise.
    static func ofDescriptor(_ fd: Int32) -> String? {
        guard isProcFS(fd) else { return nil }
        return readLink("/proc/self/fd/\(fd)")
    }

    /// Whether open descriptor `fd` is a file of procfs.
    static func isProcFS(_ fd: Int32) -> Bool {
        fileSystemType { HostSyscall.call(.fstatfs, Int(fd), $0) } == procSuperMagic
    }

    /// procfs's `f_type` (PROC_SUPER_MAGIC).
    static let procSuperMagic = 0x9fa0

    /// `f_type`, the first word of the x86-64 `struct statfs` (120 bytes) that `call` fills in;
    /// Swift's Glibc module has no statfs.
    private static func fileSystemType(_ call: (Int) -> Int64) -> Int {
        var buffer = [Int](repeating: 0, count: 16)
        let r = buffer.withUnsafeMutableBytes { call(Int(bitPattern: $0.baseAddress)) }
        return r == 0 ? buffer[0] : 0
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The resolved location of guest path `path` relative to `dirfd` without following its last
    /// component (a symlink such as `exe` is the thing asked about), when it lies in procfs.
    static func location(dirfd: Int, _ path: String) -> ProcPath? {
        let slash = path.lastIndex(of: "/")
        let parent = slash.map { String(path[...$0]) } ?? ""
        let last = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !last.isEmpty, last != ".", last != ".." else { return nil }
        let directory: String
        if parent.hasPrefix("/") { directory = parent }
        else if dirfd == Int(AT_FDCWD) { directory = parent.isEmpty ? "." : parent }
        else { directory = "/proc/self/fd/\(dirfd)/" + parent }
        guard let resolved = realpath(directory, nil) else { return nil }
        defer { free(resolved) }
        let dir = String(cString: resolved)
        guard dir.withCString({ d in fileSystemType { HostSyscall.call(.statfs, Int(bitPattern: d), $0) } }) == procSuperMagic else { return nil }
        return ProcPath(resolved: dir + "/" + last)
    }
}

/// What a guest gets for a file in a Trapeze process's /proc directory. Those files describe
/// Trapeze, not the guest, and some are a way out: `mem` writes Trapeze's own text, `auxv` and
/// `stat` give its host addresses. So the guest's own files are synthesised from what the guest
/// saw, a few harmless ones pass through, and the rest are refused.
enum ProcFile: Equatable {
    case maps, auxv, cmdline, environ, stat, status, comm
    /// Guest memory at guest addresses (ProcMemFile.swift).
    case mem
    /// Passed to the host unchanged.
    case host
    /// Refused with this errno.
    case refused(Int32)

    /// Host files that describe no address and no guest-visible identity of Trapeze.
    static let harmless: Set<String> = [
        "cgroup", "limits", "mountinfo", "mounts", "mountstats", "net", "ns", "uid_map", "gid_map",
        "projid_map", "setgroups", "oom_score", "oom_score_adj", "oom_adj", "loginuid", "sessionid",
        "attr", "fd", "fdinfo", "io", "sched", "schedstat", "timerslack_ns", "task", "cwd", "root",
        "autogroup", "coredump_filter", "cpuset", "wchan",
    ]
    /// Files that list host addresses and have no synthesised version: absent, as on a kernel
    /// without them (so readers fall back to `maps`).
    static let hidden: Set<String> = ["smaps", "smaps_rollup", "numa_maps", "pagemap"]

    /// The decision for `path`. `own` says whether `path.pid` is this Trapeze process; `trapeze`
    /// whether it is any Trapeze process (another one's files are refused, never synthesised).
    static func classify(_ path: ProcPath, own: Bool, trapeze: Bool) -> ProcFile {
        guard own || trapeze else { return .host }
        guard let first = path.rest.first else { return .host }  // the directory itself
        if path.rest.count == 1, own {
            switch first {
            case "maps": return .maps
            case "auxv": return .auxv
            case "cmdline": return .cmdline
            case "environ": return .environ
            case "stat": return .stat
            case "status": return .status
            case "comm": return .comm
            case "mem": return .mem
            default: break
            }
        }
        if hidden.contains(first) { return .refused(ENOENT) }
        return harmless.contains(first) ? .host : .refused(EACCES)
    }

    /// True when `pid` runs the same executable as this process: another Trapeze (a forked guest,
    /// the parent that forked this one), whose memory is as sensitive as this one's.
    static func isTrapeze(_ pid: Int32) -> Bool {
        if pid == getpid() { return true }
        guard let mine = fileIdentity("/proc/self/exe"), let theirs = fileIdentity("/proc/\(pid)/exe") else { return false }
        return mine == theirs
    }
}

/// A file's (st_dev, st_ino), following symlinks.
private func fileIdentity(_ path: String) -> [UInt64]? {
    var st = stat()
    return stat(path, &st) == 0 ? [UInt64(st.st_dev), UInt64(st.st_ino)] : nil
}
