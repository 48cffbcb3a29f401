import Guest
import RISCV
import X86

/// Branches and jumps: the block's end. Direct targets leave through `exit(to:)` (chainable);
/// `jalr` probes the inline lookup table before leaving.
extension Translator {
    mutating func branch(_ i: Instruction, _ condition: Condition) {
        let cc = compare(i.rs1, i.rs2, condition)
        let target = pc &+ UInt64(bitPattern: i.imm)
        if block.isSideExit(index) {
            // In the middle of the block (BlockDecoder.swift): when taken, leave (the budget of the
            // instructions after it is not taken yet); otherwise take it and go on. With the
            // block's own register allocation, through a stub that restores the static map.
            // A target later in the block is a join: jump there (BlockJoins.swift), where the
            // budget of its segment is taken.
            if let k = joins.target(of: index) {
                a.jcc(cc, joinLabel(k))
                if !joins.isJoin(index + 1) { takeBudget(from: index + 1) }
                return
            }
            // With `sideExitRefunds` the segment goes on: the taken way gives back the budget
            // of the instructions after the branch (Translator.charged).
            let refund = sideExitRefund
            if refund > 0 {
                a.jcc(cc, outOfLine(.refundedExit(target: target, refund: refund)))
                return
            }
            switch regs.allocated ? nil : linked(target) {
            case .label(let l): a.jcc(cc, l)
            case .absolute(let host): a.jcc(cc, absolute: host)
            case nil: a.jcc(cc, outOfLine(.exit(target: target)))
            }
            if !joins.isJoin(index + 1) { takeBudget(from: index + 1) }
            return
        }
        if target == block.start {
            noteBackEdge() // LoopPeel.swift
        } else if pc &+ UInt64(i.length) == block.start, LoopPeel.backEdge(block, targets) == .fallThrough {
            // The way not taken goes round the loop: to the second copy (`exit` links the
            // block's start from its last instruction there), or with the allocation kept.
            noteBackEdge()
            if regs.allocated, blockRegisters.loops, let body {
                let out = a.newLabel()
                a.jcc(cc, out)
                loopBack(to: peel?.body ?? body)
                a.bind(out)
                exit(to: target)
                return
            }
        }
        if regs.allocated, blockRegisters.loops, let body, target == block.start {
            // A loop's back edge keeps the allocation (BlockRegisters.swift).
            let out = a.newLabel()
            a.jcc(cc.inverted, out)
            loopBack(to: peel?.body ?? body)
            a.bind(out)
            exit(to: pc &+ UInt64(i.length))
            return
        }
        switch regs.allocated ? nil : linked(target) {
        case .label(let l):
            a.jcc(cc, l)
            exit(to: pc &+ UInt64(i.length))
            return
        case .absolute(let host):
            a.jcc(cc, absolute: host)
            exit(to: pc &+ UInt64(i.length))
            return
        case nil: break
        }
        let taken = a.newLabel()
        a.jcc(cc, taken)
        exit(to: pc &+ UInt64(i.length))
        a.bind(taken)
        exit(to: pc &+ UInt64(bitPattern: i.imm))
    }

    /// Sets the flags for `rs1 cc rs2`, reading operands where they live, and returns the condition
    /// to test: `cc`, or its mirror when the operands had to be compared the other way round
    /// (`bgtz a0` is `blt x0, a0`: `cmp a0, 0; jg`).
    mutating func compare(_ rs1: UInt8, _ rs2: UInt8, _ cc: Condition) -> Condition {
        switch (operand(rs1), operand(rs2)) {
        case (.zero, .zero): a.cmp(.eax, .eax) // equal: only the condition matters
        case (.host(let h), .zero): a.test(.r64(h), .r64(h))
        case (.memory(let d), .zero): a.cmp(.qword(Host.state, d), imm: 0)
        case (.zero, .host(let h)): a.test(.r64(h), .r64(h)); return cc.mirrored
        case (.zero, .memory(let d)): a.cmp(.qword(Host.state, d), imm: 0); return cc.mirrored
        case (.memory(let d), .host(let h)): a.cmp(.qword(Host.state, d), .r64(h))
        case (.host(let h), _): alu(.cmp, .r64(h), rs2)
        case (.memory, .memory):
            load(Host.t0, rs1)
            alu(.cmp, .rax, rs2)
        }
        return cc
    }

