import Synchronization

/// Virtual-memory translation for system mode: Sv39, Sv48 and Sv57 page walks through the
/// platform's RAM, permission checks (R/W/X/U, SUM, MXR, MPRV), hardware A/D updates, the TLB,
/// and PMP on the result.
///
/// Public entry points: `Hart.translate(_:access:length:)` and `Hart.effectivePrivilege(for:)`.
extension Hart {
    /// The physical address of a guest access, or the exception it raises (`pc` = `state.pc`,
    /// `tval` = `vaddr`). `[vaddr, vaddr + length)` must lie in one page: engines split
    /// accesses that cross pages. PMP is checked for all `length` bytes.
    public func translate(_ vaddr: UInt64, access: MemoryFault.Access, length: UInt64 = 1) -> Result<UInt64, GuestTrap> {
        let mode = effectivePrivilege(for: access)
        let satp = state.satp
        var physical = vaddr
        if mode != .machine, let levels = SATP.levels(mode: SATP.mode(satp)) {
            switch pageTranslation(vaddr, access, mode, satp, levels) {
            case .success(let address): physical = address
            case .failure(let trap): return .failure(trap)
            }
        }
        guard pmpAllows(physical, length: length, access: access, privilege: mode) else {
            return .failure(fault(accessFault: access, vaddr))
        }
        return .success(physical)
    }

    /// log2 of the size of the region around `vaddr` that one `sfence.vma` of an address in it
    /// may invalidate together with `vaddr`'s translation for `access`, which `translate` just
    /// succeeded for: the leaf's size under paging, 4 KiB without (nothing to invalidate), 64
    /// (everything) if the TLB no longer holds the translation.
    public func leafShift(_ vaddr: UInt64, access: MemoryFault.Access) -> UInt8 {
        let mode = effectivePrivilege(for: access)
        let satp = state.satp
        guard mode != .machine, SATP.levels(mode: SATP.mode(satp)) != nil else { return 12 }
        return tlb.leafShift(vaddr, access, asid: SATP.asid(satp)) ?? 64
    }

    /// Where an S-mode fetch of `vaddr` would be translated to now, found without side
    /// effects (no TLB fill, no A/D update): the physical address and the leaf's log2 size;
    /// nil if that fetch would fault or its walk would have to set A. For an engine that keeps
    /// fetch translations across a satp write and must know a fresh walk gives the same.
    /// PMP is checked on the page-table reads only (the caller knows the code page's).
    public func peekSupervisorFetch(_ vaddr: UInt64) -> (physical: UInt64, leafShift: UInt8)? {
        let satp = state.satp
        guard let levels = SATP.levels(mode: SATP.mode(satp)) else { return (vaddr, 12) }
        let unused = UInt64(64 - 12 - 9 * levels)
        guard UInt64(bitPattern: Int64(bitPattern: vaddr << unused) >> unused) == vaddr else { return nil }
        var table = SATP.ppn(satp) << 12
        for level in stride(from: levels - 1, through: 0, by: -1) {
            let shift = UInt64(12 + 9 * level)
            let address = table &+ (vaddr >> shift & 0x1FF) &* 8
            guard pmpAllows(address, length: 8, access: .read, privilege: .supervisor),
                  let pointer = platform?.bus.ram(address, 8) else { return nil }
            let pte = pointer.assumingMemoryBound(to: Atomic<UInt64>.self).pointee.load(ordering: .acquiring)
            let flags = UInt8(truncatingIfNeeded: pte)
            guard flags & PTE.v != 0, flags & (PTE.r | PTE.w) != PTE.w, pte & PTE.reserved == 0 else { return nil }
            if flags & (PTE.r | PTE.x) == 0 {
                guard level > 0, flags & (PTE.a | PTE.d | PTE.u) == 0 else { return nil }
                table = PTE.ppn(pte) << 12
                continue
            }
            let low = UInt64(1) << (9 * UInt64(level)) - 1
            guard flags & PTE.x != 0, flags & PTE.u == 0, flags & PTE.a != 0, PTE.ppn(pte) & low == 0 else { return nil }
            return ((PTE.ppn(pte) & ~low | vaddr >> 12 & low) << 12 | vaddr & 0xFFF, UInt8(shift))
        }
        return nil
    }

    /// The privilege an access is checked at: loads and stores in M-mode with MPRV use MPP.
    public func effectivePrivilege(for access: MemoryFault.Access) -> PrivilegeMode {
        let mode = privilege
        guard access != .execute, mode == .machine, state.mstatus & MStatus.mprv != 0 else { return mode }
        return PrivilegeMode(rawValue: UInt8(truncatingIfNeeded: state.mstatus >> MStatus.mppShift & 3)) ?? .machine
    }

