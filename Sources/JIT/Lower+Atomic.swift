import Guest
import RISCV
import X86

/// A: LR/SC and AMOs inline, with the interpreter's semantics (Execute+Atomic.swift).
///
/// The address must be naturally aligned and inside guest memory; anything else goes to the
/// interpreter through the slow path, which raises the exact exception (misaligned before
/// access fault, lr as a load, sc and AMOs as stores). Inside the range the host page
/// protections do the permission check as for plain accesses, with `rax` holding the guest
/// address at every access that can fault. AMOs are `lock`-prefixed read-modify-writes (xchg,
/// xadd, or a cmpxchg loop), so they stay atomic once several harts share memory; being full
/// barriers on x86, they honour aq and rl whatever the bits say.
extension Translator {
    mutating func atomic(_ i: Instruction, _ op: AtomicOp) {
        switch op {
        case .lr_w: loadReserved(i, .dword)
        case .lr_d: loadReserved(i, .qword)
        case .sc_w: storeConditional(i, .dword)
        case .sc_d: storeConditional(i, .qword)
        case .amoswap_w: amo(i, .swap, .dword)
        case .amoadd_w: amo(i, .add, .dword)
        case .amoxor_w: amo(i, .xor, .dword)
        case .amoand_w: amo(i, .and, .dword)
        case .amoor_w: amo(i, .or, .dword)
        case .amomin_w: amo(i, .min, .dword)
        case .amomax_w: amo(i, .max, .dword)
        case .amominu_w: amo(i, .minu, .dword)
        case .amomaxu_w: amo(i, .maxu, .dword)
        case .amoswap_d: amo(i, .swap, .qword)
        case .amoadd_d: amo(i, .add, .qword)
        case .amoxor_d: amo(i, .xor, .qword)
        case .amoand_d: amo(i, .and, .qword)
        case .amoor_d: amo(i, .or, .qword)
        case .amomin_d: amo(i, .min, .qword)
        case .amomax_d: amo(i, .max, .qword)
        case .amominu_d: amo(i, .minu, .qword)
        case .amomaxu_d: amo(i, .maxu, .qword)
        case .amocas_w: compareAndSwap(i, .dword)
        case .amocas_d: compareAndSwap(i, .qword)
        case .amocas_q: compareAndSwapPair(i)
        }
    }

    /// What an AMO does to memory, as x86 carries it out.
    enum ReadModifyWrite { case swap, add, xor, and, or, min, max, minu, maxu }

    /// A full barrier (cheaper than mfence on most x86 cores): orders an earlier store before a
    /// later load, the one reordering x86 allows.
    mutating func fullBarrier() {
        a.lock()
        a.or(.dword(.rsp, 0), imm: 0)
    }

    var reservationValid: Mem { .qword(Host.state, Int32(StateOffset.reservationValid)) }

    /// lr: load, sign-extend, reserve. (rl on an lr asks for earlier stores to be visible first.)
    mutating func loadReserved(_ i: Instruction, _ size: OperandSize) {
        let done = a.newLabel()
        guestAddress(i, .atomic(size, misfit: helperPath(i, targets.slowPath, done: done)))
        if i.rm & 1 != 0 { fullBarrier() }
        markFaultSite(store: false)
        if size == .dword {
            // The whole reservation value, zero-extended as the interpreter keeps it: a later
            // sc.d to the address compares all 64 bits (fuzz seed 260 met a stale upper half).
            a.mov(.ecx, guestMemory(.dword))
            a.mov(.qword(Host.state, Int32(StateOffset.reservationValue)), .rcx)
            a.movsxd(.rcx, .ecx)
        } else {
            a.mov(.rcx, guestMemory(.qword))
            a.mov(.qword(Host.state, Int32(StateOffset.reservationValue)), .rcx)
        }
        store(i.rd, .rcx)
        a.mov(.qword(Host.state, Int32(StateOffset.reservation)), .rax)
        a.mov(reservationValid, imm: 1)
        a.bind(done)
    }

    /// sc: stores only under a valid reservation of this address, and only if memory still holds
    /// what lr read: a `lock cmpxchg` against that value, so another thread's store between lr and
    /// sc makes it fail (the ABA case succeeds, as in QEMU). rd = 0 on success, 1 on failure; the
    /// reservation is gone afterwards either way (but not if the store faults).
    mutating func storeConditional(_ i: Instruction, _ size: OperandSize) {
        let done = a.newLabel(), fail = a.newLabel(), finish = a.newLabel()
        guestAddress(i, .atomic(size, misfit: helperPath(i, targets.slowPath, done: done)))
        a.cmp(reservationValid, imm: 0)
        a.jcc(.e, fail)
        a.cmp(.rax, .qword(Host.state, Int32(StateOffset.reservation)))
        a.jcc(.ne, fail)
        moveGuestAddress(to: .rdx)
        let value = register(i.rs2, scratch: .rcx)
        if size == .dword {
            a.mov(.eax, .dword(Host.state, Int32(StateOffset.reservationValue)))
        } else {
            a.mov(.rax, .qword(Host.state, Int32(StateOffset.reservationValue)))
        }
        markFaultSite(store: true)
        a.lock()
        a.cmpxchg(guestMemory(size), Reg(value, size))
        a.jcc(.ne, fail)
        a.xor(.ecx, .ecx)
        a.jmp(finish)
        a.bind(fail)
        a.mov(.ecx, imm: 1)
        a.bind(finish)
        a.mov(reservationValid, imm: 0)
        store(i.rd, .rcx)
        a.bind(done)
    }

