#if canImport(Glibc)
import Glibc
#endif
import CHost

/// Trapeze's own auxiliary vector, as the host kernel passed it (binfmt_misc reports through it).
public enum HostAuxv {
    public static let execFD: UInt = 2, flags: UInt = 8, secure: UInt = 23, execFilename: UInt = 31

    /// The entry's value, or nil when the kernel did not pass it.
    public static func value(_ key: UInt) -> UInt? {
        errno = 0
        let v = trapeze_getauxval(key)
        return v == 0 && errno == ENOENT ? nil : v
    }

    /// A string entry (AT_EXECFN).
    public static func string(_ key: UInt) -> String? {
        guard let v = value(key), v != 0, let p = UnsafePointer<CChar>(bitPattern: v) else { return nil }
        return String(cString: p)
    }
}
