import Guest
import RISCV
import X86

/// System mode: loads and stores of a block that share one inline TLB probe.
///
/// A run of accesses through the same base register, with all their bytes within `maxSpan` of
/// each other (a function's saves and restores off sp, a structure's fields, a loop body's
/// `ld 0(a5)` ... `sd -8(a5)` around `addi a5, a5, 8`), is a group. The base may move between
/// them by `addi base, base, k` only: the group tracks each access's offset from the base's
/// value at the head (its immediate plus the sum of the k since), and any other write of the
/// base ends the group. Its first access (the head) probes once for all of them: the entry of
/// the page of the lowest byte must be the page of the highest byte too, so the whole span lies
/// in one page the accesses may reach inline (RAM, permitted, and when the group stores, dirty
/// and holding no translated code), and its addend goes to a scratch word
/// (`ScratchSlot.sharedAddends`). A group with a store probes the write table, whose entries
/// exist only for pages a load may reach inline too (`SystemTLB.fill`), so its loads use that
/// addend as well. The other accesses (members) add the addend to their own address (the base
/// register as it is then, plus their immediate): no tag compare, no index.
/// Within a block nothing changes what a hit means (mappings, privilege, SUM/MXR, PMP and code
/// pages change only between blocks), so such a member cannot fault and traps stay where they
/// were. Misaligned accesses inside one page of RAM just work, as in the interpreter.
///
/// A table lookup `off(x)` with `x = base + o + i`, `0 ≤ i ≤ extent` (a small index added to the
/// base: `zext.b t, s; slli t, t, 2; add t, t, base`, IndexBounds.swift) is an access off `base`
/// reaching `off + o + [0, extent + size)`, so it joins the base's group (whose span may then
/// grow to `maxTableSpan`) and reaches memory as a member does, at the addend plus `x + off`.
/// Such a group is worth it alone: its probe reads only the base, so it does not wait for the
/// index (crc32's lookup is on its loop's critical path), and it keeps no addend.
///
/// Every way through the block to a member passes its head, and the same `addi`s of the base
/// since: a group ends at a join (BlockJoins.swift) unless every side exit to that join was taken
/// after the group's head and with the base moved as much as on the way falling through (an `if`
/// that neither skips the head nor moves the base: statemachine's functions, dozens of `if`s
/// over globals off gp, probe once instead of once per `if`).
///
/// Every access of a group reaches memory at the addend plus its own address, `[rax + rs1 +
/// imm]`; a member right after another of its group finds the addend still in rax, and the
/// others load it from the scratch word. A member is reached only after the group's probe hit
/// in this run of the block, so it checks nothing: a head that misses makes its own access
/// (its own probe of its own table, or the slow path, after which the group probes again, since
/// the slow path may have filled the entry) and, unless the group then hits, the block leaves
/// right after the head for the next instruction by a chained jump (`emitSharedHeadStub`). A
/// head that is its block's first F/D instruction may be skipped by that instruction's
/// mstatus.FS check (`systemFloat`), whose out-of-line part probes for the group in the same
/// way.
struct SharedProbes {
    struct Group {
        var base: UInt8
        /// Whether any access of the group stores (the head then probes the write table).
        var store: Bool
        /// The lowest offset (from the base's value at the head), and the bytes from it to the
        /// end of the highest access.
        var low: Int64
        var span: Int64
        /// Index of the scratch word holding the addend (0 or 1).
        var slot: Int
        var head: Int
        var last: Int
        /// In a self-loop translated twice (LoopPeel.swift): the pair of `StateOffset.loopProbes`
        /// where the group's probe keeps the page it hit and its addend, which the second copy
        /// checks its address against first.
        var loopSlot: Int? = nil
        /// With a loop slot: how the base moves round the loop, if only by `addi base, base, k`
        /// (`LoopMotion`), which makes the second copy's check of the slot one-sided or nothing.
        var motion: LoopMotion? = nil
        var alone: Bool { head == last }
    }
    enum Role: Equatable { case head(Int), member(Int) }

    /// How a loop group's base moves in a run of its block, when every write of it in the block
    /// is `addi base, base, k`: not at all (`fixed`), only by k >= 0 with some k > 0 (`rising`),
    /// only by k <= 0 with some k < 0 (`falling`).
    enum LoopMotion: Equatable { case fixed, rising, falling }

