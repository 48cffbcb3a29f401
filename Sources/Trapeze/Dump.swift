import JIT
import RISCV
import X86

/// What `trapeze dump` shows and how.
public struct DumpOptions: Sendable {
    /// Only blocks whose guest range holds this address.
    public var pc: UInt64?
    /// At most this many blocks (after the `pc` filter).
    public var limit: Int?
    /// One JSON object per block and line instead of the side-by-side text.
    public var json: Bool

    public init(pc: UInt64? = nil, limit: Int? = nil, json: Bool = false) {
        self.pc = pc
        self.limit = limit
        self.json = json
    }
}

/// One translated block cut into the pieces the dump shows side by side: the host code of the
/// block's entry, of each guest instruction, and the out-of-line stubs after the body.
public struct DumpedBlock: Sendable {
    public struct HostLine: Sendable {
        /// From the start of the block's host code.
        public var offset: Int
        public var bytes: [UInt8]
        public var text: String
    }

    public struct GuestLine: Sendable {
        public var pc: UInt64
        public var raw: UInt32
        public var length: Int
        /// Our disassembler's objdump-style text, with one space after the mnemonic.
        public var text: String
        public var host: [HostLine]
    }

    public var info: BlockInfo
    /// `symbol` or `symbol+0x1c` of the block's first instruction.
    public var symbol: String?
    public var entry: [HostLine]
    public var instructions: [GuestLine]
    public var outOfLine: [HostLine]
    /// Each exit with its target's symbol.
    public var exits: [(exit: BlockExit, symbol: String?)]
}

/// `trapeze dump`: the blocks a run translated, as text or JSON lines.
public enum BlockDump {
    /// The blocks `options` selects, in translation order.
    public static func select(_ blocks: [BlockInfo], _ options: DumpOptions) -> [BlockInfo] {
        var chosen = blocks
        // A system-mode block also answers to the physical addresses of its bytes.
        if let pc = options.pc {
            chosen = chosen.filter { b in
                pc >= b.guestStart && pc < b.guestEnd
                    || b.physicalStart.map { pc >= $0 && pc &- $0 < b.guestEnd &- b.guestStart } == true
            }
        }
        if let limit = options.limit { chosen = Array(chosen.prefix(max(0, limit))) }
        return chosen
    }

    /// The dump's lines for `blocks` (all translated blocks; `options` selects).
    /// `hostNames` label host addresses the code refers to (`JIT.hostNames()`).
    public static func lines(_ blocks: [BlockInfo], symbols: GuestSymbols, hostNames: [UInt64: String] = [:],
                             options: DumpOptions) -> [String] {
        let chosen = select(blocks, options)
        let x86 = X86Disassembler()
        let prepared = chosen.map { prepare($0, symbols: symbols, hostNames: hostNames, x86: x86) }
        if options.json { return prepared.map(DumpJSON.line) }
        var out = ["trapeze dump: \(blocks.count) block\(blocks.count == 1 ? "" : "s") translated, \(chosen.count) shown"]
        for block in prepared { out += [""] + DumpText.lines(block) }
        return out
    }

    /// Splits a block's host code by the guest instruction it came from.
    public static func prepare(_ info: BlockInfo, symbols: GuestSymbols, hostNames: [UInt64: String] = [:],
                               x86: X86Disassembler?) -> DumpedBlock {
        let listing = x86?.listing(info.hostCode, address: info.hostAddress) ?? []
        let range = info.hostAddress..<(info.hostAddress &+ UInt64(info.hostCode.count))
        let host = listing.map {
            let offset = Int($0.address &- info.hostAddress)
            let note = info.coldExits[offset].map { " (" + $0 + ")" } ?? ""
            return DumpedBlock.HostLine(offset: offset, bytes: $0.bytes,
                                        text: annotate($0.text, block: range, names: hostNames) + note)
        }
        func piece(_ range: Range<Int>) -> [DumpedBlock.HostLine] { host.filter { range.contains($0.offset) } }
        let starts = info.instructionStarts
        let body = starts.count == info.guest.count ? starts : []
        var dis = Disassembler(symbolize: { symbols.short($0) })
        var guest: [DumpedBlock.GuestLine] = []
        for (i, inst) in info.guest.enumerated() {
            let pc = info.guestPCs[i]
            let from = i < body.count ? body[i] : 0
            let to = i + 1 < body.count ? body[i + 1] : info.coldStart
            let text = String(dis.disassemble(inst, pc: pc).map { $0 == "\t" ? " " : $0 })
            guest.append(.init(pc: pc, raw: inst.raw, length: Int(inst.length), text: text,
                               host: body.isEmpty ? [] : piece(from..<max(from, to))))
        }
        let entryEnd = body.first ?? info.coldStart
        return DumpedBlock(info: info, symbol: symbols.short(info.guestStart),
                           entry: piece(0..<entryEnd),
                           instructions: guest,
                           outOfLine: piece(info.coldStart..<max(info.coldStart, info.hostCode.count)),
                           exits: info.exits.map { ($0, $0.target.flatMap(symbols.short)) })
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    /// `U`, `S` or `M` for a `PrivilegeMode` raw value.
    static func modeLetter(_ mode: UInt8) -> String { mode == 0 ? "U" : mode == 1 ? "S" : mode == 3 ? "M" : "?" }

    /// Appends `<+0xd4>` to a host instruction whose operand is an address inside its own block,
    /// or `<epilogue>`, `<block 0x10164>`, ... for one that `names` knows.
    static func annotate(_ text: String, block: Range<UInt64>, names: [UInt64: String]) -> String {
        for token in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "[" || $0 == "]" }) where token.hasPrefix("0x") {
            guard let value = UInt64(token.dropFirst(2), radix: 16) else { continue }
            if block.contains(value) { return text + " <+0x" + String(value &- block.lowerBound, radix: 16) + ">" }
            if let name = names[value] { return text + " <" + name + ">" }
        }
        return text
    }
}
