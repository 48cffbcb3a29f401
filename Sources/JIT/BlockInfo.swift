import Guest
import RISCV

/// One translated block as tools see it (`trapeze dump`): guest code, host code, how the host
/// code splits into per-instruction pieces, its exits and how often it ran.
public struct BlockInfo: Sendable {
    public var guestStart: UInt64
    /// One past the last guest instruction.
    public var guestEnd: UInt64
    public var guestPCs: [UInt64]
    public var guest: [Instruction]
    public var hostAddress: UInt64
    public var hostCode: [UInt8]
    /// Host offset where the code for each guest instruction starts; what comes before the first
    /// is the block's entry (budget check, execution counter).
    public var instructionStarts: [Int]
    /// Host offset of the out-of-line code (exit and fault stubs) after the body.
    public var coldStart: Int
    /// What each `call` to the shared cold-exit thunk stands for, by its host offset (the call
    /// alone does not say: its pc and budget live in a table, ColdExits.swift).
    public var coldExits: [Int: String] = [:]
    public var exits: [BlockExit]
    /// Times the block was entered and got past its budget check.
    public var executions: UInt64
    /// Position in translation order over the whole run.
    public var order: Int
    /// The block was dropped by a cache flush; its host code and chain states are as they were then.
    public var flushed: Bool
    /// System mode (`trapeze dump --system`): the physical address of the block's first
    /// instruction and the privilege level it was translated for (`PrivilegeMode` raw value).
    public var physicalStart: UInt64? = nil
    public var privilege: UInt8? = nil
}

/// One way a block can end. Exceptions (faults, slow-path traps) are not listed: every block may
/// raise them.
public struct BlockExit: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A conditional branch, taken.
        case taken
        /// A conditional branch, not taken.
        case notTaken = "not-taken"
        /// `jal`.
        case jump
        /// `jalr`: the target is known only at run time.
        case indirect
        /// An instruction handed to the trap-and-emulate handler (`ecall`, a CSR access, ...).
        case system
        /// A block cut at a page boundary or the length limit continues at the next instruction.
        case fallThrough = "fall-through"
    }

    /// How control leaves through this exit.
    public enum Link: String, Sendable {
        /// Jumps straight to the target's translation.
        case chained
        /// System mode, to another guest page: jumps straight to the target's translation while
        /// the privilege's translation epoch is the one it was linked under, otherwise through
        /// the jump cache (SystemEpochs.swift).
        case epochChecked = "epoch-checked"
        /// Returns to the dispatcher, which will chain it once the target is translated.
        case unchained
        /// Returns to the dispatcher every time (chaining is off).
        case dispatcher
        /// Probes the `jalr` lookup table inline; a miss returns to the dispatcher.
        case lookup
        /// Returns to the dispatcher for the trap-and-emulate handler.
        case trap
    }

    public var kind: Kind
    /// The guest target, for direct exits.
    public var target: UInt64?
    public var link: Link
}

extension JIT {
    /// Every block translated in this run, in translation order, including blocks dropped by cache
    /// flushes. Empty unless `options.countBlockExecutions` is set (records cost memory).
    public func translatedBlocks() -> [BlockInfo] {
        (instrumentation.retired + currentBlockInfos(flushed: false)).sorted { $0.order < $1.order }
    }

    func currentBlockInfos(flushed: Bool) -> [BlockInfo] {
        instrumentation.records.compactMap { host, record in
            guard let size = blockSizes[host] else { return nil }
            let guest = record.guest
            let placed = systemTLB?.placements?[host]
            return BlockInfo(guestStart: guest.start, guestEnd: guest.highestEnd, guestPCs: guest.pcs, guest: guest.instructions,
                             hostAddress: host, hostCode: hostBytes(at: host, count: size),
                             instructionStarts: record.instructionStarts, coldStart: record.coldStart,
                             coldExits: coldExitNotes(host: host, size: size),
                             exits: exits(of: guest, host: host, size: size),
                             executions: record.counter?.pointee ?? 0, order: record.order, flushed: flushed,
                             physicalStart: placed?.physical, privilege: placed?.mode)
        }
    }

