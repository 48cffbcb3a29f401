import Guest
import RISCV
import X86

/// System mode's loads and stores: each probes the inline data TLB (SystemTLB.swift) and, on a
/// hit, accesses host memory at the guest virtual address plus the entry's addend; on a miss the
/// whole instruction runs in the interpreter's system memory through the slow-path helper (page
/// walk, PMP, devices, exact faults, page-crossing accesses), which also fills the entry when
/// the page is plain RAM the access may reach without the slow path.
///
/// The probe: entry = tlb[(vaddr >> 12) & (entries - 1)], 16 bytes: the tag (virtual page
/// address) and the addend (host page address minus virtual page address). The address is
/// compared after masking with ~0xFFF | (size - 1), so a misaligned access (which may cross a
/// page) never hits. Loads use the read table, stores the write table right after it.
extension Translator {
    /// System mode's own lowerings, before the common ones: A stays the interpreter's
    /// (reservations and AMOs through the slow path); F/D, their loads and stores and the FP
    /// CSRs are inline behind a check of mstatus.FS (`systemFloat`). True when `i` was emitted.
    mutating func lowerSystemSpecial(_ i: Instruction) -> Bool {
        guard targets.system != nil else { return false }
        switch i.opcode.operation {
        case .atomic: slowPath(i)
        case .float, .floatMemory: systemFloat(i)
        case .system where Lowering.isFloatCSR(i): systemFloat(i)
        default: return false
        }
        return true
    }

    /// An F/D instruction (arithmetic, load, store, FP CSR access) in system mode: inline as in
    /// user mode while mstatus.FS is Dirty. Nothing the instruction does inline changes mstatus
    /// (FS stays Dirty), so only a block's first F/D instruction checks FS
    /// (`floatStatusKnown`): the instructions after it in the block rely on that check.
    /// That holds because FS changes only through
    /// - a write of mstatus or sstatus (csrrw/s/c and the immediate forms, which end the block;
    ///   the inline sstatus lowering, Lower+SystemInline.swift, only ever clears SIE and also
    ///   ends the block), mret/sret and trap entry (all leave translated code);
    /// - an F/D instruction or FP CSR access run by the interpreter, which can only make FS
    ///   Dirty (or trap, leaving the block);
    /// and interrupts are taken only between blocks. The helpers a block calls in between (the
    /// system slow path for loads, stores and AMOs, FloatUnit, the bit and crypto helpers)
    /// write no CSR but fflags, or leave the block with a trap.
    /// When FS is not Dirty at the check, the slow path runs the instruction with the
    /// interpreter's semantics (an illegal-instruction trap when FS is Off, FS made Dirty when it
    /// writes FP state); if FS is Dirty after it the block goes on, otherwise (it only read FP
    /// state under Initial or Clean) the block leaves for the next instruction, whose own block
    /// checks again. A slow FP CSR write may have changed frm, so the guest MXCSR image is then
    /// made again from it.
    mutating func systemFloat(_ i: Instruction) {
        let done = a.newLabel()
        let csr = Lowering.isFloatCSR(i)
        let reload = csr ? a.newLabel() : done
        let checked = !floatStatusKnown
        if checked {
            let check = outOfLine(.inline(.floatStatus(i, pc: pc, index: index, resume: reload)))
            a.mov(.ecx, .dword(Host.state, Int32(StateOffset.mstatus)))
            a.and(.ecx, imm: Int32(MStatus.fs))
            a.cmp(.ecx, imm: Int32(MStatus.fs))
            a.jcc(.ne, check)
            floatStatusKnown = true
        }
        switch i.opcode.operation {
        case .floatMemory:
            systemAccess(i, done: done)
            // The check's out-of-line part rejoins at `done` with rax as the slow path left it.
            if checked { addendInRAX = (-2, -1) }
        case .float(let op): floatArithmetic(i, op)
        default: floatCSR(i)
        }
        if csr {
            a.jmp(done)
            a.bind(reload)
            GuestMXCSR.loadFromFRM(&a)
        }
        a.bind(done)
    }

