#if canImport(Glibc)
import Glibc
#endif
import Guest

/// `--strace`: one line per syscall, `name(arg, ...) = result`, as strace prints it.
final class SyscallTracer {
    let fd: Int32
    /// Strings and buffers longer than this are cut, with `...` after the closing quote.
    static let stringLimit = 32

    init(fd: Int32) { self.fd = fd }

    /// Writes the line for a finished call; `result` nil means the call does not return (`= ?`).
    func trace(_ number: Int, _ args: SyscallArguments, result: Int64?, memory: GuestMemory) {
        let line = SyscallTracer.line(number, args, result: result, memory: memory)
        emit(threadID.map { "[tid \($0)] " + line } ?? line)
    }

    /// Set while the process has more than one thread (as `strace -f` does): lines name the
    /// calling thread.
    var threadID: Int32?

    func emit(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; return }
            offset += n
        }
        bytes.removeAll()
    }

    static func line(_ number: Int, _ args: SyscallArguments, result: Int64?, memory: GuestMemory) -> String {
        guard let entry = SyscallTable.entry(number) else {
            return "syscall_\(number)(\((0..<6).map { hex(args[$0]) }.joined(separator: ", "))) = \(format(result, address: false))"
        }
        let shown = entry.arguments.enumerated().map { i, kind in
            argument(kind, args[i], args: args, result: result, memory: memory)
        }
        return "\(entry.name)(\(shown.joined(separator: ", "))) = \(format(result, address: entry.returnsAddress))"
    }

    static func format(_ result: Int64?, address: Bool) -> String {
        guard let result else { return "?" }
        if result < 0 && result >= -4095 {
            let code = Int32(-result)
            return "-1 \(HostErrno.name(code)) (\(HostErrno.message(code)))"
        }
        return address ? hex(UInt64(bitPattern: result)) : String(result)
    }

    static func hex(_ v: UInt64) -> String { v == 0 ? "0" : "0x" + String(v, radix: 16) }

    static func argument(_ kind: ArgumentKind, _ value: UInt64, args: SyscallArguments, result: Int64?,
                         memory: GuestMemory) -> String {
        switch kind {
        case .int: return String(Int64(bitPattern: value))
        case .hex: return hex(value)
        case .octal: return "0" + String(value & 0o7777_7777, radix: 8)
        case .fd: return String(Int32(truncatingIfNeeded: value))
        case .dirfd:
            let fd = Int32(truncatingIfNeeded: value)
            return fd == -100 ? "AT_FDCWD" : String(fd)
        case .pointer: return value == 0 ? "NULL" : hex(value)
        case .string:
            if value == 0 { return "NULL" }
            guard let s = try? memory.readCString(value, max: 4096) else { return hex(value) }
            return quote(Array(s.utf8), limit: 4096)
        case .input(let length):
            return bytes(value, args[length], memory)
        case .output:
            guard let result, result >= 0 else { return hex(value) }
            return bytes(value, UInt64(result), memory)
        case .strings:
            var items: [String] = []
            var a = value
            while items.count < 32, let p = try? memory.load(a, as: UInt64.self), p != 0 {
                items.append((try? memory.readCString(p, max: 4096)).map { quote(Array($0.utf8), limit: 4096) } ?? hex(p))
                a &+= 8
            }
            return "[" + items.joined(separator: ", ") + "]"
        }
    }

    static func bytes(_ address: UInt64, _ count: UInt64, _ memory: GuestMemory) -> String {
        let shown = Int(min(count, UInt64(stringLimit)))
        guard let b = try? memory.read(address, count: shown) else { return hex(address) }
        return quote(b, limit: stringLimit) + (count > UInt64(shown) ? "..." : "")
    }

    /// A C-style quoted string with strace's escapes.
    static func quote(_ bytes: [UInt8], limit: Int) -> String {
        var s = "\""
        for b in bytes.prefix(limit) {
            switch b {
            case 0x0a: s += "\\n"
            case 0x09: s += "\\t"
            case 0x0d: s += "\\r"
            case 0x22: s += "\\\""
            case 0x5c: s += "\\\\"
            case 0x20..<0x7f: s.unicodeScalars.append(Unicode.Scalar(b))
            default: s += "\\" + String(b, radix: 8)
            }
        }
        return s + "\"" + (bytes.count > limit ? "..." : "")
    }
}
