import Foundation
import Guest
import Linux
import RISCV
import Testing
import Trapeze

/// The gdb stub's commands against a real guest, without a network: packets in, replies out.
@Suite(.serialized) struct GDBSessionTests {
    /// A session over fixture `name` loaded for `engine`.
    static func session(_ name: String, _ engine: EngineKind, arguments: [String] = []) throws -> (GDBSession, UserTarget) {
        let target = UserTarget(try loadFixture(name, engine: engine, arguments: arguments))
        return (GDBSession(target: target), target)
    }

    static func symbol(_ target: UserTarget, _ name: String) throws -> UInt64 {
        try #require(target.guest.process.program.main.symbols.symbols.first { $0.name == name }).address
    }

    static func send(_ session: GDBSession, _ text: String) -> String {
        session.handle(Array(text.utf8)).text.last ?? ""
    }

    static func hex(_ v: UInt64) -> String { String(v, radix: 16) }

    static func pc(_ session: GDBSession) -> UInt64? {
        RSPHex.decode(send(session, "p20")[...]).map { $0.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
    }

    @Test("registers, target description, auxv and the program's path", arguments: EngineKind.allCases)
    func queries(_ engine: EngineKind) throws {
        let (s, target) = try Self.session("gdb_loop", engine)
        let thread = Self.hex(UInt64(getpid()))
        #expect(Self.send(s, "?") == "T05thread:\(thread);")
        #expect(Self.send(s, "qSupported:multiprocess+;swbreak+").hasPrefix("PacketSize=4000;qXfer:features:read+"))
        #expect(Self.send(s, "qC") == "QC" + thread)
        #expect(Self.send(s, "qfThreadInfo") == "m" + thread)
        #expect(Self.send(s, "qsThreadInfo") == "l")
        let xml = Self.send(s, "qXfer:features:read:target.xml:0,3fff")
        #expect(xml.hasPrefix("l<?xml"))
        for name in ["riscv:rv64", "org.gnu.gdb.riscv.fpu", "name=\"pc\"", "name=\"ft0\"", "name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"68\""] {
            #expect(xml.contains(name))
        }
        // Read in pieces, the description is the same.
        let first = Self.send(s, "qXfer:features:read:target.xml:0,40")
        #expect(first.hasPrefix("m") && first.count == 0x41)
        #expect(Self.send(s, "g").count == 33 * 16)
        #expect(Self.pc(s) == target.guest.process.program.entry)
        #expect(Self.send(s, "p21").count == 16)  // ft0
        #expect(Self.send(s, "p44").count == 8)  // fcsr
        #expect(Self.send(s, "p41") == "E01")  // CSR 0 (ustatus) does not exist in user mode
        // x5 written and read back; x0 stays zero.
        #expect(Self.send(s, "P5=efbeadde00000000") == "OK")
        #expect(Self.send(s, "p5") == "efbeadde00000000")
        #expect(Self.send(s, "P0=0100000000000000") == "OK")
        #expect(Self.send(s, "p0") == "0000000000000000")
        let auxv = try #require(s.handle(Array("qXfer:auxv:read::0,1000".utf8)).packets.first)
        #expect(auxv.first == UInt8(ascii: "l"))
        #expect((auxv.count - 1) % 16 == 0 && auxv.count > 16)
        #expect(auxv.suffix(16).allSatisfy { $0 == 0 })  // AT_NULL last
        #expect(Self.send(s, "qXfer:exec-file:read::0,1000") == "l" + target.guest.process.executablePath)
    }

    @Test("malformed and impossible requests get errors or empty replies, and the guest still runs", arguments: EngineKind.allCases)
    func malformed(_ engine: EngineKind) throws {
        let (s, _) = try Self.session("gdb_loop", engine)
        let cases: [(String, String)] = [
            ("m", "E01"), ("mzz,4", "E01"), ("m10,", "E01"), ("m0,4", "E14"), ("m10000000000000000,4", "E01"),
            ("mffffffffffffffff,10", "E14"), ("M10,2:zz", "E01"), ("M10,2:0011", "E14"), ("M10,1:0011", "E01"),
            ("X10,1:", "E01"), ("Xgarbage", "E01"), ("P20=12", "E01"), ("Pzz=00", "E01"), ("pffffffffffffffffff", "E01"),
            ("Z9,0,0", ""), ("Z2,1000,0", "E01"), ("Z0,xyz,2", "E01"), ("Z0", "E01"), ("C", "E01"), ("Czz", "E01"),
            ("vCont;x", "E01"), ("vCont;Cqq", "E01"), ("qXfer:features:read:target.xml:ffffff,10", "E00"),
            ("qXfer:features:read:other.xml:0,10", "E00"), ("qXfer:nothing:read::0,10", ""), ("qXfer:auxv:write::0,10", "E00"),
            ("qRcmd,zz", "E01"), ("", ""), ("\u{7f}\u{1}", ""), ("vFile:open:2f,0,0", ""), ("G1", "E01"),
        ]
        for (packet, reply) in cases {
            #expect(Self.send(s, packet) == reply, "\(packet)")
        }
        // A huge length is cut to what one reply carries.
        let entry = try #require(Self.pc(s))
        let big = Self.send(s, "m\(Self.hex(entry)),ffffffffffffffff")
        #expect(!big.hasPrefix("E") && big.count <= GDBSession.packetSize)
        #expect(Self.send(s, "c") == "W06")
        #expect(Self.send(s, "c") == "E01")  // nothing left to run
    }

    @Test("a breakpoint stops at its pc, is invisible to memory reads, and comes out again", arguments: EngineKind.allCases)
    func breakpoint(_ engine: EngineKind) throws {
        let (s, target) = try Self.session("gdb_loop", engine)
        let addUp = try Self.symbol(target, "add_up")
        let original = Self.send(s, "m\(Self.hex(addUp)),8")
        #expect(Self.send(s, "Z0,\(Self.hex(addUp)),2") == "OK")
        #expect(Self.send(s, "m\(Self.hex(addUp)),8") == original)
        #expect(Self.send(s, "vCont;c").hasPrefix("T05"))
        #expect(Self.pc(s) == addUp)
        #expect(Self.send(s, "m\(Self.hex(addUp)),8") == original)
        // Stepping off the breakpoint executes the program's own instruction.
        #expect(Self.send(s, "vCont;s:1;c").hasPrefix("T05"))
        #expect(try #require(Self.pc(s)) > addUp)
        #expect(Self.send(s, "z0,\(Self.hex(addUp)),2") == "OK")
        #expect(Self.send(s, "c") == "W06")
        #expect(target.finalStatus == .exited(6))
    }

    @Test("a write watchpoint stops before the store, with pc at it", arguments: EngineKind.allCases)
    func watchpoint(_ engine: EngineKind) throws {
        let (s, target) = try Self.session("gdb_loop", engine)
        let total = try Self.symbol(target, "total")
        #expect(Self.send(s, "Z2,\(Self.hex(total)),8") == "OK")
        #expect(Self.send(s, "c") == "T05thread:\(Self.hex(UInt64(getpid())));watch:\(Self.hex(total));")
        let pc = try #require(Self.pc(s))
        let word = try #require(RSPHex.decode(Self.send(s, "m\(Self.hex(pc)),4")[...]))
        let bits = word.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let inst = try #require(decode(bits))
        #expect(inst.opcode == Opcode.sd)
        #expect(Self.send(s, "m\(Self.hex(total)),8") == "0000000000000000")
        // gdb steps over it with the watchpoint removed: the store happens.
        #expect(Self.send(s, "z2,\(Self.hex(total)),8") == "OK")
        #expect(Self.send(s, "s").hasPrefix("T05"))
        #expect(Self.send(s, "m\(Self.hex(total)),8") == "0100000000000000")
        #expect(Self.send(s, "c") == "W06")
    }

    @Test("single steps under either engine end where the interpreter's run ends", arguments: ["gdb_loop", "asm_compressed", "hello"])
    func stepsMatchTheInterpreter(_ name: String) throws {
        let count = 2000
        for engine in EngineKind.allCases {
            let target = UserTarget(try loadFixture(name, engine: engine))
            var stop = StopReason.signal(5)
            var steps = 0
            while steps < count, stop == .signal(5) {
                stop = target.step(signal: nil)
                steps += 1
            }
            let plain = try loadFixture(name, engine: .interp)
            // The same AT_RANDOM bytes (glibc derives its pointer guard from them).
            let frame = try InitialStack.read(memory: plain.memory, sp: plain.process.initialStackPointer)
            let random = try #require(frame.auxv[25])
            try plain.memory.write(random, try target.guest.memory.read(random, count: 16))
            let plainStatus = EngineKind.interp.make().run(plain.hart, maxInstructions: UInt64(steps))
            if case .exited(let code) = stop { #expect(plainStatus == ExitStatus.exited(code)) }
            #expect(target.guest.hart.state.pc == plain.hart.state.pc, "\(engine)")
            #expect(target.guest.hart.state.xRegisters == plain.hart.state.xRegisters, "\(engine)")
            #expect(target.guest.hart.state.fRegisters == plain.hart.state.fRegisters, "\(engine)")
            #expect(target.guest.hart.state.instret == plain.hart.state.instret, "\(engine)")
        }
    }

    @Test("a fault stops the guest with its signal; passing the signal on ends the guest", arguments: EngineKind.allCases)
    func fault(_ engine: EngineKind) throws {
        let (s, target) = try Self.session("gdb_loop", engine, arguments: ["segv"])
        #expect(Self.send(s, "c").hasPrefix("T0b"))
        let pc = try #require(Self.pc(s))
        // Stepping or continuing without the signal runs the faulting store again.
        #expect(Self.send(s, "s").hasPrefix("T0b"))
        #expect(Self.pc(s) == pc)
        #expect(Self.send(s, "c").hasPrefix("T0b"))
        #expect(Self.pc(s) == pc)
        #expect(Self.send(s, "C0b") == "X0b")
        #expect(target.finalStatus == .signaled(SIGSEGV))
    }

    @Test("read and access watchpoints name the kind that fired", arguments: EngineKind.allCases)
    func readAndAccessWatchpoints(_ engine: EngineKind) throws {
        let (s, target) = try Self.session("gdb_loop", engine, arguments: ["spin"])
        let total = Self.hex(try Self.symbol(target, "total"))
        let thread = Self.hex(UInt64(getpid()))
        #expect(Self.send(s, "Z3,\(total),8") == "OK")
        #expect(Self.send(s, "c") == "T05thread:\(thread);rwatch:\(total);")
        #expect(Self.send(s, "z3,\(total),8") == "OK")
        #expect(Self.send(s, "Z2,\(total),4") == "OK")  // a store to its low half
        #expect(Self.send(s, "c") == "T05thread:\(thread);watch:\(total);")
        #expect(Self.send(s, "z2,\(total),4") == "OK")
        #expect(Self.send(s, "Z4,\(total),1") == "OK")
        #expect(Self.send(s, "c") == "T05thread:\(thread);awatch:\(total);")
        #expect(Self.send(s, "k") == "")
    }

    @Test("an interrupt stops a spinning guest at a block boundary", arguments: EngineKind.allCases)
    func interrupt(_ engine: EngineKind) throws {
        let (s, target) = try Self.session("gdb_loop", engine, arguments: ["spin"])
        nonisolated(unsafe) let running = target
        let stopper = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            running.requestStop()
        }
        stopper.start()
        #expect(Self.send(s, "c").hasPrefix("T02"))
        let total = try Self.symbol(target, "total")
        #expect(Self.send(s, "m\(Self.hex(total)),8") != "0000000000000000")
        #expect(Self.send(s, "k") == "")
        #expect(target.finalStatus == .signaled(SIGKILL))
    }

    @Test("monitor commands switch engines, dump the block at pc and show counters")
    func monitor() throws {
        let (s, target) = try Self.session("gdb_loop", .jit)
        func monitor(_ command: String) -> String {
            let replies = s.handle(Array(("qRcmd," + RSPHex.encode(Array(command.utf8))).utf8)).text
            #expect(replies.last == "OK")
            return replies.dropLast().map { String(decoding: RSPHex.decode($0.dropFirst()) ?? [], as: UTF8.self) }.joined()
        }
        let addUp = try Self.symbol(target, "add_up")
        #expect(Self.send(s, "Z0,\(Self.hex(addUp)),2") == "OK")
        #expect(Self.send(s, "c").hasPrefix("T05"))
        // The block at the breakpoint, with the program's instruction where the ebreak is, also
        // once gdb has taken the breakpoint out (as it does at every stop).
        let dump = monitor("dump")
        #expect(dump.contains("add_up"))
        #expect(!dump.contains("ebreak"))
        #expect(Self.send(s, "z0,\(Self.hex(addUp)),2") == "OK")
        #expect(monitor("dump") == dump)
        #expect(monitor("stats").contains("jit: blocks translated"))
        #expect(monitor("engine interp").contains("engine: interp"))
        #expect(monitor("engine").contains("engine: interp"))
        #expect(monitor("stats").contains("engine interp, guest instructions retired"))
        #expect(monitor("dump").contains("interpreter"))
        #expect(Self.send(s, "c") == "W06")
        #expect(monitor("bogus").contains("unknown monitor command"))
    }
}
