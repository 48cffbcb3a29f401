import Glibc

/// The host refused Trapeze something it cannot run without (address space for guest memory, an
/// executable mapping for the code cache, libffi's call interface): one `trapeze:` line naming
/// what and the host's reason, and status 71 (EX_OSERR), never a crash report. Seen in practice
/// under `ulimit -v`, inside valgrind, or in a container with a small address-space limit.
public enum HostFailure {
    public static func exit(_ what: String, errno code: Int32 = errno) -> Never {
        var line = "trapeze: \(what)"
        if code != 0, let reason = strerror(code) { line += ": \(String(cString: reason))" }
        line += "\n"
        line.withCString { _ = write(2, $0, strlen($0)) }
        _exit(71)
    }
}
