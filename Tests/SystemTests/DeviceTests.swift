import Testing
@testable import System

@Suite struct CLINTTests {
    @Test("mtime counts from the time source; writes to it move it")
    func mtime() {
        let clock = ManualClock()
        let clint = CLINT(clock: clock)
        clock.ticks = 0x1_2345_6789
        #expect(clint.read(CLINT.mtime, width: 8) == 0x1_2345_6789)
        #expect(clint.read(CLINT.mtime, width: 4) == 0x2345_6789)
        #expect(clint.read(CLINT.mtime + 4, width: 4) == 1)
        #expect(clint.write(CLINT.mtime, width: 8, value: 100))
        clock.ticks += 5
        #expect(clint.time == 105)
        #expect(clint.read(CLINT.mtime, width: 2) == nil)
    }

    @Test("MTIP follows mtime >= mtimecmp, written whole or by halves")
    func timer() {
        let clock = ManualClock()
        let clint = CLINT(clock: clock)
        #expect(!clint.timerInterrupt && clint.timerDeadline == nil)
        #expect(clint.write(CLINT.mtimecmp, width: 8, value: 50))
        #expect(!clint.timerInterrupt)
        #expect(clint.timerDeadline == 50)
        clock.ticks = 50
        #expect(clint.timerInterrupt)
        #expect(clint.write(CLINT.mtimecmp + 4, width: 4, value: 1))
        #expect(clint.read(CLINT.mtimecmp, width: 8) == 0x1_0000_0032)
        #expect(!clint.timerInterrupt)
        #expect(clint.write(CLINT.mtimecmp, width: 4, value: 7))
        #expect(clint.read(CLINT.mtimecmp + 4, width: 4) == 1 && clint.read(CLINT.mtimecmp, width: 4) == 7)
    }

    @Test("msip bit 0 raises the software interrupt")
    func software() {
        let clint = CLINT(clock: ManualClock())
        #expect(clint.write(CLINT.msip, width: 4, value: 0xffff_ffff))
        #expect(clint.softwareInterrupt && clint.read(CLINT.msip, width: 4) == 1)
        #expect(clint.write(CLINT.msip, width: 4, value: 2))
        #expect(!clint.softwareInterrupt)
        #expect(clint.read(CLINT.msip, width: 1) == nil && !clint.write(CLINT.msip, width: 8, value: 1))
        #expect(clint.read(0x8000, width: 4) == nil)
    }
}

@Suite struct PLICTests {
    let plic = PLIC()
    func enable(_ context: Int, _ bits: UInt32, word: UInt64 = 0) {
        _ = plic.write(PLIC.enableBase + PLIC.enableStride * UInt64(context) + 4 * word, width: 4, value: UInt64(bits))
    }
    func claimRegister(_ context: Int) -> UInt64 { PLIC.contextBase + PLIC.contextStride * UInt64(context) + 4 }

    @Test("a source interrupts a context only when enabled and above its threshold")
    func gating() {
        plic.setLevel(10, true)
        #expect(!plic.interruptPending(context: 1))  // priority 0 never interrupts
        #expect(plic.write(4 * 10, width: 4, value: 0xff))
        #expect(plic.read(4 * 10, width: 4) == 7)
        #expect(!plic.interruptPending(context: 1))  // not enabled
        enable(1, 1 << 10)
        #expect(plic.interruptPending(context: 1) && !plic.interruptPending(context: 0))
        #expect(plic.write(PLIC.contextBase + PLIC.contextStride, width: 4, value: 7))
        #expect(!plic.interruptPending(context: 1))
        #expect(plic.read(PLIC.pendingBase, width: 4) == 1 << 10)
    }

    @Test("claim takes the highest priority, complete re-arms a raised line")
    func claimComplete() {
        for irq in [3, 5] { _ = plic.write(4 * UInt64(irq), width: 4, value: irq == 3 ? 2 : 6) }
        enable(0, 1 << 3 | 1 << 5)
        plic.setLevel(3, true)
        plic.setLevel(5, true)
        #expect(plic.read(claimRegister(0), width: 4) == 5)
        #expect(plic.read(claimRegister(0), width: 4) == 3)
        #expect(plic.read(claimRegister(0), width: 4) == 0)
        #expect(!plic.interruptPending(context: 0))
        plic.setLevel(3, false)
        #expect(plic.write(claimRegister(0), width: 4, value: 3))
        #expect(plic.write(claimRegister(0), width: 4, value: 5))
        #expect(plic.interruptPending(context: 0))  // 5 is still raised
        #expect(plic.read(claimRegister(0), width: 4) == 5)
    }

