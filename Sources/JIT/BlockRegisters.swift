import Guest
import RISCV
import X86

/// Per-block register allocation (issue 20, class 2): which guest registers a block keeps in
/// the nine cache registers of `RegisterMap`.
///
/// Between blocks the static map holds (chained blocks, the prologue and the epilogue agree on
/// it). A block that uses some other guest registers more than some of the statically cached
/// ones swaps them in after its budget check: the displaced guest's value is stored to its slot
/// and the newcomer is loaded into its host register. Inside the block the newcomer lives there
/// (`Translator.operand`), the displaced one in its slot. Every way out puts the static map back
/// first ("restore"): the newcomers the block may have written so far are stored, the displaced
/// ones reloaded. The ways out are exits and chain jumps (`exit(to:)`), `leave`, cold stubs (each
/// remembers the state it was created in), `jal`/`jalr` calls and indirect jumps (restored before
/// they start), and host faults: a fault site inside allocated code records a *resume path*, a
/// stub that restores and then goes to the epilogue, where the fault handler sends the thread
/// instead of the epilogue. Helper calls store and reload whatever their host registers hold.
/// So the dispatcher, signal frames, fault reports and helpers see exactly the interpreter's
/// registers. A loop block's back edge keeps the allocation: it takes the budget and jumps to
/// the code after the swap.
///
/// A newcomer is loaded at block entry even when the block writes it before reading it, so the
/// host register holds the guest's value wherever an exit may happen, and storing it there is
/// always correct; "dirty" (written by an instruction up to the exit's) only saves stores.
struct BlockRegisters {
    /// One swapped cache register: `host` holds `guest` inside the block instead of `resident`
    /// (0: none, for the spare register, `spare`). Guest 0: no guest register, the host register
    /// holds a shared probe's addend (`addendHosts`).
    struct Swap {
        var host: GPR
        var guest: UInt8
        var resident: UInt8
    }

    /// A tenth register for blocks that never use it otherwise: rdx (`Host.t2`) is scratch only
    /// for mulh/div/rem, helper calls, F/D, A, bit and crypto lowerings and the indirect-jump
    /// probe (which runs after the allocation ends). A block of nothing but other integer ALU
    /// instructions, loads, stores and jumps may give it a guest register with no resident to
    /// displace: loaded at entry, stored at the ways out if written. AES's and SHA-256's rounds
    /// keep about 25 guest registers live; this is one more of them in a register.
    static let spare = GPR.rdx

    /// Whether no lowering in `block` touches `spare` (see there). In system mode every load and
    /// store probes the inline TLB with it (`probeSystemTLBEntry`), so a block that has one cannot.
    static func spareIsFree(_ block: GuestBlock, system: Bool) -> Bool {
        for inst in block.instructions {
            switch inst.opcode.operation {
            case .integer(let op):
                switch op {
                case .mulh, .mulhu, .mulhsu, .div, .divu, .rem, .remu, .divw, .divuw, .remw, .remuw: return false
                default: continue
                }
            case .memory: if system { return false }
            case .control: continue
            case .bit, .crypto, .atomic, .floatMemory, .float, .system: return false
            }
        }
        return true
    }

    private(set) var swaps: [Swap] = []
    /// The guests swapped in, as a bit mask by register number.
    private(set) var members: UInt32 = 0
    /// Swapped-in guests some instruction of the block writes.
    private(set) var written: UInt32 = 0
    /// The block ends in a branch or jump back to its start that keeps the allocation
    /// (`loopBack`): then a register written anywhere in the block may be dirty anywhere in it.
    private(set) var loops = false
    /// One swap gives the budget register (`Host.budget`, r11) to a guest: the budget lives in
    /// its state-block slot (`ScratchSlot.budget`, where the epilogue keeps it anyway) while the
    /// allocation is in effect. See `budgetSpillMinimumInstructions`.
    private(set) var spillsBudget = false
    /// System mode: cache registers whose resident the block never names, given to the addends
    /// of its busiest shared-probe groups (SystemSharedProbes.swift), callee-saved ones first.
    /// Each is a swap with guest 0: the resident is stored at entry and reloaded at every way
    /// out, like any displaced resident; inside, the register holds its group's addend, written
    /// by every probe of the group together with the addend's scratch word, which stays the
    /// register's home (a helper call that may clobber it reloads it from there).
    private(set) var addendHosts: [GPR] = []