    /// The motion of `base` round `block` (nil: written otherwise, or both ways).
    static func motion(of base: UInt8, in block: GuestBlock, operandFiles: [UInt8]) -> LoopMotion? {
        var up = false, down = false
        for i in block.instructions where OperandFiles(bits: operandFiles[Int(i.opcode.rawValue)]).writesX {
            let written: [UInt8] = i.opcode == .amocas_q ? [i.rd, i.rd | 1] : [i.rd]
            guard written.contains(base) else { continue }
            guard i.opcode == .addi, i.rs1 == base, i.rd == base else { return nil }
            if i.imm > 0 { up = true }
            if i.imm < 0 { down = true }
        }
        switch (up, down) {
        case (false, false): return .fixed
        case (true, false): return .rising
        case (false, true): return .falling
        case (true, true): return nil
        }
    }

    /// The address `value + imm` of an access off a register the block knows, as an offset of a
    /// group off x0: only below 2^62, so that a span's offsets never wrap.
    static func constantAddress(_ value: UInt64?, _ imm: Int64) -> Int64? {
        guard let value else { return nil }
        let address = value &+ UInt64(bitPattern: imm)
        return address < 1 << 62 ? Int64(address) : nil
    }

    static let maxSpan: Int64 = 512
    /// The span of a group with a table lookup: a 256-entry table of words. Wider groups would
    /// join neighbouring tables (AES's four), whose span then straddles a page more often.
    static let maxTableSpan: Int64 = 1024
    /// How far from the base's value at the head an access may be (keeps the offsets, which
    /// the `addi`s of a long block add up, far from wrapping).
    static let maxOffset: Int64 = 1 << 20
    private(set) var roles: [Int: Role] = [:]
    private(set) var groups: [Group] = []

    init() {}

    /// The access `i` makes, if it is a plain load or store: whether it stores, and its size.
    static func access(_ i: Instruction) -> (store: Bool, size: Int64)? {
        switch i.opcode.operation {
        case .memory(let op):
            switch op {
            case .lb, .lbu: return (false, 1)
            case .lh, .lhu: return (false, 2)
            case .lw, .lwu: return (false, 4)
            case .ld: return (false, 8)
            case .sb: return (true, 1)
            case .sh: return (true, 2)
            case .sw: return (true, 4)
            case .sd: return (true, 8)
            case .fence: return nil
            }
        case .floatMemory(let op):
            switch op {
            case .flh: return (false, 2)
            case .flw: return (false, 4)
            case .fld: return (false, 8)
            case .fsh: return (true, 2)
            case .fsw: return (true, 4)
            case .fsd: return (true, 8)
            }
        default: return nil
        }
    }

