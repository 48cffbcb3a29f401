#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Guest
import System
import Trapeze

/// `trapeze difftest --system [system options] [--interval N] [--memory-check N] [IMAGE]`: the
/// machine `trapeze system` would build with the same options, run twice, on the interpreter and
/// on the JIT, in lockstep (SystemDifftest.swift). The machine options are `trapeze system`'s
/// own, parsed by it; only the lockstep's own options are taken out first.
enum SystemDifftestLine {
    /// Whether argv (without argv[0]) asks for the system-mode difftest.
    static func wanted(_ arguments: [String]) -> Bool {
        arguments.first == "difftest" && arguments.dropFirst().contains("--system")
    }

    static func run(_ arguments: [String]) throws -> Never {
        var rest: [String] = []
        var interval: UInt64 = 10_000, memoryCheck = 64
        var fault: String? = nil
        var words = arguments.dropFirst()[...]
        func value(_ option: String) throws -> String {
            guard let v = words.popFirst() else { throw ValidationError("\(option) needs a value") }
            return v
        }
        while let word = words.popFirst() {
            let (name, inline) = word.hasPrefix("--") && word.contains("=")
                ? (String(word.prefix(while: { $0 != "=" })), String(word.drop(while: { $0 != "=" }).dropFirst())) : (word, nil)
            switch name {
            case "--system": continue
            case "--interval":
                guard let n = UInt64(try inline ?? value(name)), n > 0 else { throw ValidationError("--interval wants a positive number") }
                interval = n
            case "--memory-check":
                guard let n = Int(try inline ?? value(name)), n >= 0 else { throw ValidationError("--memory-check wants a number") }
                memoryCheck = n
            case "--inject-fault": fault = try inline ?? value(name)
            case "--engine", "--trace", "--stats", "--timeout", "--gdb":
                throw ValidationError("difftest --system: \(name) does not apply (the interpreter and the JIT both run, under --icount)")
            default: rest.append(word)
            }
        }
        let system = try SystemCommand.parse(rest)
        let configuration = try system.systemConfiguration()
        let options = SystemDifftestOptions(fault: try parseFault(fault), interval: interval,
                                            maxInstructions: configuration.maxInstructions, memoryCheckInterval: memoryCheck)
        let difftest = SystemDifftest(configuration, options: options, echo: { byte in _ = withUnsafeBytes(of: byte) { Glibc.write(1, $0.baseAddress, 1) } })
        let result: SystemDifftestResult
        do {
            result = try difftest.run()
        } catch {
            report(error.message)
            throw GuestExit(status: error.status)
        }
        if let divergence = result.divergence {
            HostIO.error("trapeze: " + divergence.report.joined(separator: "\n") + "\n")
            throw GuestExit(status: 1)
        }
        report("difftest --system: jit and interp agree: \(result.instructions) instructions, \(result.comparisons) comparisons")
        if result.status == .instructionLimit {
            report("stopped after \(result.instructions) instructions (--max-insns)")
        }
        throw GuestExit(status: result.status?.processStatus ?? 1)
    }
}
