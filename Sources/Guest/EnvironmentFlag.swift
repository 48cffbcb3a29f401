import Glibc

/// A switch for A/B measurements read from Trapeze's own environment: `name` set to a value
/// starting with "0" turns it off, to anything else on; unset, `value`. Used by the JIT's
/// options (`TRAPEZE_JIT_…`) and the Linux layer (`TRAPEZE_OPEN_DIRECT`).
public func environmentFlag(_ name: String, default value: Bool) -> Bool {
    guard let v = getenv(name) else { return value }
    return v.pointee != 0x30 /* "0" */
}
