import JIT

/// The dump's text form: a header per block, then guest instructions on the left and the host
/// instructions they became on the right, then the exits.
///
/// ```
/// block #1  guest 0x100e8-0x100f0 <loop+0x14>  ran 100000 times  host 0x7f12a4c000c0, 52 bytes
///   entry                                       | +0x00  sub r11, 2
/// ```
enum DumpText {
    /// Width of the guest column.
    static let guestWidth = 46

    static func lines(_ b: DumpedBlock) -> [String] {
        let info = b.info
        let count = info.guest.count
        var header = "block #\(info.order)  guest \(BlockDump.hex(info.guestStart))-\(BlockDump.hex(info.guestEnd))"
        if let s = b.symbol { header += " <\(s)>" }
        if let physical = info.physicalStart, let mode = info.privilege {
            header += "  \(BlockDump.modeLetter(mode))-mode, physical \(BlockDump.hex(physical))"
        }
        header += "  \(count) instruction\(count == 1 ? "" : "s")"
        header += "  ran \(info.executions) time\(info.executions == 1 ? "" : "s")"
        header += "  host \(BlockDump.hex(info.hostAddress)), \(info.hostCode.count) bytes"
        if info.flushed { header += "  (flushed)" }
        var out = [header]
        out += side("entry", b.entry)
        for g in b.instructions {
            out += side(String(g.pc, radix: 16) + "  " + spaced(g.text), g.host)
        }
        out += side("out of line", b.outOfLine)
        for (exit, symbol) in b.exits { out.append("  " + describe(exit, symbol)) }
        return out
    }

    /// The guest text beside the first host line, the other host lines under it.
    static func side(_ guest: String, _ host: [DumpedBlock.HostLine]) -> [String] {
        let left = "  " + guest
        guard !host.isEmpty else { return [left] }
        return host.enumerated().map { i, h in
            let l = i == 0 ? left : ""
            let pad = String(repeating: " ", count: max(1, guestWidth - l.count))
            let offset = String(h.offset, radix: 16)
            let at = "+0x" + String(repeating: "0", count: max(0, 2 - offset.count)) + offset
            return l + pad + "| " + at + String(repeating: " ", count: max(2, 8 - at.count)) + h.text
        }
    }

    /// `li a0,42` → `li      a0,42`, as objdump lines up operands.
    static func spaced(_ text: String) -> String {
        guard let space = text.firstIndex(of: " ") else { return text }
        let mnemonic = text[..<space]
        return mnemonic + String(repeating: " ", count: max(1, 8 - mnemonic.count)) + text[text.index(after: space)...]
    }

    static func describe(_ exit: BlockExit, _ symbol: String?) -> String {
        var text = "exit \(exit.kind.rawValue)"
        if let t = exit.target {
            text += " -> \(BlockDump.hex(t))"
            if let symbol { text += " <\(symbol)>" }
        }
        let how: String = switch exit.link {
        case .chained: "chained"
        case .epochChecked: "chained behind the translation epoch check (jump cache once it moved)"
        case .unchained: "not chained (returns to the dispatcher)"
        case .dispatcher: "returns to the dispatcher (chaining off)"
        case .lookup: "inline lookup table, dispatcher on a miss"
        case .trap: "trap-and-emulate handler"
        }
        return text + ": " + how
    }
}