    /// The link address is the next instruction: pc + 2 after a compressed jump.
    mutating func jal(_ i: Instruction) {
        if isCall(i) { directCall(i); return } // Lower+Call.swift
        storeConstant(i.rd, pc &+ UInt64(i.length))
        if pc &+ UInt64(bitPattern: i.imm) == block.start { noteBackEdge() } // LoopPeel.swift
        if regs.allocated, blockRegisters.loops, let body, pc &+ UInt64(bitPattern: i.imm) == block.start {
            loopBack(to: peel?.body ?? body) // BlockRegisters.swift
            return
        }
        exit(to: pc &+ UInt64(bitPattern: i.imm))
    }

    mutating func jalr(_ i: Instruction) {
        endAllocation() // every path leaves (BlockRegisters.swift)
        // The target is computed before rd is written: rd may be rs1.
        load(Host.t0, i.rs1)
        if i.imm != 0 { a.add(.rax, imm: Int32(truncatingIfNeeded: i.imm)) }
        // A return compares ra itself with the frame's (even) guest address: an odd ra cannot
        // match and clears its bit 0 on the way to the ordinary path (rd is x0 here).
        if isReturn(i) { returnThroughFrame() } // Lower+Call.swift
        // User mode: an odd target (bit 0 still set) can match no entry of the table, whose keys
        // are even pcs and, when empty, a pc of another slot (`IndirectTable.emptyKey`): bit 0 is
        // cleared only on the way to the dispatcher, off the probe's path.
        let clearLate = targets.chaining && targets.system == nil && !isCall(i)
        if !clearLate { a.and(.rax, imm: -2) }
        let back = pc &+ UInt64(i.length)
        storeConstant(i.rd, back)
        if targets.chaining {
            let miss = a.newLabel()
            if isCall(i) {
                // An indirect call: a host call through the table, unless the stack is at its floor.
                let floor = a.newLabel()
                a.cmp(.rsp, .qword(Host.state, Int32(ScratchSlot.returnStackFloor)))
                a.jcc(.be, floor)
                pushReturnAddress(back)
                a.call(probeIndirectTable(miss: miss))
                exit(to: back) // the landing
                a.bind(floor)
            }
            a.jmp(probeIndirectTable(miss: miss))
            a.bind(miss)
        }
        if clearLate { a.and(.rax, imm: -2) }
        a.mov(.qword(Host.state, Int32(StateOffset.pc)), .rax)
        leave(.indirect)
    }

    /// Looks rax up in the direct-mapped table of (guest pc, host address) pairs, 16 bytes each,
    /// at a fixed address: on a hit returns the entry's host address operand (to jump through),
    /// else goes to `miss`. The entry for pc is number (pc >> 1) & mask, at byte offset
    /// (pc & (mask << 1)) * 8. A table in the low 2 GiB (the static binary's heap) is addressed
    /// by its 32-bit address, two instructions shorter; saved blocks use the relocatable form.
    mutating func probeIndirectTable(miss: Label) -> Mem {
        let entries = targets.system == nil ? IndirectTable.entries : IndirectTable.systemEntries
        a.mov(.ecx, .eax)
        a.and(.ecx, imm: Int32((entries - 1) << 1))
        let end = targets.indirectTable &+ UInt64(16 * entries)
        let entry: Mem
        if !targets.persistent, end < 1 << 31, let table = Int32(exactly: targets.indirectTable) {
            entry = Mem(.qword, base: .none, index: .rcx, scale: 8, disp: table)
        } else {
            a.mov(.rdx, imm: Int64(bitPattern: targets.indirectTable), tag: Relocation.tag(.indirectTable))
            a.lea(.rcx, Mem(.qword, base: .gpr(.rdx), index: .rcx, scale: 8, disp: 0))
            entry = .qword(.rcx, 0)
        }
        a.cmp(.rax, entry)
        a.jcc(.ne, miss)
        if targets.countIndirectHits { a.add(.qword(Host.state, Int32(ScratchSlot.indirectHits)), imm: 1) }
        var host = entry
        host.disp &+= 8
        return host
    }
}

extension Condition {
    /// The condition that holds for `b ? a` exactly when this one holds for `a ? b`.
    var mirrored: Condition {
        switch self {
        case .l: .g
        case .g: .l
        case .ge: .le
        case .le: .ge
        case .b: .a
        case .a: .b
        case .ae: .be
        case .be: .ae
        case .e, .ne, .o, .no, .s, .ns, .p, .np: self
        }
    }
}
