/// A guest's disposition for one signal: the kernel-side `struct sigaction` of asm-generic without
/// `sa_restorer` (riscv64 defines no SA_RESTORER): handler at 0, flags at 8, mask at 16, 24 bytes.
public struct SignalAction: Equatable, Sendable {
    public var handler: UInt64
    public var flags: UInt64
    public var mask: SignalSet

    public init(handler: UInt64 = SignalAction.defaultHandler, flags: UInt64 = 0, mask: SignalSet = .empty) {
        self.handler = handler
        self.flags = flags
        self.mask = mask
    }

    public static let size = 24
    /// SIG_DFL and SIG_IGN.
    public static let defaultHandler: UInt64 = 0
    public static let ignoreHandler: UInt64 = 1

    public static let noChildStop: UInt64 = 0x0000_0001     // SA_NOCLDSTOP
    public static let noChildWait: UInt64 = 0x0000_0002     // SA_NOCLDWAIT
    public static let siginfo: UInt64 = 0x0000_0004         // SA_SIGINFO
    public static let exposeTagBits: UInt64 = 0x0000_0800   // SA_EXPOSE_TAGBITS
    public static let onStack: UInt64 = 0x0800_0000         // SA_ONSTACK
    public static let restart: UInt64 = 0x1000_0000         // SA_RESTART
    public static let noDefer: UInt64 = 0x4000_0000         // SA_NODEFER
    public static let resetHand: UInt64 = 0x8000_0000       // SA_RESETHAND
    /// The flags the kernel keeps; it clears the others so programs can probe for support
    /// (SA_UNSUPPORTED, 0x400, must read back as clear).
    public static let knownFlags: UInt64 = noChildStop | noChildWait | siginfo | exposeTagBits
        | onStack | restart | noDefer | resetHand

    public var isDefault: Bool { handler == SignalAction.defaultHandler }
    public var isIgnore: Bool { handler == SignalAction.ignoreHandler }
    /// True when a guest function runs for this signal.
    public var isHandler: Bool { !isDefault && !isIgnore }

    /// Would a signal with this disposition be thrown away on arrival?
    public func ignores(_ sig: Int32) -> Bool {
        if isIgnore { return true }
        guard isDefault else { return false }
        switch GuestSignal.defaultAction(sig) {
        case .ignore, .stop, .continue: return true
        case .terminate, .core: return false
        }
    }

    func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: SignalAction.size)
        b.putLE(handler, at: 0)
        b.putLE(flags, at: 8)
        b.putLE(mask.raw, at: 16)
        return b
    }

    init(decoding b: [UInt8]) {
        self.init(handler: b.getLE(0), flags: b.getLE(8), mask: SignalSet(raw: b.getLE(16)))
    }
}

/// The guest's alternate signal stack (`stack_t`: ss_sp at 0, ss_flags at 8, ss_size at 16).
public struct SignalAltStack: Equatable, Sendable {
    public var base: UInt64
    public var size: UInt64
    /// SS_AUTODISARM: the stack is disabled while a handler runs on it.
    public var autoDisarm: Bool

    public init(base: UInt64 = 0, size: UInt64 = 0, autoDisarm: Bool = false) {
        self.base = base
        self.size = size
        self.autoDisarm = autoDisarm
    }

    public static let encodedSize = 24
    public static let onStackFlag: Int32 = 1                 // SS_ONSTACK
    public static let disableFlag: Int32 = 2                 // SS_DISABLE
    public static let autoDisarmFlag: Int32 = Int32(bitPattern: 0x8000_0000)  // SS_AUTODISARM
    /// MINSIGSTKSZ for riscv64 (asm-generic).
    public static let minimumSize: UInt64 = 2048

    public var isEnabled: Bool { size != 0 }

    /// The kernel's `on_sig_stack`: the stack grows down, so `sp == base` is already off it. With
    /// SS_AUTODISARM the stack is disabled whenever a handler runs on it, so sp is never "on" it.
    public func contains(_ sp: UInt64) -> Bool {
        isEnabled && !autoDisarm && sp > base && sp &- base <= size
    }

    /// `ss_flags` as sigaltstack and the signal frame report it for a guest whose sp is `sp`.
    public func flags(sp: UInt64) -> Int32 {
        if !isEnabled { return SignalAltStack.disableFlag }
        var f: Int32 = contains(sp) ? SignalAltStack.onStackFlag : 0
        if autoDisarm { f |= SignalAltStack.autoDisarmFlag }
        return f
    }

    func encoded(sp: UInt64) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: SignalAltStack.encodedSize)
        b.putLE(base, at: 0)
        b.putLE(UInt32(bitPattern: flags(sp: sp)), at: 8)
        b.putLE(size, at: 16)
        return b
    }
}

// Little-endian field access into byte arrays, for the guest structures built and parsed here.
extension Array where Element == UInt8 {
    mutating func putLE<T: FixedWidthInteger>(_ v: T, at offset: Int) {
        let v = UInt64(truncatingIfNeeded: v)
        for i in 0..<MemoryLayout<T>.size { self[offset + i] = UInt8(truncatingIfNeeded: v &>> UInt64(8 * i)) }
    }

    func getLE<T: FixedWidthInteger>(_ offset: Int, as: T.Type = T.self) -> T {
        var v: T = 0
        for i in (0..<MemoryLayout<T>.size).reversed() { v = (v &<< 8) | T(truncatingIfNeeded: self[offset + i]) }
        return v
    }
}
