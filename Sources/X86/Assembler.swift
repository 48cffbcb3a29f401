/// A position in the code that jumps and RIP-relative operands can refer to before it is known.
public struct Label: Hashable, Sendable {
    public let id: Int
}

/// An x86-64 assembler writing into a growable byte buffer.
///
/// It knows nothing of RISC-V and encodes exactly what it is asked: one method per instruction
/// form, named like the mnemonic, operands in Intel order (destination first):
///
///     var a = Assembler(baseAddress: codeAddress)
///     a.mov(.rax, .qword(.rbx, 8))
///     a.add(.eax, imm: 5)
///     a.jcc(.ne, done)
///     a.bind(done)
///
/// `baseAddress` is where byte 0 will live when the code runs; it is needed only by
/// instructions that reach an absolute address (`call(absolute:)`, `jmp(absolute:)`) and by
/// patchable jumps, which align their displacement against the final address. Code that uses
/// neither is position independent and may be copied anywhere.
public struct Assembler: Sendable {
    /// The machine code emitted so far.
    public internal(set) var bytes: [UInt8] = []
    /// The final address of `bytes[0]`. Changing it moves absolute-target fixups: see `rebase(to:)`.
    public internal(set) var baseAddress: UInt64

    /// Offsets of bound labels (nil while unbound), indexed by `Label.id`.
    var labelOffsets: [Int?] = []
    /// References to labels that were not bound when emitted.
    var pendingFixups: [LabelFixup] = []
    /// rel32 fields aimed at absolute addresses; rewritten by `rebase(to:)`.
    public internal(set) var absoluteFixups: [AbsoluteFixup] = []
    /// Set by `lock()`; the next instruction carries the prefix.
    var pendingLock = false
    /// Immediates the caller tagged as addresses that change from one run to the next (the JIT's
    /// persistent cache relocates them when it loads saved code).
    public internal(set) var taggedImmediates: [TaggedImmediate] = []

    public init(baseAddress: UInt64 = 0) {
        self.baseAddress = baseAddress
    }

    /// The offset at which the next instruction will be emitted.
    /// (Inlinable: the JIT asks for it around every guest instruction it lowers.)
    @inlinable public var offset: Int { bytes.count }
    /// The final address of the next instruction.
    @inlinable public var address: UInt64 { baseAddress &+ UInt64(bytes.count) }

    /// Starts over at `baseAddress` with no code and no labels, keeping the buffers' capacity, so
    /// that one assembler can serve block after block without allocating.
    public mutating func reset(baseAddress: UInt64) {
        self.baseAddress = baseAddress
        bytes.removeAll(keepingCapacity: true)
        labelOffsets.removeAll(keepingCapacity: true)
        pendingFixups.removeAll(keepingCapacity: true)
        absoluteFixups.removeAll(keepingCapacity: true)
        taggedImmediates.removeAll(keepingCapacity: true)
        pendingLock = false
    }

    /// Makes room for `byteCount` bytes of code and `labels` labels up front, so that a caller that
    /// knows roughly how much it will emit (the JIT, per block) does not regrow the buffers.
    public mutating func reserveCapacity(_ byteCount: Int, labels: Int = 0) {
        bytes.reserveCapacity(byteCount)
        if labels > 0 {
            labelOffsets.reserveCapacity(labels)
            pendingFixups.reserveCapacity(labels)
        }
    }

    /// Removes the code from `start` on, if nothing refers into it: no label bound at or after
    /// `start`, and no fixup or tagged immediate there. Returns whether it did. (The JIT takes
    /// back the store it just emitted when the next guest instruction can use the stored value
    /// from the register instead, `Translator.forwardChain`.)
    public mutating func dropTail(from start: Int) -> Bool {
        guard isStraightTail(from: start) else { return false }
        bytes.removeSubrange(start...)
        return true
    }

    /// Whether nothing refers into the code from `start` on: no label bound there (so the only
    /// way to reach the end of the code is through it) and no fixup or tagged immediate in it.
    public func isStraightTail(from start: Int) -> Bool {
        guard start >= 0, start <= bytes.count, !pendingLock else { return false }
        for bound in labelOffsets { if let at = bound, at >= start { return false } }
        return !pendingFixups.contains(where: { $0.at >= start }) && !absoluteFixups.contains(where: { $0.at >= start })
            && !taggedImmediates.contains(where: { $0.at >= start })
    }

    /// Whether a label is bound at an offset after `start` (code from there on may be reached by
    /// a jump, not only by falling through from `start`).
    public func labelBound(after start: Int) -> Bool {
        for bound in labelOffsets { if let at = bound, at > start { return true } }
        return false
    }

