import X86

/// Emits a parsed instruction through the assembler's public API: the bridge that lets the
/// goldens (and the random round trip) drive every encoder form from text.
func emit(_ ins: AsmInstruction, into a: inout Assembler) throws {
    if ins.lock { a.lock() }
    let o = ins.operands
    let o0 = o.count > 0 ? o[0] : nil, o1 = o.count > 1 ? o[1] : nil, o2 = o.count > 2 ? o[2] : nil
    let m = ins.mnemonic
    let unsupported = AsmSyntaxError(description: "no encoder form for \(ins)")

    if let op = aluOps[m] {
        switch (o0, o1) {
        case let (.reg(d)?, .reg(s)?): a.alu(op, d, s)
        case let (.mem(d)?, .reg(s)?): a.alu(op, d, s)
        case let (.reg(d)?, .mem(s)?): a.alu(op, d, s)
        case let (.reg(d)?, .imm(v)?): a.alu(op, d, imm: Int32(truncatingIfNeeded: v))
        case let (.mem(d)?, .imm(v)?): a.alu(op, d, imm: Int32(truncatingIfNeeded: v))
        default: throw unsupported
        }
        return
    }
    if let op = unaryOps[m], o.count == 1 {
        switch o0 {
        case .reg(let r)?: a.unary(op, r)
        case .mem(let x)?: a.unary(op, x)
        default: throw unsupported
        }
        return
    }
    if let op = shiftOps[m] {
        switch (o0, o1) {
        case let (.reg(d)?, .imm(v)?): a.shift(op, d, imm: UInt8(truncatingIfNeeded: v))
        case let (.mem(d)?, .imm(v)?): a.shift(op, d, imm: UInt8(truncatingIfNeeded: v))
        case let (.reg(d)?, .reg(.cl)?): a.shift(op, d, .cl)
        case let (.mem(d)?, .reg(.cl)?): a.shift(op, d, .cl)
        default: throw unsupported
        }
        return
    }
    if let (op, p) = scalarOps[m] {
        switch (o0, o1) {
        case let (.xmm(d)?, .xmm(s)?): a.scalar(op, p, d, s)
        case let (.xmm(d)?, .mem(s)?): a.scalar(op, p, d, s)
        default: throw unsupported
        }
        return
    }
    if let op = bitwiseOps[m] {
        switch (o0, o1) {
        case let (.xmm(d)?, .xmm(s)?): a.bitwise(op, d, s)
        case let (.xmm(d)?, .mem(s)?): a.bitwise(op, d, s)
        default: throw unsupported
        }
        return
    }
    if let (op, order, p) = fmaOps[m] {
        switch (o0, o1, o2) {
        case let (.xmm(d)?, .xmm(s)?, .xmm(t)?): a.fma(op, order, p, d, s, t)
        case let (.xmm(d)?, .xmm(s)?, .mem(t)?): a.fma(op, order, p, d, s, t)
        default: throw unsupported
        }
        return
    }
    if let cc = condition(m, prefix: "cmov") {
        switch (o0, o1) {
        case let (.reg(d)?, .reg(s)?): a.cmovcc(cc, d, s)
        case let (.reg(d)?, .mem(s)?): a.cmovcc(cc, d, s)
        default: throw unsupported
        }
        return
    }
    if let cc = condition(m, prefix: "set") {
        switch o0 {
        case .reg(let d)?: a.setcc(cc, d)
        case .mem(let d)?: a.setcc(cc, d)
        default: throw unsupported
        }
        return
    }

    switch (m, o0, o1, o2) {
    case let ("test", .reg(d)?, .reg(s)?, nil): a.test(d, s)
    case let ("test", .mem(d)?, .reg(s)?, nil): a.test(d, s)
    case let ("test", .reg(d)?, .imm(v)?, nil): a.test(d, imm: Int32(truncatingIfNeeded: v))
    case let ("test", .mem(d)?, .imm(v)?, nil): a.test(d, imm: Int32(truncatingIfNeeded: v))

    case let ("mov", .reg(d)?, .reg(s)?, nil): a.mov(d, s)
    case let ("mov", .reg(d)?, .mem(s)?, nil): a.mov(d, s)
    case let ("mov", .mem(d)?, .reg(s)?, nil): a.mov(d, s)
    case let ("mov", .reg(d)?, .imm(v)?, nil): a.mov(d, imm: v)
    case let ("mov", .mem(d)?, .imm(v)?, nil): a.mov(d, imm: Int32(truncatingIfNeeded: v))
    case let ("movabs", .reg(d)?, .imm(v)?, nil): a.movabs(d, imm: v)
    case let ("movzx", .reg(d)?, .reg(s)?, nil): a.movzx(d, s)
    case let ("movzx", .reg(d)?, .mem(s)?, nil): a.movzx(d, s)
    case let ("movsx", .reg(d)?, .reg(s)?, nil): a.movsx(d, s)
    case let ("movsx", .reg(d)?, .mem(s)?, nil): a.movsx(d, s)
    case let ("movsxd", .reg(d)?, .reg(s)?, nil): a.movsxd(d, s)
    case let ("movsxd", .reg(d)?, .mem(s)?, nil): a.movsxd(d, s)
    case let ("lea", .reg(d)?, .mem(s)?, nil): a.lea(d, s)
    case let ("xchg", .reg(d)?, .reg(s)?, nil): a.xchg(d, s)
    case let ("xchg", .mem(d)?, .reg(s)?, nil): a.xchg(d, s)
    case let ("cmpxchg", .mem(d)?, .reg(s)?, nil): a.cmpxchg(d, s)
    case let ("xadd", .mem(d)?, .reg(s)?, nil): a.xadd(d, s)
    case let ("bswap", .reg(r)?, nil, nil): a.bswap(r)
    case let ("push", .reg(r)?, nil, nil): a.push(r)
    case let ("push", .mem(x)?, nil, nil): a.push(x)
    case let ("push", .imm(v)?, nil, nil): a.push(imm: Int32(truncatingIfNeeded: v))
    case let ("pop", .reg(r)?, nil, nil): a.pop(r)
    case let ("pop", .mem(x)?, nil, nil): a.pop(x)

    case let ("imul", .reg(d)?, .reg(s)?, nil): a.imul(d, s)
    case let ("imul", .reg(d)?, .mem(s)?, nil): a.imul(d, s)
    case let ("imul", .reg(d)?, .reg(s)?, .imm(v)?): a.imul(d, s, imm: Int32(truncatingIfNeeded: v))
    case let ("imul", .reg(d)?, .mem(s)?, .imm(v)?): a.imul(d, s, imm: Int32(truncatingIfNeeded: v))
    case let ("popcnt", .reg(d)?, .reg(s)?, nil): a.popcnt(d, s)
    case let ("popcnt", .reg(d)?, .mem(s)?, nil): a.popcnt(d, s)
    case let ("lzcnt", .reg(d)?, .reg(s)?, nil): a.lzcnt(d, s)
    case let ("lzcnt", .reg(d)?, .mem(s)?, nil): a.lzcnt(d, s)
    case let ("tzcnt", .reg(d)?, .reg(s)?, nil): a.tzcnt(d, s)
    case let ("tzcnt", .reg(d)?, .mem(s)?, nil): a.tzcnt(d, s)
    case let ("shlx", .reg(d)?, .reg(s)?, .reg(c)?): a.shlx(d, s, c)
    case let ("shlx", .reg(d)?, .mem(s)?, .reg(c)?): a.shlx(d, s, c)
    case let ("shrx", .reg(d)?, .reg(s)?, .reg(c)?): a.shrx(d, s, c)
    case let ("shrx", .reg(d)?, .mem(s)?, .reg(c)?): a.shrx(d, s, c)
    case let ("sarx", .reg(d)?, .reg(s)?, .reg(c)?): a.sarx(d, s, c)
    case let ("sarx", .reg(d)?, .mem(s)?, .reg(c)?): a.sarx(d, s, c)
    case let ("bzhi", .reg(d)?, .reg(s)?, .reg(c)?): a.bzhi(d, s, c)
    case let ("bzhi", .reg(d)?, .mem(s)?, .reg(c)?): a.bzhi(d, s, c)
    case let ("andn", .reg(d)?, .reg(s)?, .reg(t)?): a.andn(d, s, t)
    case let ("andn", .reg(d)?, .reg(s)?, .mem(t)?): a.andn(d, s, t)
    case ("cqo", nil, nil, nil): a.cqo()
    case ("cdq", nil, nil, nil): a.cdq()
    case ("cdqe", nil, nil, nil): a.cdqe()

    case let ("jmp", .reg(r)?, nil, nil): a.jmp(r)
    case let ("jmp", .mem(x)?, nil, nil): a.jmp(x)
    case let ("call", .reg(r)?, nil, nil): a.call(r)
    case let ("call", .mem(x)?, nil, nil): a.call(x)
    case ("ret", nil, nil, nil): a.ret()
    case ("ud2", nil, nil, nil): a.ud2()
    case ("int3", nil, nil, nil): a.int3()
    case ("nop", nil, nil, nil): a.nop()

    case let ("movss", .xmm(d)?, .xmm(s)?, nil): a.movss(d, s)
    case let ("movss", .xmm(d)?, .mem(s)?, nil): a.movss(d, s)
    case let ("movss", .mem(d)?, .xmm(s)?, nil): a.movss(d, s)
    case let ("movsd", .xmm(d)?, .xmm(s)?, nil): a.movsd(d, s)
    case let ("movsd", .xmm(d)?, .mem(s)?, nil): a.movsd(d, s)
    case let ("movsd", .mem(d)?, .xmm(s)?, nil): a.movsd(d, s)
    case let ("movd", .xmm(d)?, .reg(s)?, nil): a.movd(d, s)
    case let ("movd", .xmm(d)?, .mem(s)?, nil): a.movd(d, s)
    case let ("movd", .reg(d)?, .xmm(s)?, nil): a.movd(d, s)
    case let ("movd", .mem(d)?, .xmm(s)?, nil): a.movd(d, s)
    case let ("movq", .xmm(d)?, .reg(s)?, nil): a.movq(d, s)
    case let ("movq", .reg(d)?, .xmm(s)?, nil): a.movq(d, s)
    case let ("movq", .xmm(d)?, .xmm(s)?, nil): a.movq(d, s)
    case let ("movq", .xmm(d)?, .mem(s)?, nil): a.movq(d, s)
    case let ("movq", .mem(d)?, .xmm(s)?, nil): a.movq(d, s)
    case let ("ucomiss", .xmm(d)?, .xmm(s)?, nil): a.ucomis(.single, d, s)
    case let ("ucomiss", .xmm(d)?, .mem(s)?, nil): a.ucomis(.single, d, s)
    case let ("ucomisd", .xmm(d)?, .xmm(s)?, nil): a.ucomis(.double, d, s)
    case let ("ucomisd", .xmm(d)?, .mem(s)?, nil): a.ucomis(.double, d, s)
    case let ("comiss", .xmm(d)?, .xmm(s)?, nil): a.comis(.single, d, s)
    case let ("comiss", .xmm(d)?, .mem(s)?, nil): a.comis(.single, d, s)
    case let ("comisd", .xmm(d)?, .xmm(s)?, nil): a.comis(.double, d, s)
    case let ("comisd", .xmm(d)?, .mem(s)?, nil): a.comis(.double, d, s)
    case let ("cvtsi2ss", .xmm(d)?, .reg(s)?, nil): a.cvtsi2s(.single, d, s)
    case let ("cvtsi2ss", .xmm(d)?, .mem(s)?, nil): a.cvtsi2s(.single, d, s)
    case let ("cvtsi2sd", .xmm(d)?, .reg(s)?, nil): a.cvtsi2s(.double, d, s)
    case let ("cvtsi2sd", .xmm(d)?, .mem(s)?, nil): a.cvtsi2s(.double, d, s)
    case let ("cvtss2si", .reg(d)?, .xmm(s)?, nil): a.cvts2si(.single, truncate: false, d, s)
    case let ("cvtss2si", .reg(d)?, .mem(s)?, nil): a.cvts2si(.single, truncate: false, d, s)
    case let ("cvttss2si", .reg(d)?, .xmm(s)?, nil): a.cvts2si(.single, truncate: true, d, s)
    case let ("cvttss2si", .reg(d)?, .mem(s)?, nil): a.cvts2si(.single, truncate: true, d, s)
    case let ("cvtsd2si", .reg(d)?, .xmm(s)?, nil): a.cvts2si(.double, truncate: false, d, s)
    case let ("cvtsd2si", .reg(d)?, .mem(s)?, nil): a.cvts2si(.double, truncate: false, d, s)
    case let ("cvttsd2si", .reg(d)?, .xmm(s)?, nil): a.cvts2si(.double, truncate: true, d, s)
    case let ("cvttsd2si", .reg(d)?, .mem(s)?, nil): a.cvts2si(.double, truncate: true, d, s)
    case let ("cvtss2sd", .xmm(d)?, .xmm(s)?, nil): a.cvtss2sd(d, s)
    case let ("cvtss2sd", .xmm(d)?, .mem(s)?, nil): a.cvtss2sd(d, s)
    case let ("cvtsd2ss", .xmm(d)?, .xmm(s)?, nil): a.cvtsd2ss(d, s)
    case let ("cvtsd2ss", .xmm(d)?, .mem(s)?, nil): a.cvtsd2ss(d, s)
    case let ("roundss", .xmm(d)?, .xmm(s)?, .imm(v)?): a.round(.single, d, s, mode: UInt8(truncatingIfNeeded: v))
    case let ("roundss", .xmm(d)?, .mem(s)?, .imm(v)?): a.round(.single, d, s, mode: UInt8(truncatingIfNeeded: v))
    case let ("roundsd", .xmm(d)?, .xmm(s)?, .imm(v)?): a.round(.double, d, s, mode: UInt8(truncatingIfNeeded: v))
    case let ("roundsd", .xmm(d)?, .mem(s)?, .imm(v)?): a.round(.double, d, s, mode: UInt8(truncatingIfNeeded: v))
    case let (name, .xmm(d)?, .xmm(s)?, nil) where aesOps[name] != nil: a.aes(aesOps[name]!, d, s)
    case let (name, .xmm(d)?, .mem(s)?, nil) where aesOps[name] != nil: a.aes(aesOps[name]!, d, s)
    case let ("aeskeygenassist", .xmm(d)?, .xmm(s)?, .imm(v)?): a.aeskeygenassist(d, s, UInt8(truncatingIfNeeded: v))
    case let ("aeskeygenassist", .xmm(d)?, .mem(s)?, .imm(v)?): a.aeskeygenassist(d, s, UInt8(truncatingIfNeeded: v))
    case let ("punpcklqdq", .xmm(d)?, .xmm(s)?, nil): a.punpcklqdq(d, s)
    case let ("pshufd", .xmm(d)?, .xmm(s)?, .imm(v)?): a.pshufd(d, s, UInt8(truncatingIfNeeded: v))
    case let ("ldmxcsr", .mem(x)?, nil, nil): a.ldmxcsr(x)
    case let ("stmxcsr", .mem(x)?, nil, nil): a.stmxcsr(x)
    default: throw unsupported
    }
}

