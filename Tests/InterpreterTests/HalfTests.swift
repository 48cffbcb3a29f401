import Guest
import Interpreter
import RISCV
import Testing

private let NV: UInt32 = 0x10, DZ: UInt32 = 0x08, OF: UInt32 = 0x04, UF: UInt32 = 0x02, NX: UInt32 = 0x01

/// An independent reference for rounding to binary16, sharing nothing with the soft-float: the
/// non-negative halves are ordered like their encodings, so the rounded result is found by a
/// binary search over encodings against an exact comparison with the true value, which each test
/// supplies as a closure. Values are measured in units of 2^-26, which makes every half (4× its
/// value in units of 2^-24, the smallest subnormal) and every midpoint between neighbours an integer.
enum HalfReference {
    /// |encoding| → value in units of 2^-24 (0x7c00 stands for 2^16, the value overflow rounds towards).
    static func units(_ h: UInt16) -> UInt128 {
        let e = Int(h >> 10), f = UInt128(h & 0x3ff)
        return e == 0 ? f : (f | 0x400) << UInt128(e - 1)
    }

    /// Rounds the nonzero finite value v (sign `negative`) given by `compare(t)` = sign of (|v| − t·2^-26).
    static func round(negative: Bool, mode: RoundingMode, _ compare: (UInt128) -> Int) -> (UInt16, UInt32) {
        var lo: UInt16 = 0, hi: UInt16 = 0x7bff
        while lo < hi { // largest encoding whose value is ≤ |v|
            let mid = (lo + hi + 1) / 2
            if compare(4 * units(mid)) >= 0 { lo = mid } else { hi = mid - 1 }
        }
        let sign: UInt16 = negative ? 0x8000 : 0
        if compare(4 * units(lo)) == 0 { return (sign | lo, 0) }
        func up(_ c: Int, loIsOdd: Bool) -> Bool {
            switch mode {
            case .rne: c > 0 || (c == 0 && loIsOdd)
            case .rmm: c >= 0
            case .rtz: false
            case .rdn: negative
            case .rup: !negative
            }
        }
        let mid = 2 * (units(lo) + units(lo + 1))
        let result = up(compare(mid), loIsOdd: lo & 1 == 1) ? lo + 1 : lo
        var flags = NX
        if result == 0x7c00 || compare(4 << 40) >= 0 { flags |= OF }
        if compare(4 * 0x400) < 0 {
            // Tiny after rounding unless rounding to 11 bits with an unbounded exponent reaches 2^-14.
            var tiny = true
            if compare(4094) > 0 { tiny = !up(compare(4095), loIsOdd: true) }
            if tiny { flags |= UF }
        }
        return (sign | result, flags)
    }

    /// compare(t) for v = m · 2^e (m > 0): the sign of m·2^e − t·2^-26.
    static func compareScaled(_ m: UInt128, _ e: Int, _ t: UInt128) -> Int {
        let s = e + 26
        func cmp(_ a: UInt128, _ b: UInt128) -> Int { a < b ? -1 : a > b ? 1 : 0 }
        if s >= 0 {
            if s >= 127 || m.leadingZeroBitCount <= s { return 1 } // at least 2^127 > any t used
            return cmp(m << UInt128(s), t)
        }
        let r = -s
        if r >= 127 || t.leadingZeroBitCount <= r { return t == 0 ? 1 : -1 }
        return cmp(m, t << UInt128(r))
    }

    /// A finite nonzero binary float of `fractionBits`/`exponentBits` as (negative, m, e).
    static func decode(_ x: UInt64, exponentBits: Int, fractionBits: Int) -> (Bool, UInt128, Int) {
        let bias = (1 << (exponentBits - 1)) - 1
        let field = Int((x >> UInt64(fractionBits)) & ((1 << UInt64(exponentBits)) - 1))
        let fraction = UInt128(x & ((1 << UInt64(fractionBits)) - 1))
        let negative = (x >> UInt64(exponentBits + fractionBits)) & 1 == 1
        if field == 0 { return (negative, fraction, 1 - bias - fractionBits) }
        return (negative, fraction | 1 << UInt128(fractionBits), field - bias - fractionBits)
    }

