import Foundation
import Linux
import Testing
import TestSupport
import Trapeze
import ELF

/// `trapeze dump`: the text golden, the JSON lines schema, `--pc` and `--limit`, guest symbols.
@Suite struct DumpTests {
    static let goldens = Paths.root.appendingPathComponent("Tests/TrapezeTests/DumpGoldens")

    /// Host addresses (code cache, counters, helpers) change from run to run; guest addresses of
    /// the static fixtures are below 2^36, host ones above, except execution counters, which live
    /// on the heap of the (statically linked, not position-independent) `trapeze` binary.
    static func maskHost(_ text: String) -> String {
        text.replacingOccurrences(of: "0x[0-9a-f]{10,}", with: "0xHOST", options: .regularExpression)
            .replacingOccurrences(of: "0x[0-9a-f]+ <execution counter>", with: "0xHOST <execution counter>", options: .regularExpression)
    }

    func fixture(_ name: String) -> String { Paths.fixtures.appendingPathComponent("bin/\(name)").path }

    /// The side-by-side text for asm_loop, host addresses masked. Regenerate after a JIT change
    /// with `TRAPEZE_UPDATE_GOLDENS=1 swift test --filter DumpTests`.
    @Test func textGolden() throws {
        let r = try runProcess(Paths.trapeze, ["dump", fixture("asm_loop")])
        #expect(r.status == 113, "\(r.stderrText)")
        let text = DumpTests.maskHost(String(decoding: r.stdout, as: UTF8.self))
        let golden = DumpTests.goldens.appendingPathComponent("asm_loop.txt")
        if ProcessInfo.processInfo.environment["TRAPEZE_UPDATE_GOLDENS"] != nil {
            try FileManager.default.createDirectory(at: DumpTests.goldens, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: golden)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(text == expected)
        // What the golden says, stated on its own: the guest's output goes to stderr, out of the
        // dump's way; the loop block ran 99999 times (its first iteration is in the entry block)
        // and chains to itself; blocks are named by the assembly labels (STT_NOTYPE symbols) they
        // start at or follow.
        #expect(String(decoding: r.stdout, as: UTF8.self).hasPrefix("trapeze dump: 6 blocks translated, 6 shown\n"))
        #expect(r.stderrText.hasPrefix("asm_loop: result = 0x79dac465365637f1\n"), "\(r.stderrText)")
        #expect(text.contains("guest 0x10164-0x1017c <loop>  7 instructions  ran 99999 times"))
    }

    /// Runs `dump --json` with the dump in a file; one parsed object per line.
    func jsonBlocks(_ program: String, _ extra: [String] = []) throws -> [[String: Any]] {
        let out = NSTemporaryDirectory() + "trapeze-dump-\(UUID().uuidString).jsonl"
        defer { unlink(out) }
        let r = try runProcess(Paths.trapeze, ["dump", "--json", "--output", out] + extra + [program])
        #expect(r.stderrText.isEmpty, "\(r.stderrText)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    static func hex(_ value: Any?) -> UInt64? {
        guard let s = value as? String, s.hasPrefix("0x") else { return nil }
        return UInt64(s.dropFirst(2), radix: 16)
    }

    @Test func jsonSchema() throws {
        let blocks = try jsonBlocks(fixture("asm_loop"))
        #expect(blocks.count == 6)
        for (i, b) in blocks.enumerated() {
            #expect(b["order"] as? Int == i)
            #expect(b["flushed"] as? Bool == false)
            let guest = try #require(b["guest"] as? [String: Any])
            let start = try #require(DumpTests.hex(guest["start"])), end = try #require(DumpTests.hex(guest["end"]))
            #expect(start < end)
            let host = try #require(b["host"] as? [String: Any])
            #expect(DumpTests.hex(host["address"]) != nil)
            let size = try #require(host["size"] as? Int)
            #expect((b["executions"] as? Int ?? 0) >= 1)
            // The pieces of host code tile the block: entry, each instruction's code, out of line.
            let instructions = try #require(b["instructions"] as? [[String: Any]])
            var pieces = try #require(b["entry"] as? [[String: Any]])
            var pc = start
            for inst in instructions {
                #expect(DumpTests.hex(inst["pc"]) == pc)
                let encoding = try #require(inst["encoding"] as? String)
                pc += UInt64(encoding.count / 2)
                #expect(!(inst["text"] as? String ?? "").isEmpty)
                pieces += try #require(inst["host"] as? [[String: Any]])
            }
            #expect(pc == end)
            pieces += try #require(b["outOfLine"] as? [[String: Any]])
            var offset = 0
            for p in pieces {
                #expect(p["offset"] as? Int == offset)
                offset += (p["bytes"] as? String ?? "").count / 2
                #expect(!(p["text"] as? String ?? "").isEmpty)
            }
            #expect(offset == size)
            let exits = try #require(b["exits"] as? [[String: Any]])
            #expect(!exits.isEmpty)
            for e in exits {
                #expect(["taken", "not-taken", "jump", "indirect", "system", "fall-through"].contains(e["kind"] as? String ?? ""))
                #expect(["chained", "unchained", "dispatcher", "lookup", "trap"].contains(e["link"] as? String ?? ""))
            }
        }
        // The counted loop: its block runs 99999 times and both of its exits end up chained.
        let loop = try #require(blocks.first { DumpTests.hex(($0["guest"] as? [String: Any])?["start"]) == 0x10164 })
        #expect(loop["executions"] as? Int == 99999)
        let exits = try #require(loop["exits"] as? [[String: Any]])
        #expect(exits.map { $0["kind"] as? String } == ["taken", "not-taken"])
        #expect(exits.map { $0["link"] as? String } == ["chained", "chained"])
        #expect(DumpTests.hex(exits[0]["target"]) == 0x10164)
    }

    @Test func pcAndLimit() throws {
        let covering = try jsonBlocks(fixture("asm_loop"), ["--pc", "0x10196"])
        #expect(covering.count == 2)  // the digit loop's first block and the loop itself
        for b in covering {
            let guest = try #require(b["guest"] as? [String: Any])
            let start = try #require(DumpTests.hex(guest["start"])), end = try #require(DumpTests.hex(guest["end"]))
            #expect(start <= 0x10196 && 0x10196 < end)
        }
        #expect(try jsonBlocks(fixture("asm_loop"), ["--limit", "1"]).count == 1)
        #expect(try jsonBlocks(fixture("asm_loop"), ["--pc", "0x10"]).isEmpty)
        let bad = try runProcess(Paths.trapeze, ["dump", "--pc", "nowhere", fixture("asm_loop")])
        #expect(bad.status != 0 && bad.stderrText.contains("--pc"))
    }

    /// A C program's blocks are named by the ELF symbol holding them, in the header and in exits.
    @Test func guestSymbols() throws {
        let program = fixture("fib")
        let symbols = try ELFFile(path: program).symbolTable()
        let main = try #require(symbols.symbols.first { $0.name == "main" && $0.isFunction })
        let r = try runProcess(Paths.trapeze, ["dump", "--pc", "0x" + String(main.address, radix: 16), program])
        #expect(r.status == 0, "\(r.stderrText)")
        let text = String(decoding: r.stdout, as: UTF8.self)
        #expect(text.contains("guest 0x\(String(main.address, radix: 16))-"))
        #expect(text.contains(" <main>  "))
        let blocks = try jsonBlocks(program, ["--pc", "0x" + String(main.address, radix: 16)])
        let first = try #require(blocks.first)
        #expect((first["guest"] as? [String: Any])?["symbol"] as? String == "main")
    }
}