private let aluOps: [String: ALUOp] = [
    "add": .add, "or": .or, "adc": .adc, "sbb": .sbb, "and": .and, "sub": .sub, "xor": .xor, "cmp": .cmp,
]
private let unaryOps: [String: UnaryOp] = [
    "inc": .inc, "dec": .dec, "not": .not, "neg": .neg, "mul": .mul, "imul": .imul, "div": .div, "idiv": .idiv,
]
private let aesOps: [String: AESOp] = [
    "aesenc": .aesenc, "aesenclast": .aesenclast, "aesdec": .aesdec, "aesdeclast": .aesdeclast, "aesimc": .aesimc,
]
private let shiftOps: [String: ShiftOp] = ["rol": .rol, "ror": .ror, "shl": .shl, "shr": .shr, "sar": .sar]
private let scalarOps: [String: (ScalarOp, Precision)] = {
    var d: [String: (ScalarOp, Precision)] = [:]
    for (name, op) in [("add", ScalarOp.add), ("sub", .sub), ("mul", .mul), ("div", .div), ("sqrt", .sqrt), ("min", .min), ("max", .max)] {
        d[name + "ss"] = (op, .single)
        d[name + "sd"] = (op, .double)
    }
    return d
}()
private let bitwiseOps: [String: BitwiseOp] = Dictionary(uniqueKeysWithValues: BitwiseOp.allCases.map { ("\($0)", $0) })
private let fmaOps: [String: (FMAOp, FMAOrder, Precision)] = {
    var d: [String: (FMAOp, FMAOrder, Precision)] = [:]
    for op in FMAOp.allCases {
        for order in FMAOrder.allCases {
            for (p, suffix) in [(Precision.single, "ss"), (.double, "sd")] {
                d["vf\(op)\(String(describing: order).dropFirst())\(suffix)"] = (op, order, p)
            }
        }
    }
    return d
}()

/// The condition in `cmovne`, `sete`, ….
func condition(_ mnemonic: String, prefix: String) -> Condition? {
    guard mnemonic.hasPrefix(prefix) else { return nil }
    let suffix = mnemonic.dropFirst(prefix.count)
    return Condition.allCases.first { $0.description == suffix }
}