    static func isNaN(_ h: UInt16) -> Bool { h & 0x7fff > 0x7c00 }
    static func isSignaling(_ h: UInt16) -> Bool { isNaN(h) && h & 0x200 == 0 }
    static func value(_ h: UInt16) -> (Bool, UInt128, Int) { decode(UInt64(h), exponentBits: 5, fractionBits: 10) }
}

private func box(_ h: UInt16) -> UInt64 { 0xffff_ffff_ffff_0000 | UInt64(h) }

/// A deterministic generator for the random operands.
private struct Xorshift {
    var s: UInt64
    mutating func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s }
    /// Mostly finite halves, with every class now and then.
    mutating func half() -> UInt16 {
        let r = next()
        switch r % 8 {
        case 0: return [0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x0001, 0x7bff, 0x0400, 0x3c00][Int(r >> 8) % 10]
        case 1: return UInt16(truncatingIfNeeded: r >> 16) & 0x83ff // subnormals
        default: return UInt16(truncatingIfNeeded: r >> 16)
        }
    }
}

/// Zfh's arithmetic and conversions against `HalfReference` (every rounding mode, with exact
/// fflags), the host's Float16 for the widening conversions, and the NaN-boxing rules.
@Suite struct HalfTests {
    /// The special-operand results of a rounded binary operation, shared by the reference tests:
    /// nil when both operands are finite and the exact result is nonzero.
    static func expectNaN(_ hs: [UInt16], invalid: Bool) -> (UInt16, UInt32) {
        (0x7e00, (invalid || hs.contains(where: HalfReference.isSignaling)) ? NV : 0)
    }

    @Test func widenEveryHalfExactly() {
        for h in 0...UInt16.max {
            var fs: UInt32 = 0, fd: UInt32 = 0
            let s = HalfOps.toSingle(h, &fs), d = HalfOps.toDouble(h, &fd)
            if HalfReference.isNaN(h) {
                #expect(s == 0x7fc0_0000 && d == 0x7ff8_0000_0000_0000, "\(h)")
                let nv = HalfReference.isSignaling(h) ? NV : 0
                #expect(fs == nv && fd == nv, "\(h)")
            } else {
                let host = Float16(bitPattern: h)
                #expect(s == Float(host).bitPattern && d == Double(host).bitPattern && fs == 0 && fd == 0, "\(h)")
            }
        }
    }

    @Test(arguments: RoundingMode.allCases)
    func narrowSinglesAroundEveryHalf(_ mode: RoundingMode) {
        var rng = Xorshift(s: 0x1234_5678 &+ UInt64(mode.rawValue))
        for high in 0...UInt32(0xffff) {
            // Singles whose top bits are those of `high`, with low bits that make ties, near-ties and sticky bits.
            for low: UInt32 in [0, 0x1000, 0x0fff, 0x1001, 0x2000, UInt32(truncatingIfNeeded: rng.next()) & 0xffff] {
                let single = high << 16 | low
                var flags: UInt32 = 0
                let got = HalfOps.fromSingle(single, mode, &flags)
                let expected = referenceFromFloat(UInt64(single), exponentBits: 8, fractionBits: 23, mode)
                #expect(got == expected.0 && flags == expected.1, "\(single) \(mode)")
                if got != expected.0 || flags != expected.1 { return }
            }
        }
        // Host cross-check for round-to-nearest-even: Float16(Float) rounds the same way.
        if mode == .rne {
            for _ in 0..<100_000 {
                let single = UInt32(truncatingIfNeeded: rng.next())
                guard !Float(bitPattern: single).isNaN else { continue }
                var flags: UInt32 = 0
                #expect(HalfOps.fromSingle(single, .rne, &flags) == Float16(Float(bitPattern: single)).bitPattern)
            }
        }
    }

