import Guest

/// Compact cold exits. A block's rarely taken ways out (budget spent, unlinked chain site, access
/// above the guest limit, helper exception) used to be a stub each that stored pc, gave budget
/// back, set the exit reason and jumped to the epilogue: 30 to 40 bytes, most of a block's host
/// code. Now each is a 5-byte `call` to one shared thunk (`Stubs.emitColdExit`), and what the stub
/// used to do is data in a `ColdSite`, keyed by the call's return address: the thunk records that
/// address and leaves with `ColdExit.marker`, and the dispatcher (`JIT.resolveColdExit`) looks the
/// site up and turns it into the ordinary exit it stands for, before anything else sees it. The
/// call is never returned from (the epilogue resets rsp), so the return stack predictor is
/// disturbed only on these rare exits.
struct ColdSite {
    /// Offset of the return address (the end of the `call`) from the start of the code cache;
    /// relative to the block while the block is being translated.
    var returnOffset: UInt32
    /// `ExitReason` raw value the exit stands for.
    var reason: UInt32
    /// Budget taken at block entry or segment start for instructions that did not retire.
    var undo: UInt32
    /// `exitArgument` (chain site id, raw instruction of a failed helper), if any.
    var argument: UInt32
    /// The guest pc to continue or report at; `keepsPC` when the code already stored it.
    var pc: UInt64
    static let keepsPC = UInt64.max
    /// Bytes of the `call rel32` the return offset is the end of.
    static let callLength = 5
}

enum ColdExit {
    /// The exit code the shared thunk leaves with; not an `ExitReason` (the dispatcher replaces it).
    static let marker: UInt32 = 0xC01D
}

/// Host address → size of each block's code in one cache generation, for listings. Two arrays in
/// code order (blocks are only appended) rather than a dictionary: an append per block is cheaper
/// than a hashed insert, and lookups are rare.
struct BlockExtents {
    private var starts: [UInt64] = []
    private var sizes: [Int] = []

    mutating func append(host: UInt64, size: Int) {
        starts.append(host)
        sizes.append(size)
    }

    mutating func removeAll() {
        starts.removeAll(keepingCapacity: true)
        sizes.removeAll(keepingCapacity: true)
    }

    subscript(host: UInt64) -> Int? {
        var low = 0, high = starts.count
        while low < high {
            let mid = (low + high) / 2
            if starts[mid] < host { low = mid + 1 } else { high = mid }
        }
        return low < starts.count && starts[low] == host ? sizes[low] : nil
    }
}

/// The sites of one cache generation, in code order (blocks are only appended), so the
/// dispatcher finds a site by binary search.
struct ColdSites {
    private(set) var sites: [ColdSite] = []

    mutating func append(_ block: [ColdSite], at offset: Int) {
        // A plain loop: appending a lazy map went through unspecialised generic code, 2% of a
        // short program's start-up.
        let shift = UInt32(truncatingIfNeeded: offset)
        for site in block {
            var moved = site
            moved.returnOffset &+= shift
            sites.append(moved)
        }
    }

    mutating func reserve(_ count: Int) { sites.reserveCapacity(count) }

    mutating func reset() {
        sites.removeAll(keepingCapacity: true)
        if !recent.isEmpty { recent = [] }
    }

    /// A direct-mapped cache of recent searches (return offset, index + 1), made on first use
    /// once there are many sites: a Linux boot has over a million, and the binary search through
    /// them, a cache miss a step, was 1.6% of its CPU time. A short process has a few thousand,
    /// where the search is short and the cache's 64 KiB of fresh pages cost more than it saves
    /// (1.6% of a warm `rm` in a Debian chroot). Sites only move at `reset`, which empties it.
    private var recent: [(offset: UInt32, index: Int32)] = []
    private static let recentSize = 4096
    private static let recentFrom = 1 << 15

    mutating func site(returnOffset: UInt32) -> ColdSite? {
        let cacheable = sites.count >= ColdSites.recentFrom
        let slot = Int(returnOffset >> 2 ^ returnOffset >> 14) & (ColdSites.recentSize - 1)
        if cacheable {
            if recent.isEmpty { recent = Array(repeating: (0, 0), count: ColdSites.recentSize) }
            let cached = recent[slot]
            if cached.index > 0, cached.offset == returnOffset { return sites[Int(cached.index) - 1] }
        }
        var low = 0, high = sites.count
        while low < high {
            let mid = (low + high) / 2
            if sites[mid].returnOffset < returnOffset { low = mid + 1 } else { high = mid }
        }
        guard low < sites.count, sites[low].returnOffset == returnOffset else { return nil }
        if cacheable, let index = Int32(exactly: low + 1) { recent[slot] = (returnOffset, index) }
        return sites[low]
    }
}
