import Interpreter
import JIT
import Testing
import TestSupport

/// Runs `program` under the interpreter and under the JIT with each of `variants` (a name for
/// the message and the options), with each budget, and expects the same outcome: registers, pc,
/// instret, exceptions and ecalls.
func expectJITVariantsAsInterpreter(_ program: Program, budgets: [UInt64?], variants: [(String, JITOptions)],
                                    _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    for budget in budgets {
        let reference = program.run(Interpreter(), maxInstructions: budget)
        for (name, options) in variants {
            let outcome = program.run(JIT(options: options), maxInstructions: budget)
            #expect(outcome == reference, "\(what): budget \(String(describing: budget)) \(name)",
                    sourceLocation: sourceLocation)
        }
    }
}
