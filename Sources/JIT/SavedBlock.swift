import Guest
import RISCV
import X86

/// One translated block as the persistent cache keeps it (TranslationStore.swift): the guest
/// instructions it was made from (offset from the block's start and encoding of each, which must
/// all match what the decoder finds in guest memory before the code is used), its host code as
/// emitted (before any chain patch), its side tables relative to the block, and the fields to
/// relocate (Relocation.swift).
struct SavedBlock {
    var start: UInt64
    /// Per instruction: its pc minus `start` (low 32 bits) and its raw encoding (high 32).
    var instructions: [UInt64]
    /// The code of a block translated in this process (empty for one read from a file).
    var code: [UInt8]
    /// The code of a block read from a cache file: its bytes in the store's mapping, which
    /// lives as long as the store (copied once, straight into the code cache).
    var mappedCode = UnsafeRawBufferPointer(start: nil, count: 0)
    var faultSites: [FaultSite]
    /// Each chain site's displacement offset and guest target.
    var chainSites: [SavedChainSite]
    /// Return offsets relative to the block; a chain request's argument is the site's number
    /// within the block.
    var coldSites: [ColdSite]
    var coldStart: UInt32
    var immediates: [TaggedImmediate]
    /// The decoded instruction of each `.instruction` and `.systemInstruction` immediate, in
    /// order: a warm start then needs no decoder (building its tables was a twentieth of a
    /// static hello's warm start).
    var decoded: [Instruction]
    /// rel32 fields aimed at a shared stub.
    var stubBranches: [SavedStubBranch]

    /// The shared stubs saved code may branch to.
    enum Stub: UInt8 { case epilogue = 0, coldExit = 1 }

