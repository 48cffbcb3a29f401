import Guest

/// System mode's translation epochs: one 32-bit counter per privilege level, in the state
/// block (`ScratchSlot.epochs`), that moves on everything that can change which block a
/// virtual pc of that level leads to. A direct exit to another guest page is chained through
/// a check of its level's epoch against the value it was linked under
/// (`Translator.chainAcrossPages`), so such a chain needs no mapping check and no `jalr` table
/// probe while nothing moved, and falls back to the table (and is linked again) once
/// something did. Within a page, exits are chained without a check as before: that page's
/// mapping is the block's own, which the dispatcher or jump cache checked on the way in.
///
/// What moves the epochs:
/// - `sfence.vma addr` (any ASID) whose address lies in the leaf of a page some exit of that
///   level was linked to since its last move (U and S: M-mode fetches are not translated);
/// - `sfence.vma x0, asid` of the current address space and satp writes (U and S);
/// - `sfence.vma x0, x0` and PMP writes (every level; PMP also governs M-mode fetches);
/// - blocks dropped by a store to their code page or by `fence.i` (every level).
/// (`sfence.vma` of another address space changes nothing the current one runs.)
/// An epoch that would reach `never` wraps instead: the engine empties its code cache, so no
/// exit linked under an old value is left, and every level starts at 0 again.
final class SystemEpochs {
    /// A value no epoch takes: a site that must always use the jump cache compares with it.
    static let never = UInt32.max
    static let allModes: [Int] = [0, 1, 2, 3]
    /// The levels whose fetches go through the page tables.
    static let translatedModes: [Int] = [0, 1]

    /// The epochs (authoritative here; copied into the attached state block).
    private var values: [UInt32]
    private var state: UnsafeMutableRawPointer? = nil
    /// Per level, the lowest and highest virtual address covered by the leaves of the pages
    /// exits were linked to since the level's epoch last moved.
    private var low = [UInt64](repeating: .max, count: 4)
    private var high = [UInt64](repeating: 0, count: 4)
    /// `--stats`: how often an epoch moved, and how often they wrapped.
    private(set) var moves: UInt64 = 0
    private(set) var wraps: UInt64 = 0
    /// Set when an epoch could not move without reaching `never`: the engine must flush its
    /// code cache and `restart` before translated code runs again.
    private(set) var wrapped = false

    /// `start`: the value every level begins at (tests start near the wrap).
    init(start: UInt32 = 0) {
        values = [UInt32](repeating: min(start, SystemEpochs.never - 1), count: 4)
    }

    /// Makes `state` (a hart's state block) the one translated code reads the epochs from.
    func attach(_ state: UnsafeMutableRawPointer) {
        self.state = state
        for mode in 0..<4 { publish(mode) }
    }

    private func publish(_ mode: Int) {
        state?.storeBytes(of: values[mode], toByteOffset: ScratchSlot.epochs + 4 * mode, as: UInt32.self)
    }

    /// The epoch of level `mode` now (what a block translated for it starts its sites with).
    func current(_ mode: UInt8) -> UInt32 { values[Int(mode & 3)] }

    /// Moves the epochs of `modes`.
    func move(_ modes: [Int]) {
        for mode in modes {
            low[mode] = .max
            high[mode] = 0
            guard values[mode] < SystemEpochs.never - 1 else { wrapped = true; continue }
            values[mode] &+= 1
            publish(mode)
            moves &+= 1
        }
    }

    /// `sfence.vma address`: moves the epochs of the translated levels that linked an exit to a
    /// page whose leaf may hold `address`.
    func move(linkedAt address: UInt64) {
        for mode in SystemEpochs.translatedModes where address >= low[mode] && address <= high[mode] {
            move([mode])
        }
    }

    /// Notes that an exit of the hart's current level is being linked to the block at virtual
    /// `target`; returns the epoch its check must compare with.
    func linked(_ target: UInt64, _ hart: Hart) -> UInt32 {
        let mode = Int(hart.state.privilege.rawValue & 3)
        let shift = UInt64(hart.leafShift(target, access: .execute))
        let span: UInt64 = shift >= 64 ? .max : (1 << shift) - 1
        low[mode] = min(low[mode], target & ~span)
        high[mode] = max(high[mode], target | span)
        return values[mode]
    }

    /// After a wrap, once the code cache is empty: every level starts again at 0.
    func restart() {
        for mode in 0..<4 {
            values[mode] = 0
            low[mode] = .max
            high[mode] = 0
            publish(mode)
        }
        wrapped = false
        wraps &+= 1
    }
}
