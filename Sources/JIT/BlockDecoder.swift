import Guest
import RISCV

/// One guest basic block, decoded: the instructions from `start` up to and including the one that
/// ends it (a branch, jump or system instruction), or up to a guest page boundary, an undecodable
/// or unfetchable instruction, or the length limit. A plain jump (`j`, `jal x0`) to a place on the
/// block's page not yet in the block does not end it: decoding goes on at the target, so a loop
/// body that ends in `j` to its test becomes one block (see `isFollowedJump`). Nor does a forward
/// conditional branch: its taken side leaves the block, decoding goes on with the fall-through, so
/// a loop body with `if`s in it can be one block (see `isSideExit`); when the branch's target is
/// in the block too, the taken side jumps there (BlockJoins.swift). A backward branch (a loop's
/// back edge) still ends the block, so that it jumps straight back to the block's entry.
struct GuestBlock {
    var start: UInt64
    var instructions: [Instruction] = []
    var pcs: [UInt64] = []

    /// The pc after the last instruction (where a block cut short falls through to).
    var end: UInt64 {
        guard let last = instructions.last, let pc = pcs.last else { return start }
        return pc &+ UInt64(last.length)
    }

    /// The end of the highest instruction, for listings (`end` may be lower after a followed jump).
    var highestEnd: UInt64 {
        zip(pcs, instructions).reduce(start) { max($0, $1.0 &+ UInt64($1.1.length)) }
    }

    /// Whether instruction `index` is a jump that decoding followed: it only retires, its
    /// successor in the block is its target.
    func isFollowedJump(_ index: Int) -> Bool {
        index < instructions.count - 1 && (instructions[index].opcode == .jal || instructions[index].opcode == .jalr)
    }

    /// Whether instruction `index` is a conditional branch that decoding went past: when taken it
    /// leaves the block, and the instructions after it in the block have not retired.
    func isSideExit(_ index: Int) -> Bool {
        index < instructions.count - 1 && BlockDecoder.isConditionalBranch(instructions[index])
    }
}

enum BlockDecoder {
    /// Decodes the block at `pc`, or the exception its first instruction raises on fetch or decode.
    /// (A later instruction that cannot be fetched or decoded just ends the block early, so its
    /// exception is raised when execution gets there.)
    static func decode(_ hart: Hart, at pc: UInt64, limit: Int, joins: Bool = false,
                       inlineCalls: Bool = false) -> Result<GuestBlock, GuestTrap> {
        var spare = GuestBlock(start: pc)
        return decode(hart, at: pc, limit: limit, joins: joins, inlineCalls: inlineCalls, reusing: &spare)
    }