    /// The static map has ra in place of a1 (`RegisterMap.returnAddressCallerSaved`).
    private(set) var returnAddress = false

    var isEmpty: Bool { swaps.isEmpty }
    /// Whether the spare register (rdx) holds a guest register in this block.
    var holdsSpare: Bool { swaps.contains { $0.host == BlockRegisters.spare } }

    /// A self-loop of at least this many instructions, none of which calls a helper (the
    /// conditions of `spare`: helper thunks save and reload r11 as the budget, Lower+Atomic
    /// borrows it), may give r11 to one more guest register than the cache registers and the
    /// spare hold: stored to its slot at entry and reloaded at every way out (`emitRestore`);
    /// inside, the budget checks subtract from the slot (`subtractBudget`), and a host fault
    /// gives the budget back there (`FaultSite.budgetInSlot`). A memory operand's latency on
    /// every iteration's budget check is nothing in a long loop body but would be the critical
    /// path of a short one. AES's round (97 instructions, about 25 live registers) keeps one
    /// more of them in a register.
    static let budgetSpillMinimumInstructions = 24

    /// The fewest uses a guest register needs in a block to be swapped in, and how many more uses
    /// than the resident it displaces: a swap costs a store and a load at entry and a load (and
    /// a store if written) at every exit taken; a use of a register in the state block costs a
    /// memory operand and, in a dependency chain, a store-to-load round trip. A loop's back edge
    /// keeps the allocation, so in a self-looping block the entry cost is paid once per entry.
    /// Outside loops a swap pays its four moves on every execution; with 3 uses (and margin 3)
    /// fib's prologue block swapped in s2–s4 only to store them and call, 6% slower than without
    /// (user time, fib 38); from 5 uses (margin 4) aes and sha256 keep their swaps.
    static let minimumUses = 5
    static let margin = 4
    static let loopMinimumUses = 2
    static let loopMargin = 1
    static let spareMinimumUses = 3

    init() {}

    /// Chooses the swaps for `block` by counting each guest register's uses (reads and writes),
    /// then up to `addends` cache registers whose resident has no use for addends
    /// (`addendHosts`).
    init(_ block: GuestBlock, loops: Bool, system: Bool, spillBudget: Bool = false, returnAddress: Bool = false,
         addends: Int = 0) {
        self.loops = loops
        self.returnAddress = returnAddress
        var uses = InlineArray<32, Int32>(repeating: 0)
        // Every x register some instruction names, followed jumps and amocas.q's second
        // registers included: an addend may take only a register none names.
        var named: UInt32 = 0
        for (i, inst) in block.instructions.enumerated() {
            let spec = inst.opcode.files
            if spec.rd == .x { named |= 1 << UInt32(inst.rd & 31) }
            if spec.rs1 == .x { named |= 1 << UInt32(inst.rs1 & 31) }
            if spec.rs2 == .x { named |= 1 << UInt32(inst.rs2 & 31) }
            if inst.opcode == .amocas_q { named |= 1 << UInt32((inst.rd | 1) & 31) | 1 << UInt32((inst.rs2 | 1) & 31) }
            if block.isFollowedJump(i) { continue }
            if spec.rd == .x { uses[Int(inst.rd)] &+= 1 }
            if spec.rs1 == .x { uses[Int(inst.rs1)] &+= 1 }
            if spec.rs2 == .x { uses[Int(inst.rs2)] &+= 1 }
        }
        defer {
            if addends > 0 { reserveAddends(addends, named: named) }
            for inst in block.instructions where inst.opcode.files.writesX {
                written |= members & (1 << UInt32(inst.rd & 31) | inst.secondWritten)
            }
        }
        let minimum = Int32(loops ? BlockRegisters.loopMinimumUses : BlockRegisters.minimumUses)
        let margin = Int32(loops ? BlockRegisters.loopMargin : BlockRegisters.margin)
        // The spare register displaces no one: a load at entry and a store at the exits taken
        // if written, so fewer uses pay for it.
        let spare = BlockRegisters.spareIsFree(block, system: system)
        let spareMinimum = min(minimum, Int32(BlockRegisters.spareMinimumUses))
        // Candidates: uncached guests by uses, most first; victims: cache slots by their
        // resident's uses, fewest first, after the spare.
        var candidates: [(guest: UInt8, uses: Int32)] = []
        let staticHost = RegisterMap.host(returnAddress: returnAddress)
        for x in 1..<32 where staticHost[x] == nil && uses[x] >= (spare ? spareMinimum : minimum) {
            candidates.append((UInt8(x), uses[x]))
        }
        guard !candidates.isEmpty else { return }
        candidates.sort { $0.uses > $1.uses || ($0.uses == $1.uses && $0.guest < $1.guest) }
        var victims = RegisterMap.all(returnAddress: returnAddress).map { (guest: UInt8($0.guest), host: $0.host, uses: uses[$0.guest]) }
        victims.sort { $0.uses < $1.uses || ($0.uses == $1.uses && $0.guest < $1.guest) }
        if spare { victims.insert((guest: 0, host: BlockRegisters.spare, uses: 0), at: 0) }
        for (c, v) in zip(candidates, victims)
        where v.guest == 0 || (c.uses >= minimum && c.uses >= v.uses &+ margin) {
            swaps.append(Swap(host: v.host, guest: c.guest, resident: v.guest))
            members |= 1 << UInt32(c.guest)
        }
        if spillBudget, loops, spare, !system, block.instructions.count >= BlockRegisters.budgetSpillMinimumInstructions,
           let c = candidates.first(where: { members & (1 << UInt32($0.guest)) == 0 && $0.uses >= minimum }) {
            swaps.append(Swap(host: Host.budget, guest: c.guest, resident: 0))
            members |= 1 << UInt32(c.guest)
            spillsBudget = true
        }
    }

