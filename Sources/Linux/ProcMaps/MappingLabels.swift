/// What /proc/self/maps says about a mapping beyond its permissions: the file behind it (or a
/// pseudo-name such as `[stack]`), and whether it is shared. Page permissions live in
/// `GuestMemory`; this is the part only the loader and the mmap emulation know.
public struct MappingLabel: Equatable, Sendable {
    /// The path, `[heap]`/`[stack]`, or "" for an anonymous mapping.
    public var name: String
    /// File offset of the first page of the labelled range (0 when there is no file).
    public var offset: UInt64
    /// The file's st_dev and st_ino (0 when there is no file).
    public var device: UInt64
    public var inode: UInt64
    public var shared: Bool

    public init(name: String, offset: UInt64 = 0, device: UInt64 = 0, inode: UInt64 = 0, shared: Bool = false) {
        self.name = name
        self.offset = offset
        self.device = device
        self.inode = inode
        self.shared = shared
    }

    /// True when pages labelled `self` and then `next` belong to one kernel VMA: same file or
    /// pseudo-name, and for files the offsets continue (`pages` = how many pages `self` covers).
    func continues(into next: MappingLabel, after pages: UInt64) -> Bool {
        guard name == next.name, device == next.device, inode == next.inode, shared == next.shared else { return false }
        return inode == 0 && device == 0 || offset &+ pages << 12 == next.offset
    }

    /// The label of the page `pages` pages further on (files advance their offset).
    func advanced(by pages: UInt64) -> MappingLabel {
        var l = self
        if inode != 0 || device != 0 { l.offset &+= pages << 12 }
        return l
    }
}

/// Labels on guest page ranges: disjoint, in address order. Unlabelled mapped pages are
/// anonymous and private. Few ranges are labelled (files, the stack), so a sorted array is enough.
public struct MappingLabels: Sendable {
    public struct Entry: Equatable, Sendable {
        public var pages: Range<UInt64>
        public var label: MappingLabel
    }
    public private(set) var entries: [Entry] = []

    public init() {}

    /// Labels page numbers `pages` (nil: removes any label there), replacing what was there.
    public mutating func set(_ pages: Range<UInt64>, _ label: MappingLabel?) {
        guard !pages.isEmpty else { return }
        let overlaps = entries.contains { $0.pages.overlaps(pages) }
        // The common case (mmap/munmap/brk of anonymous memory): nothing to relabel, no copying.
        if !overlaps && label == nil { return }
        if !overlaps, let label {
            let at = entries.firstIndex { $0.pages.lowerBound >= pages.upperBound } ?? entries.count
            entries.insert(Entry(pages: pages, label: label), at: at)
            return
        }
        var kept: [Entry] = []
        kept.reserveCapacity(entries.count + 2)
        for e in entries {
            if e.pages.upperBound <= pages.lowerBound || e.pages.lowerBound >= pages.upperBound {
                kept.append(e)
                continue
            }
            if e.pages.lowerBound < pages.lowerBound {
                kept.append(Entry(pages: e.pages.lowerBound..<pages.lowerBound, label: e.label))
            }
            if e.pages.upperBound > pages.upperBound {
                let skipped = pages.upperBound - e.pages.lowerBound
                kept.append(Entry(pages: pages.upperBound..<e.pages.upperBound, label: e.label.advanced(by: skipped)))
            }
        }
        if let label { kept.append(Entry(pages: pages, label: label)) }
        kept.sort { $0.pages.lowerBound < $1.pages.lowerBound }
        entries = kept
    }

    /// Byte-address convenience for `set`: the pages `[address, address+length)` touches.
    public mutating func set(address: UInt64, length: UInt64, _ label: MappingLabel?) {
        guard length > 0 else { return }
        set((address >> 12)..<((address &+ length &+ 4095) >> 12), label)
    }
}