    /// `BlockInfo.coldExits` for the block at `host`: its sites are those whose call ends inside it.
    private func coldExitNotes(host: UInt64, size: Int) -> [Int: String] {
        let start = Int(host &- cache.start)
        var notes: [Int: String] = [:]
        for site in coldSites.sites where Int(site.returnOffset) > start && Int(site.returnOffset) <= start + size {
            let reason = ExitReason(rawValue: site.reason).map { $0.description } ?? "?"
            var note = reason
            if site.pc != ColdSite.keepsPC { note += " at 0x" + String(site.pc, radix: 16) }
            if site.undo > 0 { note += ", gives back \(site.undo)" }
            if site.reason == ExitReason.chainRequest.rawValue { note += ", site \(site.argument)" }
            notes[Int(site.returnOffset) - start - ColdSite.callLength] = note
        }
        return notes
    }

    /// The exits of a block, from its last instruction; each direct one's link state from its chain
    /// site (a direct exit without one was linked when it was translated).
    private func exits(of guest: GuestBlock, host: UInt64, size: Int) -> [BlockExit] {
        guard let last = guest.instructions.last, let pc = guest.pcs.last else { return [] }
        let next = pc &+ UInt64(last.length)
        var result: [BlockExit] = []
        func direct(_ kind: BlockExit.Kind, _ target: UInt64) {
            result.append(BlockExit(kind: kind, target: target, link: directLink(to: target, host: host, size: size)))
        }
        switch Lowering.kind(last, system: systemTLB != nil) {
        case .branch:
            // `.branch` is the control group, so `op` is never nil here.
            guard let op = ControlOp(last.opcode) else { break }
            switch op {
            case .jal: direct(.jump, pc &+ UInt64(bitPattern: last.imm))
            case .jalr: result.append(BlockExit(kind: .indirect, target: nil, link: options.chaining ? .lookup : .dispatcher))
            case .beq, .bne, .blt, .bge, .bltu, .bgeu:
                direct(.taken, pc &+ UInt64(bitPattern: last.imm))
                direct(.notTaken, next)
            }
        case .system:
            result.append(BlockExit(kind: .system, target: nil, link: .trap))
        case .inline, .slowPath:
            direct(.fallThrough, guest.end)
        }
        return result
    }

    private func directLink(to target: UInt64, host: UInt64, size: Int) -> BlockExit.Link {
        guard options.chaining else { return .dispatcher }
        let low = Int(host &- cache.start), high = low + size
        for site in chainSites where site.target == target && site.displacementOffset >= low && site.displacementOffset < high {
            // Patched when the jump no longer lands on its own stub inside the block.
            let bytes = hostBytes(at: cache.address(site.displacementOffset), count: 4)
            guard bytes.count == 4 else { return .unchained }
            let rel = Int32(bitPattern: UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
            let destination = site.jumpEnd &+ UInt64(bitPattern: Int64(rel))
            if destination >= host && destination < host &+ UInt64(size) { return .unchained }
            return site.epochOffset == nil ? .chained : .epochChecked
        }
        return .chained
    }
}

extension JIT {
    /// Names for the host addresses translated code refers to, for listings: the shared stubs, the
    /// slow-path helpers, the blocks now in the cache (`block 0x10164`) and execution counters.
    public func hostNames() -> [UInt64: String] {
        let stubs = Stubs.emit(at: cache.start, returnAddress: returnAddressRegister)
        var names: [UInt64: String] = [
            cache.start &+ UInt64(stubs.prologue): "prologue",
            cache.start &+ UInt64(stubs.epilogue): "epilogue",
            cache.start &+ UInt64(stubs.coldExit): "cold exit",
            cache.start &+ UInt64(stubs.slowPathThunk): "slow path thunk",
            cache.start &+ UInt64(stubs.floatThunk): "float helper thunk",
            JIT.address(of: slowPathEntry): "slow path",
            JIT.address(of: floatEntry): "float helper",
        ]
        for (guest, host) in blocks.pairs { names[host] = "block 0x" + String(guest, radix: 16) }
        for record in instrumentation.records.values {
            if let c = record.counter { names[UInt64(UInt(bitPattern: c))] = "execution counter" }
        }
        return names
    }
}
