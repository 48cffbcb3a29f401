import Guest
import Interpreter
import RISCV

/// System mode's inline data TLB: what translated loads and stores probe (Lower+SystemMemory.swift),
/// and the engine's system-mode block bookkeeping.
///
/// Two direct-mapped tables of `entries` entries, read then write, 16 bytes each: the virtual
/// page address (`invalid` when empty) and the addend that turns a virtual address on that page
/// into the host address of the RAM behind it. An entry exists only for a 4 KiB page that is
/// RAM, that translation and PMP (for the whole page) allow for that access at the current
/// privilege, and, for writes, that holds no translated code; so MMIO, code pages and anything
/// unusual always take the slow path. Privilege, MPRV/MPP/SUM/MXR and the MMU's translations
/// are folded in by flushing: the engine compares a signature of them at every dispatcher entry
/// (they change only in the trap-and-emulate handler, at traps and interrupts, all of which
/// leave translated code) and empties the tables when it moved.
final class SystemTLB {
    static let entries = 256
    static let entrySize = 16
    /// A tag no masked address equals (their low 12 bits are at most 7).
    static let invalid = UInt64.max

    let base: UnsafeMutablePointer<UInt64>
    /// The single-instruction semantics the slow path uses, and the code-page tracking.
    let stepper = SystemStepper()
    /// The signature the tables are valid for (`signature(_:)`).
    private var valid: (UInt64, UInt64, UInt64)? = nil
    /// Counts for `--stats`.
    private(set) var fills: UInt64 = 0
    private(set) var flushes: UInt64 = 0
    private(set) var slowAccesses: UInt64 = 0
    /// The code generation (fence.i, sfence.vma/satp/PMP, stores to code pages) the engine's
    /// translations were made under.
    var codeGeneration: UInt64? = nil
    /// One `jalr` table per privilege level (a virtual pc means different code in each).
    let indirect = [IndirectTable(), IndirectTable(), IndirectTable(), IndirectTable()]
    /// The MMU flush count the `jalr` tables were filled under.
    var mappingGeneration: UInt64 = 0
    /// Translated blocks by virtual pc, privilege and the physical page they were fetched from.
    var blocks: [SystemBlockKey: SystemBlock] = [:]
    /// Host code of blocks whose last instruction reaches into the next page: their validity
    /// depends on two mappings, so they are only entered from the dispatcher, which checks both.
    var straddling: Set<UInt64> = []

    /// Records a block just translated at `host` (see `blocks`).
    func record(_ guest: GuestBlock, host: UInt64, key: SystemBlockKey, _ hart: Hart) {
        var block = SystemBlock(host: host)
        let last = guest.highestEnd &- 2
        if last >> 12 != guest.start >> 12, let physical = hart.codePhysicalAddress(last) {
            block.next = (last & ~0xFFF, physical >> 12)
            straddling.insert(host)
        }
        blocks[key] = block
        onPage[key.physicalPage, default: []].append(key)
        if let next = block.next { onPage[next.physicalPage, default: []].append(key) }
    }

    /// The blocks whose bytes come (partly) from each physical page. Lists may name blocks
    /// already gone or since translated again; dropping those too costs a retranslation only.
    var onPage: [UInt64: [SystemBlockKey]] = [:]

    /// Drops the blocks fetched from `page` (a store reached it). No other block jumps into
    /// them directly: chains stay within a page and never enter a block that straddles pages, so
    /// with the `jalr` tables emptied nothing reaches their code any more.
    func drop(page: UInt64) -> Int {
        guard let keys = onPage.removeValue(forKey: page) else { return 0 }
        var dropped = 0
        for key in keys {
            guard let block = blocks.removeValue(forKey: key) else { continue }
            straddling.remove(block.host)
            dropped += 1
        }
        clearIndirect()
        return dropped
    }

    init() {
        base = .allocate(capacity: 2 * SystemTLB.entries * 2)
        base.initialize(repeating: SystemTLB.invalid, count: 2 * SystemTLB.entries * 2)
    }

