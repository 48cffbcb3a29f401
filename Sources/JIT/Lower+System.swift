import Guest
import RISCV
import X86

/// Instructions translated code does not perform itself.
extension Translator {
    /// Privileged and sensitive instructions end the block and go to the trap-and-emulate handler
    /// (`Hart.emulateSystem`) with their decoded form and pc.
    mutating func system(_ i: Instruction) {
        if Translator.retiresInline(i, targets) { systemInline(i); return } // Lower+SystemInline.swift
        leaveForHandler(i)
    }

    mutating func leaveForHandler(_ i: Instruction) {
        let index = tables.addSystemInstruction(i)
        storePC(pc)
        leave(.system, argument: index, tag: instructionTag(.systemInstruction, i))
    }

    /// The whole instruction in the interpreter, through `slowPathEntry`: the lowering a new
    /// instruction starts with, until it is worth emitting inline.
    mutating func slowPath(_ i: Instruction) {
        callHelper(i, targets.slowPath)
    }

    /// Calls a C helper `uint32_t helper(void *state, const Instruction *inst)` for one
    /// instruction: nonzero means it raised an exception, and the block leaves with `.helper`
    /// (argument: the instruction bits, for a helper that cannot say more than "illegal").
    ///
    /// Only what the call can clobber or see is written back: the caller-saved cache registers
    /// and the budget, plus the callee-saved ones named by the instruction's register fields
    /// (whether the fields name x or f registers does not matter: writing back an unchanged value
    /// is harmless). Afterwards those are reloaded, picking up a written rd.
    ///
    /// perf-fp: the cached f registers go the same way (every xmm register is caller-saved), and
    /// the helper runs under the host's MXCSR: the guest's pending flags are first folded into
    /// fflags, and the guest image, flags clear, is loaded again afterwards. frm cannot change
    /// in a helper (none writes the FP CSRs), so that image is still right.
    mutating func callHelper(_ i: Instruction, _ helper: UInt64) {
        // The shared thunk pushes and pops the caller-saved cache registers whatever guest they
        // hold, so a block that swapped others in (BlockRegisters.swift) may use it too: the
        // helper reads and writes only the registers the instruction names, which `callThunk`
        // stores and reloads through `operand`. Not with the spare register (rdx) allocated,
        // which the thunk does not save (a block that calls a helper never has it: `spareIsFree`).
        if blockRegisters.isEmpty || (targets.allocatedThunks && !blockRegisters.holdsSpare),
           let thunk = targets.helperThunks[helper] {
            callThunk(i, thunk)
            return
        }
        let instruction = tables.keep(i)
        // Whatever the cache registers hold in this block (BlockRegisters.swift).
        // amocas.q also reads and writes the second register of its rd and rs2 pairs.
        let pairs: [UInt8] = i.opcode == .amocas_q ? [i.rd | 1, i.rs2 | 1] : []
        let named = ([i.rd, i.rs1, i.rs2] + pairs).compactMap { x -> (guest: Int, host: GPR)? in
            guard case .host(let h) = operand(x), RegisterMap.isCalleeSaved(h) else { return nil }
            return (Int(x), h)
        }
        let saved = cachedPairs(callerSavedOnly: true) + named
        storePC(pc)
        for (g, h) in saved { a.mov(.qword(Host.state, Int32(8 * g)), .r64(h)) }
        a.mov(.qword(Host.state, Int32(ScratchSlot.budget)), .r64(Host.budget))
        GuestMXCSR.leave(&a)
        a.mov(.rdi, .rbx)
        a.mov(.rsi, imm: Int64(Int(bitPattern: instruction)), tag: instructionTag(.instruction, i))
        a.mov(.rax, imm: Int64(bitPattern: helper), tag: Relocation.helperTag(helper))
        a.call(.rax)
        GuestMXCSR.resume(&a)
        for (g, h) in saved { a.mov(.r64(h), .qword(Host.state, Int32(8 * g))) }
        a.mov(.r64(Host.budget), .qword(Host.state, Int32(ScratchSlot.budget)))
        // Caller-saved addend registers (SystemSharedProbes.swift), from their homes.
        if regs.allocated {
            for (g, r) in addendHosts.enumerated() {
                if let r, !RegisterMap.isCalleeSaved(r) { a.mov(.r64(r), sharedAddend(g)) }
            }
        }
        let failed = outOfLine(.helperFailed(notRetired: notRetired, raw: i.raw))
        a.test(.eax, .eax)
        a.jcc(.ne, failed)
    }

    /// `callHelper` through the helper's shared thunk (system mode): the registers the
    /// instruction names go to the state block for the helper to read (rd too: the fields may
    /// name f registers, and rd is reloaded), the thunk saves and restores everything else.
    /// amocas.q also reads the second registers of its rd and rs2 pairs and writes rd's.
    private mutating func callThunk(_ i: Instruction, _ thunk: UInt64) {
        let instruction = tables.keep(i)
        var stored: [UInt8] = []
        storePC(pc)
        let pairs: [UInt8] = i.opcode == .amocas_q ? [i.rd | 1, i.rs2 | 1] : []
        for x in [i.rd, i.rs1, i.rs2] + pairs where !stored.contains(x) {
            stored.append(x)
            if case .host(let h) = operand(x) { a.mov(.qword(Host.state, Int32(8 * Int(x))), .r64(h)) }
        }
        a.mov(.rax, imm: Int64(Int(bitPattern: instruction)), tag: instructionTag(.instruction, i))
        a.call(absolute: thunk)
        for x in [i.rd] + (i.opcode == .amocas_q ? [i.rd | 1] : []) {
            if case .host(let h) = operand(x) { a.mov(.r64(h), .qword(Host.state, Int32(8 * Int(x)))) }
        }
        let failed = outOfLine(.helperFailed(notRetired: notRetired, raw: i.raw))
        a.test(.eax, .eax)
        a.jcc(.ne, failed)
    }
}
