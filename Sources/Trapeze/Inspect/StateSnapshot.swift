#if canImport(Glibc)
import Glibc
#endif
import Guest
import RISCV

/// A copy of a hart's architectural state (the raw state block), to restore or compare with.
public struct StateSnapshot: Equatable, Sendable {
    public private(set) var bytes: [UInt8]

    public init(_ state: GuestState) {
        bytes = Array(UnsafeRawBufferPointer(start: state.raw, count: StateOffset.size))
    }

    public func restore(into state: GuestState) {
        bytes.withUnsafeBytes { state.raw.copyMemory(from: $0.baseAddress!, byteCount: StateOffset.size) }
    }

    private func load<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    public var pc: UInt64 { load(StateOffset.pc, UInt64.self) }
    public func x(_ i: Int) -> UInt64 { load(StateOffset.x + i * 8, UInt64.self) }
    public func f(_ i: Int) -> UInt64 { load(StateOffset.f + i * 8, UInt64.self) }
    public var fflags: UInt32 { load(StateOffset.fflags, UInt32.self) }
    public var frm: UInt32 { load(StateOffset.frm, UInt32.self) }
    public var instret: UInt64 { load(StateOffset.instret, UInt64.self) }
    public var reservation: UInt64 { load(StateOffset.reservation, UInt64.self) }
    public var reservationValid: Bool { load(StateOffset.reservationValid, UInt64.self) != 0 }

    /// Every architectural field where `actual` differs from `self` (the expected state). The
    /// reservation address only matters while a reservation is held. Engine scratch and exit
    /// fields are private to engines and not compared.
    public func differences(_ actual: StateSnapshot) -> [Difference] {
        // The common case, everything equal, is one comparison of the architectural prefix.
        let architectural = StateOffset.exitReason
        if bytes.withUnsafeBytes({ e in actual.bytes.withUnsafeBytes { a in memcmp(e.baseAddress!, a.baseAddress!, architectural) == 0 } }) {
            return []
        }
        var out: [Difference] = []
        func check(_ name: String, _ e: UInt64, _ a: UInt64, width: Int = 16) {
            if e != a { out.append(Difference(location: name, expected: Hex.pad(e, width), actual: Hex.pad(a, width))) }
        }
        check("pc", pc, actual.pc)
        for i in 1..<32 { check("x\(i) (\(RegisterNames.x[i]))", x(i), actual.x(i)) }
        for i in 0..<32 { check("f\(i) (\(RegisterNames.f[i]))", f(i), actual.f(i)) }
        check("fflags", UInt64(fflags), UInt64(actual.fflags), width: 2)
        check("frm", UInt64(frm), UInt64(actual.frm), width: 1)
        check("instret", instret, actual.instret)
        check("reservation valid", reservationValid ? 1 : 0, actual.reservationValid ? 1 : 0, width: 1)
        if reservationValid && actual.reservationValid { check("reservation", reservation, actual.reservation) }
        return out
    }
}

/// One location whose value differs between the reference (expected) and the engine (actual).
public struct Difference: Equatable, Sendable, CustomStringConvertible {
    public var location: String
    public var expected: String
    public var actual: String

    public init(location: String, expected: String, actual: String) {
        self.location = location
        self.expected = expected
        self.actual = actual
    }

    public var description: String { "\(location): interpreter \(expected), engine \(actual)" }
}

/// Hex formatting shared by the reports.
enum Hex {
    /// `0x` and exactly `width` digits (more if the value needs them).
    static func pad(_ v: UInt64, _ width: Int) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `s` followed by spaces up to `width` columns (never cut short).
    static func padRight(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func bytes(_ b: [UInt8]) -> String {
        b.map { Hex.pad(UInt64($0), 2).dropFirst(2) }.joined()
    }
}