    /// Takes up to `n` cache registers not yet swapped whose resident is not in `named`, for
    /// addends: callee-saved ones first (a helper call keeps them), then caller-saved ones.
    private mutating func reserveAddends(_ n: Int, named: UInt32) {
        var free = RegisterMap.all(returnAddress: returnAddress).filter { pair in
            named & (1 << UInt32(pair.guest)) == 0 && !swaps.contains { $0.host == pair.host }
        }
        free.sort { RegisterMap.isCalleeSaved($0.host) && !RegisterMap.isCalleeSaved($1.host) }
        for pair in free.prefix(n) {
            swaps.append(Swap(host: pair.host, guest: 0, resident: UInt8(pair.guest)))
            addendHosts.append(pair.host)
        }
    }

    /// The host register of every guest register inside the block (`RegisterMap.host` with the
    /// swaps applied).
    func hostMap() -> [GPR?] {
        var map = RegisterMap.host(returnAddress: returnAddress)
        for s in swaps {
            if s.resident != 0 { map[Int(s.resident)] = nil }
            if s.guest != 0 { map[Int(s.guest)] = s.host }
        }
        return map
    }
}

/// Where the guest registers are at the point of the block being emitted.
struct RegisterState: Equatable {
    /// The block's swaps are in effect (after its entry, before a restore).
    var allocated = false
    /// Swapped-in guests written by the instructions so far (a bit each): stored by a restore.
    var dirty: UInt32 = 0

    static let standard = RegisterState()
}

extension Translator {
    /// Block entry, after the budget check: stores the displaced residents, loads the newcomers.
    mutating func emitSwapIn() {
        for s in blockRegisters.swaps {
            if s.resident != 0 { a.mov(.qword(Host.state, Int32(StateOffset.x + 8 * Int(s.resident))), .r64(s.host)) }
            if s.host == Host.budget { a.mov(.qword(Host.state, Int32(ScratchSlot.budget)), .r64(Host.budget)) }
            if s.guest != 0 { a.mov(.r64(s.host), .qword(Host.state, Int32(StateOffset.x + 8 * Int(s.guest)))) }
        }
        // Around a loop, what the previous iteration wrote is dirty from the start.
        regs = RegisterState(allocated: true, dirty: blockRegisters.loops ? blockRegisters.written : 0)
    }

