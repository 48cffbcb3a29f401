import Guest
import Linux
#if canImport(Glibc)
import Glibc
#endif

/// A guest process stripped to what signals need: code, a stack, a scratch page for syscall
/// arguments, a hart, and a `SignalState` whose reports are captured instead of printed.
final class SignalFixture {
    static let code: UInt64 = 0x10000
    static let stackBase: UInt64 = 0x7ff0_0000
    static let stackTop: UInt64 = 0x8000_0000
    static let scratch: UInt64 = 0x2000_0000
    static let handler: UInt64 = 0x10100
    /// Deliberately not 16-byte aligned, so the frame's alignment is visible.
    static let initialSP: UInt64 = 0x7fff_ef08

    let memory = GuestMemory(limit: 1 << 32)
    let hart: Hart
    let signals: SignalState
    var reports: [String] = []

    init() {
        hart = Hart(memory: memory)
        signals = SignalState(memory: memory)
        memory.mapAnonymous(SignalFixture.code, 0x4000, [.read, .execute])
        memory.mapAnonymous(SignalFixture.stackBase, SignalFixture.stackTop - SignalFixture.stackBase, [.read, .write])
        memory.mapAnonymous(SignalFixture.scratch, 0x1000, [.read, .write])
        hart.state.setX(2, SignalFixture.initialSP)
        hart.state.pc = SignalFixture.code + 0x40
        signals.report = { [unowned self] in self.reports.append($0) }
    }

    /// Makes syscall `n` as the guest would: arguments in a0..., number in a7.
    @discardableResult
    func call(_ n: Int, _ args: [UInt64]) -> SignalSyscallResult? {
        for (i, a) in args.enumerated() { hart.state.setX(10 + i, a) }
        hart.state.setX(17, UInt64(n))
        return signals.syscall(n, hart)
    }

    /// A syscall that must return a value.
    func value(_ n: Int, _ args: [UInt64]) -> Int64? {
        if case .value(let v)? = call(n, args) { return v }
        return nil
    }

    /// rt_sigaction(sig, &act, NULL, 8) with the kernel layout {handler, flags, mask}.
    @discardableResult
    func install(_ sig: Int32, handler: UInt64 = SignalFixture.handler, flags: UInt64 = 0, mask: UInt64 = 0) -> Int64? {
        writeWords(SignalFixture.scratch, [handler, flags, mask])
        return value(134, [UInt64(sig), SignalFixture.scratch, 0, 8])
    }

    /// rt_sigprocmask(how, &set, NULL, 8).
    @discardableResult
    func mask(_ how: UInt64, _ set: [Int32]) -> Int64? {
        writeWords(SignalFixture.scratch + 0x100, [SignalSet(set).raw])
        return value(135, [how, SignalFixture.scratch + 0x100, 0, 8])
    }

    /// kill(getpid(), sig).
    @discardableResult
    func killSelf(_ sig: Int32) -> Int64? {
        value(129, [UInt64(getpid()), UInt64(bitPattern: Int64(sig))])
    }

    func writeWords(_ address: UInt64, _ words: [UInt64]) {
        var b: [UInt8] = []
        for w in words { for i in 0..<8 { b.append(UInt8(truncatingIfNeeded: w >> (8 * UInt64(i)))) } }
        try! memory.write(address, b)
    }

    func word(_ address: UInt64) -> UInt64 { try! memory.load(address, as: UInt64.self) }
    func word32(_ address: UInt64) -> UInt32 { try! memory.load(address, as: UInt32.self) }

    /// Fills x1...x31 (except sp), f0...f31 and fcsr with values that tell registers apart.
    func fillRegisters() {
        for i in 1..<32 where i != 2 { hart.state.setX(i, 0x1111_0000_0000_0000 | UInt64(i) << 8 | UInt64(i)) }
        for i in 0..<32 { hart.state.setF(i, 0xffff_ffff_4000_0000 | UInt64(i)) }
        hart.state.fcsr = 0x75
        hart.state.reservationValid = true
    }
}
