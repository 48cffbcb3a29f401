import Foundation
import Guest
import Interpreter
import RISCV

/// A zeroed guest state block for one test, freed when the test is done with it.
final class FloatTestState {
    let state: GuestState

    init() {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: StateOffset.size, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: StateOffset.size)
        state = GuestState(raw: raw)
    }

    deinit { state.raw.deallocate() }
}

/// Where an F/D instruction's operands and result live.
enum FloatOperandFile { case float, integer }

extension Opcode {
    /// Whether rs1 names an x register (int-to-float conversions and the moves from x).
    var readsIntegerSource: Bool {
        switch self {
        case .fcvt_s_w, .fcvt_s_wu, .fcvt_s_l, .fcvt_s_lu, .fcvt_d_w, .fcvt_d_wu, .fcvt_d_l, .fcvt_d_lu,
             .fmv_w_x, .fmv_d_x: true
        default: false
        }
    }

    /// Whether rd names an x register (comparisons, fclass, float-to-int, moves to x).
    var writesIntegerResult: Bool {
        switch self {
        case .feq_s, .flt_s, .fle_s, .feq_d, .flt_d, .fle_d, .fclass_s, .fclass_d, .fmv_x_w, .fmv_x_d,
             .fcvt_w_s, .fcvt_wu_s, .fcvt_l_s, .fcvt_lu_s, .fcvt_w_d, .fcvt_wu_d, .fcvt_l_d, .fcvt_lu_d: true
        default: false
        }
    }

    /// The opcode for an assembler mnemonic such as "fcvt.w.d".
    static let byMnemonic: [String: Opcode] = Dictionary(uniqueKeysWithValues: Opcode.allCases.map {
        ("\($0)".replacingOccurrences(of: "_", with: "."), $0)
    })
}

/// Runs one instruction with sources f1/f2/f3 (or x1) and destination f4 (or x5), starting from
/// clear fflags, and returns (legal, result register, fflags).
func runFloat(_ opcode: Opcode, _ inputs: [UInt64], rm: UInt16, frm: UInt32 = 0,
              on scratch: FloatTestState) -> (legal: Bool, result: UInt64, flags: UInt32) {
    let state = scratch.state
    for i in 0..<inputs.count {
        if opcode.readsIntegerSource { state.setX(1 + i, inputs[i]) } else { state.setF(1 + i, inputs[i]) }
    }
    let sentinel: UInt64 = 0x5a5a_5a5a_5a5a_5a5a
    state.setX(5, sentinel)
    state.setF(4, sentinel)
    state.fflags = 0
    state.frm = frm
    let inst = Instruction(opcode: opcode, rd: opcode.writesIntegerResult ? 5 : 4, rs1: 1, rs2: 2, rs3: 3, rm: rm)
    let legal = FloatUnit.execute(inst, state)
    let result = opcode.writesIntegerResult ? state.x(5) : state.f(4)
    return (legal, result, state.fflags)
}

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
