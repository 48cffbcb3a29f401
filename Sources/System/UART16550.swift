/// An ns16550a UART (register shift 0, as QEMU's virt board): transmitted bytes go straight to the
/// console (the transmitter is always empty), received bytes wait in a 16-byte FIFO. Its
/// interrupt line goes to a PLIC source. Any access width reads or writes the byte register at
/// the offset (mirrored every 8 bytes), as QEMU's does.
public final class UART16550: Device {
    // Register offsets.
    static let data: UInt64 = 0, interruptEnable: UInt64 = 1, interruptID: UInt64 = 2, lineControl: UInt64 = 3
    static let modemControl: UInt64 = 4, lineStatus: UInt64 = 5, modemStatus: UInt64 = 6, scratch: UInt64 = 7
    // Bits.
    static let dataReady: UInt8 = 0x01, transmitterEmpty: UInt8 = 0x60  // LSR: DR; THRE | TEMT
    static let receiveEnable: UInt8 = 0x01, transmitEnable: UInt8 = 0x02, modemEnable: UInt8 = 0x08  // IER
    static let divisorLatch: UInt8 = 0x80  // LCR.DLAB
    static let loopback: UInt8 = 0x10  // MCR
    static let noInterrupt: UInt8 = 0x01, receiveInterrupt: UInt8 = 0x04, transmitInterrupt: UInt8 = 0x02
    static let fifoDepth = 16

    private let console: any Console
    private let plic: PLIC
    private let irq: Int
    private var receiveFIFO: [UInt8] = []
    private var interruptEnableBits: UInt8 = 0, lineControlBits: UInt8 = 0, modemControlBits: UInt8 = 0
    private var scratchBits: UInt8 = 0, divisorLow: UInt8 = 0x0c, divisorHigh: UInt8 = 0
    private var fifoEnabled = false
    /// The transmitter-empty interrupt condition: set when THR empties (at once, after every
    /// write) or when the interrupt is enabled, cleared by writing THR or reading IIR that reports it.
    private var transmitPending = false

    public init(console: any Console, plic: PLIC, irq: Int) {
        self.console = console
        self.plic = plic
        self.irq = irq
    }

    private var dlab: Bool { lineControlBits & Self.divisorLatch != 0 }
    private var inLoopback: Bool { modemControlBits & Self.loopback != 0 }

    /// Host input reaches the guest only when the guest has a reader for it, so nothing piped or
    /// typed early is thrown away by a driver that resets or drains the UART while it sets up
    /// (OpenSBI at start, Linux's 8250 probe and port start-up each do):
    /// - with the receive interrupt on (an interrupt-driven driver is ready), input moves into
    ///   the FIFO as it has room, on the guest's LSR and RBR reads and on the machine's
    ///   `background` polls;
    /// - with it off (a polled reader, or nobody), input stays with the console: LSR.DR shows
    ///   that a byte waits (without taking it) once the guest has transmitted since it last set
    ///   the UART up, and an RBR read right after such an LSR read takes that byte. A drain
    ///   right after a set-up write (FCR, IER, LCR, MCR) takes nothing.
    /// Bytes in the FIFO when the guest resets it go back in front of the console's input.
    public func pollInput(background: Bool = false) {
        guard !inLoopback, receiverReady else { return }
        while receiveFIFO.count < (fifoEnabled ? Self.fifoDepth : 1), let b = takeInput() { receiveFIFO.append(b) }
        update()
    }

    private var receiverReady: Bool { interruptEnableBits & Self.receiveEnable != 0 }
    /// Bytes a FIFO reset handed back, delivered before the console's.
    private var heldBack: [UInt8] = []
    /// The FIFO holds bytes the guest sent itself in loopback (a reset drops them).
    private var fifoHasLoopbackBytes = false
    /// The guest wrote THR since its last set-up write: it is running, not initialising.
    private var transmittedSinceSetup = false
    /// The last access was an LSR read that showed DR for a byte still with the console.
    private var polledByteShown = false

    private func takeInput() -> UInt8? {
        heldBack.isEmpty ? console.receive() : heldBack.removeFirst()
    }

    private func peekInput() -> UInt8? {
        heldBack.first ?? console.peek()
    }

