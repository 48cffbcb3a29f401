import Foundation
import Testing
import TestSupport

/// `trapeze dump --system`: the JIT's blocks of a whole machine, each with its virtual and
/// physical address and the privilege level it was translated for.
@Suite struct SystemDumpTests {
    static let kernel = Paths.fixtures.appendingPathComponent("system/bin/kernel").path

    /// The blocks `trapeze dump --system --icount` (plus `options`, under `environment`) prints
    /// for `image`, each starting with its number; the dump must succeed.
    func dumpBlocks(_ image: String, _ options: [String] = [], environment: [String: String] = [:]) throws -> [Substring] {
        let r = try runProcess(Paths.trapeze, ["dump", "--system", "--icount"] + options + [image], environment: environment, timeout: 120)
        #expect(r.status == 0, "\(r.stderrText)")
        return String(decoding: r.stdout, as: UTF8.self).components(separatedBy: "\nblock #").dropFirst()
            .map { Substring($0) }
    }

    /// A block's lines before its out-of-line part, without its header line.
    func body(_ block: Substring) -> [Substring] {
        Array(block.split(separator: "\n").dropFirst().prefix { !$0.hasPrefix("  out of line") })
    }

    /// The host lines of the guest instruction whose text starts with `guest` (the first one).
    func hostLines(_ body: [Substring], _ guest: String) -> [Substring] {
        guard let start = body.firstIndex(where: { $0.dropFirst(12).hasPrefix(guest) }) else { return [] }
        let rest = body[(start + 1)...].prefix { $0.hasPrefix(String(repeating: " ", count: 46)) }
        return [body[start]] + rest
    }

    /// A load of a shared probe's addend, and the probe's tag compare (SystemSharedProbes.swift).
    let addend = "mov rax, qword ptr [rbx + 0x2a"
    let probe = "cmp rdx, qword ptr [r15 + rcx"

    /// Whether the host lines of an access are a member's: no probe and no check, the access
    /// at the addend (in rax, or in a register of its own: `BlockRegisters.addendHosts`) plus
    /// the guest's register.
    func member(_ lines: [Substring]) -> Bool {
        !lines.isEmpty && !lines.contains { $0.contains(probe) || $0.contains("test al") }
            && lines.contains { $0.contains(" ptr [r") && !$0.contains("ptr [rbx") && $0.contains(" + r") }
    }

    @Test("dump --system lists M, S and U-mode blocks with their physical addresses, and the guest's output goes to stderr")
    func modes() throws {
        let r = try runProcess(Paths.trapeze, ["dump", "--system", "--icount", Self.kernel], timeout: 120)
        #expect(r.status == 0, "\(r.stderrText)")
        let text = String(decoding: r.stdout, as: UTF8.self)
        let headers = text.split(separator: "\n").filter { $0.hasPrefix("block #") }
        #expect(text.hasPrefix("trapeze dump: "), "\(text.prefix(200))")
        for mode in ["M", "S", "U"] {
            #expect(headers.contains { $0.contains("  \(mode)-mode, physical 0x") }, "no \(mode)-mode block")
        }
        // The physical address of a block's first instruction has the same page offset as its
        // virtual one (the teaching kernel maps its tasks' code at the same addresses).
        let user = headers.first { $0.contains("U-mode") }
        let parts = user?.split(separator: " ") ?? []
        let virtual = parts.firstIndex(of: "guest").flatMap { UInt64(parts[$0 + 1].split(separator: "-")[0].dropFirst(2), radix: 16) }
        let physical = parts.firstIndex(of: "physical").flatMap { UInt64(parts[$0 + 1].dropFirst(2), radix: 16) }
        #expect(virtual != nil && physical != nil && virtual! & 0xFFF == physical! & 0xFFF, "\(user ?? "")")
        #expect(r.stderrText.contains("kernel:"), "the kernel's console output: \(r.stderrText.prefix(300))")
    }