    @Test(arguments: RoundingMode.allCases)
    func narrowDoubles(_ mode: RoundingMode) {
        var rng = Xorshift(s: 0xdead_beef &+ UInt64(mode.rawValue))
        for high in 0...UInt64(0xffff) {
            // Exponents near the half range: 0x3e0–0x410 covers subnormal halves to overflow.
            let exponent = (0x3e0 + high % 0x38) << 52
            let double = (high & 0x8000) << 48 | exponent | (rng.next() >> (12 + high % 40))
            var flags: UInt32 = 0
            let got = HalfOps.fromDouble(double, mode, &flags)
            let expected = referenceFromFloat(double, exponentBits: 11, fractionBits: 52, mode)
            #expect(got == expected.0 && flags == expected.1, "\(double) \(mode)")
            if got != expected.0 || flags != expected.1 { return }
        }
    }

    private func referenceFromFloat(_ x: UInt64, exponentBits: Int, fractionBits: Int, _ mode: RoundingMode) -> (UInt16, UInt32) {
        let (negative, m, e) = HalfReference.decode(x, exponentBits: exponentBits, fractionBits: fractionBits)
        let field = (x >> UInt64(fractionBits)) & ((1 << UInt64(exponentBits)) - 1)
        if field == (1 << UInt64(exponentBits)) - 1 {
            if m & ((1 << UInt128(fractionBits)) - 1) != 0 { // NaN
                return (0x7e00, x & (1 << UInt64(fractionBits - 1)) == 0 ? NV : 0)
            }
            return (negative ? 0xfc00 : 0x7c00, 0)
        }
        if m == 0 { return (negative ? 0x8000 : 0, 0) }
        return HalfReference.round(negative: negative, mode: mode) { HalfReference.compareScaled(m, e, $0) }
    }

    @Test(arguments: RoundingMode.allCases)
    func squareRootOfEveryHalf(_ mode: RoundingMode) {
        for h in 0...UInt16.max {
            var flags: UInt32 = 0
            let got = HalfOps.sqrt(h, mode, &flags)
            let expected: (UInt16, UInt32)
            if HalfReference.isNaN(h) {
                expected = (0x7e00, HalfReference.isSignaling(h) ? NV : 0)
            } else if h & 0x7fff == 0 || h == 0x7c00 {
                expected = (h, 0)
            } else if h & 0x8000 != 0 {
                expected = (0x7e00, NV)
            } else {
                // v = sqrt(A · 2^-24); compare v with t · 2^-26 by squares: A · 2^28 against t².
                let a = HalfReference.units(h)
                expected = HalfReference.round(negative: false, mode: mode) { t in
                    let l = a << 28, r = t * t
                    return l < r ? -1 : l > r ? 1 : 0
                }
            }
            #expect(got == expected.0 && flags == expected.1, "\(h) \(mode)")
        }
    }

    /// Exact binary results as a ratio of values in units of 2^-24 (add, sub, mul, div, fma).
    private enum Binary { case add, sub, mul, div }

    @Test(arguments: RoundingMode.allCases)
    func randomBinaryOperations(_ mode: RoundingMode) {
        var rng = Xorshift(s: 0x5eed &+ UInt64(mode.rawValue))
        for _ in 0..<40_000 {
            let a = rng.half(), b = rng.half()
            for op in [Binary.add, .sub, .mul, .div] {
                var flags: UInt32 = 0
                let got: UInt16
                switch op {
                case .add: got = HalfOps.add(a, b, mode, &flags)
                case .sub: got = HalfOps.sub(a, b, mode, &flags)
                case .mul: got = HalfOps.mul(a, b, mode, &flags)
                case .div: got = HalfOps.div(a, b, mode, &flags)
                }
                let expected = reference(op, a, b, mode)
                #expect(got == expected.0 && flags == expected.1, "\(op) \(a) \(b) \(mode)")
                if got != expected.0 || flags != expected.1 { return }
            }
        }
    }