    /// `loop`: the block is a self-loop translated twice (LoopPeel.swift); its first groups
    /// whose heads run on every way round the loop get loop slots, accesses of their own
    /// included; `motions`: those whose base only moves one way by `addi` are checked on one
    /// side only in the second copy, or not at all when it does not move (`LoopMotion`).
    ///
    /// `acrossJoins`: a group open at a join goes on past it when every way in passed its head
    /// with the base moved by the same `addi`s; without, every join ends the groups open there.
    /// `relationsAcrossJoins`: what is known of indexes and of registers related to a base
    /// (IndexBounds.swift) at a join is what every way in knows; without, it is forgotten.
    /// `constants`: an access off a register whose value the block knows (`auipc`, `lui`, `li`,
    /// `addi` of such: KnownConstants.swift) is an access at a known address, whatever the
    /// register: such accesses form groups of their own (base x0, offsets the addresses), whose
    /// probe compares the entry of a page known when translating with an immediate.
    /// statemachine's functions reach their globals through two or three registers set by
    /// `auipc`, all on one page.
    init(_ block: GuestBlock, joins: BlockJoins = BlockJoins(), loop: Bool = false, motions: Bool = true,
         acrossJoins: Bool = true, relationsAcrossJoins: Bool = true, constants: Bool = true,
         operandFiles: [UInt8]) {
        // `delta`: the base's value now minus its value at the head (the `addi`s since).
        // `table`: whether an access is a table lookup (a small index added to the base), which
        // lets the span grow to `maxTableSpan` and makes a group of one worth it: its probe of
        // the base need not wait for the index.
        // `exits`: the side exits to joins of the block taken while the group was open, each
        // with the delta then.
        struct Open {
            var base: UInt8; var store: Bool; var low: Int64; var high: Int64; var delta: Int64
            var table: Bool; var members: [Int]; var exits: [(branch: Int, delta: Int64)] = []
        }
        var open: [Open] = []
        var found: [Open] = []
        var bounds = IndexBounds()
        // Per join: what is known of indexes on every side exit to it taken so far.
        var exitBounds: [Int: IndexBounds] = [:]
        var known = KnownConstants()
        var exitKnown: [Int: KnownConstants] = [:]
        func close(_ k: Int) {
            if open[k].members.count >= 2 || open[k].table || open[k].base == 0 || loop { found.append(open[k]) }
            open.remove(at: k)
        }
        // Access `n` of `size` bytes at `base + imm + [0, extent]` joins the open group of its
        // base if the span stays small, or opens one.
        func join(_ n: Int, base: UInt8, imm: Int64, extent: Int64, store: Bool, size: Int64) {
            if let k = open.firstIndex(where: { $0.base == base }) {
                let offset = imm &+ open[k].delta
                let low = min(open[k].low, offset), high = max(open[k].high, offset &+ extent &+ size)
                let table = open[k].table || extent > 0
                // Known addresses (base x0) are offsets from 0, kept below 2^62 (`constantAddress`).
                if base == 0 || abs(offset) <= SharedProbes.maxOffset,
                   high &- low <= (table ? SharedProbes.maxTableSpan : SharedProbes.maxSpan) {
                    open[k].low = low
                    open[k].high = high
                    open[k].store = open[k].store || store
                    open[k].table = table
                    open[k].members.append(n)
                    return
                }
                close(k)
            }
            guard extent &+ size <= SharedProbes.maxTableSpan else { return }
            open.append(Open(base: base, store: store, low: imm, high: imm &+ extent &+ size, delta: 0,
                             table: extent > 0, members: [n]))
        }
        for (n, i) in block.instructions.enumerated() {
            if joins.isJoin(n) {
                // A join (BlockJoins.swift) is also reached by a side exit from before it, which
                // may have skipped a head, the `addi`s since, or what made an index small: what
                // is known of indexes is forgotten, and a group goes on past the join only when
                // every side exit to it was taken after the group's head, with the base where
                // the way falling through has it (`acrossJoins`); the others end here.
                let sources = (0..<n).filter { joins.target(of: $0) == n }
                var k = 0
                while k < open.count {
                    let g = open[k]
                    let passes = acrossJoins && sources.allSatisfy { j in
                        j > g.members[0] && g.exits.contains { $0.branch == j && $0.delta == g.delta }
                    }
                    if passes { k += 1 } else { close(k) }
                }
                // What every way in knows (`IndexBounds.meet`, as the translator's own facts at
                // a join): `addi a4, gp, -1984` before an `if` still relates a4 to gp after it.
                if relationsAcrossJoins, let taken = exitBounds[n] { bounds.meet(taken) } else { bounds = IndexBounds() }
                if let taken = exitKnown[n] { known.meet(taken) } else { known = KnownConstants() }
            }
            defer { known.update(i, pc: block.pcs[n]) }
            if let t = joins.target(of: n) {
                if var met = exitKnown[t] {
                    met.meet(known)
                    exitKnown[t] = met
                } else {
                    exitKnown[t] = known
                }
                for k in open.indices { open[k].exits.append((n, open[k].delta)) }
                if var met = exitBounds[t] {
                    met.meet(bounds)
                    exitBounds[t] = met
                } else {
                    exitBounds[t] = bounds
                }
            }
            defer { bounds.update(i) }
            if let access = SharedProbes.access(i), i.rs1 != 0 {
                // `off(x)` with `x = base + o + [0, extent]` (IndexBounds.swift) reaches
                // `base + off + o + [0, extent + size)`.
                if constants, let address = SharedProbes.constantAddress(known.value(of: i.rs1), i.imm) {
                    join(n, base: 0, imm: address, extent: 0, store: access.store, size: access.size)
                } else if let r = bounds.relation(of: i.rs1) {
                    join(n, base: r.base, imm: i.imm &+ r.offset, extent: Int64(r.extent),
                         store: access.store, size: access.size)
                } else {
                    join(n, base: i.rs1, imm: i.imm, extent: 0, store: access.store, size: access.size)
                }
            }
            // A written register ends the groups based on it (a load into its own base after
            // its access), unless it moves by `addi base, base, k`. amocas.q also writes the
            // register after rd.
            if OperandFiles(bits: operandFiles[Int(i.opcode.rawValue)]).writesX, i.rd != 0 {
                if i.opcode == .addi, i.rs1 == i.rd, let k = open.firstIndex(where: { $0.base == i.rd }) {
                    open[k].delta &+= i.imm
                    continue
                }
                let written: [UInt8] = i.opcode == .amocas_q ? [i.rd, i.rd | 1] : [i.rd]
                while let k = open.firstIndex(where: { written.contains($0.base) }) { close(k) }
            }
        }
        while !open.isEmpty { close(0) }
        // Two scratch words: a group gets one that no group still in use holds.
        found.sort { $0.members[0] < $1.members[0] }
        var busyUntil = [-1, -1]
        let skipped = loop ? SharedProbes.skipped(block, joins) : []
        var loopSlots = 0
        for g in found {
            var loopSlot: Int? = nil
            if loop, loopSlots < StateOffset.loopProbeCount, !skipped[g.members[0]], g.base != 0 {
                loopSlot = loopSlots
                loopSlots += 1
            }
            // A group of one keeps no addend (and so writes no scratch word), and is worth it
            // only for a table lookup, a known address (its probe is shorter) or in a loop.
            let alone = g.members.count == 1
            if alone, !g.table, g.base != 0, loopSlot == nil { continue }
            guard let slot = alone || loopSlot != nil ? 0 : busyUntil.firstIndex(where: { $0 < g.members[0] }) else { continue }
            if !alone, loopSlot == nil { busyUntil[slot] = g.members.last! }
            let id = groups.count
            groups.append(Group(base: g.base, store: g.store, low: g.low, span: g.high &- g.low, slot: slot,
                                head: g.members[0], last: g.members.last!, loopSlot: loopSlot,
                                motion: loopSlot != nil && motions ? SharedProbes.motion(of: g.base, in: block, operandFiles: operandFiles) : nil))
            roles[g.members[0]] = .head(id)
            for m in g.members.dropFirst() { roles[m] = .member(id) }
        }
    }
}

