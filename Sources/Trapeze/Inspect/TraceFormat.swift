import Guest
import RISCV

/// The text of one `--trace` line, in the spirit of Spike's commit log:
///
///     core   0: 0x0000000000010552 (0x00052537) lui     a0,0x52              <main>                          x10 0x0000000000052000
///
/// pc, the encoding (4 hex digits for a compressed instruction), the disassembly (objdump
/// syntax, mnemonic padded to 8), the guest symbol if the address has one, then the effects: the register written and
/// its new value (`x3  0x...`, `f10 0x...`), `mem ADDRESS VALUE` for a store (the value as
/// wide as the store), `mem ADDRESS` for a load, `fflags 0x..` when the flags changed, and for
/// a trap `trap: CAUSE, tval 0x..` instead.
public enum TraceFormat {
    /// The objdump text with the mnemonic padded to 8 columns instead of a tab.
    static func assembly(_ text: String) -> String {
        guard let tab = text.firstIndex(of: "\t") else { return text }
        let mnemonic = String(text[..<tab])
        return mnemonic + String(repeating: " ", count: max(8 - mnemonic.count, 1)) + text[text.index(after: tab)...]
    }

    static func head(_ pc: UInt64, _ inst: Instruction?, raw: UInt32?, symbol: String?) -> String {
        var line = "core   0: " + Hex.pad(pc, 16)
        if let inst {
            line += inst.length == 2 ? " (\(Hex.pad(UInt64(inst.raw & 0xffff), 4)))    " : " (\(Hex.pad(UInt64(inst.raw), 8)))"
            var d = Disassembler(addressComments: false)
            line += " " + Hex.padRight(assembly(d.disassemble(inst, pc: pc)), 28)
        } else {
            line += " (" + (raw.map { Hex.pad(UInt64($0), 8) } ?? "??????????") + ") " + Hex.padRight("(undecodable)", 28)
        }
        // Padded so the effects line up, except after the rare very long name.
        if let symbol { line += " " + Hex.padRight("<\(symbol)>", 30) }
        return line
    }

    /// The effects of a retired instruction, read from the state after it ran.
    static func effects(_ inst: Instruction, before: StateSnapshot, after state: GuestState, memory: GuestMemory,
                        access: (address: UInt64, width: UInt64)?) -> [String] {
        let spec = inst.opcode.info
        var out: [String] = []
        if spec.writesX, inst.rd != 0 {
            out.append(register("x", Int(inst.rd), state.x(Int(inst.rd))))
        } else if spec.writesF {
            out.append(register("f", Int(inst.rd), state.f(Int(inst.rd))))
        } else if inst.opcode == .ecall, state.x(10) != before.x(10) {
            out.append(register("x", 10, state.x(10)))
        }
        if let access, let kind = spec.memory?.kind {
            switch kind {
            case .store, .storeConditional, .atomic:
                // Up to 16 bytes (amocas.q), printed as one little-endian number.
                var value: (UInt64, UInt64) = (0, 0)
                let width = min(Int(access.width), 16)
                let stored: Void? = withUnsafeMutableBytes(of: &value) { bytes in
                    try? memory.copyOut(access.address, to: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<width]))
                }
                if stored != nil {
                    let low = UInt64(littleEndian: value.0), high = UInt64(littleEndian: value.1)
                    let text = width > 8 ? Hex.pad(high, 16) + Hex.pad(low, 16) : Hex.pad(low, width * 2)
                    out.append("mem \(Hex.pad(access.address, 16)) \(text)")
                }
            case .load, .loadReserved:
                out.append("mem \(Hex.pad(access.address, 16))")
            }
        }
        if state.fflags != before.fflags { out.append("fflags \(Hex.pad(UInt64(state.fflags), 2))") }
        return out
    }

    static func register(_ file: String, _ n: Int, _ value: UInt64) -> String {
        let name = "\(file)\(n)"
        return Hex.padRight(name, 3) + " " + Hex.pad(value, 16)
    }

    static func trap(_ trap: GuestTrap) -> String {
        "trap: \(trap.cause), tval \(Hex.pad(trap.tval, 0))"
    }

    /// Joins the parts with two spaces, dropping the padding before an empty tail.
    static func line(_ head: String, _ tail: [String]) -> String {
        let trimmed = head.hasSuffix(" ") ? String(head.reversed().drop(while: { $0 == " " }).reversed()) : head
        return tail.isEmpty ? trimmed : head + "  " + tail.joined(separator: "  ")
    }
}