    private func reference(_ op: Binary, _ a: UInt16, _ b0: UInt16, _ mode: RoundingMode) -> (UInt16, UInt32) {
        let b = op == .sub && !HalfReference.isNaN(b0) ? b0 ^ 0x8000 : b0
        if HalfReference.isNaN(a) || HalfReference.isNaN(b) { return HalfTests.expectNaN([a, b0], invalid: false) }
        let na = a & 0x8000 != 0, nb = b & 0x8000 != 0
        let ma = a & 0x7fff, mb = b & 0x7fff
        let infA = ma == 0x7c00, infB = mb == 0x7c00
        let va = HalfReference.units(ma), vb = HalfReference.units(mb)
        switch op {
        case .add, .sub:
            if infA && infB && na != nb { return (0x7e00, NV) }
            if infA { return (a, 0) }
            if infB { return (b, 0) }
            // Signed sum in units of 2^-24.
            let sa = na ? -Int128(va) : Int128(va), sb = nb ? -Int128(vb) : Int128(vb)
            let sum = sa + sb
            if sum == 0 {
                if ma == 0 && mb == 0 && na == nb { return (a, 0) }
                return (mode == .rdn ? 0x8000 : 0, 0)
            }
            let magnitude = UInt128(sum.magnitude)
            return HalfReference.round(negative: sum < 0, mode: mode) { t in
                let l = magnitude << 2
                return l < t ? -1 : l > t ? 1 : 0
            }
        case .mul:
            let negative = na != nb, sign: UInt16 = negative ? 0x8000 : 0
            if infA || infB { return (ma == 0 || mb == 0) ? (0x7e00, NV) : (sign | 0x7c00, 0) }
            if ma == 0 || mb == 0 { return (sign, 0) }
            let p = va * vb // units of 2^-48
            return HalfReference.round(negative: negative, mode: mode) { t in
                let r = t << 22
                return p < r ? -1 : p > r ? 1 : 0
            }
        case .div:
            let negative = na != nb, sign: UInt16 = negative ? 0x8000 : 0
            if infA { return infB ? (0x7e00, NV) : (sign | 0x7c00, 0) }
            if infB { return (sign, 0) }
            if mb == 0 { return ma == 0 ? (0x7e00, NV) : (sign | 0x7c00, DZ) }
            if ma == 0 { return (sign, 0) }
            // va/vb against t·2^-26: va · 2^26 against t · vb.
            return HalfReference.round(negative: negative, mode: mode) { t in
                let l = va << 26, r = t * vb
                return l < r ? -1 : l > r ? 1 : 0
            }
        }
    }

    @Test(arguments: RoundingMode.allCases)
    func randomFusedMultiplyAdd(_ mode: RoundingMode) {
        var rng = Xorshift(s: 0xf00d &+ UInt64(mode.rawValue))
        for _ in 0..<60_000 {
            let a = rng.half(), b = rng.half(), c = rng.half()
            var flags: UInt32 = 0
            let got = HalfOps.fma(a, b, c, mode, &flags)
            let expected = referenceFMA(a, b, c, mode)
            #expect(got == expected.0 && flags == expected.1, "\(a) \(b) \(c) \(mode)")
            if got != expected.0 || flags != expected.1 { return }
        }
    }

