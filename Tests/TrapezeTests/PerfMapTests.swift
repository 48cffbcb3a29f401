import Foundation
import Linux
import Testing
import TestSupport
import Trapeze
import ELF

/// `trapeze run --perf-map`: the map file perf reads, and how its names are made.
@Suite struct PerfMapTests {
    @Test func namesUseTheNearestSymbol() {
        let symbols = GuestSymbols(tables: [SymbolTable([
            Symbol(name: "main", address: 0x10400, size: 0x40, isFunction: true),
            Symbol(name: "table", address: 0x10440, size: 0x10, isFunction: false),
        ])])
        #expect(PerfMap.name(0x10400, symbols) == "guest:0x10400 main+0x0")
        #expect(PerfMap.name(0x10434, symbols) == "guest:0x10434 main+0x34")
        #expect(PerfMap.name(0x20000, symbols) == "guest:0x20000")
    }

    /// The lines of the map `trapeze COMMAND --perf-map FILE` writes (exec'd by a shell that
    /// prints its pid first, so the pid is Trapeze's); the run must succeed. The file is removed.
    static func mapLines(_ command: String, _ file: String) throws -> [Substring] {
        let r = try runProcess("/bin/sh", ["-c", "echo $$; exec \"$0\" \(command) --perf-map \"$1\" >/dev/null", Paths.trapeze, file])
        #expect(r.status == 0, "\(r.stderrText)")
        let pid = try #require(Int32(String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").first ?? ""))
        let path = PerfMap.path(pid: pid)
        defer { unlink(path) }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }

    /// Runs fib under `run --perf-map` and checks the file covers the translated blocks with
    /// symbol names. Every block: code that runs once (main) is otherwise interpreted, not
    /// translated, and has no entry.
    @Test func mapOfARun() throws {
        let program = Paths.fixtures.appendingPathComponent("bin/fib").path
        let lines = try Self.mapLines("run --no-interpret-first", program)
        #expect(lines.count > 20)
        var ranges: [(UInt64, UInt64)] = []
        var names: [String] = []
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 2)
            try #require(parts.count == 3, "\(line)")
            let start = try #require(UInt64(parts[0], radix: 16)), size = try #require(UInt64(parts[1], radix: 16))
            #expect(size > 0)
            ranges.append((start, start + size))
            names.append(String(parts[2]))
        }
        #expect(names.first == "trapeze:stubs (prologue, epilogue)")
        // Blocks are laid out one after another in the cache (fib does not fill it).
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.1 <= b.0) }
        let symbols = try ELFFile(path: program).symbolTable()
        let main = try #require(symbols.symbols.first { $0.name == "main" && $0.isFunction })
        #expect(names.contains("guest:0x\(String(main.address, radix: 16)) main+0x0"))
        for name in names.dropFirst() {
            #expect(name.wholeMatch(of: /guest:0x[0-9a-f]+( [^ ]+\+0x[0-9a-f]+)?/) != nil, "\(name)")
        }
        // Nearly every block of a static C program lies inside some function.
        #expect(names.filter { $0.contains("+0x") }.count * 10 >= names.count * 9)
    }

    /// `trapeze system --perf-map`: a bare-metal program's blocks (M, S and U mode) named by
    /// their virtual pc and the image's symbols, the stubs first.
    @Test func mapOfASystemRun() throws {
        let image = Paths.fixtures.appendingPathComponent("system/bin/priv_share").path
        let lines = try Self.mapLines("system", image)
        #expect(lines.count > 20)
        #expect(lines.first?.hasSuffix(" trapeze:stubs (prologue, epilogue)") == true)
        let names = lines.dropFirst().map { $0.split(separator: " ", maxSplits: 2).last.map(String.init) ?? "" }
        let symbols = try ELFFile(path: image).symbolTable()
        let share = try #require(symbols.symbols.first { $0.name == "s_share" })
        #expect(names.contains("guest:0x\(String(share.address, radix: 16)) s_share+0x0"), "\(names.prefix(40))")
        // The stubs are named again whenever the cache starts over.
        for name in names where name != "trapeze:stubs (prologue, epilogue)" {
            #expect(name.wholeMatch(of: /guest:0x[0-9a-f]+( [^ ]+\+0x[0-9a-f]+)?/) != nil, "\(name)")
        }
    }

    /// Every guest thread has a code cache of its own: its blocks are named in the process's one
    /// map too (they were missing, so perf showed a threaded program's hot code as bare addresses).
    @Test func threadsShareTheMap() throws {
        let program = Paths.fixtures.appendingPathComponent("bin/threads_basic").path
        let lines = try Self.mapLines("run", program)
        // One stubs line per code cache: the leader's and every worker thread's.
        let stubs = lines.filter { $0.hasSuffix(" trapeze:stubs (prologue, epilogue)") }
        #expect(stubs.count >= 5, "\(stubs.count) caches named")
        var caches = Set<UInt64>()
        for line in stubs { caches.insert(try #require(UInt64(line.split(separator: " ")[0], radix: 16))) }
        // (A thread that ended leaves its cache's addresses to the next one: perf then sees the
        // range named twice, as after a flush.)
        // Every line is whole (threads write concurrently) and every block lies in some cache.
        let starts = caches.sorted()
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 2)
            try #require(parts.count == 3, "\(line)")
            let start = try #require(UInt64(parts[0], radix: 16))
            let cache = try #require(starts.last { $0 <= start }, "\(line)")
            #expect(start - cache < 1 << 30, "\(line)")
        }
    }
}