extension SharedProbes {
    /// At most this many groups of a block keep their addend in a host register.
    static let maxAddendRegisters = 2
    /// A group outside a loop needs this many accesses for a register to pay: the register's
    /// resident costs a store at entry and a load at each exit taken, and every access after the
    /// head saves a load of the addend (or none, right after another access of its group).
    static let addendRegisterMinimumAccesses = 4
    /// With `byReloads`: a group outside a loop needs this many members that reload the addend
    /// (those not right after another access of the group, which left it in rax). The register
    /// costs a store of its resident at entry, a move at the probe and a load at the exit taken;
    /// a run of accesses one after another (fib's six saves off sp, bytecode's four `lbu` of one
    /// word) reloads nothing and paid those for no gain.
    static let addendRegisterMinimumReloads = 3

    /// The groups whose addend is worth a host register, best first: those with a loop slot
    /// (every iteration's second copy loads the addend at every access), then the others with
    /// at least `addendRegisterMinimumAccesses` accesses (`byReloads`: at least
    /// `addendRegisterMinimumReloads` reloads); more first.
    func addendCandidates(byReloads: Bool = false) -> [Int] {
        guard !groups.isEmpty else { return [] }
        var accesses = [Int](repeating: 0, count: groups.count)
        for (at, role) in roles {
            switch role {
            case .head(let g): accesses[g] += byReloads ? 0 : 1
            case .member(let g):
                // By reloads: a member right after an access of its group finds the addend in rax.
                let reloads: Bool
                switch roles[at - 1] {
                case .head(let p)?, .member(let p)?: reloads = p != g
                case nil: reloads = true
                }
                accesses[g] += !byReloads || reloads ? 1 : 0
            }
        }
        let minimum = byReloads ? SharedProbes.addendRegisterMinimumReloads : SharedProbes.addendRegisterMinimumAccesses
        let wanted = groups.indices.filter { g in
            groups[g].loopSlot != nil || accesses[g] >= minimum
        }
        let ranked = wanted.sorted { x, y in
            let (lx, ly) = (groups[x].loopSlot != nil, groups[y].loopSlot != nil)
            if lx != ly { return lx }
            return accesses[x] != accesses[y] ? accesses[x] > accesses[y] : x < y
        }
        return Array(ranked.prefix(SharedProbes.maxAddendRegisters))
    }