    private func referenceFMA(_ a: UInt16, _ b: UInt16, _ c: UInt16, _ mode: RoundingMode) -> (UInt16, UInt32) {
        let ma = a & 0x7fff, mb = b & 0x7fff, mc = c & 0x7fff
        let infinityTimesZero = (ma == 0x7c00 && mb == 0) || (ma == 0 && mb == 0x7c00)
        if [a, b, c].contains(where: HalfReference.isNaN) { return HalfTests.expectNaN([a, b, c], invalid: infinityTimesZero) }
        if infinityTimesZero { return (0x7e00, NV) }
        let np = (a ^ b) & 0x8000 != 0, nc = c & 0x8000 != 0
        if ma == 0x7c00 || mb == 0x7c00 {
            if mc == 0x7c00 && np != nc { return (0x7e00, NV) }
            return ((np ? 0x8000 : 0) | 0x7c00, 0)
        }
        if mc == 0x7c00 { return (c, 0) }
        // Exact sum in units of 2^-48.
        let p = Int128(HalfReference.units(ma) * HalfReference.units(mb)), q = Int128(HalfReference.units(mc)) << 24
        let sum = (np ? -p : p) + (nc ? -q : q)
        if sum == 0 {
            if p == 0 && q == 0 && np == nc { return (c, 0) } // zeros of one sign
            return (mode == .rdn ? 0x8000 : 0, 0)
        }
        let magnitude = UInt128(sum.magnitude)
        return HalfReference.round(negative: sum < 0, mode: mode) { t in
            let r = t << 22
            return magnitude < r ? -1 : magnitude > r ? 1 : 0
        }
    }

    @Test(arguments: RoundingMode.allCases)
    func everyHalfToEveryIntegerKind(_ mode: RoundingMode) {
        for h in 0...UInt16.max {
            for kind in IntegerKind.allCases {
                var flags: UInt32 = 0
                let got = HalfOps.toInteger(h, kind, mode, &flags)
                let expected = referenceToInteger(h, kind, mode)
                #expect(got == expected.0 && flags == expected.1, "\(h) \(kind) \(mode)")
            }
        }
    }