    /// AMOs: rd = the old value (sign-extended for .w), memory = op(old, x[rs2]).
    mutating func amo(_ i: Instruction, _ op: ReadModifyWrite, _ size: OperandSize) {
        let done = a.newLabel()
        guestAddress(i, .atomic(size, misfit: helperPath(i, targets.slowPath, done: done)))
        let rcx = Reg(.rcx, size)
        switch op {
        case .swap:
            load(.rcx, i.rs2)
            markFaultSite(store: true)
            a.xchg(guestMemory(size), rcx)
        case .add:
            load(.rcx, i.rs2)
            markFaultSite(store: true)
            a.lock()
            a.xadd(guestMemory(size), rcx)
        case .xor, .and, .or, .min, .max, .minu, .maxu:
            // Fetch the old value with a locked no-op add, which also proves the page writable
            // while rax still holds the address; then retry cmpxchg until no one intervened.
            a.xor(.ecx, .ecx)
            markFaultSite(store: true)
            a.lock()
            a.xadd(guestMemory(size), rcx)
            moveGuestAddress(to: .rdx)
            a.mov(.rax, .rcx)
            let retry = a.newLabel()
            a.bind(retry)
            a.mov(.rcx, .rax)
            switch op {
            case .xor: alu(.xor, rcx, i.rs2)
            case .and: alu(.and, rcx, i.rs2)
            case .or: alu(.or, rcx, i.rs2)
            case .min: pick(.g, rcx, i.rs2)
            case .max: pick(.l, rcx, i.rs2)
            case .minu: pick(.a, rcx, i.rs2)
            case .maxu: pick(.b, rcx, i.rs2)
            case .swap, .add: break
            }
            a.lock()
            a.cmpxchg(guestMemory(size), rcx)
            a.jcc(.ne, retry)
            a.mov(.rcx, .rax)
        }
        if size == .dword { a.movsxd(.rcx, .ecx) }
        store(i.rd, .rcx)
        a.bind(done)
    }

    /// `dst = x` when `dst cc x` after comparing them (x from wherever it lives; x0 from its
    /// always-zero slot in the state block).
    mutating func pick(_ cc: Condition, _ dst: Reg, _ x: UInt8) {
        alu(.cmp, dst, x)
        switch operand(x) {
        case .zero: a.cmovcc(cc, dst, Mem(dst.size, base: .gpr(Host.state), disp: Int32(StateOffset.x)))
        case .host(let h): a.cmovcc(cc, dst, h.sized(dst.size))
        case .memory(let d): a.cmovcc(cc, dst, Mem(dst.size, base: .gpr(Host.state), disp: d))
        }
    }
}

/// Zacas inline: `lock cmpxchg` for amocas.w/d, `lock cmpxchg16b` for amocas.q (Execute+Atomic.swift
/// has the semantics). x86's cmpxchg writes memory back even when the comparison fails, so the
/// page must be writable either way, as for a RISC-V AMO.
extension Translator {
    /// amocas.w/d: rax = x[rd] (the expected value), `lock cmpxchg [address], x[rs2]`; rax ends
    /// up holding the old value whether or not it stored.
    mutating func compareAndSwap(_ i: Instruction, _ size: OperandSize) {
        let done = a.newLabel()
        guestAddress(i, .atomic(size, misfit: helperPath(i, targets.slowPath, done: done)))
        moveGuestAddress(to: .rdx)
        load(.rcx, i.rs2)
        load(.rax, i.rd)
        markFaultSite(store: true)
        a.lock()
        a.cmpxchg(guestMemory(size), Reg(.rcx, size))
        if size == .dword { a.movsxd(.rax, .eax) }
        store(i.rd, .rax)
        a.bind(done)
    }

    /// amocas.q: cmpxchg16b wants the expected pair in rdx:rax and the new one in rcx:rbx, but rbx
    /// is the state pointer, so it is pushed around the instruction (with r11, the budget, which
    /// holds the address). A locked no-op `or` on the block first takes any fault while rbx is
    /// still the state pointer, so the cmpxchg16b cannot fault. Odd register numbers (reserved)
    /// and misaligned or out-of-range addresses go to the interpreter.
    mutating func compareAndSwapPair(_ i: Instruction) {
        guard i.rd & 1 == 0 && i.rs2 & 1 == 0 else { slowPath(i); return }
        let done = a.newLabel()
        let misfit = helperPath(i, targets.slowPath, done: done)
        load(.rax, i.rs1)
        a.test(.eax, imm: 15)
        a.jcc(.ne, misfit)
        a.cmp(.rax, .qword(Host.state, Int32(StateOffset.memoryLimit)))
        a.jcc(.ae, misfit)
        access = (Host.t0, 0)
        markFaultSite(store: true)
        a.lock()
        a.or(guestMemory(.qword), imm: 0)
        // x0 as a pair is zero in both halves.
        func high(_ r: UInt8) -> UInt8 { r == 0 ? 0 : r + 1 }
        a.push(.r11)
        a.mov(.r11, .rax)
        load(.rcx, high(i.rs2))
        load(.rax, i.rd)
        load(.rdx, high(i.rd))
        a.push(.rbx)
        load(.rbx, i.rs2)
        a.lock()
        a.cmpxchg16b(Mem(.qword, base: .gpr(Host.memory), index: .r11, scale: 1, disp: 0))
        a.pop(.rbx)
        a.pop(.r11)
        if i.rd != 0 {
            store(i.rd, .rax)
            store(i.rd + 1, .rdx)
        }
        a.bind(done)
    }
}
