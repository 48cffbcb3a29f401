/// Physical memory protection: 16 entries (pmpcfg0 and pmpcfg2, pmpaddr0...15; the other PMP
/// CSRs are read-only zero), OFF/TOR/NA4/NAPOT, granularity 4 bytes, and locking.
///
/// Public entry point: `Hart.pmpAllows(_:length:access:privilege:)`, checked on every physical
/// address the MMU produces and on the page-table walk's own accesses (as S-mode).
extension Hart {
    enum PMPBits {
        static let r: UInt8 = 1 << 0, w: UInt8 = 1 << 1, x: UInt8 = 1 << 2
        static let addressMode: UInt8 = 3 << 3
        static let lock: UInt8 = 1 << 7
        static let off: UInt8 = 0, tor: UInt8 = 1 << 3, na4: UInt8 = 2 << 3, napot: UInt8 = 3 << 3
        /// pmpaddr holds address bits 55:2.
        static let addressMask: UInt64 = 1 << 54 - 1
    }

    /// Whether PMP lets `privilege` make this access to `[address, address + length)`. The
    /// lowest-numbered entry that matches any byte decides, and it must cover every byte; with no
    /// match M-mode passes and S and U fail. Locked entries bind M-mode too.
    public func pmpAllows(_ address: UInt64, length: UInt64, access: MemoryFault.Access, privilege: PrivilegeMode) -> Bool {
        let last = address &+ (length &- 1)
        var previousTop: UInt64 = 0
        for i in 0..<StateOffset.pmpCount {
            let cfg = state.pmpConfig(i)
            let pmpaddr = state.pmpAddress(i)
            defer { previousTop = pmpaddr << 2 }
            guard let range = pmpRange(cfg, pmpaddr, previousTop: previousTop) else { continue }
            let touchesStart = address >= range.lowerBound && address <= range.upperBound
            let touchesEnd = last >= range.lowerBound && last <= range.upperBound
            let spans = address < range.lowerBound && last > range.upperBound
            guard touchesStart || touchesEnd || spans else { continue }
            guard touchesStart && touchesEnd else { return false }
            if privilege == .machine && cfg & PMPBits.lock == 0 { return true }
            let needed = switch access {
            case .read: PMPBits.r
            case .write: PMPBits.w
            case .execute: PMPBits.x
            }
            return cfg & needed != 0
        }
        return privilege == .machine
    }

    /// The bytes entry `cfg`/`pmpaddr` covers, nil when it is off or empty (a TOR entry whose
    /// bottom is not below its top).
    private func pmpRange(_ cfg: UInt8, _ pmpaddr: UInt64, previousTop: UInt64) -> ClosedRange<UInt64>? {
        switch cfg & PMPBits.addressMode {
        case PMPBits.tor:
            let top = pmpaddr << 2
            return previousTop < top ? previousTop...(top &- 1) : nil
        case PMPBits.na4:
            return (pmpaddr << 2)...((pmpaddr << 2) | 3)
        case PMPBits.napot:
            // Trailing ones give the size: t ones → 2^(t+3) bytes.
            let ones = UInt64((~pmpaddr).trailingZeroBitCount)
            guard ones < 54 else { return 0...UInt64.max }
            let size: UInt64 = 8 << ones
            let base = (pmpaddr << 2) & ~(size &- 1)
            return base...(base | (size &- 1))
        default:
            return nil
        }
    }

    private func pmpLocked(_ i: Int) -> Bool {
        if state.pmpConfig(i) & PMPBits.lock != 0 { return true }
        // A locked TOR entry also locks the pmpaddr below it (its bottom).
        guard i + 1 < StateOffset.pmpCount else { return false }
        let next = state.pmpConfig(i + 1)
        return next & PMPBits.lock != 0 && next & PMPBits.addressMode == PMPBits.tor
    }

    /// pmpcfg0 and pmpcfg2 hold eight entries each; the odd numbers do not exist on RV64.
    func readPMPConfig(_ csr: UInt16) -> UInt64? {
        let index = Int(csr - CSRNumber.pmpcfg0)
        guard index & 1 == 0 else { return nil }
        guard index * 4 < StateOffset.pmpCount else { return 0 }
        return (0..<8).reduce(0) { $0 | UInt64(state.pmpConfig(index * 4 + $1)) << (8 * UInt64($1)) }
    }

    func readPMPAddress(_ csr: UInt16) -> UInt64 {
        let index = Int(csr - CSRNumber.pmpaddr0)
        return index < StateOffset.pmpCount ? state.pmpAddress(index) : 0
    }

    /// Each byte is one entry's cfg: a locked entry ignores the write, the reserved R=0 W=1
    /// combination is refused (the old cfg stays, as QEMU does), bits 6:5 read zero.
    func writePMPConfig(_ csr: UInt16, _ value: UInt64) {
        let index = Int(csr - CSRNumber.pmpcfg0)
        guard index * 4 < StateOffset.pmpCount else { return }
        for byte in 0..<8 {
            let entry = index * 4 + byte
            let cfg = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte))) & 0x9f
            guard state.pmpConfig(entry) & PMPBits.lock == 0, cfg & (PMPBits.r | PMPBits.w) != PMPBits.w else { continue }
            state.setPMPConfig(entry, cfg)
        }
        tlb.flushAll()
    }

    func writePMPAddress(_ csr: UInt16, _ value: UInt64) {
        let index = Int(csr - CSRNumber.pmpaddr0)
        guard index < StateOffset.pmpCount, !pmpLocked(index) else { return }
        state.setPMPAddress(index, value & PMPBits.addressMask)
        tlb.flushAll()
    }
}
