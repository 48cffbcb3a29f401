/// The exception a data access raised, before the engine adds the pc of the instruction.
public struct DataFault: Error, Equatable, Sendable {
    public var cause: ExceptionCause
    public var tval: UInt64

    @inlinable
    public init(_ cause: ExceptionCause, tval: UInt64) {
        self.cause = cause
        self.tval = tval
    }
}

/// A hart's loads and stores as the interpreter performs them: 1, 2, 4 or 8 bytes at a guest
/// address, each access either done whole or refused with an exception (cause and tval) before
/// any byte changes.
///
/// User mode has one conformance, the flat confined `GuestMemory` (access faults); system mode
/// adds another (TLB, page walk, physical bus: page faults and access faults). The interpreter is
/// generic over it and specialised for each, so a conformance should be a trivial struct whose
/// methods inline (`@inlinable` when it lives outside the engine's module): no existential or
/// class reference on the hot path.
public protocol DataMemory {
    /// The `T` at `address`, for a load (lr included): misaligned is fine.
    func load<T: FixedWidthInteger>(_ address: UInt64, as: T.Type) throws(DataFault) -> T
    /// Writes `value` at `address`, for a store (sc included).
    func store<T: FixedWidthInteger>(_ address: UInt64, _ value: T) throws(DataFault)
    /// An AMO's read-modify-write: replaces the `T` at `address` by `update(old)` and returns
    /// old. It needs read and write access and faults as a store; the caller checked alignment.
    func modify<T: FixedWidthInteger>(_ address: UInt64, as: T.Type, _ update: (T) -> T) throws(DataFault) -> T
    /// amocas.q: the 16 bytes at the (16-byte-aligned) `address` as (low, high), replaced by
    /// `desired` if they equal `expected`. Faults as a store whether or not it stores.
    func compareExchange128(_ address: UInt64, expected: (UInt64, UInt64),
                            desired: (UInt64, UInt64)) throws(DataFault) -> (UInt64, UInt64)
}