    @Test("equal priorities go to the lowest source; registers are 32-bit only")
    func ties() {
        for irq: UInt64 in [40, 33] { _ = plic.write(4 * irq, width: 4, value: 1) }
        enable(0, 1 << 1 | 1 << 8, word: 1)
        plic.setLevel(40, true)
        plic.setLevel(33, true)
        #expect(plic.read(claimRegister(0), width: 4) == 33)
        #expect(plic.read(4, width: 8) == nil && !plic.write(4, width: 2, value: 1))
        enable(0, 0xffff_ffff)
        #expect(plic.read(PLIC.enableBase, width: 4) == 0xffff_fffe)  // source 0 does not exist
        enable(0, 0xffff_ffff, word: 3)
        #expect(plic.read(PLIC.enableBase + 12, width: 4) == 1)  // only source 96 lies past 95
    }
}

@Suite struct UARTTests {
    let console = BufferConsole()
    let plic = PLIC()
    var uart: UART16550 { UART16550(console: console, plic: plic, irq: 10) }

    init() {
        _ = plic.write(40, width: 4, value: 1)
        _ = plic.write(PLIC.enableBase, width: 4, value: 1 << 10)
    }

    @Test("THR goes to the console; LSR shows the transmitter empty")
    func transmit() {
        let u = uart
        for b in "hi\n".utf8 { #expect(u.write(0, width: 1, value: UInt64(b))) }
        #expect(console.text == "hi\n")
        #expect(u.read(5, width: 1) == 0x60)
        #expect(u.read(7 + 8, width: 1) == 0)  // mirrored every 8 bytes: the scratch register
    }

    @Test("RX: LSR.DR, RBR and the receive interrupt")
    func receive() {
        let u = uart
        console.input = Array("ab".utf8)
        #expect(u.write(2, width: 1, value: 1))  // FIFO on
        #expect(u.write(1, width: 1, value: 1))  // receive interrupt on
        u.pollInput()
        #expect(plic.interruptPending(context: 0))
        #expect(u.read(2, width: 1) == 0xc4)
        #expect(u.read(5, width: 1) == 0x61)
        #expect(u.read(0, width: 1) == 0x61 && u.read(0, width: 1) == 0x62)
        #expect(u.read(5, width: 1) == 0x60)
        #expect(u.read(2, width: 1) == 0xc1)
        #expect(!plic.interruptPending(context: 0))
    }

    @Test("RX: the machine's background poll takes no input until the receive interrupt is on")
    func backgroundPoll() {
        let u = uart
        console.input = Array("xy".utf8)
        #expect(u.write(2, width: 1, value: 1))  // FIFO on
        u.pollInput(background: true)
        #expect(console.input == Array("xy".utf8))  // still the host's
        #expect(u.write(1, width: 1, value: 1))  // receive interrupt on
        u.pollInput(background: true)
        #expect(console.input.isEmpty && plic.interruptPending(context: 0))
        #expect(u.read(0, width: 1) == 0x78)
    }

    @Test("RX without the receive interrupt: set-up drains take nothing; a polled reader gets every byte")
    func polledReceive() {
        let u = uart
        console.input = Array("ok".utf8)
        // Firmware's set-up (as OpenSBI's): FIFO on, then LSR and RBR read to clear them.
        #expect(u.write(2, width: 1, value: 1))
        _ = u.write(4, width: 1, value: 0)
        #expect(u.read(5, width: 1) == 0x60)
        #expect(u.read(0, width: 1) == 0)
        #expect(console.input == Array("ok".utf8))
        // After it printed something, a poll loop: LSR shows the byte, RBR takes it.
        _ = u.write(0, width: 1, value: 0x3e)
        #expect(u.read(0, width: 1) == 0)  // RBR not right after an LSR showing DR: nothing taken
        #expect(u.read(5, width: 1) == 0x61)
        #expect(u.read(0, width: 1) == UInt64(UInt8(ascii: "o")))
        #expect(u.read(5, width: 1) == 0x61)
        #expect(u.read(0, width: 1) == UInt64(UInt8(ascii: "k")))
        #expect(u.read(5, width: 1) == 0x60)
        #expect(console.input.isEmpty)
    }

    @Test("RX: a driver's start-up (FIFO reset, unconditional drains) loses none of the input waiting")
    func startupKeepsInput() {
        let u = uart
        console.input = Array("ls\n".utf8)
        _ = u.write(1, width: 1, value: 1)
        u.pollInput(background: true)  // taken into the (one-byte, FIFO off) receiver: the interrupt is on
        #expect(console.input == Array("s\n".utf8))
        // Linux's 8250 start-up: receive interrupt off, FIFOs cleared and off, LSR/RX/IIR/MSR read.
        _ = u.write(1, width: 1, value: 0)
        _ = u.write(2, width: 1, value: 7)
        _ = u.write(2, width: 1, value: 0)
        _ = u.read(5, width: 1)
        #expect(u.read(0, width: 1) == 0)
        _ = u.read(2, width: 1)
        _ = u.read(6, width: 1)
        _ = u.write(3, width: 1, value: 3)
        _ = u.read(5, width: 1)
        #expect(u.read(0, width: 1) == 0)
        _ = u.write(1, width: 1, value: 5)  // receive interrupts on: the driver is ready
        _ = u.write(2, width: 1, value: 1)
        var got: [UInt8] = []
        while u.read(5, width: 1)! & 1 != 0 { got.append(UInt8(u.read(0, width: 1)!)) }
        #expect(got == Array("ls\n".utf8))
    }

    @Test("the transmit-empty interrupt is raised when enabled and cleared by reading IIR")
    func transmitInterrupt() {
        let u = uart
        #expect(u.write(1, width: 1, value: 2))
        #expect(plic.interruptPending(context: 0))
        #expect(u.read(2, width: 1) == 0x02)
        #expect(!plic.interruptPending(context: 0))
        #expect(u.read(2, width: 1) == 0x01)
        _ = u.write(0, width: 1, value: 0x41)
        #expect(u.read(2, width: 1) == 0x02)
    }

    @Test("DLAB selects the divisor latch; loopback sends TX to RX and MCR to MSR")
    func latchAndLoopback() {
        let u = uart
        _ = u.write(3, width: 1, value: 0x83)
        _ = u.write(0, width: 1, value: 0x34)
        _ = u.write(1, width: 1, value: 0x12)
        #expect(u.read(0, width: 1) == 0x34 && u.read(1, width: 1) == 0x12)
        _ = u.write(3, width: 1, value: 0x03)
        #expect(u.read(1, width: 1) == 0 && u.read(3, width: 1) == 3)
        #expect(u.read(6, width: 1) == 0xb0)
        _ = u.write(4, width: 1, value: 0x1f)
        #expect(u.read(6, width: 1) == 0xf0)
        _ = u.write(0, width: 1, value: 0x55)
        #expect(console.output.isEmpty)
        #expect(u.read(0, width: 4) == 0x55)
    }
}

@Suite struct FinisherRTCTests {
    @Test("the test finisher: pass, fail with a code, reset; the first request stands")
    func finisher() {
        for (value, stop): (UInt64, MachineStop?) in [(0x5555, .exit(0)), (0x2a3333, .exit(42)), (0x7777, .reset), (0x1234, nil)] {
            let stops = StopLatch()
            let f = TestFinisher(stops: stops)
            #expect(f.write(0, width: 4, value: value))
            #expect(stops.stop == stop)
        }
        let stops = StopLatch()
        let f = TestFinisher(stops: stops)
        #expect(!f.write(0, width: 8, value: 0x5555) && stops.stop == nil)
        _ = f.write(0, width: 4, value: 0x3333)
        _ = f.write(0, width: 4, value: 0x5555)
        #expect(stops.stop == .exit(0) && f.read(0, width: 4) == 0)
    }

