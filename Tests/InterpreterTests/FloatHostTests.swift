import Interpreter
import Testing
import TestSupport

/// A second oracle for round-to-nearest-even: the host's IEEE arithmetic (Swift's Double and
/// Float operations are correctly rounded in RNE). Random operands of every shape; NaN results
/// are only checked to be NaN, since RISC-V canonicalises and x86 does not.
@Suite struct FloatHostTests {
    static func same(_ a: Double, _ b: UInt64) -> Bool { a.isNaN ? Double(bitPattern: b).isNaN : a.bitPattern == b }
    static func same(_ a: Float, _ b: UInt32) -> Bool { a.isNaN ? Float(bitPattern: b).isNaN : a.bitPattern == b }

    @Test func doubleArithmeticMatchesHostInRNE() {
        var g = SeededRandom(seed: 0x1234_5678_9abc_def1)
        var flags: UInt32 = 0
        var failures: [String] = []
        for _ in 0..<20_000 {
            let centre = g.next() % 2047
            let a = g.double(near: centre), b = g.double(near: centre), c = g.double(near: centre)
            let (x, y, z) = (Double(bitPattern: a), Double(bitPattern: b), Double(bitPattern: c))
            let checks: [(String, Double, UInt64)] = [
                ("add", x + y, FloatOps.addD(a: a, b: b, rm: .rne, flags: &flags)),
                ("sub", x - y, FloatOps.subD(a: a, b: b, rm: .rne, flags: &flags)),
                ("mul", x * y, FloatOps.mulD(a: a, b: b, rm: .rne, flags: &flags)),
                ("div", x / y, FloatOps.divD(a: a, b: b, rm: .rne, flags: &flags)),
                ("sqrt", x.squareRoot(), FloatOps.sqrtD(a: a, rm: .rne, flags: &flags)),
                ("fma", z.addingProduct(x, y), FloatOps.fmaD(a: a, b: b, c: c, rm: .rne, flags: &flags)),
            ]
            for (name, host, soft) in checks where !Self.same(host, soft) && failures.count < 10 {
                failures.append("\(name) \(String(a, radix: 16)) \(String(b, radix: 16)) \(String(c, radix: 16)): "
                                + "host \(String(host.bitPattern, radix: 16)) soft \(String(soft, radix: 16))")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func singleArithmeticMatchesHostInRNE() {
        var g = SeededRandom(seed: 0x0fed_cba9_8765_4321)
        var flags: UInt32 = 0
        var failures: [String] = []
        for _ in 0..<20_000 {
            let centre = UInt32(truncatingIfNeeded: g.next() % 255)
            let a = g.single(near: centre), b = g.single(near: centre), c = g.single(near: centre)
            let (x, y, z) = (Float(bitPattern: a), Float(bitPattern: b), Float(bitPattern: c))
            let checks: [(String, Float, UInt32)] = [
                ("add", x + y, FloatOps.addS(a: a, b: b, rm: .rne, flags: &flags)),
                ("mul", x * y, FloatOps.mulS(a: a, b: b, rm: .rne, flags: &flags)),
                ("div", x / y, FloatOps.divS(a: a, b: b, rm: .rne, flags: &flags)),
                ("sqrt", x.squareRoot(), FloatOps.sqrtS(a: a, rm: .rne, flags: &flags)),
                ("fma", z.addingProduct(x, y), FloatOps.fmaS(a: a, b: b, c: c, rm: .rne, flags: &flags)),
                ("cvt.s.d", Float(Double(bitPattern: UInt64(a) << 29 | UInt64(b))),
                 FloatOps.doubleToSingle(a: UInt64(a) << 29 | UInt64(b), rm: .rne, flags: &flags)),
            ]
            for (name, host, soft) in checks where !Self.same(host, soft) && failures.count < 10 {
                failures.append("\(name) \(String(a, radix: 16)) \(String(b, radix: 16)) \(String(c, radix: 16)): "
                                + "host \(String(host.bitPattern, radix: 16)) soft \(String(soft, radix: 16))")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}

extension SeededRandom {
    /// Double bit patterns biased towards nearby exponents and short significands.
    mutating func double(near exponent: UInt64) -> UInt64 {
        let sign = next() & (1 << 63)
        let e = next() % 4 == 0 ? next() % 2047 : (exponent &+ next() % 64 &- 32) % 2047
        var fraction = next() & ((1 << 52) - 1)
        if next() % 3 == 0 { fraction &= ~((1 << (next() % 52)) - 1) }
        return sign | (e << 52) | fraction
    }

    mutating func single(near exponent: UInt32) -> UInt32 {
        let bits = double(near: UInt64(exponent)) >> 32
        return UInt32(truncatingIfNeeded: bits) & 0x807f_ffff | ((UInt32(truncatingIfNeeded: bits >> 20) % 255) << 23)
    }
}
