import Foundation
import JIT

/// The dump's JSON form: one object per block, one block per line (JSON Lines). Addresses are
/// strings of `0x` hex (64-bit values do not survive every JSON reader as numbers); the schema
/// is in the README.
enum DumpJSON {
    static func line(_ b: DumpedBlock) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object(b), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func object(_ b: DumpedBlock) -> [String: Any] {
        let info = b.info
        var guest: [String: Any] = ["start": BlockDump.hex(info.guestStart), "end": BlockDump.hex(info.guestEnd)]
        if let s = b.symbol { guest["symbol"] = s }
        return [
            "order": info.order,
            "guest": guest,
            "host": ["address": BlockDump.hex(info.hostAddress), "size": info.hostCode.count],
            "executions": info.executions,
            "flushed": info.flushed,
            "entry": b.entry.map(host),
            "instructions": b.instructions.map { g in
                ["pc": BlockDump.hex(g.pc), "encoding": hexBytes(g.raw, g.length), "text": g.text, "host": g.host.map(host)] as [String: Any]
            },
            "outOfLine": b.outOfLine.map(host),
            "exits": b.exits.map { exit, symbol in
                var e: [String: Any] = ["kind": exit.kind.rawValue, "link": exit.link.rawValue]
                if let t = exit.target { e["target"] = BlockDump.hex(t) }
                if let symbol { e["symbol"] = symbol }
                return e
            },
        ]
    }

    static func host(_ h: DumpedBlock.HostLine) -> [String: Any] {
        ["offset": h.offset, "bytes": h.bytes.map { String($0, radix: 16).leftPadded(2) }.joined(), "text": h.text]
    }

    /// The instruction's encoding as objdump prints it: 8 or 4 hex digits.
    static func hexBytes(_ raw: UInt32, _ length: Int) -> String {
        String(length == 2 ? raw & 0xffff : raw, radix: 16).leftPadded(length * 2)
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