    @Test("goldfish RTC: host wall time, latched halves, settable, alarm interrupt")
    func rtc() {
        var wall: UInt64 = 0x1_0000_0010
        let plic = PLIC()
        _ = plic.write(44, width: 4, value: 1)
        _ = plic.write(PLIC.enableBase, width: 4, value: 1 << 11)
        let rtc = GoldfishRTC(plic: plic, irq: 11, wallClock: { wall })
        #expect(rtc.read(0, width: 4) == 0x10)
        wall = 0x2_0000_0000
        #expect(rtc.read(4, width: 4) == 1)  // latched by the low read
        #expect(rtc.write(4, width: 4, value: 5))
        #expect(rtc.now == 0x5_0000_0000)
        _ = rtc.write(0x10, width: 4, value: 1)
        _ = rtc.write(0x0c, width: 4, value: 5)
        _ = rtc.write(0x08, width: 4, value: 100)
        #expect(rtc.read(0x18, width: 4) == 1 && rtc.nextAlarm == 0x5_0000_0064)
        #expect(!plic.interruptPending(context: 0))
        wall += 100
        rtc.update()
        #expect(plic.interruptPending(context: 0) && rtc.read(0x18, width: 4) == 0)
        _ = rtc.write(0x1c, width: 4, value: 1)
        #expect(!plic.interruptPending(context: 0))
        #expect(rtc.read(0, width: 8) == nil)
    }
}