    /// Per instruction of `block`: whether a join's side exit branches over it, so that some
    /// way through the block does not run it (BlockJoins.swift).
    static func skipped(_ block: GuestBlock, _ joins: BlockJoins) -> [Bool] {
        var over = [Bool](repeating: false, count: block.instructions.count)
        for j in over.indices {
            guard let k = joins.target(of: j) else { continue }
            for n in (j + 1)..<k { over[n] = true }
        }
        return over
    }
}

/// Where a system-mode load or store goes: `base` (rax, or a group's addend register), plus
/// `index` and `disp`.
struct AccessAddress {
    var base: GPR = .rax
    var index: GPR? = nil
    var disp: Int32 = 0

    func mem(_ size: OperandSize) -> Mem { Mem(size, base: .gpr(base), index: index, disp: disp) }
}

extension Translator {
    /// The host register holding group `g`'s addend in this block, if it has one
    /// (`BlockRegisters.addendHosts`): written by every probe of the group, read by its accesses
    /// in place of rax, and while caller-saved reloaded from `sharedAddend(g)` after a helper
    /// call that does not save it (`callHelper`).
    func addendRegister(_ g: Int) -> GPR? { g < addendHosts.count ? addendHosts[g] : nil }

    /// rax = group `g`'s addend from its word, unless the group has a register for it, which its
    /// accesses use instead (`addendAddress`).
    private mutating func addendToRAX(_ g: Int) {
        if addendRegister(g) == nil { a.mov(.rax, sharedAddend(g)) }
    }

    /// Where group `g`'s head keeps the addend.
    @inline(__always) func sharedAddend(_ g: Int) -> Mem {
        if let loop = sharedProbes.groups[g].loopSlot { return .qword(Host.state, Int32(StateOffset.loopProbes + 16 * loop + 8)) }
        return .qword(Host.state, Int32(ScratchSlot.sharedAddends + 8 * sharedProbes.groups[g].slot))
    }

    /// Where a loop's group keeps the virtual page its probe hit last (LoopPeel.swift), or for a
    /// base moving one way the bound its second copy checks against (`checkLoopProbe`).
    func loopPage(_ loop: Int) -> Mem { .qword(Host.state, Int32(StateOffset.loopProbes + 16 * loop)) }

    /// Whether group `g`'s accesses go on only after its probe hit (a group of one may make its
    /// access through its own probe or the slow path and go on: nothing after it relies on the
    /// probe, unless it keeps a loop slot).
    func probeNeeded(_ g: Int) -> Bool {
        !sharedProbes.groups[g].alone || sharedProbes.groups[g].loopSlot != nil
    }

    /// For a load or store about to be emitted: where its access goes when it shares a probe
    /// (rax = the addend of its page, plus an index register and a displacement), or nil when
    /// it probes on its own. A head's miss goes to its stub (`emitSharedHeadStub`), which
    /// rejoins at `done` (or at the access, for a group of one) only with the group's probe
    /// hit, so a member reached at all may use the addend: it needs no check.
    mutating func sharedAccess(_ i: Instruction, done: Label) -> AccessAddress? {
        guard let role = sharedProbes.roles[index] else { return nil }
        switch role {
        case .head(let g):
            let access = a.newLabel()
            let group = sharedProbes.groups[g]
            if peel?.second == true, group.loopSlot != nil, group.motion == .fixed {
                // A base that does not move in the block: the first copy's probe of this very
                // span hit in this run (`checkLoopProbe`), so its addend holds.
                addendToRAX(g)
            } else {
                let miss = outOfLine(.inline(.sharedHead(i, pc: pc, index: index, group: g, access: access, resume: done)))
                if peel?.second == true, let loop = group.loopSlot {
                    checkLoopProbe(g, loop, miss: outOfLine(.inline(.loopProbe(group: g, miss: miss, access: access))))
                } else {
                    probeGroup(g, miss: miss)
                }
            }
            sharedHeads.insert(g)
            a.bind(access)
            return addendAddress(i, group: g)
        case .member(let g):
            guard sharedHeads.contains(g), SharedProbes.access(i) != nil else { return nil }
            if case .zero = operand(i.rs1) { return nil } // never grouped
            // The access just before, of the same group, left the addend in rax (`emitAccess`
            // does not touch it, and every path to its end has rax = addend).
            if addendInRAX.index != index - 1 || addendInRAX.group != g { addendToRAX(g) }
            return addendAddress(i, group: g)
        }
    }

