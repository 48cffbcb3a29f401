#if canImport(Glibc)
import Glibc
#endif
import Guest
import JIT

extension PerfMap {
    /// With `--perf-map`, makes the JIT report its code to a `PerfMap` (the interpreter has none).
    static func attach(to engine: any Engine, symbols: GuestSymbols) {
        guard let jit = engine as? JIT else { return }
        guard let map = PerfMap(symbols: symbols) else {
            HostIO.error("trapeze: cannot write \(PerfMap.path(pid: getpid())); continuing without --perf-map\n")
            return
        }
        jit.observer = map
    }
}
