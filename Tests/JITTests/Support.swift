import Guest
import Interpreter
import Linux
import JIT
import Testing
import TestSupport

/// A JIT small enough that many can exist at once in parallel tests.
func smallJIT(chaining: Bool = true, cacheSize: Int = 1 << 20) -> JIT {
    JIT(options: JITOptions(cacheSize: cacheSize, chaining: chaining))
}

/// Runs `program` under the interpreter and under the JIT with and without chaining (and, if
/// given, with each of `blockRegisters`, `hostCalls` and `joins` and with the host `features`);
/// expects identical outcomes and returns the interpreter's (for checks against known values).
@discardableResult
func expectSameUnderBothEngines(_ program: Program, maxInstructions: UInt64? = nil,
                                features: CPUFeatures? = nil, blockRegisters: [Bool]? = nil, hostCalls: [Bool]? = nil,
                                joins: [Bool]? = nil, spillBudget: [Bool]? = nil, returnAddress: [Bool]? = nil,
                                sourceLocation: SourceLocation = #_sourceLocation) -> Outcome {
    let reference = program.run(Interpreter(), maxInstructions: maxInstructions)
    let defaults = JITOptions(cacheSize: 1 << 20)
    let variants = [true, false].flatMap { chaining in
        (blockRegisters ?? [defaults.blockRegisters]).flatMap { registers in
            (hostCalls ?? [defaults.hostCalls]).flatMap { calls in
                (joins ?? [defaults.joins]).flatMap { join in
                    (spillBudget ?? [defaults.spillBudget]).flatMap { spill in
                        (returnAddress ?? [defaults.returnAddressRegister]).map { (chaining, registers, calls, join, spill, $0) }
                    }
                }
            }
        }
    }
    for (chaining, registers, calls, join, spill, ra) in variants {
        var options = JITOptions(cacheSize: 1 << 20, chaining: chaining)
        options.blockRegisters = registers
        options.hostCalls = calls
        options.joins = join
        options.spillBudget = spill
        options.returnAddressRegister = ra
        if let features { options.hostFeatures = features }
        let outcome = program.run(JIT(options: options), maxInstructions: maxInstructions)
        let variant = "chaining \(chaining), block registers \(registers), host calls \(calls), joins \(join), spill budget \(spill), ra register \(ra)"
            + (features.map { ", \($0)" } ?? "")
        #expect(outcome == reference, "\(variant)", sourceLocation: sourceLocation)
        if outcome != reference {
            for r in 0..<32 where outcome.x[r] != reference.x[r] {
                Issue.record("x\(r): jit \(String(outcome.x[r], radix: 16)) interpreter \(String(reference.x[r], radix: 16)) (\(variant))",
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
