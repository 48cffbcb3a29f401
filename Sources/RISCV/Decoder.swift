/// Decodes one instruction. If the low two bits of `word` are not `11`, only its low 16 bits are
/// read, as a compressed instruction, and the result is its base form with `length == 2`.
/// Returns nil for reserved and illegal encodings.
///
/// (Stub until the ISA table lands.)
public func decode(_ word: UInt32) -> Instruction? { nil }
