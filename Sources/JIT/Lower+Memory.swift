import Guest
import RISCV
import X86

/// Loads and stores, confined to guest memory (DESIGN.md §3): an address at or above the
/// guest limit leaves through a fault stub; inside the range the host page protections mirror the
/// guest's, so the access itself may fault in the host and `FaultHandler` turns that into the same
/// guest exception. Misaligned accesses simply work on x86, as Linux makes them work for RISC-V.
extension Translator {
    enum LoadKind { case signed8, signed16, signed32, bits64, unsigned8, unsigned16, unsigned32 }

    /// What a guest access requires of its address, and where it goes when the address fails.
    enum AddressCheck {
        /// A load or store: any alignment (Linux makes misaligned accesses work); an address at
        /// or above the guest limit leaves through a fault stub.
        case plain(store: Bool)
        /// LR/SC or an AMO: the address is rs1 alone, must be aligned to the access size, and is
        /// wanted in rax afterwards (lr reserves it); a misaligned or out-of-range one goes to
        /// `misfit`, where the interpreter raises the exact exception.
        case atomic(OperandSize, misfit: Label)
    }

    /// Computes and checks the guest address of `i`'s access; `guestMemory` then names the access.
    /// This is the one place translated code turns a guest address into a host one, and what a
    /// software TLB probe replaces in system mode.
    ///
    /// A plain access addresses `[memory + rs1 + imm]` itself (rs1 cached, or loaded into rax),
    /// and its check compares rs1 with the limit (`checkBase`: an imm within 2 KiB is covered by
    /// the guards), so neither waits for an add; the sum is the same modulo 2^64. When an earlier
    /// check in the block covers the access (CheckedBases.swift) there is no check: the fault
    /// site says where the address is.
    mutating func guestAddress(_ i: Instruction, _ check: AddressCheck) {
        let imm = Int32(truncatingIfNeeded: i.imm)
        access = (Host.t0, 0)
        switch check {
        case .plain(let store):
            // Covered by an earlier check, or sp/gp/tp, checked when written (ConfinedBases.swift).
            var checked = checkedBases.covers(i.rs1, imm)
            if ConfinedBases.covers(i.rs1, system: targets.system) { checked = true }
            // Off a register whose value is known, at an address in guest memory (KnownConstants.swift).
            if !checked, targets.constantLimit != 0, let base = knownConstants.value(of: i.rs1),
               KnownConstants.inRange(base, imm, limit: targets.constantLimit) { checked = true }
            // A table lookup off a checked base (IndexBounds.swift).
            let lookup = indexBounds.relation(of: i.rs1)
            if !checked, let r = lookup {
                let d = Int64(imm) + r.offset // within 12 KiB: an Int32
                if checkedBases.covers(r.base, Int32(d), extent: r.extent) { checked = true }
                if ConfinedBases.covers(r.base, system: targets.system), abs(d) + Int64(r.extent) <= CheckedBases.reach { checked = true }
            }
            switch operand(i.rs1) {
            case .zero: materialize(Host.t0, UInt64(bitPattern: i.imm))
            case .host(let h):
                access = (h, imm)
                // Covered by an earlier check: no address to compare, and the fault handler finds
                // it from h itself (FaultSite.addressRegister).
                if checked { return }
                checkBase(h, imm, store: store)
                noteChecked(i.rs1, imm, lookup)
                return
            case .memory(let d):
                if let r = raxBase, r.guest == i.rs1, r.index == index - 1, r.end == a.offset, !a.labelBound(after: r.start) {
                    // rax still holds rs1: the previous instruction's access was off it too.
                } else {
                    a.mov(.rax, .qword(Host.state, d))
                }
                // The displacement goes into the access itself (rax + imm).
                access = (Host.t0, imm)
                if checked { return }
                checkBase(nil, imm, store: store)
                noteChecked(i.rs1, imm, lookup)
                return
            }
            if checked { return }
            confine(failing: faultExit(store: store))
            noteChecked(i.rs1, imm, lookup)
        case .atomic(let size, let misfit):
            load(.rax, i.rs1)
            a.test(.eax, imm: Int32(size.rawValue - 1))
            a.jcc(.ne, misfit)
            confine(failing: misfit)
        }
    }