    /// Appends raw bytes (data, or code encoded elsewhere).
    public mutating func emit(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Appends a little-endian 32-bit constant (e.g. a float bit pattern for a RIP-relative load).
    public mutating func emit(dword v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends a little-endian 64-bit constant.
    public mutating func emit(qword v: UInt64) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// A displacement field that refers to a label.
struct LabelFixup: Sendable {
    /// Where the field starts.
    var at: Int
    /// 1 or 4 bytes.
    var width: Int
    /// The offset the displacement is relative to (the end of the instruction).
    var end: Int
    var label: Label
}

/// A rel32 field that refers to an absolute address.
public struct AbsoluteFixup: Sendable {
    /// Where the field starts.
    public var at: Int
    /// The offset the displacement is relative to (the end of the instruction).
    public var end: Int
    public var target: UInt64
}

/// An immediate field holding a value the caller named with `tag` (e.g. a helper's address).
public struct TaggedImmediate: Sendable, Equatable {
    /// Where the field starts, and its width in bytes (4: sign-extended to 64 bits, or 8).
    public var at: Int
    public var width: Int
    public var tag: UInt32

    public init(at: Int, width: Int, tag: UInt32) {
        self.at = at
        self.width = width
        self.tag = tag
    }
}

// MARK: - Labels

extension Assembler {
    /// A new, unbound label.
    public mutating func newLabel() -> Label {
        labelOffsets.append(nil)
        return Label(id: labelOffsets.count - 1)
    }

    /// Binds `label` to the current offset and resolves every earlier reference to it.
    public mutating func bind(_ label: Label) {
        precondition(labelOffsets[label.id] == nil, "label bound twice")
        labelOffsets[label.id] = offset
        // In place, one pass, a resolved fixup replaced by the last one (their order does not
        // matter): binding was a measurable share of translation time.
        var i = 0
        while i < pendingFixups.count {
            if pendingFixups[i].label == label {
                resolve(pendingFixups[i], to: offset)
                pendingFixups[i] = pendingFixups[pendingFixups.count - 1]
                pendingFixups.removeLast()
            } else {
                i += 1
            }
        }
    }

    /// The offset a label is bound to, or nil while it is unbound.
    public func offset(of label: Label) -> Int? { labelOffsets[label.id] }

    /// The final address of a bound label.
    public func address(of label: Label) -> UInt64? {
        offset(of: label).map { baseAddress &+ UInt64($0) }
    }

    /// Whether every label that was referred to has been bound: only then are the bytes final.
    public var isResolved: Bool { pendingFixups.isEmpty }

    /// Emits a `width`-byte displacement to `label`, relative to `end` (which must be where the
    /// instruction will end), now if the label is bound, or when it is.
    mutating func emitLabelDisplacement(_ label: Label, width: Int, end: Int) {
        let f = LabelFixup(at: offset, width: width, end: end, label: label)
        for _ in 0..<width { bytes.append(0) }
        if let target = labelOffsets[label.id] { resolve(f, to: target) } else { pendingFixups.append(f) }
    }

    mutating func resolve(_ f: LabelFixup, to target: Int) {
        let rel = target - f.end
        if f.width == 1 {
            guard let r8 = Int8(exactly: rel) else {
                preconditionFailure("short jump to label \(f.label.id) is \(rel) bytes away")
            }
            bytes[f.at] = UInt8(bitPattern: r8)
        } else {
            guard let r32 = Int32(exactly: rel) else { preconditionFailure("label beyond ±2 GiB") }
            write32(UInt32(bitPattern: r32), at: f.at)
        }
    }

    mutating func write32(_ v: UInt32, at i: Int) {
        bytes[i] = UInt8(truncatingIfNeeded: v)
        bytes[i + 1] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[i + 2] = UInt8(truncatingIfNeeded: v >> 16)
        bytes[i + 3] = UInt8(truncatingIfNeeded: v >> 24)
    }
}

// MARK: - Absolute targets

extension Assembler {
    /// The rel32 that reaches `target` from an instruction ending at final address `end`, or nil
    /// when the target is more than ±2 GiB away.
    public static func rel32(from end: UInt64, to target: UInt64) -> Int32? {
        Int32(exactly: Int64(bitPattern: target &- end))
    }

    /// Whether a rel32 branch emitted next could reach `target`.
    public func canReach(_ target: UInt64) -> Bool {
        // The longest rel32 branch is 6 bytes (jcc); the shortest 5. Both ends must reach.
        Assembler.rel32(from: address &+ 5, to: target) != nil
            && Assembler.rel32(from: address &+ 6, to: target) != nil
    }

    mutating func emitAbsoluteDisplacement(_ target: UInt64) {
        let f = AbsoluteFixup(at: offset, end: offset + 4, target: target)
        guard let rel = Assembler.rel32(from: baseAddress &+ UInt64(f.end), to: target) else {
            preconditionFailure("absolute target out of rel32 range; check canReach(_:) first")
        }
        for _ in 0..<4 { bytes.append(0) }
        write32(UInt32(bitPattern: rel), at: f.at)
        absoluteFixups.append(f)
    }

    /// Moves the code to a new final address, rewriting every rel32 aimed at an absolute
    /// target. Returns false (and changes nothing) if some target would be out of reach.
    /// Patchable jump sites keep the alignment they were emitted with: rebase only by multiples of 8.
    public mutating func rebase(to newBase: UInt64) -> Bool {
        var rels: [Int32] = []
        for f in absoluteFixups {
            guard let r = Assembler.rel32(from: newBase &+ UInt64(f.end), to: f.target) else { return false }
            rels.append(r)
        }
        for (f, r) in zip(absoluteFixups, rels) { write32(UInt32(bitPattern: r), at: f.at) }
        baseAddress = newBase
        return true
    }
}
