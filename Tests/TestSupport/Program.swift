import Guest

/// A guest program in the `Layout` address space: 32-bit words at `Layout.code`, 64-bit data
/// words at `Layout.data` (whose address starts in `Layout.dataRegister`), and a hook to set up
/// further state before it runs.
public struct Program {
    public var code: [UInt32]
    public var data: [UInt64]
    /// Map the code pages writable too (self-modifying code).
    public var writableCode: Bool
    public var codePages: UInt64
    public var setup: (GuestState) -> Void

    public init(code: [UInt32], data: [UInt64] = [], writableCode: Bool = false, codePages: UInt64 = 4,
                setup: @escaping (GuestState) -> Void = { _ in }) {
        self.code = code
        self.data = data
        self.writableCode = writableCode
        self.codePages = codePages
        self.setup = setup
    }

    public func makeHart() -> (Hart, TestEnvironment) {
        let environment = TestEnvironment()
        let hart = TestSupport.makeHart(codePages: codePages, writableCode: writableCode, environment: environment)
        _ = hart.memory.poke(Layout.code, code.flatMap { littleEndian($0) })
        let dataBytes = data.flatMap { littleEndian($0) }
        if !dataBytes.isEmpty { _ = hart.memory.poke(Layout.data, dataBytes) }
        hart.state.setX(Layout.dataRegister, Layout.data)
        setup(hart.state)
        return (hart, environment)
    }

    public func run(_ engine: Engine, maxInstructions: UInt64? = nil) -> Outcome {
        let (hart, environment) = makeHart()
        let status = engine.run(hart, maxInstructions: maxInstructions)
        let data = (try? hart.memory.read(Layout.data, count: Int(Layout.dataSize))) ?? []
        return Outcome(status: status, pc: hart.state.pc, instret: hart.state.instret, x: hart.state.xRegisters,
                       data: data, exceptions: environment.exceptions, ecalls: environment.ecalls)
    }
}

/// Everything observable after a run, for comparing engines.
public struct Outcome: Equatable, CustomStringConvertible {
    public var status: ExitStatus
    public var pc: UInt64
    public var instret: UInt64
    public var x: [UInt64]
    public var data: [UInt8]
    public var exceptions: [GuestTrap]
    public var ecalls: [UInt64]

    public init(status: ExitStatus, pc: UInt64, instret: UInt64, x: [UInt64], data: [UInt8],
                exceptions: [GuestTrap], ecalls: [UInt64]) {
        self.status = status
        self.pc = pc
        self.instret = instret
        self.x = x
        self.data = data
        self.exceptions = exceptions
        self.ecalls = ecalls
    }

    public var description: String {
        "status \(status) pc \(String(pc, radix: 16)) instret \(instret) x \(x.map { String($0, radix: 16) }) exceptions \(exceptions) ecalls \(ecalls)"
    }
}

/// Loads the 64-bit data word `index` into `rd`.
public func loadWord(_ rd: Int, _ index: Int) -> UInt32 { RV.ld(rd, Layout.dataRegister, 8 * index) }

func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<T.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}
