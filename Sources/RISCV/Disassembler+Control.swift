extension Disassembler {
    mutating func renderJalr(_ i: Instruction) -> String {
        let rs1 = RegisterNames.x(i.rs1)
        // Only 32-bit jalr takes part in objdump's address tracking; c.jr and c.jalr do not.
        let tracked = i.length == 4
        if i.rd == 0 && i.rs1 == 1 && i.imm == 0 { return "ret" }
        if tracked { noteAccess(base: i.rs1, offset: i.imm) }
        let target = i.imm == 0 ? rs1 : "\(i.imm)(\(rs1))"
        switch i.rd {
        case 0: return line("jr", target)
        case 1: return line("jalr", target)
        default: return line("jalr", RegisterNames.x(i.rd), target)
        }
    }

    func renderBranch(_ i: Instruction, pc: UInt64) -> String {
        let target = address(pc &+ UInt64(bitPattern: i.imm))
        let rs1 = RegisterNames.x(i.rs1), rs2 = RegisterNames.x(i.rs2)
        let name = i.opcode.info.mnemonic
        // binutils' table order decides ties when both registers are zero.
        switch i.opcode {
        case .beq where i.rs2 == 0: return line("beqz", rs1, target)
        case .bne where i.rs2 == 0: return line("bnez", rs1, target)
        case .blt where i.rs2 == 0: return line("bltz", rs1, target)
        case .blt where i.rs1 == 0: return line("bgtz", rs2, target)
        case .bge where i.rs1 == 0: return line("blez", rs2, target)
        case .bge where i.rs2 == 0: return line("bgez", rs1, target)
        default: break
        }
        return line(name, rs1, rs2, target)
    }

    func renderFence(_ i: Instruction) -> String {
        let fm = (i.rm >> 8) & 0xf, pred = (i.rm >> 4) & 0xf, succ = i.rm & 0xf
        if fm == 8 { return "fence.tso" }
        if fm == 0 && pred == 1 && succ == 0 && hints.has(.zihintpause) { return "pause" }
        if pred == 0xf && succ == 0xf { return "fence" }
        return line("fence", fenceSet(pred), fenceSet(succ))
    }

    /// `iorw` letters for a fence predecessor/successor set.
    func fenceSet(_ bits: UInt16) -> String {
        if bits == 0 { return "unknown" }
        var text = ""
        for (bit, letter) in [(UInt16(8), "i"), (4, "o"), (2, "r"), (1, "w")] where bits & bit != 0 {
            text += letter
        }
        return text
    }

    /// Zicsr with objdump's aliases; the immediate forms print under the register mnemonics.
    func renderCSR(_ i: Instruction) -> String {
        let rd = RegisterNames.x(i.rd)
        let csr = CSR.name(i.csr, spec: privilegedSpec) ?? hex(UInt64(i.csr))
        let immediate = i.opcode == .csrrwi || i.opcode == .csrrsi || i.opcode == .csrrci
        let source = immediate ? String(i.rs1) : RegisterNames.x(i.rs1)
        let fp: [UInt16: String] = [CSR.fflags: "flags", CSR.frm: "rm", CSR.fcsr: "csr"]
        switch i.opcode {
        case .csrrw:
            if i.csr == CSR.cycle && i.rd == 0 && i.rs1 == 0 { return "unimp" }
            if let f = fp[i.csr] { return i.rd == 0 ? line("fs" + f, source) : line("fs" + f, rd, source) }
            return i.rd == 0 ? line("csrw", csr, source) : line("csrrw", rd, csr, source)
        case .csrrs:
            if i.rs1 == 0 {
                if let f = fp[i.csr] { return line("fr" + f, rd) }
                let counters: [UInt16: String] = [CSR.cycle: "rdcycle", CSR.time: "rdtime", CSR.instret: "rdinstret"]
                if let counter = counters[i.csr] { return line(counter, rd) }
                return line("csrr", rd, csr)
            }
            return i.rd == 0 ? line("csrs", csr, source) : line("csrrs", rd, csr, source)
        case .csrrc:
            return i.rd == 0 ? line("csrc", csr, source) : line("csrrc", rd, csr, source)
        case .csrrwi:
            if i.csr == CSR.fflags { return line("fsflagsi", rd, source) }
            if i.csr == CSR.frm { return line("fsrmi", rd, source) }
            return i.rd == 0 ? line("csrw", csr, source) : line("csrrw", rd, csr, source)
        case .csrrsi:
            return i.rd == 0 ? line("csrs", csr, source) : line("csrrs", rd, csr, source)
        case .csrrci:
            return i.rd == 0 ? line("csrc", csr, source) : line("csrrc", rd, csr, source)
        default:
            return renderGeneric(i)
        }
    }

    /// Compressed encodings whose objdump text differs from their base form's: the hints
    /// (which print under their `c.` names) and c.addi/c.addi16sp/c.mv, which skip or take aliases.
    mutating func renderCompressedSpecial(_ i: Instruction) -> String? {
        guard let entry = DecodeIndex.compressedEntry(UInt16(truncatingIfNeeded: i.raw)) else { return nil }
        let rd = RegisterNames.x(i.rd)
        switch entry.form {
        case .immediate where i.opcode == .addi:
            if i.rd == 0 { return i.imm == 0 ? "nop" : line("c.nop", String(i.imm)) }
            // objdump tracks lui values through c.addi (and c.addiw) as it does through addi.
            noteAccess(base: i.rd, offset: i.imm)
            return line("add", rd, rd, String(i.imm))
        case .immediate where i.imm != 0:
            noteAccess(base: i.rd, offset: i.imm, wide: true)
            return nil
        case .addi16sp:
            return line("add", "sp", "sp", String(i.imm))
        case .loadImmediate where i.rd == 0:
            return line("c.li", "zero", String(i.imm))
        case .lui where i.rd == 0:
            noteUpper(i.rd, i.imm)
            return line("c.lui", "zero", upperImmediate(i.imm))
        case .move:
            return line(i.rd == 0 ? "c.mv" : "mv", rd, RegisterNames.x(i.rs2))
        case .add where i.rd == 0 && (2...5).contains(i.rs2) && hints.has(.zihintntl):
            return "c." + Disassembler.nontemporal[Int(i.rs2) - 2]
        case .add where i.rd == 0:
            return line("c.add", rd, RegisterNames.x(i.rs2))
        case .mayBeOperation:
            return "c.mop.\((i.raw >> 7) & 31)"
        case .shift where i.imm == 0:
            return line("c.slli64", rd)
        case .shift where i.rd == 0:
            return line("c.slli", rd, hex(UInt64(bitPattern: i.imm)))
        case .shiftPrime where i.imm == 0:
            return line(i.opcode == .srli ? "c.srli64" : "c.srai64", rd)
        default:
            return nil
        }
    }
}