    private func referenceToInteger(_ h: UInt16, _ kind: IntegerKind, _ mode: RoundingMode) -> (UInt64, UInt32) {
        let signed = kind == .int32 || kind == .int64, wide = kind == .int64 || kind == .uint64
        let maxValue: Int128 = signed ? (wide ? Int128(Int64.max) : Int128(Int32.max)) : (wide ? Int128(UInt64.max) : Int128(UInt32.max))
        let minValue: Int128 = signed ? (wide ? Int128(Int64.min) : Int128(Int32.min)) : 0
        func register(_ v: Int128) -> UInt64 {
            let bits = UInt64(truncatingIfNeeded: v)
            return wide ? bits : UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: bits)))
        }
        if HalfReference.isNaN(h) { return (register(maxValue), NV) }
        let negative = h & 0x8000 != 0
        if h & 0x7fff == 0x7c00 { return (register(negative ? minValue : maxValue), NV) }
        // value = units · 2^-24; integer part and remainder.
        let u = HalfReference.units(h & 0x7fff)
        let whole = u >> 24, rest = u & 0xff_ffff
        var magnitude = whole
        if rest != 0 {
            let up: Bool
            switch mode {
            case .rne: up = rest > 0x80_0000 || (rest == 0x80_0000 && whole & 1 == 1)
            case .rmm: up = rest >= 0x80_0000
            case .rtz: up = false
            case .rdn: up = negative
            case .rup: up = !negative
            }
            if up { magnitude += 1 }
        }
        let value = negative ? -Int128(magnitude) : Int128(magnitude)
        if value > maxValue { return (register(maxValue), NV) }
        if value < minValue { return (register(minValue), NV) }
        return (register(value), rest != 0 ? NX : 0)
    }

    @Test(arguments: RoundingMode.allCases)
    func integersToHalf(_ mode: RoundingMode) {
        var rng = Xorshift(s: 0xabcd &+ UInt64(mode.rawValue))
        for k in 0..<100_000 {
            let r = rng.next()
            let x = k < 70_000 ? r >> (r & 63) : (k & 1 == 0 ? 0 &- (r >> (r & 63)) : r)
            for kind in IntegerKind.allCases {
                let (negative, magnitude): (Bool, UInt64)
                switch kind {
                case .int32: let v = Int32(truncatingIfNeeded: x); (negative, magnitude) = (v < 0, UInt64(v.magnitude))
                case .uint32: (negative, magnitude) = (false, x & 0xffff_ffff)
                case .int64: let v = Int64(bitPattern: x); (negative, magnitude) = (v < 0, v.magnitude)
                case .uint64: (negative, magnitude) = (false, x)
                }
                var flags: UInt32 = 0
                let got = HalfOps.fromInteger(x, kind, mode, &flags)
                let expected = magnitude == 0 ? (UInt16(0), UInt32(0))
                    : HalfReference.round(negative: negative, mode: mode) { HalfReference.compareScaled(UInt128(magnitude), 0, $0) }
                #expect(got == expected.0 && flags == expected.1, "\(x) \(kind) \(mode)")
            }
        }
    }

    /// Runs one instruction through FloatUnit with f1 = a, f2 = b, f3 = c.
    private func run(_ op: Opcode, _ a: UInt64, _ b: UInt64 = 0, _ c: UInt64 = 0, rm: UInt16 = 7, frm: UInt32 = 0,
                     x1: UInt64 = 0) -> (legal: Bool, result: UInt64, flags: UInt32) {
        let scratch = FloatTestState()
        let state = scratch.state
        state.setF(1, a)
        state.setF(2, b)
        state.setF(3, c)
        state.setX(1, x1)
        state.frm = frm
        let toX = op.info.rd == .x
        let legal = FloatUnit.execute(Instruction(opcode: op, rd: toX ? 5 : 4, rs1: 1, rs2: 2, rs3: 3, rm: rm), state)
        return (legal, toX ? state.x(5) : state.f(4), state.fflags)
    }

    @Test func nanBoxing() {
        let one = box(0x3c00)
        // Anything but 48 ones above the half reads as the canonical NaN.
        for bad: UInt64 in [0x3c00, 0xffff_ffff_0000_3c00, 0xfffe_ffff_ffff_3c00, 0x7fff_ffff_ffff_3c00] {
            #expect(run(.fadd_h, bad, one).result == box(0x7e00))
            #expect(run(.fcvt_s_h, bad).result == 0xffff_ffff_7fc0_0000)
            #expect(run(.fcvt_d_h, bad).result == 0x7ff8_0000_0000_0000)
            #expect(run(.fclass_h, bad).result == 1 << 9)
            #expect(run(.fsgnjn_h, bad, one).result == box(0xfe00))
            #expect(run(.feq_h, bad, bad) == (true, 0, 0)) // a quiet NaN: no NV
            // fmv.x.h takes bits 15:0 as they are, sign-extended.
            #expect(run(.fmv_x_h, bad).result == 0x3c00)
        }
        #expect(run(.fadd_h, one, one).result == box(0x4000))
        #expect(run(.fmv_x_h, box(0x8001)).result == 0xffff_ffff_ffff_8001)
        #expect(run(.fmv_h_x, 0, x1: 0x1234_5678_9abc_def0).result == box(0xdef0))
        // A half NaN-boxed in a badly boxed single is a single NaN for F: fcvt.h.s sees the canonical single NaN.
        #expect(run(.fcvt_h_s, 0x0000_0000_ffff_3c00) == (true, box(0x7e00), 0))
        #expect(run(.fcvt_h_s, 0xffff_ffff_7f80_0001) == (true, box(0x7e00), NV))
    }

    @Test func reservedRoundingModesAreIllegal() {
        for op: Opcode in [.fadd_h, .fsqrt_h, .fmadd_h, .fcvt_w_h, .fcvt_h_w, .fcvt_h_s, .fcvt_h_d, .fcvt_s_h, .fcvt_d_h, .fround_h] {
            for rm: UInt16 in [5, 6] { #expect(!run(op, box(0x3c00), box(0x3c00), rm: rm).legal, "\(op) rm \(rm)") }
            for frm: UInt32 in [5, 6, 7] { #expect(!run(op, box(0x3c00), box(0x3c00), frm: frm).legal, "\(op) frm \(frm)") }
            #expect(run(op, box(0x3c00), box(0x3c00), rm: 7, frm: 4).legal)
        }
        // Unrounded instructions ignore frm.
        #expect(run(.feq_h, box(0x3c00), box(0x3c00), frm: 7) == (true, 1, 0))
    }

    @Test func staticRoundingModeOverridesFrm() {
        // 1 + 2^-11 is a tie: rne keeps 1, rup and rmm go up; frm says rup but rm = rne wins.
        let tieAddend = box(0x1000) // 2^-11
        #expect(run(.fadd_h, box(0x3c00), tieAddend, rm: 0, frm: 3) == (true, box(0x3c00), NX))
        #expect(run(.fadd_h, box(0x3c00), tieAddend, rm: 7, frm: 3) == (true, box(0x3c01), NX))
        #expect(run(.fadd_h, box(0x3c00), tieAddend, rm: 4, frm: 0) == (true, box(0x3c01), NX))
        // 65504 + 16 overflows to +inf in rne (tie, odd), stays at 65504 in rtz.
        #expect(run(.fadd_h, box(0x7bff), box(0x4c00), rm: 0) == (true, box(0x7c00), OF | NX))
        #expect(run(.fadd_h, box(0x7bff), box(0x4c00), rm: 1) == (true, box(0x7bff), NX))
        // The smallest subnormal halved: a tie to 0 (tiny, inexact: UF).
        #expect(run(.fmul_h, box(0x0001), box(0x3800), rm: 0) == (true, box(0x0000), UF | NX))
    }

    @Test func zfaHalfForms() {
        // fli.h: Zfa's table in half precision (2^16 does not fit: +inf).
        let table: [UInt16] = [
            0xbc00, 0x0400, 0x0100, 0x0200, 0x1c00, 0x2000, 0x2c00, 0x3000, 0x3400, 0x3500, 0x3600, 0x3700,
            0x3800, 0x3900, 0x3a00, 0x3b00, 0x3c00, 0x3d00, 0x3e00, 0x3f00, 0x4000, 0x4100, 0x4200, 0x4400,
            0x4800, 0x4c00, 0x5800, 0x5c00, 0x7800, 0x7c00, 0x7c00, 0x7e00,
        ]
        for (k, v) in table.enumerated() { #expect(HalfOps.constant(k) == v, "\(k)") }
        // fminm/fmaxm propagate NaN; fmin/fmax don't.
        #expect(run(.fminm_h, box(0x7e00), box(0x3c00)).result == box(0x7e00))
        #expect(run(.fmin_h, box(0x7e00), box(0x3c00)).result == box(0x3c00))
        #expect(run(.fmaxm_h, box(0x8000), box(0x0000)).result == box(0x0000))
        #expect(run(.fminm_h, box(0x8000), box(0x0000)).result == box(0x8000))
        // fround/froundnx: 2.5 → 2 (rne), 3 (rmm); only froundnx raises NX.
        #expect(run(.fround_h, box(0x4100), rm: 0) == (true, box(0x4000), 0))
        #expect(run(.froundnx_h, box(0x4100), rm: 0) == (true, box(0x4000), NX))
        #expect(run(.fround_h, box(0x4100), rm: 4) == (true, box(0x4200), 0))
        #expect(run(.fround_h, box(0xb800), rm: 0) == (true, box(0x8000), 0)) // −0.5 → −0
        // fltq/fleq are quiet for quiet NaNs; flt/fle are not.
        #expect(run(.fltq_h, box(0x7e00), box(0x3c00)) == (true, 0, 0))
        #expect(run(.flt_h, box(0x7e00), box(0x3c00)) == (true, 0, NV))
        #expect(run(.fleq_h, box(0x7d00), box(0x3c00)) == (true, 0, NV))
        #expect(run(.fleq_h, box(0x8000), box(0x0000)) == (true, 1, 0))
    }
}
