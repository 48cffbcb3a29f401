import RISCV

/// Counters for `trapeze run --stats`.
public struct JITStats: Sendable, CustomStringConvertible {
    public var blocksTranslated: UInt64 = 0
    public var guestInstructionsTranslated: UInt64 = 0
    /// Retired guest instructions while this engine ran (translated and stepped).
    public var guestInstructionsExecuted: UInt64 = 0
    /// Instructions the dispatcher stepped through the interpreter (budget edges).
    public var instructionsStepped: UInt64 = 0
    /// `JITOptions.interpretFirst`: arrivals at a pc without a block that were interpreted, and
    /// the instructions they retired (also counted in `guestInstructionsExecuted`).
    public var blocksInterpreted: UInt64 = 0
    public var instructionsInterpreted: UInt64 = 0
    public var hostCodeBytes: UInt64 = 0
    public var exits: [UInt64] = Array(repeating: 0, count: ExitReason.allCases.count)
    public var chainPatches: UInt64 = 0
    public var indirectHits: UInt64 = 0
    public var indirectMisses: UInt64 = 0
    public var cacheFlushes: UInt64 = 0
    /// System mode: blocks dropped because a store reached the page they were fetched from.
    public var systemBlocksDropped: UInt64 = 0
    public var translationNanoseconds: UInt64 = 0
    /// User mode: code changes (unmap, reprotect, `riscv_flush_icache` of a range) handled by
    /// dropping only the blocks on the changed pages, and the blocks they dropped.
    public var codeChanges: UInt64 = 0
    public var blocksDropped: UInt64 = 0
    /// The persistent cache (`--jit-cache-dir`): whether one is in use, blocks taken from it
    /// instead of translated, and saved blocks found but not used (guest code changed, or the
    /// record did not relocate).
    public var persistentCache = false
    public var blocksLoaded: UInt64 = 0
    public var blocksLoadRejected: UInt64 = 0
    /// System mode: trap-and-emulate exits and slow-path calls by opcode (`Opcode.rawValue`),
    /// and `jalr` table misses whose target block was already translated.
    public var systemExitsByOpcode = [UInt64](repeating: 0, count: Opcode.count)
    public var slowPathsByOpcode = [UInt64](repeating: 0, count: Opcode.count)
    /// Of the trap-and-emulate exits, the Zicsr ones by CSR number.
    public var systemExitsByCSR = [UInt64](repeating: 0, count: 4096)
    public var indirectMissesKnown: UInt64 = 0

    public init() {}

    public func exits(_ reason: ExitReason) -> UInt64 { exits[Int(reason.rawValue)] }

    public var indirectHitRate: Double {
        let total = indirectHits + indirectMisses
        return total == 0 ? 0 : Double(indirectHits) / Double(total)
    }

    public var description: String {
        var lines = [
            "jit: blocks translated      \(blocksTranslated) (\(guestInstructionsTranslated) guest instructions)",
            "jit: guest insns executed   \(guestInstructionsExecuted) (\(instructionsStepped) stepped)",
            "jit: host code bytes        \(hostCodeBytes)",
            "jit: cache flushes          \(cacheFlushes)",
            "jit: chain patches          \(chainPatches)",
            "jit: indirect lookups       \(indirectHits + indirectMisses), hit rate \(percent(indirectHitRate))",
            "jit: translation time       \(milliseconds(translationNanoseconds)) ms",
        ]
        if blocksInterpreted > 0 {
            lines.insert("jit: interpreted first     \(blocksInterpreted) times (\(instructionsInterpreted) guest instructions)", at: 1)
        }
        if persistentCache {
            lines.insert("jit: blocks from disk cache \(blocksLoaded) (\(blocksLoadRejected) rejected)", at: 1)
        }
        if codeChanges > 0 { lines.insert("jit: code changes           \(codeChanges) (\(blocksDropped) blocks dropped)", at: 4) }
        if systemBlocksDropped > 0 { lines.insert("jit: blocks dropped (code stores) \(systemBlocksDropped)", at: 4) }
        let total = exits.reduce(0, +)
        lines.append("jit: exits                  \(total)")
        for reason in ExitReason.allCases where exits(reason) > 0 {
            let name = reason.description
            lines.append("jit:   " + name + String(repeating: " ", count: max(1, 24 - name.count)) + "\(exits(reason))")
        }
        if indirectMissesKnown > 0 {
            lines.append("jit: indirect misses to blocks already translated \(indirectMissesKnown)")
        }
        if systemExitsByOpcode.contains(where: { $0 > 0 }) {
            lines.append("jit: trap-and-emulate by instruction " + JITStats.top(systemExitsByOpcode))
        }
        if systemExitsByCSR.contains(where: { $0 > 0 }) {
            let top = systemExitsByCSR.enumerated().filter { $0.element > 0 }.sorted { $0.element > $1.element }.prefix(8)
            lines.append("jit: trap-and-emulate by CSR " + top.map { "0x" + String($0.offset, radix: 16) + " \($0.element)" }.joined(separator: ", "))
        }
        if slowPathsByOpcode.contains(where: { $0 > 0 }) { lines.append("jit: slow path by instruction " + JITStats.top(slowPathsByOpcode)) }
        return lines.joined(separator: "\n")
    }

    /// The eight most frequent opcodes of `counts`, most frequent first.
    private static func top(_ counts: [UInt64]) -> String {
        counts.enumerated().filter { $0.element > 0 }.sorted { $0.element > $1.element }.prefix(8).map { entry in
            "\(Opcode(rawValue: UInt16(entry.offset)).map { "\($0)" } ?? "?") \(entry.element)"
        }.joined(separator: ", ")
    }

    private func percent(_ x: Double) -> String {
        let tenths = Int((x * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    private func milliseconds(_ ns: UInt64) -> String {
        let hundredths = ns / 10_000
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