    /// Puts the static map back (see `BlockRegisters`) when the allocation is in effect, without
    /// changing `regs`: the code emitted next is a way out, and code after it is reached from
    /// elsewhere in the current state. Uses no scratch register (rax may hold a fault address).
    mutating func emitRestore() {
        guard regs.allocated else { return }
        for s in blockRegisters.swaps {
            if s.guest != 0, regs.dirty & (1 << UInt32(s.guest)) != 0 {
                a.mov(.qword(Host.state, Int32(StateOffset.x + 8 * Int(s.guest))), .r64(s.host))
            }
            if s.resident != 0 { a.mov(.r64(s.host), .qword(Host.state, Int32(StateOffset.x + 8 * Int(s.resident)))) }
            if s.host == Host.budget { a.mov(.r64(Host.budget), .qword(Host.state, Int32(ScratchSlot.budget))) }
        }
    }

    /// Takes `n` instructions from the budget, setting CF when fewer were left (a `jb` follows):
    /// from r11, or from its slot while r11 holds a guest register (`spillsBudget`).
    mutating func subtractBudget(_ n: Int) {
        if regs.allocated && blockRegisters.spillsBudget {
            a.alu(.sub, .qword(Host.state, Int32(ScratchSlot.budget)), imm: Int32(n))
        } else {
            a.sub(.r64(Host.budget), imm: Int32(n))
        }
    }

    /// Restores and stays in the static map: for lowerings whose every path leaves (calls,
    /// indirect jumps).
    mutating func endAllocation() {
        emitRestore()
        regs = .standard
    }

    /// Marks rd of instruction `i` (and of the next, which a folding lowering may write) dirty.
    mutating func noteWrites(at i: Int) {
        guard regs.allocated else { return }
        for k in i...min(i + 1, block.instructions.count - 1) {
            let inst = block.instructions[k]
            if inst.opcode.files.writesX, blockRegisters.members & (1 << UInt32(inst.rd & 31)) != 0 {
                regs.dirty |= 1 << UInt32(inst.rd)
            }
            regs.dirty |= blockRegisters.members & inst.secondWritten
        }
    }

    /// The (guest, host) pairs of the cache registers in the current state: which guest each
    /// host register holds.
    func cachedPairs(callerSavedOnly: Bool) -> [(guest: Int, host: GPR)] {
        let ra = targets.returnAddressRegister
        let list = callerSavedOnly ? RegisterMap.callerSaved(returnAddress: ra) : RegisterMap.all(returnAddress: ra)
        guard regs.allocated else { return list }
        return list.compactMap { pair in
            if let s = blockRegisters.swaps.first(where: { $0.host == pair.host }) {
                return s.guest == 0 ? nil : (Int(s.guest), pair.host) // an addend: see `callHelper`
            }
            return pair
        }
    }

    /// A self-loop's back edge inside the allocation: take the first segment's budget and jump
    /// past the swap; when the budget is spent, restore and leave for the block's start.
    /// With an execution counter (`trapeze dump`) the back edge counts the next execution too,
    /// so a dump shows a loop's code as `run` makes it.
    mutating func loopBack(to body: Label) {
        let n = charged(through: 0)
        let counter = targets.executionCounter
        guard n > 0 else {
            if let counter { countExecution(counter) }
            a.jmp(body)
            return
        }
        let over = outOfLine(.budget(pc: block.start, taken: n))
        subtractBudget(n)
        if let counter {
            a.jcc(.b, over)
            countExecution(counter)
            a.jmp(body)
        } else {
            a.jcc(.ae, body)
            a.jmp(over)
        }
    }

    /// The resume path of a fault site in allocated code: a stub that restores with the current
    /// dirty set and goes to the epilogue (one per dirty set).
    mutating func resumeLabel() -> Label {
        if let known = resumeStubs.first(where: { $0.dirty == regs.dirty }) { return known.label }
        let label = outOfLine(.resume)
        resumeStubs.append((regs.dirty, label))
        return label
    }
}

extension Instruction {
    /// amocas.q also writes rd + 1 (the high half of its pair): its bit, else 0.
    var secondWritten: UInt32 {
        opcode == .amocas_q && rd != 0 && rd & 1 == 0 ? 1 << UInt32(rd + 1) : 0
    }
}
