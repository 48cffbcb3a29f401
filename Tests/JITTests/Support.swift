import Guest
import Interpreter
import Linux
import JIT
import RISCV
import Testing

/// An environment double: ecall a7 = 93 exits with a0; any other ecall records a7, sets
/// a0 = 2*a0 + 1 (so tests see a round trip) and advances pc. Exceptions are recorded and stop the
/// run, unless `resumeAt` sends them to a handler pc.
final class TestEnvironment: Environment {
    var ecalls: [UInt64] = []
    var exceptions: [GuestTrap] = []
    var resumeAt: UInt64?
    var pendingEvents = 0
    var deliveries = 0

    func environmentCall(_ hart: Hart) -> Continuation {
        let number = hart.state.x(17)
        ecalls.append(number)
        if number == 93 { return .stop(.exited(Int32(truncatingIfNeeded: hart.state.x(10)))) }
        hart.state.setX(10, hart.state.x(10) &* 2 &+ 1)
        hart.state.pc &+= 4
        return .resume
    }

    func exception(_ hart: Hart, _ trap: GuestTrap) -> Continuation {
        exceptions.append(trap)
        if let resumeAt {
            hart.state.pc = resumeAt
            return .resume
        }
        return .stop(.signaled(GuestSignal.forException(trap.cause)))
    }

    var eventPending: Bool { pendingEvents > 0 }

    func deliverEvents(_ hart: Hart) -> Continuation {
        pendingEvents -= 1
        deliveries += 1
        return .resume
    }
}

/// The test address space: code, two data pages, a read-only page, an unmapped hole; 16 MiB in all.
enum Layout {
    static let code: UInt64 = 0x10000
    static let data: UInt64 = 0x20000
    static let dataSize: UInt64 = 0x2000
    static let readOnly: UInt64 = 0x22000
    static let hole: UInt64 = 0x30000
    static let limit: UInt64 = 1 << 24
    /// Register that holds `data` at start (uncached in the JIT's register map).
    static let dataRegister = 31
}

/// Everything observable after a run, for comparing engines.
struct Outcome: Equatable, CustomStringConvertible {
    var status: Guest.ExitStatus
    var pc: UInt64
    var instret: UInt64
    var x: [UInt64]
    var data: [UInt8]
    var exceptions: [GuestTrap]
    var ecalls: [UInt64]

    var description: String {
        "status \(status) pc \(String(pc, radix: 16)) instret \(instret) x \(x.map { String($0, radix: 16) }) exceptions \(exceptions) ecalls \(ecalls)"
    }
}

struct Program {
    var code: [UInt32]
    var data: [UInt64] = []
    /// Map the code pages writable too (self-modifying code).
    var writableCode = false
    var codePages: UInt64 = 4
    var setup: (GuestState) -> Void = { _ in }

    func makeHart() -> (Hart, TestEnvironment) {
        let memory = GuestMemory(limit: Layout.limit)
        let codeFlags: PageFlags = writableCode ? [.read, .write, .execute] : [.read, .execute]
        memory.mapAnonymous(Layout.code, codePages * GuestMemory.pageSize, codeFlags)
        memory.mapAnonymous(Layout.data, Layout.dataSize, [.read, .write])
        memory.mapAnonymous(Layout.readOnly, GuestMemory.pageSize, [.read])
        var bytes: [UInt8] = []
        for w in code { for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: w >> (8 * k))) } }
        _ = memory.poke(Layout.code, bytes)
        var dataBytes: [UInt8] = []
        for v in data { for k in 0..<8 { dataBytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        if !dataBytes.isEmpty { _ = memory.poke(Layout.data, dataBytes) }
        let hart = Hart(memory: memory)
        let environment = TestEnvironment()
        hart.environment = environment
        hart.state.pc = Layout.code
        hart.state.setX(Layout.dataRegister, Layout.data)
        setup(hart.state)
        return (hart, environment)
    }

    func run(_ engine: Engine, maxInstructions: UInt64? = nil) -> Outcome {
        let (hart, environment) = makeHart()
        let status = engine.run(hart, maxInstructions: maxInstructions)
        let data = (try? hart.memory.read(Layout.data, count: Int(Layout.dataSize))) ?? []
        return Outcome(status: status, pc: hart.state.pc, instret: hart.state.instret, x: hart.state.xRegisters,
                       data: data, exceptions: environment.exceptions, ecalls: environment.ecalls)
    }
}

/// A JIT small enough that many can exist at once in parallel tests.
func smallJIT(chaining: Bool = true, cacheSize: Int = 1 << 20) -> JIT {
    JIT(options: JITOptions(cacheSize: cacheSize, chaining: chaining))
}

/// Runs `program` under the interpreter and under the JIT with and without chaining; expects
/// identical outcomes and returns the interpreter's (for checks against known values).
@discardableResult
func expectSameUnderBothEngines(_ program: Program, maxInstructions: UInt64? = nil,
                                sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
    let reference = program.run(Interpreter(), maxInstructions: maxInstructions)
    for chaining in [true, false] {
        let jit = smallJIT(chaining: chaining)
        let outcome = program.run(jit, maxInstructions: maxInstructions)
        #expect(outcome == reference, "chaining \(chaining)", sourceLocation: sourceLocation)
        if outcome != reference {
            for r in 0..<32 where outcome.x[r] != reference.x[r] {
                Issue.record("x\(r): jit \(String(outcome.x[r], radix: 16)) interpreter \(String(reference.x[r], radix: 16))",
                             sourceLocation: sourceLocation)
            }
            if outcome.status != reference.status || outcome.pc != reference.pc || outcome.instret != reference.instret {
                Issue.record("jit \(outcome.status) pc \(String(outcome.pc, radix: 16)) instret \(outcome.instret); interpreter \(reference.status) pc \(String(reference.pc, radix: 16)) instret \(reference.instret)",
                             sourceLocation: sourceLocation)
            }
        }
    }
    return reference
}

/// Loads a 64-bit data word `index` into `rd` (data register holds the table's address).
func loadWord(_ rd: Int, _ index: Int) -> UInt32 { RV.ld(rd, Layout.dataRegister, 8 * index) }
