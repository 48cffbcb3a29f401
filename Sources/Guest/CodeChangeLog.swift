/// One move of `GuestMemory.codeGeneration`: the generation it moved to and the guest pages whose
/// code changed (page numbers), or nil for all code.
public struct CodeChange: Sendable, Equatable {
    public var generation: UInt64
    public var pages: Range<UInt64>?
}

/// The last `capacity` code changes, oldest first. An engine that last looked at generation g
/// asks for the changes after g; if the log has dropped some of them it must drop everything,
/// which a ring of 256 makes rare (a dynamic linker makes a few changes per library).
struct CodeChangeLog {
    static let capacity = 256
    private var ring: [CodeChange] = []
    private var head = 0  // index of the oldest entry once the ring is full

    mutating func append(_ change: CodeChange) {
        if ring.count < CodeChangeLog.capacity {
            ring.append(change)
        } else {
            ring[head] = change
            head = (head + 1) % CodeChangeLog.capacity
        }
    }

    /// Changed page ranges with generation in (since, through]; nil if one was "everything" or
    /// the oldest kept entry is newer than since + 1 (some were overwritten).
    func pages(since: UInt64, through: UInt64) -> [Range<UInt64>]? {
        guard !ring.isEmpty else { return nil }
        let oldest = ring[head].generation
        if oldest > since &+ 1 { return nil }
        var out: [Range<UInt64>] = []
        for k in 0..<ring.count {
            let change = ring[(head + k) % ring.count]
            guard change.generation > since, change.generation <= through else { continue }
            guard let pages = change.pages else { return nil }
            if !pages.isEmpty { out.append(pages) }
        }
        return out
    }
}
