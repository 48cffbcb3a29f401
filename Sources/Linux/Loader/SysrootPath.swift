#if canImport(Glibc)
import Glibc
#endif

/// Guest absolute paths looked up in a sysroot first, as qemu-user's `-L` does: the dynamic
/// linker and the libraries it opens live there, while anything the sysroot lacks (/tmp, /proc,
/// the user's files) is the host's.
public enum SysrootPath {
    /// The default sysroot: `TRAPEZE_SYSROOT`, else Debian's riscv64 cross root when it exists.
    public static func defaultSysroot(environment: [String: String]) -> String? {
        if let s = environment["TRAPEZE_SYSROOT"], !s.isEmpty { return s }
        let debian = "/usr/riscv64-linux-gnu"
        var st = stat()
        return stat(debian, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR ? debian : nil
    }

    /// The host path for guest path `path`.
    public static func resolve(_ path: String, sysroot: String?) -> String {
        // A sysroot of `/` (a riscv64 chroot's default) maps every path to itself: no lookup
        // (it was an lstat before every path-taking system call).
        guard let sysroot, sysroot.contains(where: { $0 != "/" }), path.hasPrefix("/"), path.contains(where: { $0 != "/" }) else {
            return path
        }
        let candidate = sysroot.hasSuffix("/") ? String(sysroot.dropLast()) + path : sysroot + path
        var st = stat()
        return lstat(candidate, &st) == 0 ? candidate : path
    }
}
