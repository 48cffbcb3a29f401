import Testing
import Trapeze

/// The gdb stub's framing: packets, checksums, escapes, acknowledgements and interrupts.
@Suite struct GDBPacketTests {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test("a packet with a good checksum comes out whole, in order with acks and interrupts")
    func framing() {
        var framer = RSPFramer()
        let events = framer.feed(bytes("+$g#67-") + [0x03] + bytes("$m10,4#2e"))
        #expect(events == [.ack, .packet(bytes("g")), .nack, .interrupt, .packet(bytes("m10,4"))])
    }

    @Test("bytes may arrive one at a time")
    func split() {
        var framer = RSPFramer()
        var events: [RSPFramer.Event] = []
        for b in bytes("$qC#b4") { events += framer.feed([b]) }
        #expect(events == [.packet(bytes("qC"))])
    }

    @Test("a bad checksum, a non-hex checksum, and noise never make a packet")
    func corrupt() {
        var framer = RSPFramer()
        #expect(framer.feed(bytes("$g#00")) == [.corrupt])
        #expect(framer.feed(bytes("$g#zz")) == [.corrupt])
        #expect(framer.feed(bytes("garbage#12 \r\n")) == [])
        // A `$` inside a packet starts over: gdb gave up on the first one.
        #expect(framer.feed(bytes("$gar$g#67")) == [.packet(bytes("g"))])
    }

    @Test("a payload past the limit is dropped as corrupt, not kept")
    func huge() {
        var framer = RSPFramer()
        let big = [UInt8](repeating: UInt8(ascii: "a"), count: RSPFramer.maximumPayload + 10)
        let sum = big.reduce(UInt8(0)) { $0 &+ $1 }
        let events = framer.feed(bytes("$") + big + bytes("#") + Array(RSPHex.encode([sum]).utf8))
        #expect(events == [.corrupt])
        #expect(framer.feed(bytes("$g#67")) == [.packet(bytes("g"))])
    }

    @Test("frame escapes the protocol's special bytes and its checksum is what the framer expects")
    func frameRoundTrip() {
        let payload: [UInt8] = [UInt8(ascii: "l"), 0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff]
        let framed = RSPFramer.frame(payload)
        #expect(!framed.dropFirst().dropLast(3).contains(UInt8(ascii: "#")))
        var framer = RSPFramer()
        guard case .packet(let escaped)? = framer.feed(framed).first else {
            Issue.record("no packet")
            return
        }
        #expect(RSPFramer.unescape(escaped) == payload)
    }

    @Test("hex helpers reject what is not hex")
    func hex() {
        #expect(RSPHex.decode("0aff") == [0x0a, 0xff])
        #expect(RSPHex.decode("0af") == nil)
        #expect(RSPHex.decode("zz") == nil)
        #expect(RSPHex.number("10554") == 0x10554)
        #expect(RSPHex.number("") == nil)
        #expect(RSPHex.number("1ffffffffffffffff") == nil)
        #expect(RSPHex.littleEndian(0x1234, size: 4) == "34120000")
    }

    @Test("signal numbers go to gdb's numbering and back")
    func signals() {
        #expect(GDBSignal.number(linux: 11) == 11)  // SIGSEGV
        #expect(GDBSignal.number(linux: 7) == 10)  // SIGBUS
        #expect(GDBSignal.number(linux: 10) == 30)  // SIGUSR1
        #expect(GDBSignal.number(linux: 17) == 20)  // SIGCHLD
        #expect(GDBSignal.number(linux: 32) == 77)
        #expect(GDBSignal.number(linux: 34) == 46)
        for sig: Int32 in 1...64 where sig != 16 {
            #expect(GDBSignal.linux(gdb: GDBSignal.number(linux: sig)) == sig)
        }
        #expect(GDBSignal.linux(gdb: 7) == nil)  // SIGEMT: not on Linux
    }

    @Test("the system-mode description adds CSRs at 65 + number and the virtual priv register")
    func systemDescription() {
        let xml = TargetDescription.xml(csrs: [.init("mstatus", 0x300), .init("satp", 0x180)], privilege: true)
        #expect(xml.contains("<feature name=\"org.gnu.gdb.riscv.csr\">"))
        #expect(xml.contains("<reg name=\"mstatus\" bitsize=\"64\" type=\"int\" regnum=\"833\"/>"))
        #expect(xml.contains("<reg name=\"satp\" bitsize=\"64\" type=\"int\" regnum=\"449\"/>"))
        #expect(xml.contains("<reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"4161\"/>"))
        #expect(!TargetDescription.xml().contains("org.gnu.gdb.riscv.csr"))
    }
}
