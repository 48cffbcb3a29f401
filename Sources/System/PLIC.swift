/// The platform-level interrupt controller (SiFive PLIC layout, as QEMU's virt board): sources
/// 1...96 with 3-bit priorities, a pending bit per source, and per context an enable bit per
/// source, a priority threshold and a claim/complete register. Hart 0 has context 0 (M-mode,
/// drives MEIP) and context 1 (S-mode, drives SEIP). Registers are 32 bits wide.
///
/// Sources are level-triggered through a gateway: a raised line becomes pending; claiming takes
/// the highest-priority pending enabled source (the lowest number on a tie) off pending until the
/// context completes it, after which a still-raised line is pending again.
public final class PLIC: Device {
    public static let sourceCount = 97, contextCount = 2
    public static let priorityMask: UInt32 = 7
    public static let pendingBase: UInt64 = 0x1000, enableBase: UInt64 = 0x2000, enableStride: UInt64 = 0x80
    public static let contextBase: UInt64 = 0x20_0000, contextStride: UInt64 = 0x1000
    static let words = (sourceCount + 31) / 32

    private var priority = [UInt32](repeating: 0, count: sourceCount)
    private var level = [Bool](repeating: false, count: sourceCount)
    private var pending = [Bool](repeating: false, count: sourceCount)
    private var claimed = [Bool](repeating: false, count: sourceCount)
    private var enabled = [[UInt32]](repeating: [UInt32](repeating: 0, count: words), count: contextCount)
    private var threshold = [UInt32](repeating: 0, count: contextCount)
    /// Each context's line, kept until a register or source changes: engines ask often.
    private var lines: [Bool]? = nil

    public init() {}

    /// A device drives source `irq`'s line.
    public func setLevel(_ irq: Int, _ raised: Bool) {
        guard irq > 0, irq < Self.sourceCount, level[irq] != raised else { return }
        level[irq] = raised
        lines = nil
        // Lowering the line withdraws a request not yet claimed (QEMU's PLIC does the same).
        if !claimed[irq] { pending[irq] = raised }
    }

    /// Whether context `context` has an interrupt to take: its external-interrupt line.
    public func interruptPending(context: Int) -> Bool {
        if let lines { return lines[context] }
        let now = (0..<Self.contextCount).map { best(context: $0) != 0 }
        lines = now
        return now[context]
    }

    /// The source a claim by `context` would take now, or 0.
    func best(context: Int) -> Int {
        var winner = 0, winnerPriority = threshold[context]
        for irq in 1..<Self.sourceCount where pending[irq] && isEnabled(irq, context) && priority[irq] > winnerPriority {
            winner = irq
            winnerPriority = priority[irq]
        }
        return winner
    }

    private func isEnabled(_ irq: Int, _ context: Int) -> Bool { enabled[context][irq / 32] >> (irq % 32) & 1 != 0 }

    private func claim(_ context: Int) -> UInt32 {
        let irq = best(context: context)
        if irq != 0 {
            lines = nil
            pending[irq] = false
            claimed[irq] = true
        }
        return UInt32(irq)
    }

    private func complete(_ context: Int, _ value: UInt64) {
        guard value > 0, value < UInt64(Self.sourceCount) else { return }
        let irq = Int(value)
        guard claimed[irq], isEnabled(irq, context) else { return }
        claimed[irq] = false
        if level[irq] { pending[irq] = true }
    }

    /// The register at `offset`, decoded.
    private enum Register {
        case priority(Int), pending(Int), enable(context: Int, word: Int), threshold(Int), claim(Int), reserved
    }

    private func register(_ offset: UInt64) -> Register {
        if offset < 4 * UInt64(Self.sourceCount) { return offset == 0 ? .reserved : .priority(Int(offset / 4)) }
        if offset >= Self.pendingBase, offset < Self.pendingBase + 4 * UInt64(Self.words) {
            return .pending(Int((offset - Self.pendingBase) / 4))
        }
        if offset >= Self.enableBase, offset < Self.enableBase + Self.enableStride * UInt64(Self.contextCount) {
            let context = Int((offset - Self.enableBase) / Self.enableStride)
            let word = Int((offset - Self.enableBase) % Self.enableStride / 4)
            return word < Self.words ? .enable(context: context, word: word) : .reserved
        }
        if offset >= Self.contextBase, offset < Self.contextBase + Self.contextStride * UInt64(Self.contextCount) {
            let context = Int((offset - Self.contextBase) / Self.contextStride)
            switch (offset - Self.contextBase) % Self.contextStride {
            case 0: return .threshold(context)
            case 4: return .claim(context)
            default: return .reserved
            }
        }
        return .reserved
    }

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        guard width == 4 else { return nil }
        switch register(offset) {
        case .priority(let irq): return UInt64(priority[irq])
        case .pending(let word):
            var bits: UInt32 = 0
            for bit in 0..<32 where word * 32 + bit < Self.sourceCount && pending[word * 32 + bit] { bits |= 1 << bit }
            return UInt64(bits)
        case .enable(let context, let word): return UInt64(enabled[context][word])
        case .threshold(let context): return UInt64(threshold[context])
        case .claim(let context): return UInt64(claim(context))
        case .reserved: return 0
        }
    }

    public func write(_ offset: UInt64, width: Int, value: UInt64) -> Bool {
        guard width == 4 else { return false }
        lines = nil
        let v = UInt32(truncatingIfNeeded: value)
        switch register(offset) {
        case .priority(let irq): priority[irq] = v & Self.priorityMask
        case .enable(let context, let word):
            // Source 0 does not exist, nor do bits past the last source.
            let valid: UInt32 = word == Self.words - 1 ? (1 << (Self.sourceCount % 32)) &- 1 : .max
            enabled[context][word] = v & valid & (word == 0 ? ~1 : .max)
        case .threshold(let context): threshold[context] = v & Self.priorityMask
        case .claim(let context): complete(context, value & 0xffff_ffff)
        case .pending, .reserved: break
        }
        return true
    }
}
