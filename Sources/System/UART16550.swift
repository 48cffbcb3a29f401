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

    /// Moves waiting console input into the receive FIFO; the guest's reads of LSR and RBR do,
    /// and the machine does now and then (`background`) while the receive interrupt is enabled.
    /// Input is not taken before the guest can see it: firmware that drains the UART at start-up
    /// drops only what is already in the FIFO, never what is typed or piped later.
    public func pollInput(background: Bool = false) {
        guard !inLoopback else { return }
        if background && interruptEnableBits & Self.receiveEnable == 0 { return }
        while receiveFIFO.count < (fifoEnabled ? Self.fifoDepth : 1), let b = console.receive() { receiveFIFO.append(b) }
        update()
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
        switch offset & 7 {
        case Self.data where dlab: value = divisorLow
        case Self.data:
            if receiveFIFO.isEmpty { pollInput() }
            value = receiveFIFO.isEmpty ? 0 : receiveFIFO.removeFirst()
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
            value = Self.transmitterEmpty | (receiveFIFO.isEmpty ? 0 : Self.dataReady)
        case Self.modemStatus: value = modemStatusBits
        default: value = scratchBits
        }
        return UInt64(value)
    }

    public func write(_ offset: UInt64, width: Int, value: UInt64) -> Bool {
        let v = UInt8(truncatingIfNeeded: value)
        switch offset & 7 {
        case Self.data where dlab: divisorLow = v
        case Self.data:
            if inLoopback {
                if receiveFIFO.count < (fifoEnabled ? Self.fifoDepth : 1) { receiveFIFO.append(v) }
            } else {
                console.transmit(v)
            }
            transmitPending = true
        case Self.interruptEnable where dlab: divisorHigh = v
        case Self.interruptEnable:
            let enablingTransmit = v & Self.transmitEnable != 0 && interruptEnableBits & Self.transmitEnable == 0
            interruptEnableBits = v & 0x0f
            if enablingTransmit { transmitPending = true }
        case Self.interruptID:  // FCR
            // Switching the FIFOs on or off empties them, as does the receive-reset bit.
            let enable = v & 0x01 != 0
            if v & 0x02 != 0 || enable != fifoEnabled { receiveFIFO.removeAll() }
            fifoEnabled = enable
        case Self.lineControl: lineControlBits = v
        case Self.modemControl: modemControlBits = v & 0x1f
        case Self.lineStatus, Self.modemStatus: break  // read-only
        default: scratchBits = v
        }
        update()
        return true
    }
}
