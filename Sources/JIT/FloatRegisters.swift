import Guest
import X86

/// Which guest f registers live in xmm registers while translated code runs.
///
/// Static, like `RegisterMap`, so chained blocks agree; loaded by the prologue, stored by the
/// epilogue (every exit and the fault path go through it), and spilled and reloaded around every
/// helper call, because System V makes all xmm registers caller-saved. xmm0–xmm3 stay scratch for
/// the lowerings. The choice was measured: counting f-register operands of retired instructions
/// in nbody, mandelbrot, fmatmul and lu (normalised per benchmark), gcc's allocation order shows —
/// fa5, fa4, fa3, fa2, fs0, fa1, fs1, fs2, fa0, ft0, fs3, ft1 cover all but a fraction of a
/// percent of the uses.
enum FloatRegisterMap {
    static let all: [(guest: Int, host: XMM)] = [
        (15, .xmm4), (14, .xmm5), (13, .xmm6), (12, .xmm7), (8, .xmm8), (11, .xmm9),
        (9, .xmm10), (18, .xmm11), (10, .xmm12), (0, .xmm13), (19, .xmm14), (1, .xmm15),
    ]

    /// Host register of guest f register `f`, if it is cached. Indexed by register number.
    static let host: [XMM?] = {
        var table = [XMM?](repeating: nil, count: 32)
        for (g, h) in all { table[g] = h }
        return table
    }()

    static func slot(_ f: Int) -> Mem { .qword(Host.state, Int32(StateOffset.f + 8 * f)) }

    /// Stores every cached f register into the state block.
    static func store(_ a: inout Assembler) {
        for (g, h) in all { a.movsd(slot(g), h) }
    }

    /// Loads every cached f register from the state block.
    static func load(_ a: inout Assembler) {
        for (g, h) in all { a.movsd(h, slot(g)) }
    }
}
