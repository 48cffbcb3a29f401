#if canImport(Glibc)
import Glibc
#endif
import Guest
import JIT

extension GuestRun {
    /// With `--perf-map`, makes the JIT report its code to a `PerfMap` (the interpreter has none).
    func attachPerfMap(_ engine: any Engine) {
        guard configuration.perfMap, let jit = engine as? JIT else { return }
        guard let map = PerfMap(symbols: symbols) else {
            HostIO.error("trapeze: cannot write \(PerfMap.path(pid: getpid())); continuing without --perf-map\n")
            return
        }
        jit.observer = map
    }
}