    private func pageTranslation(_ vaddr: UInt64, _ access: MemoryFault.Access, _ mode: PrivilegeMode,
                                 _ satp: UInt64, _ levels: Int) -> Result<UInt64, GuestTrap> {
        // Bits above the virtual address width must copy its top bit.
        let unused = UInt64(64 - 12 - 9 * levels)
        guard UInt64(bitPattern: Int64(bitPattern: vaddr << unused) >> unused) == vaddr else {
            return .failure(fault(pageFault: access, vaddr))
        }
        let page = vaddr >> 12
        let asid = SATP.asid(satp)
        let entry: TLB.Entry
        if let cached = tlb.lookup(page, access, asid: asid) {
            entry = cached
        } else {
            switch walk(vaddr, access, mode, satp, levels) {
            case .success(let filled): entry = filled
            case .failure(let trap): return .failure(trap)
            }
            tlb.fill(entry, access)
        }
        guard permits(entry.flags, access, mode) else { return .failure(fault(pageFault: access, vaddr)) }
        return .success(entry.physicalPage | vaddr & 0xFFF)
    }

    /// What a leaf's R/W/X/U bits allow `mode` to do, given SUM and MXR.
    private func permits(_ flags: UInt8, _ access: MemoryFault.Access, _ mode: PrivilegeMode) -> Bool {
        let status = state.mstatus
        if flags & PTE.u != 0 {
            if mode == .supervisor && (access == .execute || status & MStatus.sum == 0) { return false }
        } else if mode == .user {
            return false
        }
        switch access {
        case .read: return flags & PTE.r != 0 || status & MStatus.mxr != 0 && flags & PTE.x != 0
        case .write: return flags & PTE.w != 0
        case .execute: return flags & PTE.x != 0
        }
    }

    /// The page walk (privileged spec 4.3.2). PTE reads are S-mode reads under PMP, A and D are
    /// set with a compare-and-exchange on the PTE (a PTE that changed meanwhile restarts the
    /// walk), and the entry returned is for the 4 KiB page holding `vaddr`.
    private func walk(_ vaddr: UInt64, _ access: MemoryFault.Access, _ mode: PrivilegeMode,
                      _ satp: UInt64, _ levels: Int) -> Result<TLB.Entry, GuestTrap> {
        restart: while true {
            var table = SATP.ppn(satp) << 12
            var global = false
            for level in stride(from: levels - 1, through: 0, by: -1) {
                let shift = UInt64(12 + 9 * level)
                let address = table &+ (vaddr >> shift & 0x1FF) &* 8
                guard pmpAllows(address, length: 8, access: .read, privilege: .supervisor),
                      let pointer = platform?.bus.ram(address, 8) else {
                    return .failure(fault(accessFault: access, vaddr))
                }
                let cell = pointer.assumingMemoryBound(to: Atomic<UInt64>.self)
                let pte = cell.pointee.load(ordering: .acquiring)
                let flags = UInt8(truncatingIfNeeded: pte)
                guard flags & PTE.v != 0, flags & (PTE.r | PTE.w) != PTE.w, pte & PTE.reserved == 0 else {
                    return .failure(fault(pageFault: access, vaddr))
                }
                global = global || flags & PTE.g != 0
                if flags & (PTE.r | PTE.x) == 0 {
                    // A pointer to the next level; its A, D and U bits are reserved.
                    guard level > 0, flags & (PTE.a | PTE.d | PTE.u) == 0 else {
                        return .failure(fault(pageFault: access, vaddr))
                    }
                    table = PTE.ppn(pte) << 12
                    continue
                }
                let low = UInt64(1) << (9 * UInt64(level)) - 1
                guard permits(flags, access, mode), PTE.ppn(pte) & low == 0 else {
                    return .failure(fault(pageFault: access, vaddr))
                }
                let wanted = pte | UInt64(PTE.a) | (access == .write ? UInt64(PTE.d) : 0)
                if wanted != pte {
                    guard pmpAllows(address, length: 8, access: .write, privilege: .supervisor) else {
                        return .failure(fault(accessFault: access, vaddr))
                    }
                    guard cell.pointee.compareExchange(expected: pte, desired: wanted, ordering: .acquiringAndReleasing).exchanged else {
                        continue restart
                    }
                    platform?.bus.writeLog?.note(address, 8)
                }
                // The leaf's page number above the level, the virtual page number below it.
                let physicalPage = (PTE.ppn(pte) & ~low | vaddr >> 12 & low) << 12
                return .success(TLB.Entry(virtualPage: vaddr >> 12, physicalPage: physicalPage,
                                          leafShift: UInt8(shift), flags: UInt8(truncatingIfNeeded: wanted) | (global ? PTE.g : 0),
                                          asid: SATP.asid(satp)))
            }
            return .failure(fault(pageFault: access, vaddr))
        }
    }

    private func fault(pageFault access: MemoryFault.Access, _ vaddr: UInt64) -> GuestTrap {
        let cause: ExceptionCause = switch access {
        case .read: .loadPageFault
        case .write: .storePageFault
        case .execute: .instructionPageFault
        }
        return GuestTrap(cause, pc: state.pc, tval: vaddr)
    }

    private func fault(accessFault access: MemoryFault.Access, _ vaddr: UInt64) -> GuestTrap {
        let cause: ExceptionCause = switch access {
        case .read: .loadAccessFault
        case .write: .storeAccessFault
        case .execute: .instructionAccessFault
        }
        return GuestTrap(cause, pc: state.pc, tval: vaddr)
    }
}