    /// The address of `i`'s access given its page's addend in rax: rax + rs1 + imm. Notes when
    /// rax still holds the addend after the access (`addendInRAX`).
    private mutating func addendAddress(_ i: Instruction, group g: Int) -> AccessAddress {
        let disp = Int32(truncatingIfNeeded: i.imm)
        switch (operand(i.rs1), addendRegister(g)) {
        case (.zero, _): preconditionFailure("a shared access off x0")
        case (.host(let h), let r?):
            return AccessAddress(base: r, index: h, disp: disp)
        case (.memory(let d), let r?):
            a.mov(.rax, .qword(Host.state, d))
            return AccessAddress(base: r, index: .rax, disp: disp)
        case (.host(let h), nil):
            addendInRAX = (index, g)
            return AccessAddress(index: h, disp: disp)
        case (.memory(let d), nil):
            // The base register from its slot into rdx (the probe's scratch, which no guest
            // register lives in), not added to rax: the access leaves the addend there for
            // the next member (a register-starved block such as AES's rounds keeps its
            // lookups' indexes in the state block).
            a.mov(.rdx, .qword(Host.state, d))
            addendInRAX = (index, g)
            return AccessAddress(index: .rdx, disp: disp)
        }
    }

    /// rax = the address of group `g`'s lowest byte (its base register now, plus `low`).
    private mutating func groupAddress(_ g: Int) {
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
    }

    /// A self-loop's second copy (LoopPeel.swift): group `g`'s span lies in the page its probe
    /// hit last (in this iteration's copy before, or an earlier one) when its lowest byte is at
    /// most `4096 - span` past that page's start; rax = the page's addend then, else `miss`
    /// (`emitLoopProbeStub`: the full probe).
    ///
    ///     lea rax, [base + low]
    ///     sub rax, [page]
    ///     cmp rax, 4096 - span
    ///     ja  miss
    ///     mov rax, [addend]
    ///
    /// Exact because the pair was written in this run of the block by a probe that hit (the
    /// first copy runs the group's head before any back edge, and a head whose group probe
    /// does not hit leaves the block), and nothing that changes what an inline TLB entry
    /// means happens inside a run of translated code (SystemSharedProbes: mappings,
    /// privilege, SUM/MXR, PMP and code pages change only between blocks; a slow-path store
    /// to code makes the block leave at its next budget check, the back edge; a device access
    /// changes none of them).
    ///
    /// A base that only moves one way round the loop (`LoopMotion`) needs one side of that: the
    /// probe keeps the bound instead of the page (`probeGroup`), and the check is
    ///
    ///     cmp base, [bound]     ; rising: page + 4096 - span - low; falling: page - low
    ///     jg  miss              ; (jl when falling)
    ///     mov rax, [addend]
    ///
    /// The base at the probe had its span in the page, and since then it has only moved
    /// towards the bound, by at most the block's `addi`s between two checks (every way round
    /// the loop passes the head): RAM's virtual pages are far from where a signed compare
    /// wraps, so base > bound (signed) is exactly where the span leaves the page on that side.
    private mutating func checkLoopProbe(_ g: Int, _ loop: Int, miss: Label) {
        let group = sharedProbes.groups[g]
        if let motion = group.motion, motion != .fixed {
            switch operand(group.base) {
            case .host(let h):
                a.cmp(.r64(h), loopPage(loop))
            case .memory(let d):
                a.mov(.rax, .qword(Host.state, d))
                a.cmp(.rax, loopPage(loop))
            case .zero: preconditionFailure("a group off x0")
            }
            a.jcc(motion == .rising ? .g : .l, miss)
            addendToRAX(g)
            return
        }
        groupAddress(g)
        a.sub(.rax, loopPage(loop))
        a.cmp(.rax, imm: Int32(truncatingIfNeeded: 4096 - sharedProbes.groups[g].span))
        a.jcc(.a, miss)
        addendToRAX(g)
    }

