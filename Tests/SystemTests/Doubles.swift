import System

/// A time source the test moves by hand.
final class ManualClock: TimeSource {
    var ticks: UInt64 = 0
    func hostWait(until deadline: UInt64) -> UInt64 { deadline > ticks ? (deadline - ticks) * 100 : 0 }
}

/// A console whose output is kept and whose input the test supplies.
final class BufferConsole: Console {
    var output: [UInt8] = []
    var input: [UInt8] = []
    func transmit(_ byte: UInt8) { output.append(byte) }
    func receive() -> UInt8? { input.isEmpty ? nil : input.removeFirst() }
    func peek() -> UInt8? { input.first }
    var inputDescriptor: Int32? { nil }
    var text: String { String(decoding: output, as: UTF8.self) }
}