    /// The out-of-line part of a block's FS check (`systemFloat`): instruction `i` at `pc`
    /// (position `index`) found FS not Dirty. The slow path runs it; the block goes on at
    /// `resume` if that left FS Dirty, and leaves for the next instruction otherwise.
    mutating func emitFloatStatusStub(_ i: Instruction, pc: UInt64, index: Int, resume: Label) {
        let (savedPC, savedIndex) = (self.pc, self.index)
        self.pc = pc
        self.index = index
        callHelper(i, targets.slowPath)
        a.mov(.ecx, .dword(Host.state, Int32(StateOffset.mstatus)))
        a.and(.ecx, imm: Int32(MStatus.fs))
        a.cmp(.ecx, imm: Int32(MStatus.fs))
        if case .head(let g) = sharedProbes.roles[index], probeNeeded(g) {
            // A head of shared probes (SystemSharedProbes.swift) whose probe this path skipped:
            // its members go on only after the group's probe hits.
            let leave = a.newLabel()
            a.jcc(.ne, leave)
            probeGroupAgain(g, miss: leave)
            a.jmp(resume)
            a.bind(leave)
        } else {
            a.jcc(.e, resume)
        }
        leaveAfter(index)
        self.pc = savedPC
        self.index = savedIndex
    }

    /// Leaves rax = host address of the access by `i` of `size` bytes, or jumps to `miss`.
    mutating func probeSystemTLB(_ i: Instruction, size: Int, store: Bool, miss: Label) {
        let imm = Int32(truncatingIfNeeded: i.imm)
        switch operand(i.rs1) {
        case .zero: materialize(.rax, UInt64(bitPattern: i.imm))
        case .host(let h):
            if imm == 0 { a.mov(.rax, .r64(h)) } else { a.lea(.rax, .qword(h, imm)) }
        case .memory(let d):
            a.mov(.rax, .qword(Host.state, d))
            if imm != 0 { a.add(.rax, imm: imm) }
        }
        probeSystemTLBEntry(size: size, store: store, miss: miss)
    }

    /// The probe itself, for the guest address in rax: on a hit rax becomes the host address.
    mutating func probeSystemTLBEntry(size: Int, store: Bool, miss: Label) {
        // The memory register holds the table's base in system mode (JIT.run), so neither the
        // index nor the tag waits for a load of it.
        let table = Int32(store ? SystemTLB.entries * SystemTLB.entrySize : 0)
        if targets.features.bmi2 {
            a.rorx(.ecx, .eax, imm: 8) // one instruction for the copy and the shift
        } else {
            a.mov(.ecx, .eax)
            a.shr(.ecx, imm: 8)
        }
        a.and(.ecx, imm: Int32((SystemTLB.entries - 1) * SystemTLB.entrySize))
        a.mov(.rdx, .rax)
        a.and(.rdx, imm: Int32(truncatingIfNeeded: ~Int64(0xFFF) | Int64(size - 1)))
        a.cmp(.rdx, .qword(Host.memory, .rcx, 1, table))
        a.jcc(.ne, miss)
        a.add(.rax, .qword(Host.memory, .rcx, 1, table + 8))
    }

    /// An integer load or store.
    mutating func systemMemory(_ i: Instruction) {
        let done = a.newLabel()
        systemAccess(i, done: done)
        a.bind(done)
    }

    /// A load or store (integer or F/D: flw/fld/flh, fsw/fsd/fsh) through the inline TLB, its
    /// group's shared probe (SystemSharedProbes.swift) or its own; a miss or a misaligned
    /// address goes to the slow path, which performs it, then to `done`.
    mutating func systemAccess(_ i: Instruction, done: Label) {
        let (store, size) = SharedProbes.access(i)!
        if let shared = sharedAccess(i, done: done) {
            emitAccess(i, at: shared)
        } else {
            probeSystemTLB(i, size: Int(size), store: store, miss: helperPath(i, targets.slowPath, done: done))
            emitAccess(i, at: AccessAddress())
        }
    }