    /// The second copy's loop probe missed: the group's full probe (which keeps what it hit in
    /// the loop slot), then the access; its miss is the head's (`emitSharedHeadStub`).
    mutating func emitLoopProbeStub(group g: Int, miss: Label, access: Label) {
        probeGroup(g, miss: miss)
        a.jmp(access)
    }

    /// The group's probe: `miss` unless the entry of the page of base + low holds the span's
    /// last byte too; on a hit rax = the entry's addend, saved for the members (and, in a
    /// loop, with the page for the next iteration: `checkLoopProbe`).
    mutating func probeGroup(_ g: Int, miss: Label) {
        let group = sharedProbes.groups[g]
        if group.base == 0, group.loopSlot == nil {
            // Known addresses (`SharedProbes.constantAddress`): the page and its entry are known
            // now, so the probe is a compare of that entry's tag with the page.
            let low = UInt64(bitPattern: group.low), last = low &+ UInt64(group.span - 1)
            if low >> 12 == last >> 12 {
                let table = group.store ? SystemTLB.entries * SystemTLB.entrySize : 0
                let entry = Int32(truncatingIfNeeded: Int((low >> 12) & UInt64(SystemTLB.entries - 1)) * SystemTLB.entrySize + table)
                let page = low & ~UInt64(0xFFF)
                if page < 0x8000_0000 {
                    a.cmp(.qword(Host.memory, entry), imm: Int32(page))
                } else {
                    materialize(.rdx, page)
                    a.cmp(.rdx, .qword(Host.memory, entry))
                }
                a.jcc(.ne, miss)
                a.mov(.rax, .qword(Host.memory, entry + 8))
                keepAddend(g)
                return
            }
        }
        groupAddress(g)
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
        a.mov(.rax, .qword(Host.memory, .rcx, 1, table + 8))
        if let loop = group.loopSlot {
            switch group.motion {
            case .fixed?: break // the second copy checks nothing (`sharedAccess`)
            case .rising?:
                a.lea(.rdx, .qword(.rdx, Int32(truncatingIfNeeded: 4096 - group.span - group.low)))
                a.mov(loopPage(loop), .rdx)
            case .falling?:
                if group.low != 0 { a.lea(.rdx, .qword(.rdx, Int32(truncatingIfNeeded: -group.low))) }
                a.mov(loopPage(loop), .rdx)
            case nil:
                a.mov(loopPage(loop), .rdx)
            }
        }
        keepAddend(g)
    }

    /// rax = group `g`'s addend after a probe hit: to its register or scratch word.
    private mutating func keepAddend(_ g: Int) {
        if let r = addendRegister(g) {
            a.mov(.r64(r), .rax)
            // Its home, for a helper call that clobbers a caller-saved one (`callHelper`).
            if !RegisterMap.isCalleeSaved(r) { a.mov(sharedAddend(g), .rax) }
        } else if probeNeeded(g) {
            a.mov(sharedAddend(g), .rax)
        }
    }

    /// Out of line, where group `g`'s probe missed: whether the group may try the two pages its
    /// span straddles (`probeGroupPair`). Not for a loop's group whose slot keeps one page or a
    /// bound in it; one whose base does not move keeps only the addend (`LoopMotion.fixed`).
    func pairProbes(_ g: Int) -> Bool {
        let group = sharedProbes.groups[g]
        return targets.pagePairs && (group.loopSlot == nil || group.motion == .fixed)
    }

