import Guest
import RISCV
import X86

/// sp, gp and tp checked when written rather than when used (user mode).
///
/// Nearly every access off sp, gp or tp would otherwise pay the limit check once per block
/// (`guestAddress`, CheckedBases.swift), though these registers are written rarely (sp at a
/// function's entry and exit, gp and tp almost never). Translated code instead keeps an
/// invariant: whenever it runs, x2, x3 and x4 each hold a value no greater than the guest limit.
///
/// - The dispatcher enters translated code only when the invariant holds; when it does not (a
///   program that keeps some other value there, a signal frame or system call that put one
///   there), it steps the interpreter one instruction at a time until it holds again.
/// - Translated code checks every write of x2–x4 inside a block (any lowering, inline or
///   helper): a value above the limit leaves the block right after the instruction, which has
///   retired, for the dispatcher. A block-ending jump's link value is the address after an
///   instruction fetched from guest memory, so it is never above the limit.
///
/// So an access at `x + d` off such a register, |d| < 2048, lies between −2048 and
/// limit + 2047 + 8: in guest memory or in one of `GuestMemory`'s `PROT_NONE` guards (the same
/// reach `CheckedBases` relies on), where the host fault is reported with the guest address the
/// interpreter would report. No guest address ever reaches Trapeze's own memory.
enum ConfinedBases {
    /// x2 (sp), x3 (gp), x4 (tp).
    static let registers: ClosedRange<UInt8> = 2...4

    /// Whether accesses off `x` need no limit check: x is sp, gp or tp, in user mode (`system`
    /// nil). (A static function: a method of the translator here crashes the Swift 6.3 optimiser.)
    static func covers(_ x: UInt8, system: UInt8?) -> Bool {
        system == nil && registers.contains(x)
    }

    /// Whether the state satisfies the invariant translated code assumes.
    static func hold(_ state: GuestState) -> Bool {
        let limit = state.raw.load(fromByteOffset: StateOffset.memoryLimit, as: UInt64.self)
        return state.x(2) <= limit && state.x(3) <= limit && state.x(4) <= limit
    }
}

extension Translator {
    /// After instruction `index` (the last of those the current lowering did) wrote `rd`: when
    /// rd is sp, gp or tp, leave for the dispatcher right after it if the value is above the
    /// limit (see `ConfinedBases`).
    mutating func confineWrittenBase(_ rd: UInt8, after index: Int) {
        guard ConfinedBases.covers(rd, system: targets.system) else { return }
        let limit = Mem.qword(Host.state, Int32(StateOffset.memoryLimit))
        switch operand(rd) {
        case .zero: return
        case .host(let h): a.cmp(.r64(h), limit)
        case .memory(let d):
            a.mov(.rax, .qword(Host.state, d))
            a.cmp(.rax, limit)
        }
        a.jcc(.a, exitAfter(index))
    }

    /// A cold exit to the dispatcher right after instruction `index`, which has retired: for a
    /// value it wrote that breaks what translated code assumes (here, and `FRMInvariant`).
    mutating func exitAfter(_ index: Int) -> Label {
        let next = block.pcs[index] &+ UInt64(block.instructions[index].length)
        return outOfLine(.budget(pc: next, taken: charged(through: index) - (index + 1)))
    }
}