    /// The access itself, at the host address `at` stands for. Leaves rax alone: members of a
    /// shared probe that follow may find their addend still there (`sharedAccess`).
    mutating func emitAccess(_ i: Instruction, at: AccessAddress) {
        switch i.opcode.operation {
        case .memory(let op):
            switch op {
            case .sb: emitStore(i, at.mem(.byte))
            case .sh: emitStore(i, at.mem(.word))
            case .sw: emitStore(i, at.mem(.dword))
            case .sd: emitStore(i, at.mem(.qword))
            default:
                var d = Host.t1
                if case .host(let h) = operand(i.rd) { d = h }
                switch op {
                case .lb: a.movsx(.r64(d), at.mem(.byte))
                case .lh: a.movsx(.r64(d), at.mem(.word))
                case .lw: a.movsxd(.r64(d), at.mem(.dword))
                case .ld: a.mov(.r64(d), at.mem(.qword))
                case .lbu: a.movzx(.r32(d), at.mem(.byte))
                case .lhu: a.movzx(.r32(d), at.mem(.word))
                case .lwu: a.mov(.r32(d), at.mem(.dword))
                default: preconditionFailure("not a load: \(i.opcode)")
                }
                store(i.rd, d)
            }
        case .floatMemory(let op):
            switch op {
            case .fld:
                if let x = fXMM(i.rd) {
                    a.movsd(x, at.mem(.qword))
                } else {
                    a.mov(.rcx, at.mem(.qword))
                    storeFBits(i.rd, .rcx)
                }
            case .flw, .flh:
                let half = op == .flh
                if half { a.movzx(.ecx, at.mem(.word)) } else { a.mov(.ecx, at.mem(.dword)) }
                a.mov(.rdx, imm: Int64(bitPattern: half ? Translator.halfBox : Translator.nanBox))
                a.or(.rcx, .rdx)
                storeFBits(i.rd, .rcx)
            case .fsd:
                if let x = fXMM(i.rs2) {
                    a.movsd(at.mem(.qword), x)
                } else {
                    a.mov(.rcx, fSlot(i.rs2))
                    a.mov(at.mem(.qword), .rcx)
                }
            case .fsw, .fsh:
                if let x = fXMM(i.rs2) { a.movd(.ecx, x) } else { a.mov(.ecx, fLow(i.rs2)) }
                if op == .fsh { a.mov(at.mem(.word), .cx) } else { a.mov(at.mem(.dword), .ecx) }
            }
        default: preconditionFailure("not a load or store: \(i.opcode)")
        }
    }

    private mutating func emitStore(_ i: Instruction, _ target: Mem) {
        switch operand(i.rs2) {
        case .zero: a.mov(target, imm: 0)
        case .host(let h): a.mov(target, Reg(h, target.size))
        case .memory(let d):
            a.mov(.rcx, .qword(Host.state, d))
            a.mov(target, Reg(.rcx, target.size))
        }
    }
}

extension Translator {
    /// System mode: a direct exit to another guest page. Its target depends on that page's
    /// mapping (and on its block not having been dropped), which may change while this block
    /// stays valid, so the chained jump is guarded by the translation epoch of the block's
    /// privilege (SystemEpochs.swift), which moves whenever that could have happened:
    ///
    ///     cmp dword [state + epoch(mode)], imm32   ; the epoch the site was linked under
    ///     jne stale
    ///     jmp target                               ; a chain request until linked
    /// stale:
    ///     the privilege's `jalr` table (a miss: the chain request, which links the site again)
    ///
    /// A site whose target may not be chained (a block reaching into yet another page) gets an
    /// epoch no check equals, so it always goes through the table.
    mutating func chainAcrossPages(to target: UInt64) {
        let id = firstChainSiteID + chainSites.count
        let request = outOfLine(.chainRequest(target: target, id: id))
        let stale = a.newLabel()
        let mode = Int32(targets.system ?? 0) & 3
        let epochAt = a.cmpPatchable(.dword(Host.state, Int32(ScratchSlot.epochs) + 4 * mode),
                                     imm: Int32(bitPattern: targets.epoch))
        a.jcc(.ne, stale)
        let site = a.patchableJmp(request)
        chainSites.append(ChainSite(displacementOffset: site.displacementOffset,
                                    jumpEnd: a.baseAddress &+ UInt64(site.displacementOffset + 4), target: target,
                                    epochOffset: epochAt))
        a.bind(stale)
        materialize(.rax, target)
        a.jmp(probeIndirectTable(miss: request))
    }
}
