#if canImport(Glibc)
import Glibc
#endif

/// Makes the kernel allocate a range's pages in one call before it is filled, instead of one
/// page fault per page as the copy first touches each: loading copies the whole program twice
/// (file into memory, segments into guest memory), and a fault per 4 KiB page was a tenth of a
/// small guest's start-up. Only a hint: kernels before 5.14 do not know MADV_POPULATE_WRITE, and
/// then the copy faults pages in as before.
enum Prefault {
    /// `MADV_POPULATE_WRITE` (Linux 5.14); Swift's Glibc module does not export it.
    private static let populateWrite: Int32 = 23

    /// Populates the whole pages inside `[start, start + length)` for writing.
    static func write(_ start: UnsafeMutableRawPointer, _ length: Int) {
        let page = 4096
        let first = (Int(bitPattern: start) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: start) + length) & ~(page - 1)
        guard end > first, let p = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(p, end - first, populateWrite)
    }
}
