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
    /// The lowering of an instruction system mode keeps out of translated code: A (reservations
    /// and AMOs stay the interpreter's), F/D and their loads and stores (mstatus.FS decides
    /// whether they trap and they make it dirty) and the FP CSRs: all of them through the
    /// slow path, which runs them with the interpreter's system semantics.
    mutating func systemHelperOnly(_ i: Instruction) -> Bool {
        guard targets.system != nil else { return false }
        switch i.opcode.operation {
        case .atomic, .float, .floatMemory: return true
        case .system: return Lowering.isFloatCSR(i)
        default: return false
        }
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
        // The memory register holds the table's base in system mode (JIT.run), so neither the
        // index nor the tag waits for a load of it.
        let table = Int32(store ? SystemTLB.entries * SystemTLB.entrySize : 0)
        a.mov(.ecx, .eax)
        a.shr(.ecx, imm: 8)
        a.and(.ecx, imm: Int32((SystemTLB.entries - 1) * SystemTLB.entrySize))
        a.mov(.rdx, .rax)
        a.and(.rdx, imm: Int32(truncatingIfNeeded: ~Int64(0xFFF) | Int64(size - 1)))
        a.cmp(.rdx, .qword(Host.memory, .rcx, 1, table))
        a.jcc(.ne, miss)
        a.add(.rax, .qword(Host.memory, .rcx, 1, table + 8))
    }

    mutating func systemLoad(_ i: Instruction, _ kind: LoadKind) {
        let size: Int = switch kind {
        case .signed8, .unsigned8: 1
        case .signed16, .unsigned16: 2
        case .signed32, .unsigned32: 4
        case .bits64: 8
        }
        let done = a.newLabel()
        probeSystemTLB(i, size: size, store: false, miss: helperPath(i, targets.slowPath, done: done))
        var d = Host.t1
        if case .host(let h) = operand(i.rd) { d = h }
        switch kind {
        case .signed8: a.movsx(.r64(d), .byte(.rax, 0))
        case .signed16: a.movsx(.r64(d), .word(.rax, 0))
        case .signed32: a.movsxd(.r64(d), .dword(.rax, 0))
        case .bits64: a.mov(.r64(d), .qword(.rax, 0))
        case .unsigned8: a.movzx(.r32(d), .byte(.rax, 0))
        case .unsigned16: a.movzx(.r32(d), .word(.rax, 0))
        case .unsigned32: a.mov(.r32(d), .dword(.rax, 0))
        }
        store(i.rd, d)
        a.bind(done)
    }

    mutating func systemStore(_ i: Instruction, _ size: OperandSize) {
        let done = a.newLabel()
        probeSystemTLB(i, size: Int(size.rawValue), store: true, miss: helperPath(i, targets.slowPath, done: done))
        let target = Mem(size, base: .gpr(.rax))
        switch operand(i.rs2) {
        case .zero: a.mov(target, imm: 0)
        case .host(let h): a.mov(target, Reg(h, size))
        case .memory(let d):
            a.mov(.rcx, .qword(Host.state, d))
            a.mov(target, Reg(.rcx, size))
        }
        a.bind(done)
    }
}

extension Translator {
    /// System mode: a direct exit to another guest page. Its block depends on that page's
    /// mapping, which may change while this block stays valid, so the jump is never patched:
    /// it goes through the privilege's `jalr` table (emptied whenever translation changes),
    /// and to the dispatcher on a miss.
    mutating func exitThroughTable(to target: UInt64) {
        let miss = a.newLabel()
        materialize(.rax, target)
        probeIndirectTable(miss: miss)
        a.jmp(.qword(.rcx, 8))
        a.bind(miss)
        a.mov(.qword(Host.state, Int32(StateOffset.pc)), .rax)
        leave(.indirect)
    }
}
