#if canImport(Glibc)
import Glibc
#endif

extension CodeCache {
    /// The cache's two views as shared anonymous memory, aliased with `mremap(old_size: 0)`, or
    /// nil where the host refuses. Preferred over a memfd because Linux `perf` looks up
    /// `/tmp/perf-PID.map` only for anonymous executable mappings (`/dev/zero (deleted)` in
    /// /proc/PID/maps counts, `/memfd:...` does not), so `--perf-map` needs this to name JIT code.
    static func sharedAnonymousViews(capacity: Int) -> (writable: UnsafeMutableRawPointer, executable: UnsafeMutableRawPointer)? {
        // mremap is variadic in C; the fifth argument is read only with MREMAP_FIXED, unused here.
        typealias Mremap = @convention(c) (UnsafeMutableRawPointer?, Int, Int, Int32) -> UnsafeMutableRawPointer?
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mremap") else { return nil }
        let rw = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)
        guard let rw, rw != MAP_FAILED else { return nil }
        let alias = unsafeBitCast(sym, to: Mremap.self)(rw, 0, capacity, 1 /* MREMAP_MAYMOVE */)
        guard let rx = alias, rx != MAP_FAILED, mprotect(rx, capacity, PROT_READ | PROT_EXEC) == 0 else {
            if let alias, alias != MAP_FAILED { munmap(alias, capacity) }
            munmap(rw, capacity)
            return nil
        }
        return (rw, rx)
    }
}
