import Guest

/// The text of a guest's /proc/self/maps, in the kernel's format (fs/proc/task_mmu.c):
/// `start-end perms offset major:minor inode `, then, for a named mapping, spaces up to 72 characters,
/// one more space and the name. Runs of pages with the same permissions and label merge into one line, as
/// adjacent compatible VMAs do in the kernel.
public enum ProcMapsText {
    struct Piece {
        var pages: Range<UInt64>
        var flags: PageFlags
        var label: MappingLabel?
    }

    /// `heap` (page numbers) is labelled `[heap]` over whatever `labels` say there.
    public static func render(memory: GuestMemory, labels: MappingLabels, heap: Range<UInt64>? = nil) -> String {
        var labels = labels
        if let heap, !heap.isEmpty { labels.set(heap, MappingLabel(name: "[heap]")) }
        var lines = ""
        var current: Piece? = nil
        for piece in pieces(memory.mappedRuns(), labels.entries) {
            if var c = current, c.pages.upperBound == piece.pages.lowerBound, c.flags == piece.flags,
               sameMapping(c.label, piece.label, after: UInt64(c.pages.count)) {
                c.pages = c.pages.lowerBound..<piece.pages.upperBound
                current = c
                continue
            }
            if let c = current { lines += line(c) }
            current = piece
        }
        if let c = current { lines += line(c) }
        return lines
    }

    static func sameMapping(_ a: MappingLabel?, _ b: MappingLabel?, after pages: UInt64) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (a?, b?): a.continues(into: b, after: pages)
        case (nil, _?), (_?, nil): false
        }
    }

    /// Splits each run of equal permissions at label boundaries.
    static func pieces(_ runs: [(pages: Range<UInt64>, flags: PageFlags)], _ entries: [MappingLabels.Entry]) -> [Piece] {
        var out: [Piece] = []
        var i = 0
        for run in runs {
            var at = run.pages.lowerBound
            while i < entries.count && entries[i].pages.upperBound <= at { i += 1 }
            var j = i
            while at < run.pages.upperBound {
                guard j < entries.count, entries[j].pages.lowerBound < run.pages.upperBound else {
                    out.append(Piece(pages: at..<run.pages.upperBound, flags: run.flags, label: nil))
                    break
                }
                let e = entries[j]
                if e.pages.lowerBound > at {
                    out.append(Piece(pages: at..<e.pages.lowerBound, flags: run.flags, label: nil))
                    at = e.pages.lowerBound
                }
                let end = min(e.pages.upperBound, run.pages.upperBound)
                out.append(Piece(pages: at..<end, flags: run.flags, label: e.label.advanced(by: at - e.pages.lowerBound)))
                at = end
                if end == e.pages.upperBound { j += 1 }
            }
        }
        return out
    }

    static func hex(_ v: UInt64, width: Int) -> String {
        let s = String(v, radix: 16)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Linux's new_decode_dev: 12-bit major and 20-bit minor split across the 32-bit dev_t.
    static func device(_ dev: UInt64) -> (major: UInt64, minor: UInt64) {
        ((dev >> 8) & 0xfff | (dev >> 32) & ~0xfff, dev & 0xff | (dev >> 12) & ~0xff)
    }

    static func line(_ p: Piece) -> String {
        let label = p.label ?? MappingLabel(name: "")
        let (major, minor) = device(label.device)
        var s = hex(p.pages.lowerBound << 12, width: 8) + "-" + hex(p.pages.upperBound << 12, width: 8) + " "
        s += p.flags.contains(.read) ? "r" : "-"
        s += p.flags.contains(.write) ? "w" : "-"
        s += p.flags.contains(.execute) ? "x" : "-"
        s += label.shared ? "s" : "p"
        s += " " + hex(label.offset, width: 8) + " " + hex(major, width: 2) + ":" + hex(minor, width: 2)
        s += " \(label.inode) "
        if !label.name.isEmpty {
            // The kernel pads the header to 72 columns (25 + 6 * sizeof(void *) - 1), then a space.
            if s.utf8.count < 72 { s += String(repeating: " ", count: 72 - s.utf8.count) }
            s += " " + label.name
        }
        return s + "\n"
    }
}
