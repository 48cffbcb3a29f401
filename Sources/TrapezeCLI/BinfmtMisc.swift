#if canImport(Glibc)
import Glibc
#endif

/// The kernel's binfmt_misc interface (Documentation/admin-guide/binfmt-misc.rst): a `register`
/// file that takes `:name:type:offset:magic:mask:interpreter:flags` lines, and one file per
/// entry that shows it and removes it (`-1`) or disables it (`0`).
public struct BinfmtMisc: Sendable {
    public var directory: String

    public init(directory: String = "/proc/sys/fs/binfmt_misc") { self.directory = directory }

    /// The name `trapeze binfmt install` registers under unless told otherwise.
    public static let defaultName = "trapeze-riscv64"

    /// An ELF64 little-endian header of machine 243 (RISC-V): the 20 bytes binfmt_misc compares.
    /// The mask ignores EI_OSABI (byte 7) and the low bit of e_type, so both ET_EXEC (2) and
    /// ET_DYN (3: PIE executables, and the dynamic linker run as a program) match.
    public static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0xf3, 0x00]
    public static let mask: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff]

    /// One registered entry, as its file shows it.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var enabled: Bool
        public var interpreter: String
        public var flags: String
        public var offset: Int
        public var magic: [UInt8]
        public var mask: [UInt8]

        /// Whether the kernel would hand a riscv64 executable or shared object to this entry.
        public var handlesRISCV64: Bool {
            guard offset == 0, !magic.isEmpty else { return false }
            for type: UInt8 in [2, 3] {
                var header = BinfmtMisc.magic
                header[16] = type
                let matches = magic.indices.allSatisfy { i in
                    guard i < header.count else { return false }
                    let m = i < mask.count ? mask[i] : 0xff
                    return header[i] & m == magic[i] & m
                }
                if matches { return true }
            }
            return false
        }

        /// Parses an entry file (`enabled`, `interpreter X`, `flags: FP`, `offset N`, `magic HEX`, `mask HEX`).
        public init?(name: String, text: String) {
            self.name = name
            enabled = false
            interpreter = ""
            flags = ""
            offset = 0
            magic = []
            mask = []
            var sawState = false
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                switch parts[0] {
                case "enabled": enabled = true; sawState = true
                case "disabled": enabled = false; sawState = true
                case "interpreter": interpreter = parts.count > 1 ? parts[1] : ""
                case "flags:": flags = parts.count > 1 ? parts[1] : ""
                case "offset": offset = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                case "magic": magic = parts.count > 1 ? BinfmtMisc.bytes(hex: parts[1]) : []
                case "mask": mask = parts.count > 1 ? BinfmtMisc.bytes(hex: parts[1]) : []
                default: break  // "extension .foo" (type E entries) and anything newer
                }
            }
            guard sawState else { return nil }
        }

        init(name: String, enabled: Bool, interpreter: String, flags: String, offset: Int, magic: [UInt8], mask: [UInt8]) {
            (self.name, self.enabled, self.interpreter, self.flags, self.offset, self.magic, self.mask) =
                (name, enabled, interpreter, flags, offset, magic, mask)
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return [] }
        var out: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let b = UInt8(String(decoding: digits[i...i + 1], as: UTF8.self), radix: 16) else { return [] }
            out.append(b)
        }
        return out
    }

    /// The line written to `register`: magic and mask as `\xHH` escapes, which the kernel decodes.
    public static func registration(name: String, interpreter: String, flags: String) -> String {
        func escaped(_ b: [UInt8]) -> String {
            b.map { "\\x" + String($0, radix: 16).leftPadded(to: 2) }.joined()
        }
        return ":\(name):M:0:\(escaped(magic)):\(escaped(mask)):\(interpreter):\(flags)"
    }

    /// Why `name` cannot name an entry, or nil if it can (the kernel refuses empty names, `.`, `..`,
    /// `/`, and the separator; `register` and `status` are its own files).
    static func problem(name: String) -> String? {
        if name.isEmpty || name == "." || name == ".." || name == "register" || name == "status" { return "'\(name)' cannot name a binfmt_misc entry" }
        if name.contains("/") || name.contains(":") || name.utf8.count > 200 { return "'\(name)' cannot name a binfmt_misc entry (no '/' or ':', at most 200 bytes)" }
        return nil
    }

    public var isMounted: Bool { access(directory + "/register", F_OK) == 0 }

    /// Mounts binfmt_misc on `directory` unless it is mounted already.
    func mountIfNeeded() throws(BinfmtError) {
        if isMounted { return }
        guard mount("binfmt_misc", directory, "binfmt_misc", 0, nil) == 0 else {
            throw BinfmtError("cannot mount binfmt_misc on \(directory): \(String(cString: strerror(errno)))"
                              + (errno == EPERM ? " (run as root)" : ""))
        }
    }

    /// Whether the kernel uses the entries at all (`status` holds `enabled` or `disabled`).
    var globallyEnabled: Bool { (read(directory + "/status") ?? "enabled").hasPrefix("enabled") }

    /// Every registered entry, by name.
    public func entries() -> [Entry] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." && name != "register" && name != "status" { names.append(name) }
        }
        return names.sorted().compactMap { name in read(directory + "/" + name).flatMap { Entry(name: name, text: $0) } }
    }

    public func entry(_ name: String) -> Entry? {
        read(directory + "/" + name).flatMap { Entry(name: name, text: $0) }
    }

    public func register(_ line: String) throws(BinfmtError) {
        try write(line, to: directory + "/register", what: "register")
    }

    /// Removes entry `name` (`-1`), or disables (`0`) or enables (`1`) it.
    public func control(_ name: String, _ command: String) throws(BinfmtError) {
        try write(command, to: directory + "/" + name, what: name)
    }

    private func write(_ text: String, to path: String, what: String) throws(BinfmtError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BinfmtError("\(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else {
            let reason = n < 0 ? String(cString: strerror(errno)) : "short write"
            throw BinfmtError("writing \(what): \(reason)")
        }
    }

    private func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A binfmt command that could not do what it was asked: one `trapeze:` line, exit status 1.
public struct BinfmtError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
