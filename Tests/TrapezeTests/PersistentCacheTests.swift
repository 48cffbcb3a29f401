import Foundation
import Testing
import TestSupport
@testable import TrapezeCLI
@testable import Trapeze
import JIT

/// The persistent translation cache (`--jit-cache-dir`): a second run takes its blocks from the
/// cache and behaves exactly like the first; a changed program, a different configuration, a
/// damaged or foreign cache file and an unsafe directory are all ignored (the run translates
/// afresh and its output is unchanged), and concurrent writers leave one valid file.
@Suite struct PersistentCacheTests {
    /// A fresh private directory for one test's cache.
    static func cacheDirectory() -> String {
        var template = Array((NSTemporaryDirectory() + "trapeze-jitcache-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return made.map { String(cString: $0) } ?? NSTemporaryDirectory() + "trapeze-jitcache-\(UUID().uuidString)"
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func fixture(_ name: String) -> String { Paths.fixtures.appendingPathComponent("bin/\(name)").path }

    /// The store's mechanics are pinned with every block translated (`--no-interpret-first`, so
    /// each block a run meets is saved and loaded); InterpretFirstTests pins what interpreted
    /// first runs change with a cache.
    static func run(_ program: String, _ args: [String] = [], cache: String?, stats: Bool = true, options more: [String] = [],
                    environment: [String: String] = ["FIXTURE_ENV": "fixture-value"]) throws -> ProcessResult {
        var options = ["run", "--timeout", "60", "--no-interpret-first"] + more
        if stats { options.append("--stats") }
        if let cache { options += ["--jit-cache-dir", cache] }
        return try runProcess(Paths.trapeze, options + [program] + args, environment: environment)
    }

    /// (blocks translated, blocks from the disk cache, rejected) from `--stats`.
    static func counts(_ r: ProcessResult) -> (translated: Int, loaded: Int, rejected: Int)? {
        var translated: Int?, loaded: Int?, rejected: Int?
        for line in r.stderrText.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("jit: blocks translated"), words.count > 3 { translated = Int(words[3]) }
            if line.hasPrefix("jit: blocks from disk cache"), words.count > 6 {
                loaded = Int(words[5])
                rejected = Int(words[6].dropFirst())
            }
        }
        guard let translated, let loaded, let rejected else { return nil }
        return (translated, loaded, rejected)
    }

    static func cacheFiles(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    /// stdout and status, which must not depend on the cache.
    static func outcome(_ r: ProcessResult) -> String { "\(r.status) " + String(decoding: r.stdout, as: UTF8.self) }

    @Test("a second run takes its blocks from the cache and translates almost none")
    func hit() throws {
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let hello = Self.fixture("hello")
        let first = try Self.run(hello, cache: dir)
        let second = try Self.run(hello, cache: dir)
        let c1 = try #require(Self.counts(first), "\(first.stderrText)")
        let c2 = try #require(Self.counts(second), "\(second.stderrText)")
        #expect(c1.translated > 100 && c1.loaded == 0)
        #expect(c2.translated == 0 && c2.loaded == c1.translated && c2.rejected == 0, "\(c1) then \(c2)")
        #expect(Self.outcome(first) == Self.outcome(second))
        #expect(Self.cacheFiles(dir).count == 1 && Self.cacheFiles(dir)[0].hasSuffix(".tjc"))
        // Nothing new: the file is not rewritten.
        let path = dir + "/" + Self.cacheFiles(dir)[0]
        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        _ = try Self.run(hello, cache: dir)
        let after = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test("a few new blocks do not rewrite a much larger file, until starts that met them add up")
    func fewNewBlocksKeepTheFile() throws {
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let hello = Self.fixture("hello")
        // Stopped 60 instructions before its end: all but the exit path is saved.
        let plain = try Self.run(hello, cache: nil)
        let line = try #require(plain.stderrText.split(separator: "\n").first { $0.hasPrefix("jit: guest insns executed") })
        let executed = try #require(line.split(separator: " ").compactMap { Int($0) }.first)
        _ = try Self.run(hello, cache: dir, options: ["--max-insns", String(executed - 60)])
        let path = dir + "/" + (Self.cacheFiles(dir).first ?? "none")
        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let full = try Self.run(hello, cache: dir)
        let c = try #require(Self.counts(full), "\(full.stderrText)")
        #expect(c.translated > 0 && c.translated < 30 && c.loaded > 100, "\(c)")
        let after = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        #expect(before == after)
        // Each such start counts what it left unsaved; once that adds up to a sixteenth of the
        // file, a start writes its blocks, and the next one translates nothing.
        #expect(Self.cacheFiles(dir).contains { $0.hasSuffix(".owed") })
        var starts = 1
        while Self.counts(try Self.run(hello, cache: dir))?.translated != 0, starts < 200 { starts += 1 }
        #expect(starts > 1 && starts < 200, "\(starts) starts")
        #expect(Self.cacheFiles(dir).count == 1 && Self.cacheFiles(dir)[0].hasSuffix(".tjc"))
    }

    @Test("TRAPEZE_JIT_CACHE_DIR turns the cache on like the option")
    func environmentVariable() throws {
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let env = ["FIXTURE_ENV": "fixture-value", "TRAPEZE_JIT_CACHE_DIR": dir]
        _ = try Self.run(Self.fixture("hello"), cache: nil, environment: env)
        let second = try Self.run(Self.fixture("hello"), cache: nil, environment: env)
        let c = try #require(Self.counts(second), "\(second.stderrText)")
        #expect(c.translated == 0 && c.loaded > 100)
    }

    @Test("the binfmt config file can name the cache directory")
    func binfmtConfig() throws {
        let config = NSTemporaryDirectory() + "trapeze-binfmt-jitcache-\(UUID().uuidString)"
        try "--jit-cache-dir /var/cache/trapeze\n".write(toFile: config, atomically: true, encoding: .utf8)
        defer { unlink(config) }
        let invocation = BinfmtLaunch.Invocation(program: "/bin/prog", argv0: "prog", arguments: [])
        let s = try BinfmtLaunch.settings(invocation, secure: false, environment: { ["TRAPEZE_BINFMT_CONFIG": config][$0] })
        #expect(s.jitCacheDir == "/var/cache/trapeze")
    }

    @Test("the key names the program: a copy elsewhere hits, another program misses")
    func keyedByContents() throws {
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let program = dir + "-prog", copy = dir + "-copy"
        defer { unlink(program); unlink(copy) }
        try FileManager.default.copyItem(atPath: Self.fixture("hello"), toPath: program)
        _ = try Self.run(program, cache: dir)
        #expect(Self.counts(try Self.run(program, cache: dir))?.translated == 0)
        // The same bytes under another path and inode (another chroot's copy): the same file.
        try FileManager.default.copyItem(atPath: program, toPath: copy)
        let copied = try Self.run(copy, cache: dir)
        let cc = try #require(Self.counts(copied), "\(copied.stderrText)")
        #expect(cc.translated == 0 && cc.loaded > 100, "\(cc)")
        #expect(Self.cacheFiles(dir).count == 1)
        // Replaced by another program at the same path.
        unlink(program)
        try FileManager.default.copyItem(atPath: Self.fixture("exitcode"), toPath: program)
        let other = try Self.run(program, ["7"], cache: dir)
        let plain = try Self.run(Self.fixture("exitcode"), ["7"], cache: nil)
        #expect(Self.outcome(other) == Self.outcome(plain))
        let c = try #require(Self.counts(other), "\(other.stderrText)")
        #expect(c.loaded == 0 && c.translated > 0)
        #expect(Self.cacheFiles(dir).count == 2)
    }

    /// A cache file's header up to the record count: magic, key length, key (what follows, the
    /// count, index and records, does not depend on the key).
    static func header(_ file: [UInt8]) -> Int {
        let n = file[8..<12].reversed().reduce(0) { $0 << 8 | Int($1) }
        return 12 + n
    }

    @Test("blocks saved from other code, under this program's key, are caught block by block")
    func changedCodeSameKey() throws {
        let dir = Self.cacheDirectory(), other = Self.cacheDirectory()
        defer { Self.remove(dir); Self.remove(other) }
        let program = dir + "-exit"
        defer { unlink(program) }
        try FileManager.default.copyItem(atPath: Self.fixture("asm_exit"), toPath: program)
        #expect(try Self.run(program, cache: other).status == 42)
        // addi a0, x0, 42 -> addi a0, x0, 43.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: program)))
        let old: [UInt8] = [0x13, 0x05, 0xa0, 0x02]
        let at = try #require((0...(bytes.count - 4)).first { Array(bytes[$0..<$0 + 4]) == old })
        bytes[at + 3] = 0x02
        bytes[at + 2] = 0xb0
        unlink(program)
        try Data(bytes).write(to: URL(fileURLWithPath: program))
        chmod(program, 0o755)
        #expect(try Self.run(program, cache: dir).status == 43)
        // The changed program's own file, its records replaced by the original program's.
        let mine = dir + "/" + Self.cacheFiles(dir)[0]
        let theirs = other + "/" + Self.cacheFiles(other)[0]
        let a = try [UInt8](Data(contentsOf: URL(fileURLWithPath: mine)))
        let b = try [UInt8](Data(contentsOf: URL(fileURLWithPath: theirs)))
        let forged = Array(a[..<Self.header(a)]) + Array(b[Self.header(b)...])
        unlink(mine)
        #expect(FileManager.default.createFile(atPath: mine, contents: Data(forged), attributes: [.posixPermissions: 0o600]))
        let changed = try Self.run(program, cache: dir)
        #expect(changed.status == 43, "\(changed.stderrText)")
        let c = try #require(Self.counts(changed), "\(changed.stderrText)")
        #expect(c.rejected == 1 && c.loaded == 0, "\(c)")
    }

    @Test("a corrupt, truncated, foreign or unsafe cache file is ignored with a one-line note")
    func damagedFilesIgnored() throws {
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let hello = Self.fixture("hello")
        let good = try Self.run(hello, cache: dir)
        let name = try #require(Self.cacheFiles(dir).first)
        let path = dir + "/" + name
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var flipped = original
        flipped[flipped.count / 2] ^= 0x40
        var badHeader = original
        badHeader[0] ^= 1
        // Another program's cache under this program's name.
        _ = try Self.run(Self.fixture("exitcode"), ["3"], cache: dir)
        let foreignName = try #require(Self.cacheFiles(dir).first { $0 != name })
        let foreign = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + foreignName))
        // A damaged record (the middle of the file lies in the records, past the index) is
        // rejected by its checksum and translated afresh; the others are still used.
        unlink(path)
        #expect(FileManager.default.createFile(atPath: path, contents: flipped, attributes: [.posixPermissions: 0o600]))
        let damaged = try Self.run(hello, cache: dir)
        #expect(Self.outcome(damaged) == Self.outcome(good))
        let cd = try #require(Self.counts(damaged), "\(damaged.stderrText)")
        let cg = try #require(Self.counts(good), "\(good.stderrText)")
        #expect(cd.rejected == 1 && cd.translated == 1 && cd.loaded == cg.translated - 1, "corrupt record: \(cd)")
        for (what, data) in [("truncated", original.prefix(original.count / 2)), ("bad magic", badHeader),
                             ("foreign", foreign), ("empty", Data())] {
            unlink(path)
            #expect(FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]))
            let r = try Self.run(hello, cache: dir)
            #expect(Self.outcome(r) == Self.outcome(good), "\(what)")
            let c = try #require(Self.counts(r), "\(what): \(r.stderrText)")
            #expect(c.loaded == 0 && c.translated > 100, "\(what): \(c)")
            let notes = r.stderrText.split(separator: "\n").filter { $0.hasPrefix("trapeze: jit cache:") }
            #expect(notes.count <= 1, "\(what): \(r.stderrText)")
            #expect(!r.stderrText.contains("Fatal error"), "\(what)")
        }
        // A good file that others may write is not trusted.
        unlink(path)
        #expect(FileManager.default.createFile(atPath: path, contents: original, attributes: [.posixPermissions: 0o666]))
        chmod(path, 0o666)
        let open = try Self.run(hello, cache: dir)
        #expect(Self.counts(open)?.loaded == 0, "\(open.stderrText)")
        #expect(open.stderrText.contains("writable by others"))
    }

    /// The NT_GNU_BUILD_ID note of an x86-64 ELF file, in hex, read from its PT_NOTE segments.
    static func buildID(ofFile path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.count > 64 else { return nil }
        let b = [UInt8](data)
        func u(_ at: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
        let phoff = u(32, 8), phentsize = u(54, 2), phnum = u(56, 2)
        for i in 0..<phnum {
            let h = phoff + i * phentsize
            guard u(h, 4) == 4 else { continue }
            var at = u(h + 8, 8)
            let end = at + u(h + 32, 8)
            while at + 12 <= end {
                let nameSize = u(at, 4), descSize = u(at + 4, 4), type = u(at + 8, 4)
                let desc = at + 12 + (nameSize + 3) / 4 * 4
                if type == 3, nameSize == 4, b[at + 12] == 0x47 {
                    return b[desc..<desc + descSize].map { String(format: "%02x", $0) }.joined()
                }
                at = desc + (descSize + 3) / 4 * 4
            }
        }
        return nil
    }

    @Test("Trapeze names itself by its build ID, which needs no /proc")
    func ownBuildID() throws {
        // The test runner's own executable, read from its file, against what the loaded
        // headers say (a position-independent executable: the load bias counts).
        let fromFile = Self.buildID(ofFile: "/proc/self/exe")
        #expect(TranslationCacheKey.ownBuildID == fromFile)
        #expect(TranslationStore.engineKey(JITOptions(), buildID: TranslationCacheKey.ownBuildID)?
            .contains(fromFile.map { "trapeze build-id \($0)\n" } ?? "trapeze ") == true)
    }

    @Test("every option that shapes user-mode code is in the key")
    func optionsInTheKey() throws {
        let base = JITOptions()
        let key = { (o: JITOptions) in TranslationStore.engineKey(o, buildID: "00") }
        let plain = try #require(key(base))
        let changes: [(String, (inout JITOptions) -> Void)] = [
            ("chaining", { $0.chaining.toggle() }), ("blockRegisters", { $0.blockRegisters.toggle() }),
            ("hostCalls", { $0.hostCalls.toggle() }), ("joins", { $0.joins.toggle() }),
            ("loopPeeling", { $0.loopPeeling.toggle() }), ("gatherChains", { $0.gatherChains.toggle() }),
            ("spillBudget", { $0.spillBudget.toggle() }), ("sideExitRefunds", { $0.sideExitRefunds.toggle() }), ("joinBudgets", { $0.joinBudgets.toggle() }), ("floatInPlace", { $0.floatInPlace.toggle() }), ("inlineCalls", { $0.inlineCalls.toggle() }), ("constantAddresses", { $0.constantAddresses.toggle() }), ("allocatedThunks", { $0.allocatedThunks.toggle() }),
            ("returnAddressRegister", { $0.returnAddressRegister.toggle() }),
            ("countIndirectHits", { $0.countIndirectHits.toggle() }), ("maxBlockInstructions", { $0.maxBlockInstructions += 1 }),
            ("hostFeatures", { $0.hostFeatures = .baseline }),
        ]
        for (name, change) in changes {
            var o = base
            change(&o)
            if name == "hostFeatures", CPUFeatures.host == .baseline { continue }
            #expect(key(o) != plain, "\(name)")
        }
    }

    @Test("a run in a chroot without /proc keeps its cache (no note, blocks saved and loaded)")
    func withoutProc() throws {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return }
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let hello = Self.fixture("hello")
        // A private mount namespace whose /proc is an empty directory, as in a bare chroot.
        let empty = dir + "-empty"
        mkdir(empty, 0o755)
        defer { rmdir(empty) }
        func run() throws -> ProcessResult {
            try runProcess("/usr/bin/unshare", ["--mount", "--propagation", "private", "sh", "-c",
                                                "mount --bind \"$0\" /proc && exec \"$@\"", empty, Paths.trapeze,
                                                "run", "--stats", "--no-interpret-first", "--jit-cache-dir", dir, hello])
        }
        let first = try run(), second = try run()
        #expect(first.status == 0 && second.status == 0, "\(first.stderrText)\(second.stderrText)")
        #expect(!first.stderrText.contains("cannot identify"), "\(first.stderrText)")
        let c2 = try #require(Self.counts(second), "\(second.stderrText)")
        #expect(c2.loaded > 100 && c2.translated < c2.loaded / 10, "\(c2)")
        #expect(String(decoding: second.stdout, as: UTF8.self) == String(decoding: first.stdout, as: UTF8.self))
    }

    @Test("a directory writable by others or owned by another user is refused")
    func unsafeDirectoryRefused() throws {
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let hello = Self.fixture("hello")
        let plain = try Self.run(hello, cache: nil)
        chmod(dir, 0o777)
        let r = try Self.run(hello, cache: dir)
        #expect(Self.outcome(r) == Self.outcome(plain))
        #expect(r.stderrText.contains("writable by others"), "\(r.stderrText)")
        #expect(Self.cacheFiles(dir).isEmpty)
        #expect(!r.stderrText.contains("blocks from disk cache"))
        chmod(dir, 0o700)
        if geteuid() == 0 {
            #expect(chown(dir, 65534, 65534) == 0)
            let other = try Self.run(hello, cache: dir)
            #expect(Self.outcome(other) == Self.outcome(plain))
            #expect(other.stderrText.contains("owned by another user"), "\(other.stderrText)")
            #expect(Self.cacheFiles(dir).isEmpty)
        }
        // Not a directory at all.
        let file = dir + "-file"
        FileManager.default.createFile(atPath: file, contents: Data())
        defer { unlink(file) }
        let notDir = try Self.run(hello, cache: file)
        #expect(Self.outcome(notDir) == Self.outcome(plain))
        #expect(notDir.stderrText.contains("not a directory"))
    }

    @Test("many processes writing the same cache at once leave one valid file", .enabled(if: Tools.hasSysroot, "no riscv64 sysroot"))
    func concurrentWriters() throws {
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let program = Self.fixture("dynamic_hello")
        let plain = try Self.run(program, cache: nil)
        let n = 8
        let results = Outcomes(n)
        DispatchQueue.concurrentPerform(iterations: n) { k in
            results.set(k, (try? Self.run(program, cache: dir)).map(Self.outcome) ?? "failed")
        }
        for k in 0..<n { #expect(results.get(k) == Self.outcome(plain), "process \(k)") }
        #expect(Self.cacheFiles(dir).count == 1, "\(Self.cacheFiles(dir))") // no temporary files left
        let after = try Self.run(program, cache: dir)
        #expect(Self.outcome(after) == Self.outcome(plain))
        let c = try #require(Self.counts(after), "\(after.stderrText)")
        #expect(c.loaded > 100 && c.rejected == 0 && c.translated == 0, "\(c)")
    }

    /// Threads, signals, faults, fork, dynamic linking, self-modifying code: the same stdout and
    /// status with no cache, a cold cache and a warm one.
    static let behaviour: [(String, [String])] = [
        ("threads_basic", []), ("threads_signal", []), ("signals", []), ("segv", []), ("setjmp", []),
        ("fork_pipe", []), ("dynamic_hello", []), ("smc", []), ("code_replace", []), ("printf_float", []),
        ("asm_illegal", []), ("threads_fault", []),
    ]

    @Test("outputs are identical with and without the cache",
          arguments: behaviour.indices.filter { behaviour[$0].0 != "dynamic_hello" || Tools.hasSysroot })
    func sameBehaviour(_ k: Int) throws {
        let (name, args) = Self.behaviour[k]
        let dir = Self.cacheDirectory()
        defer { Self.remove(dir) }
        let program = Self.fixture(name)
        let plain = try Self.run(program, args, cache: nil, stats: false)
        let cold = try Self.run(program, args, cache: dir, stats: false)
        let warm = try Self.run(program, args, cache: dir, stats: false)
        #expect(Self.outcome(cold) == Self.outcome(plain), "\(name) cold")
        #expect(Self.outcome(warm) == Self.outcome(plain), "\(name) warm")
        #expect(String(decoding: warm.stderr, as: UTF8.self) == String(decoding: plain.stderr, as: UTF8.self), "\(name) stderr")
        let stats = try Self.run(program, args, cache: dir)
        _ = try Self.run(program, args, cache: dir)
        let again = try Self.run(program, args, cache: dir)
        #expect(Self.outcome(again) == Self.outcome(plain), "\(name) warm, --stats")
        let c = try #require(Self.counts(again), "\(again.stderrText)")
        #expect(c.loaded > 0, "\(name): \(c) after \(String(describing: Self.counts(stats)))")
    }
}

/// Outcomes of processes run at once, one slot each.
final class Outcomes: @unchecked Sendable {
    private var values: [String]
    private let lock = NSLock()
    init(_ n: Int) { values = Array(repeating: "", count: n) }
    func set(_ k: Int, _ v: String) { lock.lock(); values[k] = v; lock.unlock() }
    func get(_ k: Int) -> String { lock.lock(); defer { lock.unlock() }; return values[k] }
}
