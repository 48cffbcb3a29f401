/// The byte-level framing of the GDB Remote Serial Protocol: `$payload#cc` packets (cc = the
/// payload's byte sum modulo 256, in hex), `+`/`-` acknowledgements, and a lone 0x03 byte for
/// an interrupt (Ctrl-C in gdb). Pure: bytes in, events out, so it is tested without a socket.
public struct RSPFramer: Sendable {
    public enum Event: Equatable, Sendable {
        /// A packet whose checksum matched (or was not checked): its payload, still escaped.
        case packet([UInt8])
        /// A packet whose checksum did not match: answer `-` so that gdb resends it.
        case corrupt
        /// gdb's Ctrl-C outside a packet.
        case interrupt
        case ack
        case nack
    }

    /// A payload longer than this is dropped as corrupt instead of growing without bound.
    public static let maximumPayload = 1 << 20

    private enum Phase: Sendable { case idle, payload, checksum1, checksum2(UInt8) }
    private var phase = Phase.idle
    private var payload: [UInt8] = []
    private var sum: UInt8 = 0
    private var overflowed = false

    public init() {}

    /// Feeds received bytes; returns the events they complete, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if let event = feed(byte) { events.append(event) }
        }
        return events
    }

    private mutating func feed(_ byte: UInt8) -> Event? {
        switch phase {
        case .idle:
            switch byte {
            case UInt8(ascii: "$"): startPacket()
            case 0x03: return .interrupt
            case UInt8(ascii: "+"): return .ack
            case UInt8(ascii: "-"): return .nack
            default: break  // noise between packets is ignored, as gdb's own stubs do
            }
        case .payload:
            if byte == UInt8(ascii: "#") {
                phase = .checksum1
            } else if byte == UInt8(ascii: "$") {
                startPacket()  // gdb gave up on the last packet and started over
            } else {
                sum &+= byte
                if payload.count < RSPFramer.maximumPayload { payload.append(byte) } else { overflowed = true }
            }
        case .checksum1:
            guard let high = RSPHex.nibble(byte) else { phase = .idle; return .corrupt }
            phase = .checksum2(high)
        case .checksum2(let high):
            phase = .idle
            guard let low = RSPHex.nibble(byte), high << 4 | low == sum, !overflowed else { return .corrupt }
            let done = payload
            payload = []
            return .packet(done)
        }
        return nil
    }

    private mutating func startPacket() {
        phase = .payload
        payload.removeAll(keepingCapacity: true)
        sum = 0
        overflowed = false
    }

    /// The bytes that send `payload` as one packet, with `#$}*` escaped (`}` then the byte xor 0x20).
    public static func frame(_ payload: some Sequence<UInt8>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "$")]
        var sum: UInt8 = 0
        for byte in payload {
            if byte == UInt8(ascii: "#") || byte == UInt8(ascii: "$") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "*") {
                out.append(UInt8(ascii: "}"))
                out.append(byte ^ 0x20)
                sum &+= UInt8(ascii: "}") &+ (byte ^ 0x20)
            } else {
                out.append(byte)
                sum &+= byte
            }
        }
        out.append(UInt8(ascii: "#"))
        out += RSPHex.byte(sum)
        return out
    }

    /// A received payload with `}`-escapes undone (binary data in `X` and `vFile` packets).
    public static func unescape(_ payload: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count)
        var escaped = false
        for byte in payload {
            if escaped {
                out.append(byte ^ 0x20)
                escaped = false
            } else if byte == UInt8(ascii: "}") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        return out
    }
}

/// Hexadecimal as the protocol writes it: lower-case digits, bytes in memory order.
public enum RSPHex {
    static let digits = Array("0123456789abcdef".utf8)

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    static func byte(_ b: UInt8) -> [UInt8] { [digits[Int(b >> 4)], digits[Int(b & 15)]] }

    /// Two hex digits per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for b in bytes { out += byte(b) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes from pairs of hex digits; nil for an odd count or a non-digit.
    public static func decode(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let h = nibble(utf8[i]), let l = nibble(utf8[i + 1]) else { return nil }
            out.append(h << 4 | l)
            i += 2
        }
        return out
    }

    /// A big-endian hex number as gdb writes addresses and lengths (at most 16 digits).
    public static func number(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 16 else { return nil }
        return UInt64(text, radix: 16)
    }

    /// `value`'s low `size` bytes, little-endian (the target's order), as hex.
    public static func littleEndian(_ value: UInt64, size: Int) -> String {
        encode((0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) })
    }
}
