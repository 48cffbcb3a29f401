/// The physical pages of RAM written other than by the hart's own stores: device DMA (virtio),
/// the page walk's A/D updates, HTIF's `fromhost`, image loading. Engines keep translated code
/// until `fence.i`, and a hart store to a page holding translations already drops them; so at
/// `fence.i` an engine drops only the translations on the pages this log names, which makes
/// `fence.i` cost what changed rather than a whole-cache flush.
///
/// The log is taken (and emptied) by the engine at each `fence.i`. Past `capacity` distinct
/// pages it stops recording and says `everything` instead: the engine then drops all it has.
public final class RAMWriteLog {
    public static let capacity = 1 << 14

    private var pages = Set<UInt64>()
    private var overflowed = false

    public init() {}

    /// Records a write of `length` bytes at physical `address`.
    @inline(__always) public func note(_ address: UInt64, _ length: UInt64) {
        if overflowed || length == 0 { return }
        let first = address >> 12
        let last = (address &+ (length &- 1)) >> 12
        if last == first { record(first); return }
        guard last > first, last - first < UInt64(RAMWriteLog.capacity) else { overflowed = true; return }
        var page = first
        while page <= last && !overflowed { record(page); page &+= 1 }
    }

    @inline(__always) private func record(_ page: UInt64) {
        if pages.count >= RAMWriteLog.capacity, !pages.contains(page) {
            overflowed = true
            pages.removeAll()
            return
        }
        pages.insert(page)
    }

    /// What was written since the last call: page numbers (address >> 12), or `everything` when
    /// too many pages were to be remembered. Empties the log.
    public func take() -> (pages: Set<UInt64>, everything: Bool) {
        defer {
            overflowed = false
            pages = []
        }
        return (pages, overflowed)
    }

    /// Forgets what was written (nothing translated depends on it).
    public func discard() { _ = take() }
}
