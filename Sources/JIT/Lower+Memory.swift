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
    /// A plain access computes rax = rs1 + imm. When rs1 is cached the access addresses
    /// `[memory + rs1 + imm]` itself, so the load does not wait for the lea (the check runs beside
    /// it, predicted not taken); the sum is the same modulo 2^64. When an earlier check in the
    /// block covers the access (CheckedBases.swift) there is neither check nor lea: the fault site
    /// says where the address is.
    mutating func guestAddress(_ i: Instruction, _ check: AddressCheck) {
        let imm = Int32(truncatingIfNeeded: i.imm)
        access = (Host.t0, 0)
        switch check {
        case .plain(let store):
            // Covered by an earlier check, or sp/gp/tp, checked when written (ConfinedBases.swift).
            var checked = checkedBases.covers(i.rs1, imm)
            if ConfinedBases.covers(i.rs1, system: targets.system) { checked = true }
            // A table lookup off a checked base (IndexBounds.swift).
            let lookup = indexBounds.relation(of: i.rs1)
            if !checked, let r = lookup {
                if checkedBases.covers(r.base, imm, extent: r.extent) { checked = true }
                if ConfinedBases.covers(r.base, system: targets.system), Int64(r.extent) + 2048 <= CheckedBases.reach { checked = true }
            }
            switch operand(i.rs1) {
            case .zero: materialize(Host.t0, UInt64(bitPattern: i.imm))
            case .host(let h):
                access = (h, imm)
                // Covered by an earlier check: no address to compare, and the fault handler finds
                // it from h itself (FaultSite.addressRegister).
                if checked { return }
                if imm == 0 {
                    // The address is h itself: compare it in place; only the fault stub needs it
                    // in rax.
                    a.cmp(.r64(h), .qword(Host.state, Int32(StateOffset.memoryLimit)))
                    a.jcc(.ae, faultExit(store: store, address: h))
                    checkedBases.insert(i.rs1, imm)
                    if let r = lookup, !checkedBases.knows(r.base) { checkedBases.insert(r.base, imm, slack: r.extent) }
                    return
                }
                a.lea(.rax, .qword(h, imm))
            case .memory(let d):
                a.mov(.rax, .qword(Host.state, d))
                // Nothing to compare: the displacement goes into the access itself (rax + imm).
                if checked { access = (Host.t0, imm); return }
                if imm != 0 { a.add(.rax, imm: imm) }
            }
            if checked { return }
            confine(failing: faultExit(store: store))
            checkedBases.insert(i.rs1, imm)
            if let r = lookup, !checkedBases.knows(r.base) { checkedBases.insert(r.base, imm, slack: r.extent) }
        case .atomic(let size, let misfit):
            load(.rax, i.rs1)
            a.test(.eax, imm: Int32(size.rawValue - 1))
            a.jcc(.ne, misfit)
            confine(failing: misfit)
        }
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
        if targets.system != nil { systemLoad(i, kind); return }
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
    }

    mutating func storeMemory(_ i: Instruction, _ size: OperandSize) {
        if targets.system != nil { systemStore(i, size); return }
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
