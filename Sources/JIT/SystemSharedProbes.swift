import Guest
import RISCV
import X86

/// System mode: loads and stores of a block that share one inline TLB probe.
///
/// A run of accesses through the same base register, of the same kind (loads: the read table;
/// stores: the write table), with the register unchanged between them and all their bytes
/// within `maxSpan` of each other (a function's saves and restores off sp, a structure's
/// fields), is a group. Its first access (the head) probes once for all of them: the entry of
/// the page of the lowest byte must be the page of the highest byte too, so the whole span lies
/// in one page the access may reach inline (RAM, permitted, for stores dirty and holding no
/// translated code), and its addend goes to a scratch word (`ScratchSlot.sharedAddends`). The
/// other accesses (members) add that addend to their own address: no tag compare, no index.
/// Within a block nothing changes what a hit means (mappings, privilege, SUM/MXR, PMP and code
/// pages change only between blocks), so such a member cannot fault and traps stay where they
/// were. Misaligned accesses inside one page of RAM just work, as in the interpreter.
///
/// A head that misses runs in the slow path like any access (which may fill the entry), then
/// probes again; if the span is still not one inline page (a device, a page crossing, a page
/// not yet dirty) the scratch word gets `unshared` instead, an odd value no addend takes (they
/// are page-aligned), and each member, seeing it, probes on its own out of line (and takes the
/// slow path on a miss), as it would have without the group.
///
/// F/D accesses may be members but never heads: a block's first F/D instruction may leave
/// through its mstatus.FS check (`systemFloat`), which would skip a head's probe.
struct SharedProbes {
    struct Group {
        var base: UInt8
        var store: Bool
        /// The lowest offset, and the bytes from it to the end of the highest access.
        var low: Int64
        var span: Int64
        /// Index of the scratch word holding the addend (0 or 1).
        var slot: Int
        var head: Int
        var last: Int
    }
    enum Role: Equatable { case head(Int), member(Int) }

    static let maxSpan: Int64 = 512
    /// What the scratch word holds when the group's span is not one inline page.
    static let unshared: Int32 = 1
    private(set) var roles: [Int: Role] = [:]
    private(set) var groups: [Group] = []

    init() {}

    /// The access `i` makes, if it is a plain load or store: whether it stores, its size, and
    /// whether it is F/D.
    static func access(_ i: Instruction) -> (store: Bool, size: Int64, float: Bool)? {
        switch i.opcode.operation {
        case .memory(let op):
            switch op {
            case .lb, .lbu: return (false, 1, false)
            case .lh, .lhu: return (false, 2, false)
            case .lw, .lwu: return (false, 4, false)
            case .ld: return (false, 8, false)
            case .sb: return (true, 1, false)
            case .sh: return (true, 2, false)
            case .sw: return (true, 4, false)
            case .sd: return (true, 8, false)
            case .fence: return nil
            }
        case .floatMemory(let op):
            switch op {
            case .flh: return (false, 2, true)
            case .flw: return (false, 4, true)
            case .fld: return (false, 8, true)
            case .fsh: return (true, 2, true)
            case .fsw: return (true, 4, true)
            case .fsd: return (true, 8, true)
            }
        default: return nil
        }
    }

    init(_ block: GuestBlock, specs: [InstructionSpec]) {
        struct Open { var base: UInt8; var store: Bool; var low: Int64; var high: Int64; var members: [Int] }
        var open: [Open] = []
        var found: [Open] = []
        func close(_ k: Int) {
            if open[k].members.count >= 2 { found.append(open[k]) }
            open.remove(at: k)
        }
        for (n, i) in block.instructions.enumerated() {
            if let access = SharedProbes.access(i), i.rs1 != 0 {
                let offset = i.imm
                if let k = open.firstIndex(where: { $0.base == i.rs1 && $0.store == access.store }) {
                    let low = min(open[k].low, offset), high = max(open[k].high, offset &+ access.size)
                    if high &- low <= SharedProbes.maxSpan {
                        open[k].low = low
                        open[k].high = high
                        open[k].members.append(n)
                    } else {
                        close(k)
                        if !access.float { open.append(Open(base: i.rs1, store: access.store, low: offset, high: offset &+ access.size, members: [n])) }
                    }
                } else if !access.float {
                    open.append(Open(base: i.rs1, store: access.store, low: offset, high: offset &+ access.size, members: [n]))
                }
            }
            // A written register ends the groups based on it (a load into its own base after
            // its access). amocas.q also writes the register after rd.
            if specs[Int(i.opcode.rawValue)].writesX, i.rd != 0 {
                let written: [UInt8] = i.opcode == .amocas_q ? [i.rd, i.rd | 1] : [i.rd]
                while let k = open.firstIndex(where: { written.contains($0.base) }) { close(k) }
            }
        }
        while !open.isEmpty { close(0) }
        // Two scratch words: a group gets one that no group still in use holds.
        found.sort { $0.members[0] < $1.members[0] }
        var busyUntil = [-1, -1]
        for g in found {
            guard let slot = busyUntil.firstIndex(where: { $0 < g.members[0] }) else { continue }
            busyUntil[slot] = g.members.last!
            let id = groups.count
            groups.append(Group(base: g.base, store: g.store, low: g.low, span: g.high &- g.low, slot: slot,
                                head: g.members[0], last: g.members.last!))
            roles[g.members[0]] = .head(id)
            for m in g.members.dropFirst() { roles[m] = .member(id) }
        }
    }
}