    static func word(_ guest: GuestBlock, _ k: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: guest.pcs[k] &- guest.start)) | UInt64(guest.instructions[k].raw) << 32
    }

    /// The host code, wherever it is kept.
    func withCode<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        mappedCode.baseAddress != nil ? body(mappedCode) : code.withUnsafeBytes(body)
    }

    var codeSize: Int { mappedCode.baseAddress != nil ? mappedCode.count : code.count }

    /// Instruction `k`'s guest pc (its offset is a signed 32-bit number).
    func pc(_ k: Int) -> UInt64 {
        start &+ UInt64(bitPattern: Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: instructions[k]))))
    }

    /// Instruction `k`'s length in bytes, from its encoding's low bits.
    func length(_ k: Int) -> UInt64 { instructions[k] >> 32 & 3 == 3 ? 4 : 2 }

    /// Whether the block's instructions are what `hart` fetches at their pcs now, with the
    /// fetch's permission checks, the first at `start` itself. Equal encodings decode alike (the
    /// key fixes `--cpu`), so this is the check translation's decode would make, without
    /// decoding. The usual block, a page or less, is read in one guarded copy after one
    /// permission check of its span; anything else is fetched instruction by instruction.
    func matches(_ hart: Hart) -> Bool {
        guard !instructions.isEmpty, UInt32(truncatingIfNeeded: instructions[0]) == 0 else { return false }
        var low = start, high = start
        for k in instructions.indices {
            let pc = self.pc(k)
            low = min(low, pc)
            high = max(high, pc &+ length(k))
        }
        let memory = hart.memory
        let span = Int(high &- low)
        if hart.platform == nil, memory.fetchPatches.isEmpty, span <= SavedBlock.spanLimit,
           memory.check(low, UInt64(span), .execute) {
            // Just the span: the usual block's fits the stack (8 KiB each time took a malloc).
            return withUnsafeTemporaryAllocation(byteCount: span, alignment: 8) { buffer in
                guard GuestFaultRecovery.copy(buffer.baseAddress!, UnsafeRawPointer(memory.host(low)), span) else { return false }
                for k in instructions.indices {
                    let at = Int(pc(k) &- low), bits = UInt32(truncatingIfNeeded: instructions[k] >> 32)
                    let found = length(k) == 4 ? buffer.loadUnaligned(fromByteOffset: at, as: UInt32.self).littleEndian
                        : UInt32(buffer.loadUnaligned(fromByteOffset: at, as: UInt16.self).littleEndian)
                    guard found == bits else { return false }
                }
                return true
            }
        }
        for k in instructions.indices {
            guard let bits = try? hart.fetch(pc(k)), bits == UInt32(truncatingIfNeeded: instructions[k] >> 32) else { return false }
        }
        return true
    }

    /// The widest span `matches` reads in one copy (a block lies within a page, bar its last
    /// instruction's second half).
    static let spanLimit = 8192

    /// The saved form of a block translated with `TranslationTargets.persistent`; nil when some
    /// field cannot be relocated (the block is then simply not saved).
    init?(_ guest: GuestBlock, _ t: TranslatedBlock, firstChainSiteID: Int, epilogue: UInt64, coldExit: UInt64) {
        start = guest.start
        instructions = (0..<guest.instructions.count).map { SavedBlock.word(guest, $0) }
        // The offsets are kept in 32 bits (a block spans a page or two).
        for pc in guest.pcs where Int32(exactly: Int64(bitPattern: pc &- guest.start)) == nil { return nil }
        code = t.code
        faultSites = t.faultSites
        chainSites = t.chainSites.map { SavedChainSite(offset: UInt32($0.displacementOffset), target: $0.target) }
        coldSites = t.coldSites
        for k in coldSites.indices where coldSites[k].reason == ExitReason.chainRequest.rawValue {
            let id = Int(coldSites[k].argument) - firstChainSiteID
            guard id >= 0, id < chainSites.count else { return nil }
            coldSites[k].argument = UInt32(id)
        }
        coldStart = UInt32(t.coldStart)
        immediates = t.immediates
        decoded = []
        for i in immediates {
            switch Relocation.kind(of: i.tag) {
            case nil: return nil
            case .instruction, .systemInstruction: decoded.append(guest.instructions[Relocation.payload(of: i.tag)])
            default: break
            }
        }
        stubBranches = []
        for f in t.absolutes {
            guard f.end == f.at + 4 else { return nil }
            if f.target == epilogue { stubBranches.append(SavedStubBranch(at: UInt32(f.at), stub: Stub.epilogue.rawValue)) }
            else if f.target == coldExit { stubBranches.append(SavedStubBranch(at: UInt32(f.at), stub: Stub.coldExit.rawValue)) }
            else { return nil } // another block: only chain sites may lead there
        }
    }

    func write(to w: inout StoreWriter) {
        w.u64(start)
        w.count(instructions.count)
        for i in instructions { w.u64(i) }
        w.count(code.count)
        w.bytes += code
        w.count(faultSites.count)
        for f in faultSites {
            w.u32(f.hostOffset); w.u16(f.notRetired); w.u16(f.isStore); w.u64(f.guestPC)
            w.u32(UInt32(bitPattern: f.addressRegister)); w.u32(UInt32(bitPattern: f.addressDisplacement)); w.u32(f.resume)
        }
        w.count(chainSites.count)
        for c in chainSites { w.u32(c.offset); w.u64(c.target) }
        w.count(coldSites.count)
        for c in coldSites { w.u32(c.returnOffset); w.u32(c.reason); w.u32(c.undo); w.u32(c.argument); w.u64(c.pc) }
        w.u32(coldStart)
        w.count(immediates.count)
        for i in immediates { w.u32(UInt32(i.at)); w.u8(UInt8(i.width)); w.u32(i.tag) }
        for d in decoded {
            w.u16(d.opcode.rawValue); w.u8(d.rd); w.u8(d.rs1); w.u8(d.rs2); w.u8(d.rs3); w.u16(d.rm); w.u16(d.csr)
            w.u64(UInt64(bitPattern: d.imm)); w.u8(d.length); w.u32(d.raw)
        }
        w.count(stubBranches.count)
        for b in stubBranches { w.u32(b.at); w.u8(b.stub) }
    }

    /// An empty block, for `read` to fill.
    init() {
        start = 0
        instructions = []
        code = []
        faultSites = []
        chainSites = []
        coldSites = []
        coldStart = 0
        immediates = []
        decoded = []
        stubBranches = []
    }

    /// Reads the block saved for guest pc `start` into this one, reusing its arrays' storage,
    /// checking every offset against the code and every value against what translated code can
    /// contain; false for anything else (the block is then left partly filled). Its
    /// instructions are left for `matches` to compare with guest memory.
    mutating func read(_ r: inout StoreReader, start expected: UInt64) -> Bool {
        guard let start = r.u64(), start == expected, let n = r.count(itemBytes: 8, limit: 1 << 16), n > 0 else { return false }
        self.start = start
        instructions.removeAll(keepingCapacity: true)
        instructions.reserveCapacity(n)
        for _ in 0..<n {
            guard let word = r.u64() else { return false }
            instructions.append(word)
        }
        guard let size = r.count(itemBytes: 1, limit: 1 << 20), size > 0, let codeAt = r.take(size) else { return false }
        code.removeAll(keepingCapacity: true)
        mappedCode = UnsafeRawBufferPointer(rebasing: r.bytes[codeAt..<codeAt + size])
        guard let nf = r.count(itemBytes: 28) else { return false }
        faultSites.removeAll(keepingCapacity: true)
        faultSites.reserveCapacity(nf)
        for _ in 0..<nf {
            guard let off = r.u32(), let nr = r.u16(), let st = r.u16(), let pc = r.u64(), let reg = r.u32(), let disp = r.u32(),
                  let resume = r.u32() else { return false }
            let register = Int32(bitPattern: reg)
            guard Int(off) < size, Int(resume) < size, st <= 3, Int(nr) <= n, register >= 0, register < 23 else { return false }
            faultSites.append(FaultSite(hostOffset: off, notRetired: nr, isStore: st, guestPC: pc, addressRegister: register,
                                        addressDisplacement: Int32(bitPattern: disp), resume: resume))
        }
        guard let nc = r.count(itemBytes: 12) else { return false }
        chainSites.removeAll(keepingCapacity: true)
        chainSites.reserveCapacity(nc)
        for _ in 0..<nc {
            // The dispatcher patches the field with one aligned store (CodeCache.patch32).
            guard let off = r.u32(), let target = r.u64(), Int(off) + 4 <= size, off & 7 <= 4 else { return false }
            chainSites.append(SavedChainSite(offset: off, target: target))
        }
        guard let ns = r.count(itemBytes: 24) else { return false }
        coldSites.removeAll(keepingCapacity: true)
        coldSites.reserveCapacity(ns)
        var previous: UInt32 = 0
        for _ in 0..<ns {
            guard let ret = r.u32(), let reason = r.u32(), let undo = r.u32(), let argument = r.u32(), let pc = r.u64() else { return false }
            // Sorted and inside the block (ColdSites looks them up by binary search).
            guard ret >= UInt32(ColdSite.callLength), Int(ret) <= size, ret > previous, ExitReason(rawValue: reason) != nil,
                  Int(undo) <= n else { return false }
            if reason == ExitReason.chainRequest.rawValue, Int(argument) >= nc { return false }
            previous = ret
            coldSites.append(ColdSite(returnOffset: ret, reason: reason, undo: undo, argument: argument, pc: pc))
        }
        guard let cs = r.u32(), Int(cs) <= size else { return false }
        coldStart = cs
        guard let ni = r.count(itemBytes: 9) else { return false }
        immediates.removeAll(keepingCapacity: true)
        immediates.reserveCapacity(ni)
        for _ in 0..<ni {
            guard let at = r.u32(), let width = r.u8(), let tag = r.u32(), width == 4 || width == 8,
                  Int(at) + Int(width) <= size, let kind = Relocation.kind(of: tag) else { return false }
            let payload = Relocation.payload(of: tag)
            switch kind {
            case .helper: guard payload < Relocation.helpers.count else { return false }
            case .instruction, .systemInstruction: guard payload < n else { return false }
            case .indirectTable, .floatConstants: guard payload == 0 else { return false }
            }
            immediates.append(TaggedImmediate(at: Int(at), width: Int(width), tag: tag))
        }
        decoded.removeAll(keepingCapacity: true)
        for i in immediates {
            guard let kind = Relocation.kind(of: i.tag), kind == .instruction || kind == .systemInstruction else { continue }
            // A value of every field's type (the opcode a case of `Opcode`), and the instruction
            // whose encoding the record names (compared with guest memory before use).
            guard let op = r.u16(), let opcode = Opcode(rawValue: op), let rd = r.u8(), let rs1 = r.u8(), let rs2 = r.u8(),
                  let rs3 = r.u8(), let rm = r.u16(), let csr = r.u16(), let imm = r.u64(), let length = r.u8(), let raw = r.u32(),
                  rd < 32, rs1 < 32, rs2 < 32, rs3 < 32, length == 2 || length == 4,
                  UInt64(raw) == instructions[Relocation.payload(of: i.tag)] >> 32 else { return false }
            decoded.append(Instruction(opcode: opcode, rd: rd, rs1: rs1, rs2: rs2, rs3: rs3, rm: rm, csr: csr,
                                       imm: Int64(bitPattern: imm), length: length, raw: raw))
        }
        guard let nb = r.count(itemBytes: 5) else { return false }
        stubBranches.removeAll(keepingCapacity: true)
        stubBranches.reserveCapacity(nb)
        for _ in 0..<nb {
            guard let at = r.u32(), let stub = r.u8(), Stub(rawValue: stub) != nil, at >= 1, Int(at) + 4 <= size else { return false }
            stubBranches.append(SavedStubBranch(at: at, stub: stub))
        }
        return true
    }
}

/// A chain site of a saved block: the offset of its displacement, and its guest target.
struct SavedChainSite {
    var offset: UInt32
    var target: UInt64
}

/// A rel32 field of a saved block aimed at a shared stub (`SavedBlock.Stub`).
struct SavedStubBranch {
    var at: UInt32
    var stub: UInt8
}