    /// `decode`, into the arrays of `spare` (a block the caller is done with), which saves the
    /// engine two allocations per translated block. With `joins` (the translator jumps to a
    /// side exit's target when it is in the block, BlockJoins.swift), decoding also goes on past
    /// a short forward branch late in the block, and a block cut by the length limit ends just
    /// before its last join instead (see `joinReach`).
    static func decode(_ hart: Hart, at pc: UInt64, limit: Int, joins: Bool = false, inlineCalls: Bool = false,
                       reusing spare: inout GuestBlock) -> Result<GuestBlock, GuestTrap> {
        var block = GuestBlock(start: pc)
        swap(&block.instructions, &spare.instructions)
        swap(&block.pcs, &spare.pcs)
        block.instructions.removeAll(keepingCapacity: true)
        block.pcs.removeAll(keepingCapacity: true)
        // Typical blocks are short; this saves the first few regrowths without pinning 64 entries.
        block.instructions.reserveCapacity(min(limit, 16))
        block.pcs.reserveCapacity(min(limit, 16))
        var at = pc
        var page = pc >> GuestMemory.pageShift
        // System mode: one translation for the page, not one per instruction (`Hart.codePage`).
        let bytes = hart.codePage(pc)
        while block.instructions.count < limit {
            let inst: Instruction
            do {
                let offset = Int(at & 0xFFF)
                if let bytes, at & 1 == 0, at >> GuestMemory.pageShift == page, offset <= 0xFFE {
                    let low = UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                    if low & 3 != 3 {
                        inst = try hart.decodeFetched(low, at: at)
                    } else if offset <= 0xFFC {
                        let high = UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)))
                        inst = try hart.decodeFetched(low | high << 16, at: at)
                    } else {
                        inst = try hart.fetchInstruction(at) // its second parcel is on the next page
                    }
                } else {
                    inst = try hart.fetchInstruction(at)
                }
            } catch {
                if block.instructions.isEmpty { return .failure(error) }
                return .success(block)
            }
            block.instructions.append(inst)
            block.pcs.append(at)
            let here = at
            at = at &+ UInt64(inst.length)
            if inst.opcode == .jal, inst.rd == 0 {
                let target = here &+ UInt64(bitPattern: inst.imm)
                // Not into the block itself: that is a loop, which chaining handles.
                guard target >> GuestMemory.pageShift == page, !block.pcs.contains(target) else { return .success(block) }
                at = target
                continue
            }
            if inlineCalls, inst.opcode == .jal, inst.rd == 1, hart.platform == nil,
               let callee = leafCallee(hart, at: here &+ UInt64(bitPattern: inst.imm), link: at, block: block),
               block.instructions.count + callee.count < limit {
                // A call of a short leaf function: its body and its `ret` follow in the block, and
                // decoding goes on at the return address, on that page (`leafCallee`).
                for (pc, i) in callee {
                    block.instructions.append(i)
                    block.pcs.append(pc)
                }
                page = at >> GuestMemory.pageShift
                continue
            }
            if isConditionalBranch(inst), inst.imm > 0, at >> GuestMemory.pageShift == page,
               block.instructions.count < sideExitReach || (joins && inst.imm <= joinReach) { continue }
            if endsBlock(inst, system: hart.platform != nil) || at >> GuestMemory.pageShift != page { return .success(block) }
        }
        if joins { endAtLastJoin(&block) }
        return .success(block)
    }

    /// User mode: the body of a short leaf function called at `target` with return address
    /// `link`, up to and including its `ret` (`jalr x0, 0(ra)`), when it is straight-line code
    /// of at most `leafCalleeLimit` instructions that run inline or through the slow path (no
    /// branch, jump or system instruction) and none of them writes ra: then ra still holds
    /// `link` at the `ret`, which only retires (`GuestBlock.isFollowedJump`), like the `jal`
    /// before it, which writes ra. glibc's `__ctype_b_loc`, `__ctype_tolower_loc` and
    /// `__errno_location` are such functions: a loop calling one stays one block instead of
    /// leaving for the callee's block and coming back through the `jalr` table. Nil when some
    /// instruction cannot be fetched, or when a pc is already in the block (no pc twice).
    /// A block is listed under the pages of all its instructions (CodeIndex), so a change to
    /// the callee's page drops it too.
    static func leafCallee(_ hart: Hart, at target: UInt64, link: UInt64, block: GuestBlock) -> [(UInt64, Instruction)]? {
        guard target & 1 == 0, target != link, !block.pcs.contains(link),
              (target > block.start ? target &- block.start : block.start &- target) < 1 << 30 else { return nil }
        var body: [(UInt64, Instruction)] = []
        var at = target
        while body.count < leafCalleeLimit {
            guard let inst = try? hart.fetchInstruction(at), at != link, !block.pcs.contains(at) else { return nil }
            body.append((at, inst))
            if inst.opcode == .jalr, inst.rd == 0, inst.rs1 == 1, inst.imm == 0 { return body }
            guard Lowering.kind(inst, system: false) != .branch, Lowering.kind(inst, system: false) != .system,
                  !(inst.opcode.files.writesX && inst.rd == 1) else { return nil }
            at = at &+ UInt64(inst.length)
        }
        return nil
    }

    /// The longest leaf function `leafCallee` takes in, `ret` included.
    static let leafCalleeLimit = 8

    /// With joins, decoding goes on past a forward branch that skips at most this many bytes
    /// (an `if` without `else` around a few statements) wherever it is in the block: its target
    /// is then likely in the block, where the taken side joins the fall-through, and no second
    /// block repeats the code from the target on. Longer skips keep `sideExitReach`.
    static let joinReach: Int64 = 128

    /// A block cut by the length limit ends before its last join (an instruction a side exit
    /// branches to), so that the fall-through and the side exits that branch there go to one
    /// block, rather than to two that both hold the code from there on. Not when that would
    /// halve the block.
    private static func endAtLastJoin(_ block: inout GuestBlock) {
        let n = block.instructions.count
        var last = 0
        for j in 0..<n - 1 where isConditionalBranch(block.instructions[j]) {
            let to = block.pcs[j] &+ UInt64(bitPattern: block.instructions[j].imm)
            if let k = block.pcs[(j + 1)...].firstIndex(of: to), k > last { last = k }
        }
        guard last > 0, last >= n / 2 else { return } // 0: no join
        block.instructions.removeSubrange(last...)
        block.pcs.removeSubrange(last...)
    }

    /// Decoding goes on past a forward branch only this early in a block: the code after it is
    /// also translated as the taken target's own block, and in big straight-line programs the
    /// duplicates cost more translation time than they save (measured on bigcode; the kernels'
    /// loops are shorter).
    static let sideExitReach = 16

    /// beq, bne, blt, bge, bltu, bgeu.
    static func isConditionalBranch(_ i: Instruction) -> Bool {
        Lowering.kind(i.opcode) == .branch && i.opcode != .jal && i.opcode != .jalr
    }

    /// Instructions after which translated code must return to the dispatcher or jump elsewhere.
    static func endsBlock(_ i: Instruction, system: Bool) -> Bool {
        switch Lowering.kind(i, system: system) {
        case .branch, .system: true
        case .inline, .slowPath: false
        }
    }
}