/// Where a system-mode load or store goes: rax, plus `index` and `disp`.
struct AccessAddress {
    var index: GPR? = nil
    var disp: Int32 = 0

    func mem(_ size: OperandSize) -> Mem { Mem(size, base: .gpr(.rax), index: index, disp: disp) }
}

extension Translator {
    /// Where group `g`'s head keeps the addend.
    func sharedAddend(_ g: Int) -> Mem {
        .qword(Host.state, Int32(ScratchSlot.sharedAddends + 8 * sharedProbes.groups[g].slot))
    }

    /// For a load or store about to be emitted: where its access goes when it shares a probe
    /// (rax, plus an index register and a displacement), or nil when it probes on its own. A
    /// head's miss goes to its stub (`emitSharedHeadStub`), which rejoins at `done`.
    mutating func sharedAccess(_ i: Instruction, done: Label) -> AccessAddress? {
        guard let role = sharedProbes.roles[index] else { return nil }
        switch role {
        case .head(let g):
            let miss = outOfLine(.inline(.sharedHead(i, pc: pc, index: index, group: g, resume: done)))
            probeGroup(g, miss: miss)
            sharedHeads.insert(g)
            return AccessAddress(disp: Int32(truncatingIfNeeded: i.imm &- sharedProbes.groups[g].low))
        case .member(let g):
            guard sharedHeads.contains(g), let access = SharedProbes.access(i) else { return nil }
            if case .zero = operand(i.rs1) { return nil } // never grouped
            let disp = Int32(truncatingIfNeeded: i.imm)
            let here = a.newLabel()
            let own = outOfLine(.inline(.sharedMember(i, pc: pc, index: index, size: Int(access.size), store: access.store,
                                                      access: here, resume: done)))
            a.mov(.rax, sharedAddend(g))
            a.test(.al, imm: SharedProbes.unshared)
            a.jcc(.ne, own)
            // rax = the addend of the page of base + disp (`own` rejoins here with its own).
            a.bind(here)
            switch operand(i.rs1) {
            case .zero, .host:
                guard case .host(let h) = operand(i.rs1) else { return nil }
                return AccessAddress(index: h, disp: disp)
            case .memory(let d):
                a.add(.rax, .qword(Host.state, d))
                return AccessAddress(disp: disp)
            }
        }
    }

    /// The group's probe: rax = host address of base + low, its addend saved; `miss` unless
    /// the entry of that page holds the span's last byte too.
    mutating func probeGroup(_ g: Int, miss: Label) {
        let group = sharedProbes.groups[g]
        let low = Int32(truncatingIfNeeded: group.low)
        switch operand(group.base) {
        case .zero: materialize(.rax, UInt64(bitPattern: group.low))
        case .host(let h):
            if low == 0 { a.mov(.rax, .r64(h)) } else { a.lea(.rax, .qword(h, low)) }
        case .memory(let d):
            a.mov(.rax, .qword(Host.state, d))
            if low != 0 { a.add(.rax, imm: low) }
        }
        let table = Int32(group.store ? SystemTLB.entries * SystemTLB.entrySize : 0)
        if targets.features.bmi2 {
            a.rorx(.ecx, .eax, imm: 8)
        } else {
            a.mov(.ecx, .eax)
            a.shr(.ecx, imm: 8)
        }
        a.and(.ecx, imm: Int32((SystemTLB.entries - 1) * SystemTLB.entrySize))
        // The entry indexed by the first byte's page holds the last byte's page only if both
        // are that page (neighbouring pages have neighbouring slots).
        a.lea(.rdx, .qword(.rax, Int32(truncatingIfNeeded: group.span - 1)))
        a.and(.rdx, imm: Int32(truncatingIfNeeded: ~Int64(0xFFF)))
        a.cmp(.rdx, .qword(Host.memory, .rcx, 1, table))
        a.jcc(.ne, miss)
        a.mov(.rdx, .qword(Host.memory, .rcx, 1, table + 8))
        a.mov(sharedAddend(g), .rdx)
        a.add(.rax, .rdx)
    }

    /// A head's miss: the head through the slow path, then the group's probe again; still a
    /// miss, and the members probe on their own (see `SharedProbes`).
    mutating func emitSharedHeadStub(_ i: Instruction, pc: UInt64, index: Int, group: Int, resume: Label) {
        let (savedPC, savedIndex) = (self.pc, self.index)
        self.pc = pc
        self.index = index
        callHelper(i, targets.slowPath)
        let unshared = a.newLabel()
        probeGroup(group, miss: unshared)
        a.jmp(resume)
        a.bind(unshared)
        a.mov(sharedAddend(group), imm: SharedProbes.unshared)
        a.jmp(resume)
        self.pc = savedPC
        self.index = savedIndex
    }

    /// A member of a group whose span was not one inline page: its own probe, which rejoins the
    /// access at `access` with rax = the addend of its page, or the slow path, which rejoins
    /// after it at `resume`.
    mutating func emitSharedMemberStub(_ i: Instruction, pc: UInt64, index: Int, size: Int, store: Bool,
                                       access: Label, resume: Label) {
        let (savedPC, savedIndex) = (self.pc, self.index)
        self.pc = pc
        self.index = index
        probeSystemTLB(i, size: size, store: store, miss: helperPath(i, targets.slowPath, done: resume))
        let table = Int32(store ? SystemTLB.entries * SystemTLB.entrySize : 0)
        a.mov(.rax, .qword(Host.memory, .rcx, 1, table + 8))
        a.jmp(access)
        self.pc = savedPC
        self.index = savedIndex
    }
}