    @Test("dump --system --json --pc: the blocks holding a physical address, with mode and physical fields")
    func json() throws {
        let r = try runProcess(Paths.trapeze, ["dump", "--system", "--json", "--pc", "0x80000000", Self.kernel], timeout: 120)
        #expect(r.status == 0, "\(r.stderrText)")
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let guest = object?["guest"] as? [String: Any]
            #expect(guest?["mode"] as? String == "M", "\(line)")
            #expect(guest?["physical"] as? String == "0x80000000", "\(line)")
        }
    }
    /// Per-block register allocation in system mode: rdx, the spare register of blocks that
    /// leave it free (BlockRegisters.spare), is the inline TLB probe's scratch there, so no block
    /// with a load or store may keep a guest register in it (one that did sent the privileged
    /// tests' first `jr t0` to address 0). The blocks' entries are where a swapped-in register
    /// is loaded.
    @Test("dump --system: no block that probes the inline TLB keeps a guest register in rdx")
    func spareRegisterStaysScratch() throws {
        let blocks = try dumpBlocks(Self.kernel)
        var probing = 0
        for block in blocks {
            let lines = block.split(separator: "\n")
            guard lines.contains(where: { $0.contains("cmp rdx, qword ptr [r15 + rcx") }) else { continue }
            probing += 1
            // The entry: the host lines before the first guest instruction's.
            let entry = lines.dropFirst().prefix { line in
                let guest = line.split(separator: "|", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) ?? ""
                return guest.isEmpty || guest == "entry"
            }
            #expect(!entry.contains { $0.contains("mov rdx, qword ptr [rbx") }, "block #\(lines.first ?? "")")
        }
        #expect(probing > 10, "blocks with an inline TLB probe: \(probing)")
    }

    /// F/D in system mode: only a block's first F/D instruction checks mstatus.FS inline (the
    /// others rely on it: FS cannot change inside a block without leaving it); the check's
    /// out-of-line part (the slow path, then FS again) is in the cold code.
    @Test("dump --system: a block with several F/D instructions checks mstatus.FS once in its body")
    func floatStatusCheckedOncePerBlock() throws {
        let runner = Paths.fixtures.appendingPathComponent("system/bin/runner_nbody").path
        let blocks = try dumpBlocks(runner, ["--memory", "128M"])
        var several = 0
        for block in blocks {
            let lines = block.split(separator: "\n")
            let body = self.body(block)
            let float = body.filter { line in
                let guest = line.split(separator: "|", maxSplits: 1).first?.split(separator: " ") ?? []
                guard guest.count >= 2, let mnemonic = guest.dropFirst().first else { return false }
                return mnemonic.hasPrefix("f") && !mnemonic.hasPrefix("fence")
            }.count
            let checks = body.filter { $0.contains("and ecx, 0x6000") }.count
            #expect(checks <= 1, "block #\(lines.first ?? ""): \(checks) FS checks")
            if float >= 2 {
                several += 1
                #expect(checks == 1, "block #\(lines.first ?? ""): \(float) F/D instructions, \(checks) FS checks")
            }
        }
        #expect(several > 10, "blocks with two or more F/D instructions: \(several)")
    }

    /// Double add, sub, mul and div whose rd is also a source write rd's xmm register in place
    /// in system mode too (`JITOptions.floatInPlace`): a NaN result is made canonical out of line
    /// instead of going to the helper, which needed the sources intact (a copy through xmm0 and
    /// a `movaps` back per instruction). `TRAPEZE_JIT_FLOAT_IN_PLACE=0` copies again.
    @Test("dump --system: double arithmetic into one of its sources is computed in place")
    func floatInPlace() throws {
        let runner = Paths.fixtures.appendingPathComponent("system/bin/runner_nbody").path
        func accumulators(_ environment: [String: String]) throws -> [[Substring]] {
            let blocks = try dumpBlocks(runner, ["--memory", "128M"], environment: environment)
            var found: [[Substring]] = []
            for block in blocks {
                let body = self.body(block)
                for line in body {
                    guard let m = line.firstMatch(of: /\ \ f(add|sub|mul|div)\.d +(f[a-z0-9]+),(f[a-z0-9]+),/),
                          m.2 == m.3 else { continue }
                    found.append(hostLines(body, String(line.dropFirst(12).prefix { $0 != "|" }).trimmingCharacters(in: .whitespaces)))
                }
            }
            return found
        }
        let inPlace = try accumulators(["FIXTURE_ENV": "fixture-value"])
        #expect(inPlace.count >= 4, "\(inPlace)")
        let direct = inPlace.filter { lines in
            !lines.contains { $0.contains("movaps") } && lines.contains { $0.firstMatch(of: /v(add|sub|mul|div)sd (xmm\d+), \2,/) != nil }
        }
        #expect(direct.count == inPlace.count, "\(inPlace.filter { !direct.map { $0.first }.contains($0.first) })")
        let copied = try accumulators(["FIXTURE_ENV": "fixture-value", "TRAPEZE_JIT_FLOAT_IN_PLACE": "0"])
        #expect(!copied.isEmpty && copied.allSatisfy { lines in lines.contains { $0.contains("movaps") } }, "\(copied)")
    }

    /// A direct jump to another guest page is chained behind the translation epoch check
    /// (SystemEpochs.swift): priv_chain's caller jumps to the next page in S-mode (virtual
    /// 0x40002000) and in M-mode (physical 0x80002000), each time after a first pass; its
    /// remaps, satp writes and code stores must be followed (SystemEngineTests, the fixture's
    /// own checks), and the last link stands at the end.
    @Test("dump --system: priv_chain's jumps to the next page are chained behind the epoch check, in S and M mode")
    func crossPageJumpChained() throws {
        let chain = Paths.fixtures.appendingPathComponent("system/bin/priv_chain").path
        let blocks = try dumpBlocks(chain)
        for (target, mode, epoch) in [("0x40002000", "S-mode", "0x294"), ("0x80002000", "M-mode", "0x29c")] {
            let jumping = blocks.filter { $0.contains("  \(mode), physical") && $0.contains("exit jump -> \(target)") }
            #expect(!jumping.isEmpty, "no \(mode) block jumps to \(target)")
            #expect(jumping.contains { $0.contains("exit jump -> \(target) <code_a>: chained behind the translation epoch check")
                || $0.contains("exit jump -> \(target): chained behind the translation epoch check") },
                    "\(mode): \(jumping.map { $0.split(separator: "\n").filter { $0.contains("exit") } })")
            #expect(jumping.allSatisfy { $0.contains("cmp dword ptr [rbx + \(epoch)]") }, "\(mode): the epoch check")
        }
    }

    /// Loads and stores off one unchanged base register within a few hundred bytes share one
    /// inline TLB probe (SystemSharedProbes.swift): the teaching kernel's trap entry and exit save
    /// and restore registers off sp, so some block has more such accesses than probes in its
    /// body, and its head keeps the addend in the scratch word (`[rbx + 0x2a0]` or `0x2a8`).
    /// Members check nothing (a head that misses leaves its block unless the group's probe
    /// then hits), and none is ever checked.
    @Test("dump --system: a run of stores off sp shares one inline TLB probe")
    func sharedProbes() throws {
        let blocks = try dumpBlocks(Self.kernel)
        let memory: Set<Substring> = ["sb", "sh", "sw", "sd", "lb", "lh", "lw", "ld", "lbu", "lhu", "lwu"]
        var sharing = 0
        for block in blocks {
            let body = self.body(block)
            let accesses = body.filter { line in
                let guest = line.split(separator: "|", maxSplits: 1).first?.split(separator: " ") ?? []
                return guest.count >= 2 && memory.contains(guest[1])
            }.count
            let probes = body.filter { $0.contains("cmp rdx, qword ptr [r15 + rcx") }.count
            let saved = body.contains { $0.contains("mov qword ptr [rbx + 0x2a0], rax") || $0.contains("mov qword ptr [rbx + 0x2a8], rax") }
            if saved, accesses >= 4, probes * 2 <= accesses { sharing += 1 }
        }
        #expect(sharing > 0, "no block shares a probe among four or more accesses")
        #expect(!blocks.contains { self.body($0).contains { $0.contains("test al, 1") } }, "a member checks its addend")
    }

    /// Shared probes across `addi base, base, k`, loads and stores mixed, F/D heads
    /// (SystemSharedProbes.swift): priv_share's loop `lw 0(a0); addi a0, 4; sw 4(a0); lw 0(a0);
    /// addi a0, 12` probes once (the write table: the group stores) and its store and second
    /// load add the addend: the store loads it, the load right after the store finds it still
    /// in rax; its FS block's `fld 0(a3); fld 8(a3)` after `ld 0(a4); ld 8(a4)` probes once per
    /// base, the first F/D load being a head. What they must do is the fixture's own checks and
    /// SystemDifftestTests.
    @Test("dump --system: accesses off a base moved by addi, loads with stores, and F/D loads share one probe")
    func sharedProbesAcrossAddi() throws {
        let share = Paths.fixtures.appendingPathComponent("system/bin/priv_share").path
        // Its bases are set by `li` in the blocks that run once: without known-address groups
        // (`constantGroups`, which take such accesses whatever the register), the base's own.
        let blocks = try dumpBlocks(share, environment: ["TRAPEZE_JIT_CONSTANT_GROUPS": "0"])
        let lines = hostLines
        let loop = blocks.first { $0.contains("S-mode") && $0.contains("sw      t3,4(a0)") }.map(body) ?? []
        #expect(!loop.isEmpty, "no block with the moving-base loop")
        #expect(loop.filter { $0.contains(probe) }.count == 1, "\(loop.joined(separator: "\n"))")
        #expect(lines(loop, "lw      t0,0(a0)").contains { $0.contains(probe + " + 0x20000]") }, "the head probes the write table")
        #expect(lines(loop, "sw      t3,4(a0)").contains { $0.contains(addend) }, "\(loop.joined(separator: "\n"))")
        #expect(member(lines(loop, "sw      t3,4(a0)")), "\(loop.joined(separator: "\n"))")
        #expect(member(lines(loop, "lw      t1,0(a0)")), "\(loop.joined(separator: "\n"))")
        #expect(!lines(loop, "lw      t1,0(a0)").contains { $0.contains(addend) }, "the addend is still in rax")
        let float = blocks.first { $0.contains("S-mode") && $0.contains("fld     fa1,8(a3)") }.map(body) ?? []
        #expect(!float.isEmpty, "no block with the F/D loads")
        #expect(float.filter { $0.contains(probe) }.count == 2, "\(float.joined(separator: "\n"))")
        #expect(lines(float, "fld     fa0,0(a3)").contains { $0.contains(probe) }, "\(float.joined(separator: "\n"))")
        #expect(member(lines(float, "fld     fa1,8(a3)")), "\(float.joined(separator: "\n"))")
    }

    /// Table lookups (SystemSharedProbes.swift): priv_table's loop `andi t0, t3, 0xff; slli t0,
    /// t0, 2; add t0, t0, a0; lw t1, 0(t0)` probes the table's base for all 1024 bytes its index
    /// may reach (`lea rdx, [rax + 0x3ff]`: a group of one), so the probe need not wait for the
    /// index, and loads at the addend plus t0; the loop that also stores through the index and
    /// loads off the base probes the write table once for all three. What they must do is the
    /// fixture's own checks and SystemDifftestTests.
    @Test("dump --system: a table lookup probes the table's base, and shares that probe")
    func tableLookupsProbeTheirBase() throws {
        let table = Paths.fixtures.appendingPathComponent("system/bin/priv_table").path
        let blocks = try dumpBlocks(table)
        // The loops' own blocks (entered 255 times), not the first passes, where the bases are
        // constants of the block and so no unknown value for an index to be added to.
        let loops = blocks.filter { $0.contains("S-mode") && $0.contains("ran 255 times") }
        let lookup = loops.first { $0.contains("lw      t1,0(t0)") && $0.contains("zext.b  t0,t3") }.map(body) ?? []
        #expect(!lookup.isEmpty, "no block with the lookup loop")
        #expect(lookup.filter { $0.contains(probe) }.count == 1, "\(lookup.joined(separator: "\n"))")
        let load = hostLines(lookup, "lw      t1,0(t0)")
        #expect(load.contains { $0.contains("lea rdx, [rax + 0x3ff]") }, "\(load.joined(separator: "\n"))")
        #expect(!load.contains { $0.contains(addend) }, "a group of one keeps no addend: \(load.joined(separator: "\n"))")
        let update = loops.first { $0.contains("sw      t1,0(t0)") && $0.contains("lw      t2,0(a1)") }.map(body) ?? []
        #expect(!update.isEmpty, "no block with the update loop")
        #expect(update.filter { $0.contains(probe) }.count == 1, "\(update.joined(separator: "\n"))")
        #expect(hostLines(update, "lw      t1,0(t0)").contains { $0.contains(probe + " + 0x20000]") }, "the head probes the write table")
        #expect(member(hostLines(update, "sw      t1,0(t0)")), "\(update.joined(separator: "\n"))")
        #expect(member(hostLines(update, "lw      t2,0(a1)")), "\(update.joined(separator: "\n"))")
    }

    /// Loop peeling in system mode (LoopPeel.swift): priv_share's loop `lw 0(a0); addi a0, 4;
    /// sw 4(a0); lw 0(a0); addi a0, 12; ...; bnez t3` is a self-loop translated twice. The first
    /// copy's group probe keeps the page it hit and its addend in the first loop slot
    /// (`[rbx + 0x440]`, `0x448`); the second copy checks the group's address against that page
    /// (`sub rax, [rbx + 0x440]; cmp rax, 4096 - 12`) instead of probing, so the block's body
    /// probes the TLB once. The walk crosses into a physical page that is not the next one at
    /// its fifth pass, where the check fails: the fixture's own checks, SystemEngineTests and
    /// SystemDifftestTests say each access still reaches its own page.
    @Test("dump --system: a self-loop's second copy checks its accesses against the page they hit last")
    func loopProbes() throws {
        let share = Paths.fixtures.appendingPathComponent("system/bin/priv_share").path
        let blocks = try dumpBlocks(share)
        let loop = blocks.first { $0.contains("<s_share+0xc>  S-mode") }.map(body) ?? []
        let text = loop.joined(separator: "\n")
        #expect(!loop.isEmpty, "no block at the loop's head")
        #expect(loop.filter { $0.contains(probe) }.count == 1, "\(text)")
        #expect(loop.contains { $0.contains("mov qword ptr [rbx + 0x440], rdx") }, "the probe keeps its bound: \(text)")
        // The base (a0) only rises (addi 4, addi 12): the bound is page + 4096 - span (12), and
        // the second copy compares the base with it, one side only.
        #expect(loop.contains { $0.contains("lea rdx, [rdx + 0xff4]") }, "span 12: \(text)")
        #expect(loop.contains { $0.contains("cmp r") && $0.contains(", qword ptr [rbx + 0x440]") }, "\(text)")
        #expect(loop.contains { $0.contains("  jg ") }, "\(text)")
        #expect(!loop.contains { $0.contains("sub rax, qword ptr [rbx + 0x440]") }, "no two-sided check: \(text)")
    }

    /// Loop probes by how the base moves round the loop (SharedProbes.LoopMotion): priv_share's
    /// loop B accesses off a base it never writes, so its second copy takes the addend its first
    /// copy's probe kept and checks nothing; loop F walks down (addi -16), so its second copy
    /// compares the base with page - low and branches when it is less. With
    /// TRAPEZE_JIT_LOOP_MOTION=0 both check two-sided again.
    @Test("dump --system: a loop's base that does not move is not checked, one walking down is checked below only")
    func loopMotion() throws {
        let share = Paths.fixtures.appendingPathComponent("system/bin/priv_share").path
        func loop(_ blocks: [Substring], _ at: String) -> [Substring] {
            blocks.first { $0.contains("<s_share+\(at)>  S-mode") }.map(body) ?? []
        }
        let blocks = try dumpBlocks(share)
        let fixed = loop(blocks, "0x2e"), falling = loop(blocks, "0x78")
        #expect(!fixed.isEmpty && !falling.isEmpty, "no block at loop B's or F's head")
        let fixedText = fixed.joined(separator: "\n"), fallingText = falling.joined(separator: "\n")
        #expect(fixed.filter { $0.contains(probe) }.count == 1, "the first copy's probe only: \(fixedText)")
        #expect(!fixed.contains { $0.contains("qword ptr [rbx + 0x440]") }, "no page kept, none checked: \(fixedText)")
        // The addend the first copy kept: in a register of its own (see addendRegisters).
        #expect(!fixed.contains { $0.contains("mov rax, qword ptr [rbx + 0x448]") }, "\(fixedText)")
        #expect(falling.contains { $0.contains("cmp r") && $0.contains(", qword ptr [rbx + 0x440]") }, "\(fallingText)")
        #expect(falling.contains { $0.contains("  jl ") }, "\(fallingText)")
        #expect(!falling.contains { $0.contains("lea rdx, [rdx") }, "low 0: the bound is the page: \(fallingText)")

        let offBlocks = try dumpBlocks(share, environment: ["TRAPEZE_JIT_LOOP_MOTION": "0"])
        for at in ["0x2e", "0x78"] {
            #expect(loop(offBlocks, at).contains { $0.contains("sub rax, qword ptr [rbx + 0x440]") }, "\(at) two-sided when off")
        }
    }

    /// Loops entered at their test (`LoopPeel.BackEdge.fallThrough`, `JITOptions.fallThroughLoops`):
    /// priv_share's part H is `j test; ...; test: beqz t4, out; body ...; j test`, so the block
    /// at the body follows its jump to the test and ends there, and the test's way not taken is
    /// the block's start. It is a self-loop: translated twice, its second copy compares the
    /// rising base with the bound its first copy's probe kept (one probe in the whole block), and
    /// it keeps its register allocation round the loop. With TRAPEZE_JIT_FALL_LOOPS=0 the way not
    /// taken leaves the block and every run probes. Both ways the fixture passes its own checks
    /// (the walk crosses into a physical page that is not the next one) and agrees with the
    /// interpreter in lockstep.
    @Test("dump --system: a loop whose test falls through to its body is peeled like one that branches back")
    func fallThroughLoops() throws {
        let share = Paths.fixtures.appendingPathComponent("system/bin/priv_share").path
        func loop(_ environment: [String: String]) throws -> [Substring] {
            try dumpBlocks(share, environment: environment).first { $0.contains("<s_share+0x108>  S-mode") }.map(body) ?? []
        }
        let on = try loop([:]), off = try loop(["TRAPEZE_JIT_FALL_LOOPS": "0"])
        let onText = on.joined(separator: "\n"), offText = off.joined(separator: "\n")
        #expect(on.first { !$0.hasPrefix("  entry") && !$0.hasPrefix(String(repeating: " ", count: 46)) }?.dropFirst(12)
                    .hasPrefix("lw      t0,0(a5)") == true, "the block starts at the body: \(onText)")
        #expect(on.filter { $0.contains(probe) }.count == 1, "\(onText)")
        #expect(on.contains { $0.contains("cmp r") && $0.contains(", qword ptr [rbx + 0x440]") }, "\(onText)")
        #expect(on.contains { $0.contains("  jg ") }, "\(onText)")
        #expect(!off.isEmpty && !off.contains { $0.contains("qword ptr [rbx + 0x440]") }, "no loop slot when off: \(offText)")
        for flag in ["1", "0"] {
            let r = try runProcess(Paths.trapeze, ["difftest", "--system", "--interval", "7", share],
                                   environment: ["TRAPEZE_JIT_FALL_LOOPS": flag], timeout: 300)
            #expect(r.status == 0 && r.stderrText.contains("agree"), "TRAPEZE_JIT_FALL_LOOPS=\(flag): \(r.stderrText.suffix(600))")
        }
    }

    /// Page pairs (`Translator.probeGroupPair`): priv_table's part F looks a table up that
    /// straddles two virtual pages mapped to neighbouring physical pages, two lookups each time
    /// round, so its group's span is never one page. A head whose group probe missed used to
    /// leave the block after its own access every time (the rest of the body a block of its
    /// own, entered 127 times); now the miss path finds both pages in the TLB with one addend
    /// and the group goes on, so that block runs only while the second page has no entry yet
    /// (the first 64 rounds read the first page only). Part G stores through the index across
    /// a dirty page and a clean one: only until the first store there sets D.
    @Test("dump --system: a group straddling neighbouring pages goes on after its probe missed")
    func pagePairs() throws {
        let table = Paths.fixtures.appendingPathComponent("system/bin/priv_table").path
        // How often blocks starting with `first` ran (the rest of the loop body after a head
        // that left).
        func runs(_ environment: [String: String], from first: String) throws -> Int {
            var total = 0
            for block in try dumpBlocks(table, environment: environment) where block.contains("S-mode") {
                let start = body(block).first { !$0.hasPrefix("  entry") && !$0.hasPrefix(String(repeating: " ", count: 46)) }
                guard start?.dropFirst(12).hasPrefix(first) == true,
                      let ran = block.firstRange(of: "ran ").map({ block[$0.upperBound...].prefix { $0.isNumber } }) else { continue }
                total += Int(ran) ?? 0
            }
            return total
        }
        let (f, g) = ("add     t2,t3,1", "add     s11,s11,t1")
        let fOn = try runs([:], from: f), fOff = try runs(["TRAPEZE_JIT_PAGE_PAIRS": "0"], from: f)
        let gOn = try runs([:], from: g), gOff = try runs(["TRAPEZE_JIT_PAGE_PAIRS": "0"], from: g)
        #expect(fOff >= 127 && fOn <= 64, "F: \(fOn) with page pairs, \(fOff) without")
        #expect(gOff >= 255 && gOn <= 16, "G: \(gOn) with page pairs, \(gOff) without")
    }

    /// Relations at joins (`SharedProbes`, `JITOptions.joinRelations`): priv_table's part H
    /// sets `a4 = a3 + 16` after the head of a3's group and loads through a4 after an `if`:
    /// both ways into the join have that relation, so the load is a member of a3's group (it
    /// used to probe on its own: a join forgot every relation). Where the way falling through
    /// moves a4 to a3 + 2000 (another page) the ways disagree and the load probes.
    @Test("dump --system: a register related to a base on every way into a join shares the base's probe")
    func relationsAcrossJoins() throws {
        let table = Paths.fixtures.appendingPathComponent("system/bin/priv_table").path
        func loads(_ environment: [String: String], after: String) throws -> [[Substring]] {
            try dumpBlocks(table, environment: environment).filter { $0.contains("S-mode") && $0.contains(after) }
                .map { hostLines(body($0), "lw      t2,0(a4)") }.filter { !$0.isEmpty }
        }
        // a3 is set by `li` before the loop: in the block that runs the first pass its accesses
        // are at known addresses (`constantGroups`), which group them whatever the register.
        let known = ["TRAPEZE_JIT_CONSTANT_GROUPS": "0"]
        let on = try loads(known, after: "lw      t1,4(a3)")
        let off = try loads(known.merging(["TRAPEZE_JIT_JOIN_RELATIONS": "0"]) { $1 }, after: "lw      t1,4(a3)")
        #expect(!on.isEmpty && on.allSatisfy(member), "\(on)")
        #expect(!off.isEmpty && !off.contains(where: member), "\(off)")
        let moved = try loads(known, after: "add     a4,a3,2000")
        #expect(!moved.isEmpty && !moved.contains(where: member), "\(moved)")
    }

    /// Known addresses (`SharedProbes.constantAddress`, `JITOptions.constantGroups`):
    /// priv_table's part I sets a3, a4 and a5 to addresses on one page (`li`) and loads and
    /// stores through all three, before and after an `if`. They form one group off x0, whose
    /// probe compares the page's entry, known when translating, with the page (`cmp qword ptr
    /// [r15 + entry], page`: no shift, mask or address), and every other access is a member;
    /// with TRAPEZE_JIT_CONSTANT_GROUPS=0 each register's accesses probe for themselves.
    @Test("dump --system: accesses at known addresses through several registers share one probe")
    func constantGroups() throws {
        let table = Paths.fixtures.appendingPathComponent("system/bin/priv_table").path
        func block(_ environment: [String: String]) throws -> [Substring] {
            try dumpBlocks(table, environment: environment).first { $0.contains("S-mode") && $0.contains("lw      t4,12(a4)") }.map(body) ?? []
        }
        let on = try block([:]), off = try block(["TRAPEZE_JIT_CONSTANT_GROUPS": "0"])
        let text = on.joined(separator: "\n")
        #expect(!on.isEmpty && !off.isEmpty, "no block with part I")
        #expect(hostLines(on, "lw      t0,0(a3)").contains { $0.contains("cmp qword ptr [r15 + 0x") && $0.contains("], 0x40006000") }, "\(text)")
        for access in ["lw      t1,4(a4)", "sw      t1,12(a4)", "lw      t2,0(a5)", "lw      t3,8(a3)", "lw      t4,12(a4)"] {
            #expect(member(hostLines(on, access)), "\(access): \(text)")
        }
        #expect(on.filter { $0.contains(probe) || $0.contains("cmp qword ptr [r15 + 0x") }.count == 1, "\(text)")
        #expect(!member(hostLines(off, "lw      t1,4(a4)")), "\(off.joined(separator: "\n"))")
    }

    /// Addend registers (`BlockRegisters.addendHosts`, SystemSharedProbes.swift): priv_share's
    /// loop B reads off a base it never moves, and its block names neither s0 nor s1, so the
    /// group's addend stays in a cache register (its resident stored at entry, reloaded at the
    /// exits) and the second copy's accesses reach memory through it: no reload of the addend
    /// from the loop slot, no probe, no check. With TRAPEZE_JIT_ADDEND_REGISTERS=0 the second
    /// copy loads the addend from the slot into rax at every access of the group.
    @Test("dump --system: a loop group's addend stays in a host register its block does not use")
    func addendRegisters() throws {
        let share = Paths.fixtures.appendingPathComponent("system/bin/priv_share").path
        func loopB(_ environment: [String: String]) throws -> [Substring] {
            try dumpBlocks(share, environment: environment).first { $0.contains("<s_share+0x2e>  S-mode") }.map(body) ?? []
        }
        let on = try loopB([:]), off = try loopB(["TRAPEZE_JIT_ADDEND_REGISTERS": "0"])
        let text = on.joined(separator: "\n"), offText = off.joined(separator: "\n")
        #expect(!on.isEmpty && !off.isEmpty, "no block at loop B")
        // The probe's hit goes to a register as well as to the loop slot's addend word or not.
        let kept = on.first { $0.contains("mov r") && $0.hasSuffix(", rax") && !$0.contains("ptr") }
        #expect(kept != nil, "the probe keeps the addend in a register: \(text)")
        let register = kept.flatMap { $0.split(separator: "mov ").last?.split(separator: ",").first }.map(String.init) ?? "?"
        #expect(on.filter { $0.contains("ptr [\(register) + r") }.count >= 2, "both copies' accesses use \(register): \(text)")
        #expect(!on.contains { $0.contains("mov rax, qword ptr [rbx + 0x448]") }, "\(text)")
        #expect(off.contains { $0.contains("mov rax, qword ptr [rbx + 0x448]") }, "\(offText)")
        #expect(!off.contains { $0.contains("ptr [\(register) + r") }, "\(offText)")
    }

    /// Addend registers by the reloads they save (`SharedProbes.addendCandidates(byReloads:)`,
    /// `JITOptions.addendReloads`): the teaching kernel's `trap_from_user` saves ten registers
    /// off sp one after another, so each store finds the addend still in rax, and a register
    /// for it would only cost a store at entry, a move and a load at the exit. With
    /// TRAPEZE_JIT_ADDEND_RELOADS=0 (four accesses were enough) the group takes one. Both ways
    /// the kernel agrees with the interpreter in lockstep.
    @Test("dump --system: a run of accesses that finds the addend in rax takes no addend register")
    func addendReloads() throws {
        func entry(_ environment: [String: String]) throws -> [Substring] {
            let block = try dumpBlocks(Self.kernel, environment: environment).first { $0.contains("<trap_from_user>  S-mode") }
            return (block.map(body) ?? []).filter { $0.contains("mov qword ptr [") && $0.contains(" + r10 + 0x") }
        }
        let on = try entry([:]), off = try entry(["TRAPEZE_JIT_ADDEND_RELOADS": "0"])
        #expect(on.count >= 8 && on.allSatisfy { $0.contains("ptr [rax + r10") }, "\(on.joined(separator: "\n"))")
        #expect(off.count >= 8 && !off.contains { $0.contains("ptr [rax + r10") }, "\(off.joined(separator: "\n"))")
        for flag in ["1", "0"] {
            let r = try runProcess(Paths.trapeze, ["difftest", "--system", Self.kernel],
                                   environment: ["TRAPEZE_JIT_ADDEND_RELOADS": flag], timeout: 300)
            #expect(r.status == 0 && r.stderrText.contains("agree"), "TRAPEZE_JIT_ADDEND_RELOADS=\(flag): \(r.stderrText.suffix(600))")
        }
    }

    /// Shared-probe groups across joins (SystemSharedProbes.swift): in priv_share's part G the
    /// first `if` skips an `addi` of the base, so the load after it starts a group of its own;
    /// the second skips other work only, so the load after it is a member of that group (no
    /// probe, no check). With TRAPEZE_JIT_GROUP_JOINS=0 every join ends the groups.
    @Test("dump --system: a group goes on past a join whose ways in passed its head with the base moved alike")
    func groupsAcrossJoins() throws {
        let share = Paths.fixtures.appendingPathComponent("system/bin/priv_share").path
        func blockG(_ environment: [String: String]) throws -> [Substring] {
            try dumpBlocks(share, environment: environment).first { $0.contains("<s_share+0x90>  S-mode") }.map(body) ?? []
        }
        let on = try blockG([:]), off = try blockG(["TRAPEZE_JIT_GROUP_JOINS": "0"])
        let text = on.joined(separator: "\n")
        #expect(!on.isEmpty && !off.isEmpty, "no block at part G")
        #expect(hostLines(on, "lw      t1,-4(a4)").contains { $0.contains(probe) }, "a head after the join that skipped the addi: \(text)")
        #expect(member(hostLines(on, "lw      t2,0(a4)")), "a member past the second join: \(text)")
        #expect(!member(hostLines(off, "lw      t2,0(a4)")), "\(off.joined(separator: "\n"))")
    }

    /// Blocks with a register allocation call the slow path through its shared thunk too
    /// (`Translator.callHelper`): a helper call inline saved and reloaded every caller-saved
    /// register and all twelve cached f registers, ~370 bytes per load or store's miss path.
    @Test("dump --system: no block calls a helper inline")
    func helpersThroughThunks() throws {
        let runner = Paths.fixtures.appendingPathComponent("system/bin/runner_hello").path
        func inlineCalls(_ environment: [String: String]) throws -> Int {
            let r = try runProcess(Paths.trapeze, ["dump", "--system", "--icount", "--memory", "128M", runner],
                                   environment: environment, timeout: 120)
            #expect(r.status == 0, "\(r.stderrText)")
            return String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").filter { $0.hasSuffix("call rax") }.count
        }
        #expect(try inlineCalls([:]) == 0)
        #expect(try inlineCalls(["TRAPEZE_JIT_ALLOCATED_THUNKS": "0"]) > 0, "allocated blocks with helper calls exist")
    }

    /// F/D in a peeled loop: the second copy relies on the first copy's mstatus.FS check (FS
    /// cannot change inside a run of translated code), so a loop block's body checks FS once
    /// however many copies it has, and its accesses use loop slots.
    @Test("dump --system: an F/D loop's second copy checks neither mstatus.FS nor the TLB")
    func floatLoop() throws {
        let runner = Paths.fixtures.appendingPathComponent("system/bin/runner_nbody").path
        let blocks = try dumpBlocks(runner, ["--memory", "128M"])
        var loops = 0
        for block in blocks {
            let body = self.body(block)
            // A loop probe: a two-sided check, or a one-sided one (SharedProbes.LoopMotion).
            guard body.contains(where: { ($0.contains("sub rax, ") || $0.contains("  cmp r")) && $0.contains(", qword ptr [rbx + 0x4") }),
                  body.contains(where: { $0.contains("movsd xmm") }) else { continue }
            loops += 1
            #expect(body.filter { $0.contains("and ecx, 0x6000") }.count == 1, "\(body.joined(separator: "\n"))")
        }
        #expect(loops > 0, "no F/D loop with a loop probe")
    }

    /// Joins in system mode (BlockJoins.swift): a forward branch to a later instruction of its
    /// block jumps there. glibc's code in runner_hello's U-mode process has `if`s without `else`
    /// that are such branches.
    @Test("dump --system: forward branches to later instructions of their block join there")
    func joins() throws {
        let runner = Paths.fixtures.appendingPathComponent("system/bin/runner_hello").path
        let r = try runProcess(Paths.trapeze, ["dump", "--system", "--icount", "--json", "--memory", "128M", runner], timeout: 120)
        #expect(r.status == 0, "\(r.stderrText)")
        var joined = 0
        for line in String(decoding: r.stdout, as: UTF8.self).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let instructions = object["instructions"] as? [[String: Any]] else { continue }
            let pcs = instructions.compactMap { ($0["pc"] as? String).flatMap { UInt64($0.dropFirst(2), radix: 16) } }
            for (n, i) in instructions.dropLast().enumerated() {
                let words = (i["text"] as? String ?? "").split(separator: " ")
                guard let op = words.first, ["beq", "bne", "blt", "bge", "bltu", "bgeu", "beqz", "bnez", "bltz", "bgez", "blez", "bgtz"].contains(op),
                      words.count >= 2, let target = words[1].split(separator: ",").last.flatMap({ UInt64($0, radix: 16) })
                else { continue }
                // Joined: the branch's host jump goes to the code of the target in the block.
                guard let k = pcs[(n + 1)...].firstIndex(of: target),
                      let code = (instructions[k]["host"] as? [[String: Any]])?.first?["offset"] as? Int else { continue }
                let jumps = (i["host"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.filter { $0.hasPrefix("j") }
                if jumps.contains(where: { $0.hasSuffix("<+0x\(String(code, radix: 16))>") }) { joined += 1 }
            }
        }
        #expect(joined > 0, "no side exit joins its block")
    }
}
