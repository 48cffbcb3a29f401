import ELF
import Foundation
import Guest
import RISCV
import Testing
@testable import System

/// A bare-metal ELF at the start of RAM with `tohost`/`fromhost` words, and a machine running it.
func makeMachine(memory: UInt64 = 16 << 20, console: BufferConsole = BufferConsole(), clock: ManualClock = ManualClock(),
                 _ configure: (inout SystemConfiguration) -> Void = { _ in }) throws -> Machine {
    let elf = TempFile(BareELF(segments: [.init(vaddr: 0x8000_0000, paddr: 0x8000_0000, bytes: [0x73, 0, 0, 0]),
                                          .init(vaddr: 0x8000_1000, paddr: 0x8000_1000, bytes: [], memorySize: 16)],
                               symbols: [("tohost", 0x8000_1000), ("fromhost", 0x8000_1008)]).build(), name: "bare")
    defer { elf.remove() }
    var c = SystemConfiguration()
    c.memorySize = memory
    c.program = elf.path
    configure(&c)
    return try Machine(c, console: console, clock: clock)
}

@Suite struct BusTests {
    /// RAM of whole 2 MiB pages is mapped on a 2 MiB boundary and asks for transparent huge
    /// pages (HostRegion.swift), so guest physical 2 MiB ranges are host huge pages; the boot
    /// ROM (4 KiB) is mapped as before. Both ends of RAM stay usable.
    @Test("RAM starts on a host huge-page boundary")
    func hugePageAlignedRAM() throws {
        let m = try makeMachine(memory: 16 << 20)
        let first = try #require(m.bus.ram(0x8000_0000, 8))
        #expect(HostRegion.hugePages == (UInt(bitPattern: first) % UInt(HostRegion.hugePage) == 0))
        #expect(m.bus.write(0x8000_0000 + (16 << 20) - 8, width: 8, value: 0x0123_4567_89ab_cdef))
        #expect(m.bus.read(0x8000_0000 + (16 << 20) - 8, width: 8) == 0x0123_4567_89ab_cdef)
        #expect(m.bus.ram(0x1000, 0x20) != nil)
    }

    @Test("RAM and ROM by pointer, devices by register, nothing elsewhere")
    func routing() throws {
        let m = try makeMachine()
        let bus = m.bus
        #expect(bus.ram(0x8000_0000, 4) != nil)
        #expect(bus.ram(0x8000_0000 + (16 << 20) - 8, 8) != nil)
        #expect(bus.ram(0x8000_0000 + (16 << 20) - 4, 8) == nil)  // runs off the end
        #expect(bus.ram(0x1000, 0x20) != nil && !bus.ramWritable(0x1000, 4) && bus.ramWritable(0x8000_0000, 4))
        #expect(bus.ram(0x1000_0000, 1) == nil && bus.ram(0, 1) == nil && bus.ram(.max, 2) == nil)
        #expect(bus.read(0x1000_0005, width: 1) == 0x60)  // UART LSR
        #expect(bus.read(0x200_bff8, width: 8) == 0)  // CLINT mtime
        #expect(bus.read(0x0, width: 4) == nil && !bus.write(0x0, width: 4, value: 1))
        #expect(bus.read(0x4000_0000, width: 8) == nil && !bus.write(0x3000_0000, width: 1, value: 1))
        #expect(bus.read(0x200_0002, width: 4) == nil)  // misaligned device access
        #expect(bus.read(0x8000_0000, width: 3) == nil)
        #expect(!bus.write(0x1000, width: 4, value: 0))  // boot ROM is read-only
        #expect(bus.write(0x8000_0101, width: 8, value: 0x1122_3344_5566_7788))
        #expect(bus.read(0x8000_0101, width: 8) == 0x1122_3344_5566_7788)
        #expect(bus.ram(0x8000_0100, 16)!.load(fromByteOffset: 1, as: UInt8.self) == 0x88)
    }

    @Test("the finisher ends the run through the machine")
    func finisherStop() throws {
        let m = try makeMachine()
        #expect(!m.stopRequested)
        #expect(m.bus.write(0x10_0000, width: 4, value: 0x3_3333))
        #expect(m.stopRequested && m.stop == .exit(3))
    }

    @Test("interrupt lines: MSIP, MTIP from the CLINT, MEIP and SEIP from the PLIC contexts")
    func lines() throws {
        let clock = ManualClock()
        let m = try makeMachine(clock: clock)
        #expect(m.interruptLines(hartID: 0) == 0)
        _ = m.bus.write(0x200_0000, width: 4, value: 1)
        #expect(m.interruptLines(hartID: 0) == 1 << 3)
        _ = m.bus.write(0x200_0000, width: 4, value: 0)
        _ = m.bus.write(0x200_4000, width: 8, value: 10)
        clock.ticks = 10
        #expect(m.mtime == 10 && m.interruptLines(hartID: 0) == 1 << 7)
        _ = m.bus.write(0x200_4000, width: 8, value: .max)
        _ = m.bus.write(0xc00_0000 + 40, width: 4, value: 1)
        _ = m.bus.write(0xc00_2080, width: 4, value: 1 << 10)  // context 1 (S) enables the UART
        _ = m.bus.write(0x1000_0001, width: 1, value: 2)  // UART transmit-empty interrupt
        #expect(m.interruptLines(hartID: 0) == 1 << 9)
        _ = m.bus.write(0xc00_2000, width: 4, value: 1 << 10)
        #expect(m.interruptLines(hartID: 0) == 1 << 9 | 1 << 11)
        #expect(m.interruptLines(hartID: 1) == 0)
    }

