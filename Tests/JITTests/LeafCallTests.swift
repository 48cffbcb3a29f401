import Guest
import Interpreter
import JIT
import RISCV
import Testing
import TestSupport
import X86

/// Calls of short leaf functions decoded into the calling block (`BlockDecoder.leafCallee`), and
/// side exits that give their budget back when taken instead of a budget check on the way on
/// (`Translator.charged`): the code shapes, and programs against the interpreter with both on
/// and off, with and without chaining, block registers and host calls, under many budgets.
@Suite struct LeafCallTests {
    static func options(inline: Bool = true, refunds: Bool = true, chaining: Bool = true) -> JITOptions {
        var options = JITOptions(cacheSize: 1 << 20, chaining: chaining)
        options.inlineCalls = inline
        options.sideExitRefunds = refunds
        return options
    }

    /// The first block of `program` as the JIT translates it with `options`.
    static func listing(_ program: Program, _ options: JITOptions) throws -> BlockListing {
        let (hart, _) = program.makeHart()
        return try #require(JIT(options: options).listing(hart, at: Layout.code))
    }

    static func hostText(_ listing: BlockListing) -> [String] {
        X86Disassembler.lines(listing.hostCode, address: listing.hostAddress).map(\.text)
    }

    /// Runs `program` under the interpreter and the JIT variants, with each budget.
    static func expectAsInterpreter(_ program: Program, budgets: [UInt64?], _ what: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        var variants: [(String, JITOptions)] = []
        for chaining in [true, false] {
            for registers in [true, false] {
                for (inline, refunds, calls) in [(true, true, false), (false, false, false), (true, false, false),
                                                 (false, true, false), (true, true, true)] {
                    var options = LeafCallTests.options(inline: inline, refunds: refunds, chaining: chaining)
                    options.blockRegisters = registers
                    options.hostCalls = calls && chaining
                    variants.append(("chaining \(chaining) registers \(registers) inline \(inline) refunds \(refunds) host calls \(calls)",
                                     options))
                }
            }
        }
        expectJITVariantsAsInterpreter(program, budgets: budgets, variants: variants, what, sourceLocation: sourceLocation)
    }

    static let budgets: [UInt64?] = [nil, 1, 2, 3, 4, 5, 6, 7, 9, 13, 20, 31, 47, 64, 100]

    /// A loop of `n` calls of `leaf`, placed `leafOffset` bytes after the code's start, adding
    /// each result (a0) into x12; exits with a0.
    static func loop(_ leaf: [UInt32], leafOffset: Int = 64, n: Int = 12,
                     setup: @escaping (GuestState) -> Void = { _ in }) -> Program {
        var code: [UInt32] = [
            RV.addi(7, 0, n),                 // 0
            RV.jal(1, leafOffset - 4),        // 4: the call
            RV.add(12, 12, 10),               // 8
            RV.addi(7, 7, -1),                // 12
            RV.bne(7, 0, -12),                // 16: back to the call
        ] + RV.exit                           // 20, 24
        precondition(leafOffset % 4 == 0 && leafOffset / 4 >= code.count)
        code += Array(repeating: RV.addi(0, 0, 0), count: leafOffset / 4 - code.count)
        return Program(code: code + leaf, setup: setup)
    }

    static let ret = RV.jalr(0, 1, 0)

    /// glibc's `__ctype_b_loc` in shape: a load off an `auipc` address, plus tp.
    static var ctypeLike: [UInt32] {
        // auipc at code + 64: + 0x10000 is Layout.data + 64; the load reads data word 1 at -56.
        [RV.auipc(10, 0x10), RV.ld(10, 10, -56), RV.add(10, 10, 4), RV.addi(10, 10, 16), ret]
    }

    static func withData(_ s: GuestState) {
        s.setX(4, 0x1000)
        s.setX(2, Layout.data + 0x1000)
    }

    // MARK: Code shapes

