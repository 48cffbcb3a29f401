#if canImport(Glibc)
import Glibc
#endif
import CHost

extension CodeCache {
    /// The cache's two views as shared anonymous memory, aliased with `mremap(old_size: 0)`, or
    /// nil where the host refuses. Preferred over a memfd because Linux `perf` looks up
    /// `/tmp/perf-PID.map` only for anonymous executable mappings (`/dev/zero (deleted)` in
    /// /proc/PID/maps counts, `/memfd:...` does not), so `--perf-map` needs this to name JIT code.
    static func sharedAnonymousViews(capacity: Int) -> (writable: UnsafeMutableRawPointer, executable: UnsafeMutableRawPointer)? {
        let rw = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let rw, rw != MAP_FAILED else { return nil }
        let alias = trapeze_mremap(rw, 0, capacity, 1 /* MREMAP_MAYMOVE */)
        guard let rx = alias, rx != MAP_FAILED, mprotect(rx, capacity, PROT_READ | PROT_EXEC) == 0 else {
            if let alias, alias != MAP_FAILED { munmap(alias, capacity) }
            munmap(rw, capacity)
            return nil
        }
        return (rw, rx)
    }
}
