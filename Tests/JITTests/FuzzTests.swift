import Guest
import JIT
import Testing
import TestSupport

/// Seeded random instruction streams: integer ALU operations, loads and stores of every width
/// (aligned or not) and short forward branches over random registers — cached, uncached and x0 —
/// must leave the JIT exactly where they leave the interpreter.
@Suite struct FuzzTests {
    static let registers = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 28]

    static func program(seed: UInt64, length: Int) -> Program {
        var r = SeededRandom(seed: seed)
        var data: [UInt64] = []
        for _ in 0..<32 {
            let interesting: [UInt64] = [0, 1, UInt64.max, 1 << 63, (1 << 63) - 1, 0x8000_0000, 0xffff_ffff]
            data.append(r.below(3) == 0 ? interesting[r.below(interesting.count)] : r.next())
        }
        var code: [UInt32] = []
        for (i, x) in registers.enumerated() where x != 0 { code.append(loadWord(x, i)) }
        func reg() -> Int { registers[r.below(registers.count)] }
        while code.count < length {
            switch r.below(10) {
            case 0, 1, 2:
                code.append(RV.r(r.pick(RV.registerOps), reg(), reg(), reg()))
            case 3, 4:
                code.append(RV.i(r.pick(RV.immediateOps), reg(), reg(), r.below(4096) - 2048))
            case 5:
                let (op, maxShift) = r.pick(RV.shiftImmediateOps)
                code.append(RV.i(op, reg(), reg(), r.below(maxShift + 1)))
            case 6:
                code.append(RV.i(r.pick(RV.loads), reg(), 31, r.below(2040)))
            case 7:
                code.append(RV.s(r.pick(RV.stores), reg(), 31, r.below(2040)))
            case 8:
                code.append(RV.b(r.pick(RV.branches), reg(), reg(), 4 * (2 + r.below(3))))
            default:
                code.append(r.below(2) == 0 ? RV.lui(reg(), Int(r.next() & 0xfffff)) : RV.auipc(reg(), Int(r.next() & 0xfffff)))
            }
        }
        // Branches may jump a little past the end: pad, then exit.
        code += Array(repeating: RV.addi(0, 0, 0), count: 4) + RV.exit
        return Program(code: code, data: data)
    }

    @Test(arguments: 0..<40 as Range<UInt64>)
    func randomIntegerStreams(_ seed: UInt64) {
        let program = Self.program(seed: 0x9e37_79b9_7f4a_7c15 &* (seed + 1), length: 400)
        expectSameUnderBothEngines(program)
    }
}