    /// The loop's block holds the leaf's instructions and goes on after the call; no `jalr`
    /// table probe (`jmp qword ptr [...]`) is left for the `ret`. Without inlining the block ends
    /// at the `jal`.
    @Test func leafIsDecodedIntoTheCaller() throws {
        let program = Self.loop(Self.ctypeLike, setup: Self.withData)
        let inlined = try Self.listing(program, Self.options(inline: true))
        let leaf = Layout.code + 64
        #expect(inlined.guestPCs == [Layout.code, Layout.code + 4, leaf, leaf + 4, leaf + 8, leaf + 12, leaf + 16,
                                     Layout.code + 8, Layout.code + 12, Layout.code + 16])
        #expect(!Self.hostText(inlined).contains { $0.hasPrefix("jmp qword ptr") })
        // ra holds the link: the jal's write of it is there (to rsi, ra's register under
        // `returnAddressRegister`, or to its slot).
        let link = String(Layout.code + 8, radix: 16)
        #expect(Self.hostText(inlined).contains { $0 == "mov esi, 0x\(link)" })
        var slotOptions = Self.options(inline: true)
        slotOptions.returnAddressRegister = false
        #expect(try Self.hostText(Self.listing(program, slotOptions)).contains { $0 == "mov qword ptr [rbx + 8], 0x\(link)" })
        let plain = try Self.listing(program, Self.options(inline: false))
        #expect(plain.guestPCs == [Layout.code, Layout.code + 4])
    }

    /// What is not taken in: a leaf that writes ra, one longer than the limit, one with a branch
    /// or a system instruction, one that is no leaf (calls), and a call whose target is its own
    /// return address.
    @Test func whatIsNotInlined() throws {
        let leaf = Layout.code + 64
        let notInlined: [(String, [UInt32])] = [
            ("writes ra", [RV.addi(1, 1, 0), RV.addi(10, 7, 1), Self.ret]),
            ("too long", Array(repeating: RV.addi(10, 10, 1), count: BlockDecoderLimits.leafCallee) + [Self.ret]),
            ("branch", [RV.beq(7, 0, 8), RV.addi(10, 7, 1), Self.ret]),
            ("ecall", [RV.ecall, Self.ret]),
            ("calls", [RV.jal(1, 8), Self.ret, Self.ret]),
            ("jumps", [RV.jal(0, 8), Self.ret, Self.ret]),
            ("no ret", [RV.addi(10, 7, 1), RV.jalr(0, 5, 0)]),
        ]
        for (what, code) in notInlined {
            let listing = try Self.listing(Self.loop(code), Self.options())
            #expect(!listing.guestPCs.contains(leaf), "\(what)")
        }
        // The longest leaf taken in.
        let longest = Array(repeating: RV.addi(10, 10, 1), count: BlockDecoderLimits.leafCallee - 1) + [Self.ret]
        #expect(try Self.listing(Self.loop(longest), Self.options()).guestPCs.contains(leaf))
        // A jal ra to the next instruction (its own link) goes on as a plain block end.
        let selfLink = Program(code: [RV.jal(1, 4), RV.addi(10, 0, 1)] + RV.exit)
        #expect(try Self.listing(selfLink, Self.options()).guestPCs == [Layout.code])
    }

    /// A block whose side exits leave it takes its budget once; the taken ways give back the
    /// rest (`add r11`), and the way on pays no `sub r11` of its own.
    @Test func sideExitsGiveBudgetBack() throws {
        let program = Self.sideExits
        func subs(_ text: [String]) -> Int { text.filter { $0.hasPrefix("sub r11") }.count }
        func adds(_ text: [String]) -> Int { text.filter { $0.hasPrefix("add r11") }.count }
        var on = Self.options(refunds: true), off = Self.options(refunds: false)
        for k in [0, 1] { // one copy of the loop, in the static register map
            var o = k == 0 ? on : off
            o.blockRegisters = false
            o.loopPeeling = false
            if k == 0 { on = o } else { off = o }
        }
        let refunded = Self.hostText(try Self.listing(program, on)), plain = Self.hostText(try Self.listing(program, off))
        #expect(subs(refunded) == 1)
        #expect(subs(plain) == 3)
        #expect(adds(refunded) == 2)
        #expect(adds(plain) == 0)
    }

    // MARK: Against the interpreter

    @Test func leavesAgainstTheInterpreter() {
        let cases: [(String, [UInt32])] = [
            ("plain", [RV.addi(10, 7, 3), Self.ret]),
            ("ctype", Self.ctypeLike),
            ("stack", [RV.addi(2, 2, -16), RV.sd(7, 2, 8), RV.ld(10, 2, 8), RV.addi(2, 2, 16), Self.ret]),
            ("mul", [RV.r(.mul, 10, 7, 7), RV.r(.add, 10, 10, 12), Self.ret]),
            ("writes ra", [RV.addi(1, 1, 0), RV.addi(10, 7, 1), Self.ret]),
            ("uses ra", [RV.addi(10, 1, 0), RV.add(10, 10, 7), Self.ret]),
            ("longest", Array(repeating: RV.addi(10, 10, 1), count: BlockDecoderLimits.leafCallee - 1) + [Self.ret]),
            ("branch", [RV.beq(7, 0, 8), RV.addi(10, 7, 1), Self.ret]),
        ]
        for (what, leaf) in cases {
            Self.expectAsInterpreter(Self.loop(leaf, setup: Self.withData), budgets: Self.budgets, what)
            // On the next page, and far away (the block is listed under both pages).
            Self.expectAsInterpreter(Self.loop(leaf, leafOffset: 0x1000 + 8, setup: Self.withData), budgets: [nil, 3, 17], what + " next page")
            Self.expectAsInterpreter(Self.loop(leaf, leafOffset: 0x3000 - 4 * leaf.count, setup: Self.withData), budgets: [nil, 5, 29], what + " far")
        }
    }

    /// A load in the leaf faults (exact pc in the leaf, ra already the link), and a wild sp
    /// written in the leaf leaves right after the write (ConfinedBases.swift).
    @Test func faultsInTheLeaf() {
        let bad: (GuestState) -> Void = { s in
            Self.withData(s)
            s.setX(11, Layout.hole)
        }
        Self.expectAsInterpreter(Self.loop([RV.addi(10, 7, 1), RV.ld(10, 11, 0), Self.ret], setup: bad), budgets: Self.budgets, "load fault")
        Self.expectAsInterpreter(Self.loop([RV.sd(7, 11, 8), Self.ret], setup: bad), budgets: [nil, 2, 3], "store fault")
        let wild: (GuestState) -> Void = { s in
            Self.withData(s)
            s.setX(11, Layout.limit + 0x10)
        }
        Self.expectAsInterpreter(Self.loop([RV.addi(2, 11, 0), RV.addi(10, 7, 1), RV.addi(2, 2, -0x800), Self.ret], setup: wild),
                                 budgets: [nil, 2, 3, 4, 9], "wild sp")
    }

    /// A loop with side exits that leave the block, taken on some iterations and not on others.
    static var sideExits: Program {
        let code: [UInt32] = [
            RV.addi(5, 5, 1),          // 0: loop
            RV.i(.andi, 6, 5, 3),      // 4
            RV.beq(6, 0, 36),          // 8: -> 44 (out of the block)
            RV.addi(12, 12, 1),        // 12
            RV.i(.andi, 6, 5, 5),      // 16
            RV.beq(6, 0, 32),          // 20: -> 52 (out of the block)
            RV.addi(13, 13, 3),        // 24
            RV.addi(7, 7, -1),         // 28
            RV.bne(7, 0, -32),         // 32: back to 0
            RV.jal(0, 28),             // 36: -> 64, the exit
            RV.addi(0, 0, 0),          // 40
            RV.addi(14, 14, 1),        // 44
            RV.jal(0, -20),            // 48: -> 28
            RV.addi(15, 15, 1),        // 52
            RV.jal(0, -28),            // 56: -> 28
            RV.addi(0, 0, 0),          // 60
            RV.addi(10, 12, 0),        // 64
        ] + RV.exit
        return Program(code: code) { s in s.setX(7, 40) }
    }

    @Test func sideExitsAgainstTheInterpreter() {
        Self.expectAsInterpreter(Self.sideExits, budgets: Self.budgets + [150, 199, 200, 201, 333], "side exits")
    }
}

/// The decoder's limit, as the tests see it.
enum BlockDecoderLimits {
    static let leafCallee = 8
}