    /// The limit check of an access at `base + disp` (base in `h`, or in rax when nil): compares
    /// the base itself, in place, so the access needs no lea or add before it. A base below the
    /// limit puts `base + disp` (|disp| < 2 KiB) in guest memory or in a guard, where a host fault
    /// reports it exactly (as for `CheckedBases`); a base at or above it goes out of line, where
    /// `base + disp` itself is compared (a negative disp, or a base that wraps, may still make an
    /// address) and the access resumes or the fault exit is taken.
    private mutating func checkBase(_ h: GPR?, _ disp: Int32, store: Bool) {
        a.cmp(.r64(h ?? .rax), .qword(Host.state, Int32(StateOffset.memoryLimit)))
        if disp == 0 {
            a.jcc(.ae, faultExit(store: store, address: h))
            return
        }
        let resume = a.newLabel()
        a.jcc(.ae, outOfLine(.recheck(pc: pc, notRetired: notRetired, store: store, base: h, disp: disp, resume: resume)))
        a.bind(resume)
    }

    /// rs1 + imm passed the check: later accesses off rs1, and off the base of a lookup, are covered.
    private mutating func noteChecked(_ rs1: UInt8, _ imm: Int32, _ lookup: (base: UInt8, offset: Int64, extent: UInt64)?) {
        checkedBases.insert(rs1, imm)
        if let r = lookup, !checkedBases.knows(r.base) { checkedBases.insert(r.base, Int32(Int64(imm) + r.offset), slack: r.extent) }
    }

    /// The out-of-line half of `checkBase` for a base at or above the limit.
    mutating func emitRecheck(store: Bool, base: GPR?, disp: Int32, resume: Label) -> ExitReason {
        let fault = a.newLabel()
        if let base { a.lea(.rax, .qword(base, disp)) } else { a.add(.rax, imm: disp) }
        a.cmp(.rax, .qword(Host.state, Int32(StateOffset.memoryLimit)))
        a.jcc(.ae, fault)
        if base == nil { a.sub(.rax, imm: disp) } // the access adds disp itself
        a.jmp(resume)
        a.bind(fault)
        return store ? .storeFault : .loadFault
    }

    /// Jumps to `fail` unless the guest address in rax lies below the guest limit.
    private mutating func confine(failing fail: Label) {
        a.cmp(.rax, .qword(Host.state, Int32(StateOffset.memoryLimit)))
        a.jcc(.ae, fail)
    }

    /// The guest memory operand of the access `guestAddress` just checked.
    func guestMemory(_ size: OperandSize) -> Mem {
        Mem(size, base: .gpr(Host.memory), index: access.index, scale: 1, disp: access.disp)
    }

    /// Moves the checked address of the current access (in rax) to `register`, for code that
    /// needs rax for something else; `guestMemory` follows it.
    mutating func moveGuestAddress(to register: GPR) {
        a.mov(.r64(register), .r64(access.index))
        access.index = register
    }

    mutating func loadMemory(_ i: Instruction, _ kind: LoadKind) {
        if targets.system != nil { systemMemory(i); return }
        let start = a.offset
        guestAddress(i, .plain(store: false))
        var d = Host.t1
        if case .host(let h) = operand(i.rd) { d = h }
        markFaultSite(store: false)
        switch kind {
        case .signed8: a.movsx(.r64(d), guestMemory(.byte))
        case .signed16: a.movsx(.r64(d), guestMemory(.word))
        case .signed32: a.movsxd(.r64(d), guestMemory(.dword))
        case .bits64: a.mov(.r64(d), guestMemory(.qword))
        case .unsigned8: a.movzx(.r32(d), guestMemory(.byte))
        case .unsigned16: a.movzx(.r32(d), guestMemory(.word))
        case .unsigned32: a.mov(.r32(d), guestMemory(.dword))
        }
        store(i.rd, d) // x0: loaded (it may fault) and dropped
        noteBaseInRAX(i, from: start, writesBase: i.rd == i.rs1)
    }

    /// After a user-mode access off a base in the state block, loaded into rax: rax still holds
    /// it (the access wrote rcx or a cache register) unless the instruction wrote the base.
    private mutating func noteBaseInRAX(_ i: Instruction, from start: Int, writesBase: Bool) {
        raxBase = nil
        guard !writesBase, access.index == Host.t0, case .memory = operand(i.rs1) else { return }
        raxBase = (i.rs1, index, start, a.offset)
    }

    mutating func storeMemory(_ i: Instruction, _ size: OperandSize) {
        if targets.system != nil { systemMemory(i); return }
        let start = a.offset
        defer { noteBaseInRAX(i, from: start, writesBase: false) }
        guestAddress(i, .plain(store: true))
        switch operand(i.rs2) {
        case .zero:
            markFaultSite(store: true)
            a.mov(guestMemory(size), imm: 0)
        case .host(let h):
            markFaultSite(store: true)
            a.mov(guestMemory(size), Reg(h, size))
        case .memory(let d):
            a.mov(.rcx, .qword(Host.state, d))
            markFaultSite(store: true)
            a.mov(guestMemory(size), Reg(.rcx, size))
        }
    }
}
