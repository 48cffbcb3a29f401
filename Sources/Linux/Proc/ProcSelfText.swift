#if canImport(Glibc)
import Glibc
#endif
import Guest

/// The contents of the guest's own synthesised /proc files (ProcPath.swift says which).
extension LinuxProcess {
    func procContents(_ file: ProcFile) -> [UInt8] {
        switch file {
        case .maps: return Array(procMapsText().utf8)
        case .auxv: return startup.auxv
        case .cmdline: return liveBytes(startup.arguments)
        case .environ: return liveBytes(startup.environment)
        case .stat: return Array(procStatText().utf8)
        case .status: return Array(procStatusText().utf8)
        case .comm: return Array((commandName + "\n").utf8)
        case .host, .refused, .mem: return []
        }
    }

    /// The guest bytes of a range, as far as they can be read (Linux stops at an unreadable page).
    private func liveBytes(_ range: Range<UInt64>) -> [UInt8] {
        var out: [UInt8] = []
        var a = range.lowerBound
        while a < range.upperBound {
            let pageEnd = (a | (GuestMemory.pageSize - 1)) &+ 1
            let n = Int(min(pageEnd, range.upperBound) - a)
            guard let chunk = try? memory.read(a, count: n) else { break }
            out += chunk
            a &+= UInt64(n)
        }
        return out
    }

    /// The name the kernel gives a process: its program's file name, at most 15 bytes.
    var commandName: String {
        let base = options.program.split(separator: "/").last.map(String.init) ?? options.program
        return String(decoding: Array(base.utf8.prefix(15)), as: UTF8.self)
    }

    /// The host's stat line with the name and every address field replaced by the guest's
    /// (fs/proc/array.c: fields 26–30 code, stack, esp/eip; 45–51 data, brk, args, environment).
    func procStatText() -> String {
        let host = String(decoding: ProcSnapshot.readHost("/proc/self/stat"), as: UTF8.self)
        guard let close = host.lastIndex(of: ")"), let open = host.firstIndex(of: "(") else { return host }
        let pid = host[..<open]
        var fields = host[host.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if let last = fields.last, last.hasSuffix("\n") { fields[fields.count - 1] = String(last.dropLast()) }
        // fields[0] is field 3 (state).
        func set(_ field: Int, _ value: UInt64) {
            let i = field - 3
            if i >= 0 && i < fields.count { fields[i] = String(value) }
        }
        let main = program.main
        let code = main.elf.loadSegments.filter { $0.flags & 1 != 0 }
        let data = main.elf.loadSegments.filter { $0.flags & 1 == 0 }
        set(23, accounting.mappedBytes)
        set(26, main.low)
        set(27, (code.map { $0.vaddr &+ $0.fileSize }.max() ?? 0) &+ main.bias)
        set(28, initialStackPointer)
        set(29, 0)
        set(30, 0)
        set(45, (data.map(\.vaddr).min() ?? 0) &+ main.bias)
        set(46, (data.map { $0.vaddr &+ $0.fileSize }.max() ?? 0) &+ main.bias)
        set(47, brkStart)
        set(48, startup.arguments.lowerBound)
        set(49, startup.arguments.upperBound)
        set(50, startup.environment.lowerBound)
        set(51, startup.environment.upperBound)
        return pid + "(" + commandName + ") " + fields.joined(separator: " ") + "\n"
    }

    /// The host's status with the guest's name and the guest's memory size.
    func procStatusText() -> String {
        let host = String(decoding: ProcSnapshot.readHost("/proc/self/status"), as: UTF8.self)
        let kib = accounting.mappedBytes >> 10
        return host.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("Name:") { return "Name:\t" + commandName }
            if line.hasPrefix("VmPeak:") || line.hasPrefix("VmSize:") { return line.prefix(7) + "\t" + String(kib) + " kB" }
            return String(line)
        }.joined(separator: "\n")
    }
}

/// A read-only snapshot handed to the guest as an fd: a memfd holding the bytes, at offset 0.
enum ProcSnapshot {
    static func open(_ bytes: [UInt8], name: String, flags: Int) -> Int64 {
        guard flags & Int(O_ACCMODE) == Int(O_RDONLY) else { return -Int64(EACCES) }
        // MFD_CLOEXEC is 1.
        let made = name.withCString { HostSyscall.call(.memfd_create, Int(bitPattern: $0), flags & Int(O_CLOEXEC) != 0 ? 1 : 0) }
        guard made >= 0 else { return made }
        let fd = Int32(made)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { let e = errno; close(fd); return -Int64(e) }
            done += n
        }
        lseek(fd, 0, SEEK_SET)
        return Int64(fd)
    }

    /// A whole host /proc file (their sizes are unknown until read).
    static func readHost(_ path: String) -> [UInt8] {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return out }
            out += chunk[0..<n]
        }
    }
}
