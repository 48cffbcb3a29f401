import JIT

/// The dump's JSON form: one object per block, one block per line (JSON Lines). Addresses are
/// strings of `0x` hex (64-bit values do not survive every JSON reader as numbers); the schema
/// is in the README.
enum DumpJSON {
    static func line(_ b: DumpedBlock) -> String { object(b).text }

    static func object(_ b: DumpedBlock) -> JSONText {
        let info = b.info
        var guest: [String: JSONText] = ["start": .string(BlockDump.hex(info.guestStart)), "end": .string(BlockDump.hex(info.guestEnd))]
        if let s = b.symbol { guest["symbol"] = .string(s) }
        if let physical = info.physicalStart { guest["physical"] = .string(BlockDump.hex(physical)) }
        if let mode = info.privilege { guest["mode"] = .string(BlockDump.modeLetter(mode)) }
        return .object([
            "order": .int(info.order),
            "guest": .object(guest),
            "host": .object(["address": .string(BlockDump.hex(info.hostAddress)), "size": .int(info.hostCode.count)]),
            "executions": .uint(info.executions),
            "flushed": .bool(info.flushed),
            "entry": .array(b.entry.map(host)),
            "instructions": .array(b.instructions.map { g in
                .object(["pc": .string(BlockDump.hex(g.pc)), "encoding": .string(hexBytes(g.raw, g.length)),
                         "text": .string(g.text), "host": .array(g.host.map(host))])
            }),
            "outOfLine": .array(b.outOfLine.map(host)),
            "exits": .array(b.exits.map { exit, symbol in
                var e: [String: JSONText] = ["kind": .string(exit.kind.rawValue), "link": .string(exit.link.rawValue)]
                if let t = exit.target { e["target"] = .string(BlockDump.hex(t)) }
                if let symbol { e["symbol"] = .string(symbol) }
                return .object(e)
            }),
        ])
    }

    static func host(_ h: DumpedBlock.HostLine) -> JSONText {
        .object(["offset": .int(h.offset), "bytes": .string(h.bytes.map { String($0, radix: 16).leftPadded(2) }.joined()),
                 "text": .string(h.text)])
    }

    /// The instruction's encoding as objdump prints it: 8 or 4 hex digits.
    static func hexBytes(_ raw: UInt32, _ length: Int) -> String {
        String(length == 2 ? raw & 0xffff : raw, radix: 16).leftPadded(length * 2)
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
