extension Assembler {
    /// `jmp label`: the 2-byte rel8 form when the label is already bound and close, else rel32.
    /// Pass `short: true` to force rel8 for a forward label; binding it more than 127 bytes away
    /// is then a programming error.
    public mutating func jmp(_ label: Label, short: Bool = false) {
        if useShort(label, short: short, length: 2) {
            bytes.append(0xEB)
            emitLabelDisplacement(label, width: 1, end: offset + 1)
        } else {
            bytes.append(0xE9)
            emitLabelDisplacement(label, width: 4, end: offset + 4)
        }
    }

    /// `jcc label`, sized like `jmp(_:short:)`.
    public mutating func jcc(_ cc: Condition, _ label: Label, short: Bool = false) {
        if useShort(label, short: short, length: 2) {
            bytes.append(0x70 | cc.rawValue)
            emitLabelDisplacement(label, width: 1, end: offset + 1)
        } else {
            append(.of(0x0F, 0x80 | cc.rawValue))
            emitLabelDisplacement(label, width: 4, end: offset + 4)
        }
    }

    private func useShort(_ label: Label, short: Bool, length: Int) -> Bool {
        guard let target = offset(of: label) else { return short }
        return Int8(exactly: target - (offset + length)) != nil
    }

    /// `jmp rel32` to an absolute final address (see `canReach(_:)`).
    public mutating func jmp(absolute target: UInt64) {
        bytes.append(0xE9)
        emitAbsoluteDisplacement(target)
    }

    /// `jcc rel32` to an absolute final address.
    public mutating func jcc(_ cc: Condition, absolute target: UInt64) {
        append(.of(0x0F, 0x80 | cc.rawValue))
        emitAbsoluteDisplacement(target)
    }

    /// `call rel32` to an absolute final address, e.g. a helper function (see `canReach(_:)`).
    public mutating func call(absolute target: UInt64) {
        bytes.append(0xE8)
        emitAbsoluteDisplacement(target)
    }

    /// `call label`.
    public mutating func call(_ label: Label) {
        bytes.append(0xE8)
        emitLabelDisplacement(label, width: 4, end: offset + 4)
    }

    /// `jmp r64`.
    public mutating func jmp(_ r: Reg) {
        precondition(r.size == .qword, "indirect jumps take a 64-bit register")
        emit(.none, .of(0xFF), reg: 4, rm: .gpr(r))
    }

    /// `jmp qword ptr [mem]`.
    public mutating func jmp(_ m: Mem) { emit(.none, .of(0xFF), reg: 4, rm: .mem(m)) }

    /// `call r64`.
    public mutating func call(_ r: Reg) {
        precondition(r.size == .qword, "indirect calls take a 64-bit register")
        emit(.none, .of(0xFF), reg: 2, rm: .gpr(r))
    }

    /// `call qword ptr [mem]`.
    public mutating func call(_ m: Mem) { emit(.none, .of(0xFF), reg: 2, rm: .mem(m)) }

    public mutating func ret() { bytes.append(0xC3) }
    /// `ret imm16`: returns, then drops `bytes` more bytes of arguments from the stack.
    public mutating func ret(popping bytes: UInt16) {
        self.bytes.append(0xC2)
        self.bytes.append(UInt8(truncatingIfNeeded: bytes))
        self.bytes.append(UInt8(truncatingIfNeeded: bytes >> 8))
    }
    /// The guaranteed-invalid instruction: raises #UD (SIGILL).
    public mutating func ud2() { append(.of(0x0F, 0x0B)) }
    /// Breakpoint (SIGTRAP).
    public mutating func int3() { bytes.append(0xCC) }
}

// MARK: - Padding

extension Assembler {
    /// One no-op instruction of exactly `length` bytes (1…15), in the forms Intel recommends:
    /// `nop`, `66 nop`, `nop dword ptr [rax…]` and, beyond 9 bytes, more 66 prefixes and a CS
    /// override on the longest one.
    public mutating func nop(_ length: Int = 1) {
        precondition((1...15).contains(length), "a nop is 1 to 15 bytes long")
        bytes.append(contentsOf: Assembler.nops[min(length, 9) - 1])
        if length >= 10 {
            let longest = Assembler.nops[8]  // 66 0F 1F 84 00 00 00 00 00
            bytes.removeLast(longest.count)
            bytes.append(contentsOf: repeatElement(0x66, count: length - 9))
            bytes.append(0x2E)
            bytes.append(contentsOf: longest.dropFirst())
        }
    }

    /// Pads with no-ops until the offset of the next instruction is a multiple of `alignment`.
    public mutating func align(_ alignment: Int) {
        precondition(alignment > 0 && alignment & (alignment - 1) == 0, "alignment must be a power of two")
        var pad = Int((0 &- address) & UInt64(alignment - 1))
        while pad > 0 {
            let n = min(pad, 9)
            nop(n)
            pad -= n
        }
    }

    static let nops: [[UInt8]] = [
        [0x90],
        [0x66, 0x90],
        [0x0F, 0x1F, 0x00],
        [0x0F, 0x1F, 0x40, 0x00],
        [0x0F, 0x1F, 0x44, 0x00, 0x00],
        [0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00],
        [0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00],
        [0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        [0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
    ]
}