    /// The group's probe over the two pages its span may straddle (at most two: the span is at
    /// most `maxTableSpan`): `miss` unless the entry of the lowest byte's page holds that page,
    /// the entry of the last byte's page holds that one, and both have the same addend, which
    /// rax then holds (kept as `probeGroup` keeps it). Equal addends mean the two virtual pages
    /// lie on neighbouring host bytes, so every access of the span, one that crosses from one
    /// page to the other included, is at the addend plus its address, as the interpreter would
    /// make it through both pages' translations (both entries exist only for RAM the access
    /// may reach inline). A span within one page is one entry compared with itself: this is
    /// `probeGroup` with more instructions, so it runs only out of line, after that missed. A
    /// table of 1 KiB that straddles a page (AES's fourth) made its group's probe miss in every
    /// run of the block, which then left after the head (`emitSharedHeadStub`).
    mutating func probeGroupPair(_ g: Int, miss: Label) {
        let group = sharedProbes.groups[g]
        groupAddress(g)
        let table = Int32(group.store ? SystemTLB.entries * SystemTLB.entrySize : 0)
        let mask = Int32((SystemTLB.entries - 1) * SystemTLB.entrySize)
        // rcx = the entry of the page of `address`, its tag compared.
        func entry(_ address: GPR) {
            a.mov(.ecx, .r32(address))
            a.shr(.ecx, imm: 8)
            a.and(.ecx, imm: mask)
            a.and(.r64(address), imm: -4096)
            a.cmp(.r64(address), .qword(Host.memory, .rcx, 1, table))
            a.jcc(.ne, miss)
        }
        a.lea(.rdx, .qword(.rax, Int32(truncatingIfNeeded: group.span - 1)))
        entry(.rax)
        a.mov(.rax, .qword(Host.memory, .rcx, 1, table + 8))
        entry(.rdx)
        a.cmp(.rax, .qword(Host.memory, .rcx, 1, table + 8))
        a.jcc(.ne, miss)
        keepAddend(g)
    }

    /// Out of line, after the slow path (which may have filled an entry): the group's probe
    /// again, over both pages of its span where it may (`pairProbes`).
    mutating func probeGroupAgain(_ g: Int, miss: Label) {
        if pairProbes(g) { probeGroupPair(g, miss: miss) } else { probeGroup(g, miss: miss) }
    }

    /// A head's miss. A group of one makes its access through its own probe (rejoining at
    /// `access` with its addend in rax) or the slow path. Otherwise the members may go on only
    /// with the group's probe hit: after the slow path (which performed the access and may have
    /// filled the entry) the group probes again; when the span is still not one inline page (a
    /// device, a page crossing, a page not yet dirty or holding code), or when the head's own
    /// probe hit, the head makes its access here and the block leaves for the next
    /// instruction, through a chained jump: the rest of the block, translated as a block of
    /// its own, groups and probes afresh.
    mutating func emitSharedHeadStub(_ i: Instruction, pc: UInt64, index: Int, group: Int, access: Label, resume: Label) {
        let (savedPC, savedIndex) = (self.pc, self.index)
        self.pc = pc
        self.index = index
        let own = SharedProbes.access(i)!
        let slow = a.newLabel()
        if !probeNeeded(group) {
            probeSystemTLB(i, size: Int(own.size), store: own.store, miss: slow)
            a.mov(.rax, .qword(Host.memory, .rcx, 1, Int32(own.store ? SystemTLB.entries * SystemTLB.entrySize : 0) + 8))
            a.jmp(access)
            a.bind(slow)
            callHelper(i, targets.slowPath)
            a.jmp(resume)
        } else {
            // The span may straddle two pages that are in the TLB with one addend
            // (`probeGroupPair`): then the group goes on from the head's access.
            if pairProbes(group) {
                let single = a.newLabel()
                probeGroupPair(group, miss: single)
                a.jmp(access)
                a.bind(single)
            }
            probeSystemTLB(i, size: Int(own.size), store: own.store, miss: slow)
            // Both ways that made the access without the group's probe hitting leave by one
            // exit (the registers are in the same state on both).
            let leave = a.newLabel()
            emitAccess(i, at: AccessAddress())
            a.bind(leave)
            leaveAfterChained(index)
            a.bind(slow)
            callHelper(i, targets.slowPath)
            probeGroupAgain(group, miss: leave)
            a.jmp(resume)
        }
        self.pc = savedPC
        self.index = savedIndex
    }

    /// Out of line, after instruction `index` retired: gives back the budget taken for the
    /// instructions after it and goes on at the next one by a chained jump (`exit(to:)`).
    private mutating func leaveAfterChained(_ index: Int) {
        let rest = notRetired - 1
        if rest > 0 { a.add(.r64(Host.budget), imm: Int32(rest)) }
        exit(to: block.pcs[index] &+ UInt64(block.instructions[index].length))
    }
}
