import Foundation
import Guest
import RISCV
import Testing
import TestSupport
import Trapeze

/// `fuzz`: the generator covers the ISA within its rules, fixed seeds agree, and a broken
/// engine is caught and minimised down to the one instruction it gets wrong.
@Suite struct InspectFuzzTests {
    @Test("fixed seeds: the JIT agrees with the interpreter", arguments: [1 as UInt64, 1_000, 77_777])
    func fixedSeeds(_ seed: UInt64) {
        let summary = Fuzzer(.jit, .interp).run(seed: seed, count: 300)
        #expect(summary.failure == nil, "\((summary.failure?.report ?? []).joined(separator: "\n"))")
        #expect(summary.cases == 300)
    }

    @Test("a broken opcode is found and minimised to that one instruction",
          arguments: [Opcode.mul, .addw, .fadd_d, .fmadd_s, .fcvt_w_d, .sd, .amoadd_w, .lw, .csrrs])
    func minimises(_ opcode: Opcode) throws {
        let fuzzer = Fuzzer(.interp, .jit, fault: FaultInjection(opcode: opcode))
        let failure = try #require(fuzzer.run(seed: 42, count: 2_000).failure)
        #expect(failure.minimal.items.count == 1)
        guard case .plain(let inst) = failure.minimal.items.first else {
            Issue.record("minimal item is not a plain instruction: \(failure.minimal.items)")
            return
        }
        #expect(inst.opcode == opcode)
        #expect(failure.original.items.count > failure.minimal.items.count)
        #expect(!failure.differences.isEmpty)
        let text = failure.report.joined(separator: "\n")
        #expect(text.contains("minimal program (1 of"))
        #expect(text.contains("differences (interp / jit+fault("))
        if failure.differences.contains(where: { $0.location.hasPrefix("x") || $0.location.hasPrefix("f") }) {
            #expect(text.contains("<-"), "the differing register is marked in the final-state table")
        }
    }

    @Test("the generator draws every extension, compressed forms and forward branches")
    func coverage() {
        var generator = FuzzGenerator(seed: 5)
        var extensions = Set<RISCV.Extension>()
        var compressed = 0, branches = 0, jumps = 0
        var opcodes = Set<Opcode>()
        for _ in 0..<400 {
            for item in generator.program(length: 24).items {
                switch item {
                case .plain(let inst):
                    extensions.insert(inst.opcode.info.ext)
                    opcodes.insert(inst.opcode)
                    if inst.length == 2 { compressed += 1 }
                case .branch: branches += 1
                case .jump: jumps += 1
                }
            }
        }
        #expect(extensions.isSuperset(of: [.i, .m, .a, .f, .d, .zicsr, .zifencei]))
        #expect(!extensions.contains(.privileged))
        #expect(compressed > 100 && branches > 100 && jumps > 10)
        #expect(!opcodes.contains(.ecall) && !opcodes.contains(.ebreak) && !opcodes.contains(.jalr))
    }

    @Test("layout: branches go forward to instruction boundaries; the program ends in ebreak")
    func layout() {
        var generator = FuzzGenerator(seed: 9)
        for _ in 0..<50 {
            let program = generator.program(length: 30)
            let laid = program.layout(at: FuzzLayout.code)
            let pcs = Set(laid.map(\.pc))
            #expect(laid.last?.inst.opcode == .ebreak)
            for (pc, inst) in laid where inst.opcode.info.format == .b || inst.opcode == .jal {
                let target = pc &+ UInt64(bitPattern: inst.imm)
                #expect(target > pc && pcs.contains(target))
            }
            #expect(decodeAll(program.bytes(at: FuzzLayout.code)) == laid.map(\.inst))
        }
    }

    @Test("the same seed gives the same program and state")
    func deterministic() {
        var a = FuzzGenerator(seed: 123), b = FuzzGenerator(seed: 123)
        #expect(a.program(length: 20) == b.program(length: 20))
        #expect(a.initialState() == b.initialState())
    }

    @Test("trapeze fuzz: fixed seed agrees (exit 0); an injected fault prints the minimal program (exit 1)")
    func command() throws {
        let good = try runProcess(Paths.trapeze, ["fuzz", "--seed", "7", "--count", "200"])
        #expect(good.status == 0, "\(String(decoding: good.stdout, as: UTF8.self))")
        let bad = try runProcess(Paths.trapeze, ["fuzz", "--seed", "7", "--count", "500", "--engines", "interp,jit", "--inject-fault", "sltu"])
        #expect(bad.status == 1)
        let out = String(decoding: bad.stdout, as: UTF8.self)
        #expect(out.contains("minimal program (1 of"))
        #expect(out.split(separator: "\n").contains { $0.contains(": ") && $0.contains("sltu") })
    }

    /// Decodes a little-endian byte stream instruction by instruction.
    func decodeAll(_ bytes: [UInt8]) -> [Instruction] {
        var out: [Instruction] = []
        var i = 0
        while i + 2 <= bytes.count {
            var word = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
            if word & 3 == 3, i + 4 <= bytes.count { word |= UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24 }
            guard let inst = decode(word) else { break }
            out.append(inst)
            i += Int(inst.length)
        }
        return out
    }
}
