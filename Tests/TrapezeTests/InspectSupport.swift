import Foundation
import Guest
import RISCV
import TestSupport
import Trapeze

/// Loads a fixture in-process for the inspection tools.
func loadFixture(_ name: String, engine: EngineKind = .jit, arguments: [String] = []) throws -> GuestRun {
    let program = Paths.fixtures.appendingPathComponent("bin/\(name)").path
    return try GuestRun(RunConfiguration(program: program, arguments: arguments,
                                         environment: ["FIXTURE_ENV=fixture-value"], engine: EngineSettings(kind: engine)))
}

/// The committed exit status of a fixture (as a shell reports it).
func expectedStatus(_ name: String) -> Int32 {
    let text = (try? String(contentsOf: Paths.fixtures.appendingPathComponent("expected/\(name).status"), encoding: .utf8)) ?? ""
    return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
}

/// A deliberately wrong engine written here rather than in the library: it runs another engine
/// one instruction at a time and, after every retired instruction with `opcode`, adds one to the
/// register it wrote. It also may scribble a byte at `stray` after each store, to play an
/// engine that stores to a wrong address.
final class WrongEngine: Engine {
    let inner: any Engine
    let opcode: Opcode?
    let strayStoreOffset: Int64?

    init(_ inner: any Engine, corrupting opcode: Opcode?, strayStoreOffset: Int64? = nil) {
        self.inner = inner
        self.opcode = opcode
        self.strayStoreOffset = strayStoreOffset
    }

    func run(_ hart: Hart, maxInstructions: UInt64?) -> ExitStatus {
        var left = maxInstructions ?? UInt64.max
        while left > 0 {
            let pc = hart.state.pc
            let inst = (try? hart.memory.fetch16(pc)).flatMap { low -> Instruction? in
                if low & 3 != 3 { return decode(UInt32(low)) }
                guard let high = try? hart.memory.fetch16(pc &+ 2) else { return nil }
                return decode(UInt32(low) | UInt32(high) << 16)
            }
            let before = hart.state.instret
            let status = inner.run(hart, maxInstructions: 1)
            guard status == .instructionLimit else { return status }
            guard hart.state.instret != before, let inst else { continue }
            left -= 1
            let spec = inst.opcode.info
            if inst.opcode == opcode, spec.writesX, inst.rd != 0 {
                hart.state.setX(Int(inst.rd), hart.state.x(Int(inst.rd)) &+ 1)
            }
            if let offset = strayStoreOffset, spec.memory?.kind == .store {
                let address = hart.state.x(2) &+ UInt64(bitPattern: offset)
                if let byte = try? hart.memory.load(address, as: UInt8.self) {
                    try? hart.memory.store(address, byte ^ 0x5a)
                }
            }
        }
        return .instructionLimit
    }
}
