#if canImport(Glibc)
import Glibc
#endif

/// `--sandbox`: what a guest that is not trusted may reach. Plain values, so it can travel in
/// `LinuxOptions`; `LinuxProcess` enforces it at the syscall seam (Sandbox+Syscalls.swift), and
/// a host seccomp filter (Seccomp.swift) is the second wall.
public struct SandboxPolicy: Sendable, Equatable {
    /// A directory the guest may use (`--allow-path DIR[:ro]`).
    public struct AllowedPath: Sendable, Equatable {
        public var directory: String
        public var writable: Bool
        public init(directory: String, writable: Bool) {
            self.directory = directory
            self.writable = writable
        }

        /// `DIR` (read and write) or `DIR:ro`; the directory must exist (it is resolved once,
        /// symlinks and all, so a later check compares real paths).
        public init?(argument: String) {
            var text = argument, writable = true
            if text.hasSuffix(":ro") { text.removeLast(3); writable = false }
            guard !text.isEmpty, let real = SandboxPolicy.realPath(text) else { return nil }
            self.init(directory: real, writable: writable)
        }
    }

    public var allowedPaths: [AllowedPath]
    /// `--allow-net`: the seccomp wall lets socket calls through (without it they fail with EPERM).
    public var allowNetwork: Bool

    public init(allowedPaths: [AllowedPath] = [], allowNetwork: Bool = false) {
        self.allowedPaths = allowedPaths
        self.allowNetwork = allowNetwork
    }

    /// The limits a sandboxed run gets unless the user sets them.
    public static let defaultMemory: UInt64 = 1 << 30
    public static let defaultProcesses = 16

    /// Device files every program expects and that reach nothing.
    static let devices: Set<String> = ["/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/full", "/dev/tty"]

    /// Why `path` (a host path, resolved) may not be used, or nil when it may. `readOnly` are the
    /// extra read-only roots (the sysroot, the program's directory).
    func refusal(_ path: String, write: Bool, readOnly: [String]) -> String? {
        if SandboxPolicy.devices.contains(path) { return nil }
        for allowed in allowedPaths where SandboxPolicy.isInside(path, allowed.directory) {
            return write && !allowed.writable ? "read-only under the sandbox (\(allowed.directory):ro)" : nil
        }
        for root in readOnly where SandboxPolicy.isInside(path, root) {
            return write ? "read-only under the sandbox" : nil
        }
        return "outside the sandbox's paths"
    }

    static func isInside(_ path: String, _ directory: String) -> Bool {
        directory == "/" || path == directory || path.hasPrefix(directory.hasSuffix("/") ? directory : directory + "/")
    }

    /// The real path of the directory holding `path`, followed by its last component as it is
    /// (a symlink there is not followed).
    static func realParent(_ path: String) -> String? {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return realParent("./" + trimmed) }
        let last = String(trimmed[trimmed.index(after: slash)...])
        guard !last.isEmpty, last != ".", last != ".." else { return realPath(String(trimmed)) }
        let parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        guard let base = realPath(parent) else { return nil }
        return (base.hasSuffix("/") ? base : base + "/") + last
    }

    /// The real path of an existing file, or of an existing parent directory followed by the
    /// rest (for a file about to be created); nil when no parent exists.
    static func realPath(_ path: String) -> String? {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        guard let slash = path.lastIndex(of: "/") else { return realPath("./" + path) }
        let parent = slash == path.startIndex ? "/" : String(path[..<slash])
        let last = String(path[path.index(after: slash)...])
        guard !last.isEmpty, last != ".", last != "..", let base = realPath(parent) else { return nil }
        return (base.hasSuffix("/") ? base : base + "/") + last
    }
}