    @Test("waitForInterrupt returns at a timer deadline without spinning on a past one")
    func idle() throws {
        let m = try makeMachine()
        let start = Hart.hostNanoseconds()
        m.waitForInterrupt(hartID: 0, deadline: 100)  // 100 ticks of the manual clock: 10 µs
        #expect(Hart.hostNanoseconds() - start < 40_000_000)
        _ = m.bus.write(0x200_4000, width: 8, value: 0)  // already past: masked, wakes nothing
        let again = Hart.hostNanoseconds()
        m.waitForInterrupt(hartID: 0, deadline: nil)
        let slept = Hart.hostNanoseconds() - again
        #expect(slept >= Machine.longestIdle - 5_000_000 && slept < 2 * Machine.longestIdle)
    }
}

@Suite struct HTIFTests {
    @Test("device 0 with payload bit 0 exits with payload >> 1, and tohost is cleared")
    func exit() throws {
        let m = try makeMachine()
        #expect(m.htif?.tohost == 0x8000_1000 && m.htif?.fromhost == 0x8000_1008)
        #expect(m.bus.ram(0x8000_1000, 8) == nil && m.bus.ram(0x8000_0ff8, 8) != nil)
        #expect(m.bus.write(0x8000_1000, width: 4, value: 0x55))  // low half first
        #expect(!m.stopRequested)
        #expect(m.bus.write(0x8000_1004, width: 4, value: 0))
        #expect(m.stop == .exit(0x2a) && m.bus.read(0x8000_1000, width: 8) == 0)
    }

    @Test("device 1 command 1 prints a byte and answers in fromhost")
    func putchar() throws {
        let console = BufferConsole()
        let m = try makeMachine(console: console)
        #expect(m.bus.write(0x8000_1000, width: 8, value: 0x0101_0000_0000_0041))
        #expect(console.text == "A" && !m.stopRequested)
        #expect(m.bus.read(0x8000_1000, width: 8) == 0)
        #expect(m.bus.read(0x8000_1008, width: 8) == 0x0101_0000_0000_0141)
    }

    @Test("an ELF without tohost has no HTIF")
    func none() throws {
        let elf = TempFile(BareELF().build())
        defer { elf.remove() }
        var c = SystemConfiguration()
        c.program = elf.path
        let m = try Machine(c, console: BufferConsole(), clock: ManualClock())
        #expect(m.htif == nil)
    }
}

@Suite struct ResetVectorTests {
    @Test("the reset vector: a0 = mhartid, a1 = DTB, a2 = fw_dynamic_info, jump to the entry")
    func code() throws {
        let v = ResetVector(entry: 0x8000_0000, deviceTree: 0x87e0_0000, nextAddress: 0x8020_0000)
        let bytes = v.bytes
        let words = (0..<6).map { i in (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[4 * i + $1]) << (8 * $1) } }
        let text = words.enumerated().map { disassemble(decode($0.element)!, pc: 0x1000 + UInt64(4 * $0.offset)).replacingOccurrences(of: "\t", with: " ") }
        #expect(text == ["auipc t0,0x0", "add a2,t0,40", "csrr a0,mhartid", "ld a1,32(t0)", "ld t0,24(t0)", "jr t0"])
        func word(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) } }
        #expect(word(0x18) == 0x8000_0000 && word(0x20) == 0x87e0_0000)
        #expect([0x28, 0x30, 0x38, 0x40, 0x48, 0x50].map(word) == [0x4942_534f, 2, 0x8020_0000, 1, 0, 0])
        #expect(ResetVector.dynamicInfoAddress == 0x1028)
    }

    @Test("the machine's ROM holds the vector, pointing at the ELF and the device tree")
    func inROM() throws {
        let m = try makeMachine()
        let rom = m.bus.ram(0x1000, 0x58)!
        #expect(rom.loadUnaligned(fromByteOffset: 0x18, as: UInt64.self) == 0x8000_0000)
        #expect(rom.loadUnaligned(fromByteOffset: 0x20, as: UInt64.self) == m.deviceTreeAddress)
        let tree = m.bus.ram(m.deviceTreeAddress, UInt64(m.deviceTree.count))!
        #expect(Array(UnsafeRawBufferPointer(start: tree, count: m.deviceTree.count)) == m.deviceTree)
        #expect(Machine.resetAddress == 0x1000)
    }
}
