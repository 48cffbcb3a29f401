/// The command side of the gdb stub: one received packet in, the packets to send back out.
///
/// It knows the protocol's commands and nothing of sockets; everything about the machine goes
/// through its `DebugTarget`. Malformed, unknown or impossible requests get an `E` error or the
/// empty reply ("not supported"), never a crash. Resuming commands block until the guest stops.
public final class GDBSession {
    /// What to send for one packet, and whether the conversation is over afterwards.
    public struct Reply: Equatable, Sendable {
        /// Payloads, unescaped (`RSPFramer.frame` escapes them).
        public var packets: [[UInt8]]
        /// The guest is gone (killed, exited, detached): close the connection after sending.
        public var close = false

        init(_ packets: [String], close: Bool = false) {
            self.packets = packets.map { Array($0.utf8) }
            self.close = close
        }

        init(bytes: [UInt8]) { packets = [bytes] }

        /// The payloads as text (for tests and logs).
        public var text: [String] { packets.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The largest packet gdb may send us, and (for `m`) the largest we send: what `qSupported` announces.
    public static let packetSize = 0x4000

    public let target: any DebugTarget
    /// After `QStartNoAckMode`, neither side sends `+`/`-`.
    public private(set) var acknowledging = true
    /// How the guest last stopped (the answer to `?`).
    public private(set) var lastStop = StopReason.signal(5)

    public init(target: any DebugTarget) { self.target = target }

    /// Handles one packet's payload (as framed, escapes included).
    public func handle(_ payload: [UInt8]) -> Reply {
        // Only `X` carries binary data; everything else is ASCII, so text is safe to decode.
        if payload.first == UInt8(ascii: "X") { return Reply([writeBinary(payload)]) }
        let text = String(decoding: payload, as: UTF8.self)
        guard let command = text.first else { return Reply([""]) }
        let body = text.dropFirst()
        switch command {
        case "?": return Reply([stopReply(lastStop)])
        case "g": return Reply([readGeneralRegisters()])
        case "G": return Reply([writeGeneralRegisters(body)])
        case "p": return Reply([readRegister(body)])
        case "P": return Reply([writeRegister(body)])
        case "m": return Reply([readMemory(body)])
        case "M": return Reply([writeMemory(body)])
        case "Z", "z": return Reply([breakpoint(body, insert: command == "Z")])
        case "H", "T": return Reply(["OK"])  // one thread: any choice of thread is that one
        case "c", "s": return resume(step: command == "s", signal: nil)
        case "C", "S":
            guard let sig = signal(body.prefix { $0 != ";" }) else { return Reply(["E01"]) }
            return resume(step: command == "S", signal: sig)
        case "v": return verbose(body)
        case "q": return query(body)
        case "Q": return Reply([setting(body)])
        case "k":
            target.kill()
            return Reply([], close: true)
        case "D": return Reply(["OK"], close: true)  // the stub then lets the guest run on
        default: return Reply([""])
        }
    }

    /// The Linux signal for gdb's hex signal number; 0 stands for none.
    private func signal(_ text: Substring) -> Int32? {
        guard let n = RSPHex.number(text), n <= 255 else { return nil }
        return n == 0 ? 0 : GDBSignal.linux(gdb: Int32(n))
    }

    /// `S05`-style reply for a stop: `T` with the signal and thread, or `W`/`X` for the end.
    public func stopReply(_ stop: StopReason) -> String {
        let thread = "thread:" + String(target.threads.first ?? 1, radix: 16) + ";"
        switch stop {
        case .signal(let sig): return "T" + RSPHex.encode([UInt8(truncatingIfNeeded: GDBSignal.number(linux: sig))]) + thread
        case .watchpoint(let kind, let address):
            let name = switch kind { case .write: "watch"; case .read: "rwatch"; case .access: "awatch" }
            return "T05" + thread + name + ":" + String(address, radix: 16) + ";"
        case .exited(let code): return "W" + RSPHex.encode([UInt8(truncatingIfNeeded: code)])
        case .killed(let sig): return "X" + RSPHex.encode([UInt8(truncatingIfNeeded: GDBSignal.number(linux: sig))])
        }
    }

    private func resume(step: Bool, signal: Int32?) -> Reply {
        if case .exited = lastStop { return Reply(["E01"]) }
        if case .killed = lastStop { return Reply(["E01"]) }
        let sig = signal == 0 ? nil : signal
        lastStop = step ? target.step(signal: sig) : target.resume(signal: sig)
        switch lastStop {
        case .exited, .killed: return Reply([stopReply(lastStop)], close: true)
        case .signal, .watchpoint: return Reply([stopReply(lastStop)])
        }
    }

    // MARK: Registers

    private func readGeneralRegisters() -> String {
        target.generalRegisters.map { RSPHex.encode(target.readRegister($0) ?? []) }.joined()
    }

    private func writeGeneralRegisters(_ body: Substring) -> String {
        guard var bytes = RSPHex.decode(body)?[...] else { return "E01" }
        for number in target.generalRegisters {
            guard let size = target.readRegister(number)?.count, bytes.count >= size else { break }
            _ = target.writeRegister(number, Array(bytes.prefix(size)))
            bytes = bytes.dropFirst(size)
        }
        return "OK"
    }

    private func readRegister(_ body: Substring) -> String {
        guard let n = RSPHex.number(body), let number = Int(exactly: n),
              let bytes = target.readRegister(number) else { return "E01" }
        return RSPHex.encode(bytes)
    }

    private func writeRegister(_ body: Substring) -> String {
        let parts = body.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let n = RSPHex.number(parts[0]), let number = Int(exactly: n),
              let bytes = RSPHex.decode(parts[1]), target.writeRegister(number, bytes) else { return "E01" }
        return "OK"
    }

    // MARK: Memory

    /// `ADDR,LENGTH` → the two numbers (LENGTH bounded by what one reply can carry).
    private func addressAndLength(_ text: Substring) -> (UInt64, Int)? {
        let parts = text.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let address = RSPHex.number(parts[0]), let length = RSPHex.number(parts[1]) else { return nil }
        return (address, Int(min(length, UInt64(GDBSession.packetSize))))
    }

    private func readMemory(_ body: Substring) -> String {
        guard let (address, length) = addressAndLength(body) else { return "E01" }
        if length == 0 { return "" }
        // Hex doubles the size; a reply also carries `$`, `#` and the checksum.
        let bytes = target.readMemory(address, count: min(length, (GDBSession.packetSize - 4) / 2))
        return bytes.isEmpty ? "E14" : RSPHex.encode(bytes)
    }

    private func writeMemory(_ body: Substring) -> String {
        let parts = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let (address, length) = addressAndLength(parts[0]),
              let bytes = RSPHex.decode(parts[1]), bytes.count == length else { return "E01" }
        return bytes.isEmpty || target.writeMemory(address, bytes) ? "OK" : "E14"
    }

    /// `X ADDR,LENGTH:BINARY`: the data is escaped binary, so the header is split off as bytes.
    private func writeBinary(_ payload: [UInt8]) -> String {
        guard let colon = payload.firstIndex(of: UInt8(ascii: ":")) else { return "E01" }
        let header = String(decoding: payload[1..<colon], as: UTF8.self)
        guard let (address, length) = addressAndLength(header[...]) else { return "E01" }
        let data = RSPFramer.unescape(payload[(colon + 1)...])
        guard data.count == length else { return "E01" }
        return data.isEmpty || target.writeMemory(address, data) ? "OK" : "E14"
    }

    // MARK: Breakpoints and watchpoints

    /// `Z TYPE,ADDR,KIND` / `z TYPE,ADDR,KIND` (KIND is the length for watchpoints).
    private func breakpoint(_ body: Substring, insert: Bool) -> String {
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 3, let type = Int(parts[0]), let address = RSPHex.number(parts[1]),
              let kind = RSPHex.number(parts[2].prefix { $0 != ";" }) else { return "E01" }
        let done: Bool
        switch type {
        case 0, 1: done = insert ? target.insertBreakpoint(at: address) : target.removeBreakpoint(at: address)
        case 2, 3, 4:
            guard let watch = WatchKind(rawValue: type), kind > 0, kind <= 1 << 20 else { return "E01" }
            done = insert ? target.insertWatchpoint(watch, address: address, length: kind)
                          : target.removeWatchpoint(watch, address: address, length: kind)
        default: return ""
        }
        return done ? "OK" : "E01"
    }

    // MARK: v, q and Q packets

    private func verbose(_ body: Substring) -> Reply {
        if body == "Cont?" { return Reply(["vCont;c;C;s;S"]) }
        if body.hasPrefix("Cont;") {
            // One thread: the first action is the one that applies to it.
            let action = body.dropFirst(5).prefix { $0 != ";" }.prefix { $0 != ":" }
            switch action.first {
            case "c": return resume(step: false, signal: nil)
            case "s": return resume(step: true, signal: nil)
            case "C", "S":
                guard let sig = signal(action.dropFirst()) else { return Reply(["E01"]) }
                return resume(step: action.first == "S", signal: sig)
            default: return Reply(["E01"])
            }
        }
        if body.hasPrefix("Kill") {
            target.kill()
            return Reply(["OK"], close: true)
        }
        return Reply([""])  // vMustReplyEmpty, vFile, vRun...: not supported
    }

    private func query(_ body: Substring) -> Reply {
        if body.hasPrefix("Supported") {
            return Reply(["PacketSize=" + String(GDBSession.packetSize, radix: 16)
                + ";qXfer:features:read+;qXfer:auxv:read+;qXfer:exec-file:read+;QStartNoAckMode+;vContSupported+"])
        }
        if body.hasPrefix("Xfer:") { return Reply(bytes: transfer(body.dropFirst(5))) }
        if body.hasPrefix("Rcmd,") {
            guard let bytes = RSPHex.decode(body.dropFirst(5)) else { return Reply(["E01"]) }
            let command = String(decoding: bytes, as: UTF8.self).trimmingSpaces
            guard let text = target.monitor(command) else {
                return Reply(["O" + RSPHex.encode(Array("unknown monitor command: \(command)\n".utf8)), "OK"])
            }
            // Console output in `O` packets small enough for any gdb (a dump runs to many kilobytes).
            let output = Array(text.utf8)
            let chunks = stride(from: 0, to: output.count, by: 1024).map { "O" + RSPHex.encode(output[$0..<min($0 + 1024, output.count)]) }
            return Reply(chunks + ["OK"])
        }
        let thread = String(target.threads.first ?? 1, radix: 16)
        switch body {
        case "C": return Reply(["QC" + thread])
        case "fThreadInfo": return Reply(["m" + target.threads.map { String($0, radix: 16) }.joined(separator: ",")])
        case "sThreadInfo": return Reply(["l"])
        case "Attached": return Reply(["0"])  // Trapeze started the process: gdb's quit kills it
        case "Symbol::": return Reply(["OK"])
        default: return Reply([""])
        }
    }

    /// `qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH` → `m` (more follows) or `l` (last) and the data.
    private func transfer(_ body: Substring) -> [UInt8] {
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[1] == "read", let (offset, length) = addressAndLength(parts[3]) else { return Array("E00".utf8) }
        let data: [UInt8]?
        if parts[0] == "features" {
            data = parts[2] == "target.xml" ? Array(target.targetDescription.utf8) : nil
        } else {
            data = target.transferObject(String(parts[0]), annex: String(parts[2]))
        }
        guard let data else { return parts[0] == "features" ? Array("E00".utf8) : [] }
        guard offset <= UInt64(data.count) else { return Array("E00".utf8) }
        // Escapes may double the data: keep a chunk well inside the packet size.
        let start = Int(offset)
        let end = min(data.count, start + min(length, GDBSession.packetSize / 2 - 8))
        return [end == data.count ? UInt8(ascii: "l") : UInt8(ascii: "m")] + data[start..<end]
    }

    private func setting(_ body: Substring) -> String {
        if body == "StartNoAckMode" {
            acknowledging = false
            return "OK"
        }
        return ""
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " || $0 == "\n" }.reversed())
    }
}