    deinit { base.deallocate() }

    var address: UInt64 { UInt64(UInt(bitPattern: base)) }

    /// Empties both tables (and the interpreter-side data TLB of the slow path).
    func flush() {
        for k in stride(from: 0, to: 4 * SystemTLB.entries, by: 2) { base[k] = SystemTLB.invalid }
        stepper.flushData()
        flushes &+= 1
    }

    /// What a hit depends on besides the page tables: privilege, the mstatus bits that change
    /// the effective privilege or permissions of data accesses, and the MMU's flush count
    /// (satp writes, sfence.vma, PMP writes).
    func revalidate(_ hart: Hart) {
        let state = hart.state
        let bits = MStatus.mprv | MStatus.mpp | MStatus.sum | MStatus.mxr
        let now = (UInt64(state.privilege.rawValue), state.mstatus & bits, hart.tlb.flushes)
        if let valid, valid == now { return }
        valid = now
        flush()
    }

    /// After the slow path performed a plain load or store at `vaddr`: caches its page when
    /// that is RAM the access may reach inline.
    func fill(_ vaddr: UInt64, store: Bool, _ hart: Hart) {
        slowAccesses &+= 1
        guard let bus = hart.platform?.bus else { return }
        let access: MemoryFault.Access = store ? .write : .read
        guard case .success(let physical) = hart.translate(vaddr, access: access) else { return }
        let page = physical & ~0xFFF
        guard let host = bus.ram(page, 0x1000) else { return }
        if store, !bus.ramWritable(page, 0x1000) || stepper.holdsCode(page: page >> 12) { return }
        guard hart.pmpAllows(page, length: 0x1000, access: access, privilege: hart.effectivePrivilege(for: access)) else { return }
        let virtualPage = vaddr & ~0xFFF
        let slot = (store ? SystemTLB.entries : 0) + Int(truncatingIfNeeded: (vaddr >> 12) & UInt64(SystemTLB.entries - 1))
        base[2 * slot] = virtualPage
        base[2 * slot + 1] = UInt64(UInt(bitPattern: host)) &- virtualPage
        fills &+= 1
    }

    /// Forgets every write entry (a page became a code page).
    func flushWrites() {
        for k in stride(from: 2 * SystemTLB.entries, to: 4 * SystemTLB.entries, by: 2) { base[k] = SystemTLB.invalid }
    }

    func clearIndirect() { for table in indirect { table.clear() } }
}

/// What identifies a block in the engine's table: the guest pc in user mode; in system mode the
/// virtual pc with the privilege level it was translated at folded into bits the pc cannot use
/// (a pc whose bits 63…57 are not all equal cannot be fetched in any mode, so it has no key).
enum BlockKey {
    static func key(_ pc: UInt64, mode: UInt8?) -> UInt64? {
        guard let mode else { return pc }
        let signed = Int64(bitPattern: pc)
        guard (signed << 6) >> 6 == signed else { return nil }
        return (pc & ((1 << 58) - 1)) | (UInt64(mode) + 1) << 59
    }
}

/// A system-mode block's identity: what its code means depends on the virtual pc (auipc, jumps),
/// the privilege (`BlockKey` folds both) and the bytes, found through the physical page.
struct SystemBlockKey: Hashable {
    var virtual: UInt64
    var physicalPage: UInt64
}

/// A system-mode block: its host code and, when it reaches into the next page, that page's
/// virtual address and the physical page it was fetched from.
struct SystemBlock {
    var host: UInt64
    var next: (virtual: UInt64, physicalPage: UInt64)? = nil

    /// Whether the mapping of the next page still is the one the block was fetched through.
    func valid(_ hart: Hart) -> Bool {
        guard let next else { return true }
        return hart.codePhysicalAddress(next.virtual).map { $0 >> 12 } == next.physicalPage
    }
}
