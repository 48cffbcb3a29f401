/// The four FMA3 operations; the raw value is added to the opcode of the operand order.
public enum FMAOp: UInt8, CaseIterable, Sendable {
    /// `a*b + c`
    case madd = 0
    /// `a*b - c`
    case msub = 2
    /// `-(a*b) + c`
    case nmadd = 4
    /// `-(a*b) - c`
    case nmsub = 6
}

/// Which operands of `vfmaddNNN dst, src2, src3` are multiplied and which is added: the digits
/// name operands 1 (dst), 2 and 3 as "multiply, multiply, add".
public enum FMAOrder: UInt8, CaseIterable, Sendable {
    /// `dst = dst*src3 + src2`
    case o132 = 0x99
    /// `dst = src2*dst + src3`
    case o213 = 0xA9
    /// `dst = src2*src3 + dst`
    case o231 = 0xB9
}

extension Assembler {
    /// `vf{op}{order}s{s,d} dst, src2, src3` with one rounding (VEX.LIG.66.0F38, W picks the precision).
    public mutating func fma(_ op: FMAOp, _ order: FMAOrder, _ p: Precision, _ dst: XMM, _ src2: XMM, _ src3: XMM) {
        emitVEX(map: 2, pp: 1, w: p == .double, vvvv: src2.rawValue, order.rawValue + op.rawValue,
                reg: dst.rawValue, rm: .xmm(src3))
    }

    public mutating func fma(_ op: FMAOp, _ order: FMAOrder, _ p: Precision, _ dst: XMM, _ src2: XMM, _ src3: Mem) {
        emitVEX(map: 2, pp: 1, w: p == .double, vvvv: src2.rawValue, order.rawValue + op.rawValue,
                reg: dst.rawValue, rm: .mem(src3))
    }

    public mutating func vfmadd132sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.madd, .o132, .double, d, a, b) }
    public mutating func vfmadd213sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.madd, .o213, .double, d, a, b) }
    public mutating func vfmadd231sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.madd, .o231, .double, d, a, b) }
    public mutating func vfmadd132ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.madd, .o132, .single, d, a, b) }
    public mutating func vfmadd213ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.madd, .o213, .single, d, a, b) }
    public mutating func vfmadd231ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.madd, .o231, .single, d, a, b) }
    public mutating func vfmsub132sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.msub, .o132, .double, d, a, b) }
    public mutating func vfmsub213sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.msub, .o213, .double, d, a, b) }
    public mutating func vfmsub231sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.msub, .o231, .double, d, a, b) }
    public mutating func vfmsub132ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.msub, .o132, .single, d, a, b) }
    public mutating func vfmsub213ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.msub, .o213, .single, d, a, b) }
    public mutating func vfmsub231ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.msub, .o231, .single, d, a, b) }
    public mutating func vfnmadd132sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmadd, .o132, .double, d, a, b) }
    public mutating func vfnmadd213sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmadd, .o213, .double, d, a, b) }
    public mutating func vfnmadd231sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmadd, .o231, .double, d, a, b) }
    public mutating func vfnmadd132ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmadd, .o132, .single, d, a, b) }
    public mutating func vfnmadd213ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmadd, .o213, .single, d, a, b) }
    public mutating func vfnmadd231ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmadd, .o231, .single, d, a, b) }
    public mutating func vfnmsub132sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmsub, .o132, .double, d, a, b) }
    public mutating func vfnmsub213sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmsub, .o213, .double, d, a, b) }
    public mutating func vfnmsub231sd(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmsub, .o231, .double, d, a, b) }
    public mutating func vfnmsub132ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmsub, .o132, .single, d, a, b) }
    public mutating func vfnmsub213ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmsub, .o213, .single, d, a, b) }
    public mutating func vfnmsub231ss(_ d: XMM, _ a: XMM, _ b: XMM) { fma(.nmsub, .o231, .single, d, a, b) }
}

extension Assembler {
    /// `v{add,sub,mul,div,min,max,sqrt}s{s,d} dst, src1, src2` (AVX, VEX.LIG): dst = src1 op src2
    /// without touching either source; bits above the scalar come from `src1` (for sqrt the
    /// operand is `src2`).
    public mutating func vscalar(_ op: ScalarOp, _ p: Precision, _ dst: XMM, _ src1: XMM, _ src2: XMM) {
        emitVEX(map: 1, pp: p == .double ? 3 : 2, w: false, vvvv: src1.rawValue, op.rawValue,
                reg: dst.rawValue, rm: .xmm(src2))
    }
}