    /// The interrupt identification the UART shows now (IIR's low four bits).
    private var interruptCause: UInt8 {
        if interruptEnableBits & Self.receiveEnable != 0 && !receiveFIFO.isEmpty { return Self.receiveInterrupt }
        if interruptEnableBits & Self.transmitEnable != 0 && transmitPending { return Self.transmitInterrupt }
        return Self.noInterrupt
    }

    private func update() { plic.setLevel(irq, interruptCause != Self.noInterrupt) }

    private var modemStatusBits: UInt8 {
        // Outside loopback the line looks connected (CTS, DSR, DCD); in loopback MCR's outputs
        // come back as the matching inputs.
        guard inLoopback else { return 0xb0 }
        let m = modemControlBits
        return (m & 0x02 != 0 ? 0x10 : 0) | (m & 0x01 != 0 ? 0x20 : 0) | (m & 0x04 != 0 ? 0x40 : 0) | (m & 0x08 != 0 ? 0x80 : 0)
    }

    public func read(_ offset: UInt64, width: Int) -> UInt64? {
        let value: UInt8
        let shown = polledByteShown
        polledByteShown = false
        switch offset & 7 {
        case Self.data where dlab: value = divisorLow
        case Self.data:
            if receiveFIFO.isEmpty { pollInput() }
            if receiveFIFO.isEmpty && shown && !receiverReady && !inLoopback, let b = takeInput() {
                value = b
            } else {
                value = receiveFIFO.isEmpty ? 0 : receiveFIFO.removeFirst()
            }
            if receiveFIFO.isEmpty { fifoHasLoopbackBytes = false }
            update()
        case Self.interruptEnable: value = dlab ? divisorHigh : interruptEnableBits
        case Self.interruptID:
            let cause = interruptCause
            if cause == Self.transmitInterrupt { transmitPending = false; update() }
            value = cause | (fifoEnabled ? 0xc0 : 0)
        case Self.lineControl: value = lineControlBits
        case Self.modemControl: value = modemControlBits
        case Self.lineStatus:
            if receiveFIFO.isEmpty { pollInput() }
            if receiveFIFO.isEmpty && !receiverReady && !inLoopback && transmittedSinceSetup && peekInput() != nil {
                polledByteShown = true
            }
            value = Self.transmitterEmpty | (receiveFIFO.isEmpty && !polledByteShown ? 0 : Self.dataReady)
        case Self.modemStatus: value = modemStatusBits
        default: value = scratchBits
        }
        return UInt64(value)
    }

    public func write(_ offset: UInt64, width: Int, value: UInt64) -> Bool {
        let v = UInt8(truncatingIfNeeded: value)
        polledByteShown = false
        switch offset & 7 {
        case Self.data where dlab: divisorLow = v
        case Self.data:
            if inLoopback {
                if receiveFIFO.count < (fifoEnabled ? Self.fifoDepth : 1) { receiveFIFO.append(v); fifoHasLoopbackBytes = true }
            } else {
                console.transmit(v)
                transmittedSinceSetup = true
            }
            transmitPending = true
        case Self.interruptEnable where dlab: divisorHigh = v
        case Self.interruptEnable:
            let enablingTransmit = v & Self.transmitEnable != 0 && interruptEnableBits & Self.transmitEnable == 0
            interruptEnableBits = v & 0x0f
            if enablingTransmit { transmitPending = true }
            transmittedSinceSetup = false
        case Self.interruptID:  // FCR
            // Switching the FIFOs on or off empties them, as does the receive-reset bit; what
            // came from the console goes back to it.
            let enable = v & 0x01 != 0
            if v & 0x02 != 0 || enable != fifoEnabled {
                if !fifoHasLoopbackBytes { heldBack.insert(contentsOf: receiveFIFO, at: 0) }
                receiveFIFO.removeAll()
                fifoHasLoopbackBytes = false
            }
            fifoEnabled = enable
            transmittedSinceSetup = false
        case Self.lineControl: lineControlBits = v; transmittedSinceSetup = false
        case Self.modemControl: modemControlBits = v & 0x1f; transmittedSinceSetup = false
        case Self.lineStatus, Self.modemStatus: break  // read-only
        default: scratchBits = v
        }
        update()
        return true
    }
}
