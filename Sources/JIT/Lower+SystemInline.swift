import Guest
import RISCV
import X86

/// System instructions translated code performs itself in system mode, in their common cases,
/// instead of leaving for the trap-and-emulate handler: each such exit is a round trip through
/// the dispatcher, and a Linux boot made about 1.6 million of them.
///
/// Such an instruction still ends its block (it is in the system group), but on its fast path
/// it retires there and the block goes on to the next instruction like any block that falls
/// through; the budget counts it like any other instruction of the block (`Translator.counted`).
/// Otherwise it leaves as before (or calls the slow path), exactly as the handler would do it.
///
/// - `cbo.zero` (Zicboz): Linux clears every page it hands out with 64 of them (about 950,000
///   exits a boot). When the envcfg bits allow it at the block's privilege and the 64-byte
///   block's page has a write entry in the inline TLB (RAM the privilege may store to, dirty,
///   holding no translated code: SystemTLB.swift), the 64 bytes are zeroed in place, as eight
///   stores to that page would; otherwise the slow-path helper does what the handler did
///   (envcfg, translation, PMP, devices, the exact fault) and fills the write entry.
/// - Zicsr on `sstatus` in S- and M-mode (about 400,000 exits: the kernel's interrupt
///   disabling and its reads of sstatus): done inline when the only change is clearing SIE, or
///   nothing changes (a read; setting bits already set). Setting a clear bit (enabling
///   interrupts, which may let one in; SUM, which picks another inline TLB set), or clearing
///   any bit but SIE, leaves for the handler as before.
extension Translator {
    /// Whether `i`, the last instruction of a block, may retire in the block (see above).
    static func retiresInline(_ i: Instruction, _ targets: TranslationTargets) -> Bool {
        guard let mode = targets.system else { return false }
        switch i.opcode {
        case .cbo_zero: return true
        case .csrrs, .csrrc, .csrrsi, .csrrci:
            return i.csr == CSRNumber.sstatus && mode != PrivilegeMode.user.rawValue
        default: return false
        }
    }

    /// Lowers a system instruction `retiresInline` accepted.
    mutating func systemInline(_ i: Instruction) {
        if i.opcode == .cbo_zero { systemCacheBlockZero(i) } else { statusCSR(i) }
    }

    private mutating func systemCacheBlockZero(_ i: Instruction) {
        let done = a.newLabel()
        let slow = helperPath(i, targets.slowPath, done: done)
        let mode = targets.system ?? PrivilegeMode.machine.rawValue
        if mode != PrivilegeMode.machine.rawValue {
            a.test(.qword(Host.state, Int32(StateOffset.menvcfg)), imm: Int32(EnvConfig.cbze))
            a.jcc(.e, slow)
            if mode == PrivilegeMode.user.rawValue {
                a.test(.qword(Host.state, Int32(StateOffset.senvcfg)), imm: Int32(EnvConfig.cbze))
                a.jcc(.e, slow)
            }
        }
        load(.rax, i.rs1)
        a.and(.rax, imm: Int32(truncatingIfNeeded: ~Int64(Hart.cacheBlockSize - 1)))
        // The block lies in one page, so its aligned start probes the write entry for all of it.
        probeSystemTLBEntry(size: 1, store: true, miss: slow)
        for offset in stride(from: 0, to: Int32(Hart.cacheBlockSize), by: 8) { a.mov(.qword(.rax, offset), imm: 0) }
        a.bind(done)
        exit(to: pc &+ UInt64(i.length))
    }

    /// csrrs/csrrc/csrrsi/csrrci on sstatus (see above): rax = the operand's writable bits,
    /// rcx = mstatus; anything but clearing SIE or changing nothing goes to the handler.
    private mutating func statusCSR(_ i: Instruction) {
        let handler = a.newLabel()
        let mstatus = Mem.qword(Host.state, Int32(StateOffset.mstatus))
        let immediate = i.opcode == .csrrsi || i.opcode == .csrrci
        if immediate {
            materialize(.rax, UInt64(i.rs1) & MStatus.supervisorWritableBits)
        } else {
            load(.rax, i.rs1)
            a.and(.rax, imm: Int32(MStatus.supervisorWritableBits))
        }
        a.mov(.rcx, mstatus)
        if i.opcode == .csrrs || i.opcode == .csrrsi {
            // Bits it would set that are clear now: none, or the handler.
            a.mov(.rdx, .rcx)
            a.not(.rdx)
            a.test(.rdx, .rax)
            a.jcc(.ne, handler)
        } else {
            // Bits it clears that are set now: SIE at most, or the handler.
            a.and(.rax, .rcx)
            a.test(.rax, imm: Int32(truncatingIfNeeded: ~Int64(MStatus.sie)))
            a.jcc(.ne, handler)
            a.xor(mstatus, .rax)
        }
        if i.rd != 0 {
            // rd = the old value as sstatus shows it (CSRFile: mstatus & supervisorView).
            a.mov(.rax, .rcx)
            a.and(.rax, imm: Int32(MStatus.supervisorWritableBits))
            a.mov(.rdx, imm: Int64(bitPattern: MStatus.uxl))
            a.or(.rax, .rdx)
            let clean = a.newLabel()
            a.and(.ecx, imm: Int32(MStatus.fs))
            a.cmp(.ecx, imm: Int32(MStatus.fs))
            a.jcc(.ne, clean)
            a.mov(.rdx, imm: Int64(bitPattern: MStatus.sd))
            a.or(.rax, .rdx)
            a.bind(clean)
            store(i.rd, .rax)
        }
        exit(to: pc &+ UInt64(i.length))
        a.bind(handler)
        // The block's budget counted this instruction; the handler retires it itself.
        a.add(.r64(Host.budget), imm: 1)
        leaveForHandler(i)
    }
}
