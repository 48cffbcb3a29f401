import ArgumentParser
import Trapeze

/// `trapeze run` command lines, parsed.
///
/// `fast` reads the plain lines that guests' `execve`, scripts and benchmarks use without
/// swift-argument-parser, whose reflection over the command types costs about a millisecond at
/// every start-up. It knows `run`'s long options in their `--name value` and `--name=value`
/// forms and `-L DIR`, and gives up (nil) on anything else — help, short or repeated options,
/// values that look like options, unknown names, values that do not parse or validate — so that
/// `parsed` (swift-argument-parser) handles those, errors included. The tests check that both
/// agree wherever `fast` answers.
public enum RunLine {
    /// The settings for `argv` (without Trapeze's own argv[0]), or nil for `parsed` to handle.
    public static func fast(_ argv: [String]) -> RunSettings? {
        guard argv.first == "run" else { return nil }
        var settings = RunSettings(program: "")
        // An array, not a Set<String>: the set's generic metadata cost a start-up more than
        // the dozen comparisons it saves.
        var seen: [String] = []
        var i = 1
        while i < argv.count {
            let arg = argv[i]
            if arg == "--" {
                // The program follows; a second `--` right after it would be ambiguous.
                guard i + 1 < argv.count else { return nil }
                return finish(&settings, argv, program: i + 1, afterTerminator: true)
            }
            guard arg.hasPrefix("-") else { return finish(&settings, argv, program: i, afterTerminator: false) }
            var name = arg, inlineValue: String?
            if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
                name = String(arg[..<eq])
                inlineValue = String(arg[arg.index(after: eq)...])
            }
            if name == "-L" { name = "--sysroot"; guard inlineValue == nil else { return nil } }
            guard !seen.contains(name) else { return nil }
            seen.append(name)
            if setFlag(name, &settings) {
                guard inlineValue == nil else { return nil }
                i += 1
                continue
            }
            guard isOption(name) else { return nil }
            let value: String
            if let inlineValue {
                value = inlineValue
                i += 1
            } else {
                guard i + 1 < argv.count, !argv[i + 1].hasPrefix("-") else { return nil }
                value = argv[i + 1]
                i += 2
            }
            guard !value.isEmpty, setOption(name, value, &settings) else { return nil }
        }
        return nil  // no program
    }

    /// The settings swift-argument-parser makes of `argv` (without argv[0]); throws its errors.
    public static func parsed(_ argv: [String]) throws -> RunSettings {
        guard argv.first == "run" else { throw ValidationError("not a run command line") }
        return try RunCommand.parse(Array(argv.dropFirst())).settings
    }

    private static func finish(_ settings: inout RunSettings, _ argv: [String], program: Int, afterTerminator: Bool) -> RunSettings? {
        let rest = Array(argv[(program + 1)...])
        if afterTerminator, rest.first == "--" { return nil }
        settings.program = argv[program]
        settings.arguments = guestArguments(rest)
        guard !settings.program.isEmpty, !settings.program.hasPrefix("-"), (try? settings.validate()) != nil, settings.cacheBytes != nil else { return nil }
        return settings
    }

    /// Sets a flag; false if `name` is not one of `run`'s flags.
    private static func setFlag(_ name: String, _ s: inout RunSettings) -> Bool {
        switch name {
        case "--strace": s.strace = true
        case "--trace": s.trace = true
        case "--stats": s.stats = true
        case "--no-chain": s.noChain = true
        case "--no-interpret-first": s.noInterpretFirst = true
        case "--perf-map": s.perfMap = true
        default: return false
        }
        return true
    }

    /// Whether `name` is one of `run`'s options (which take a value).
    private static func isOption(_ name: String) -> Bool {
        ["--engine", "--cpu", "--sysroot", "--max-insns", "--trace-file", "--timeout", "--memory-limit", "--max-processes",
         "--jit-cache-size", "--jit-cache-dir", "--argv0"].contains(name)
    }

    /// Stores an option's value; false if the value does not parse.
    private static func setOption(_ name: String, _ v: String, _ s: inout RunSettings) -> Bool {
        switch name {
        case "--engine": guard let e = EngineKind(rawValue: v) else { return false }; s.engine = e
        case "--cpu": s.cpu = v
        case "--sysroot": s.sysroot = v
        case "--max-insns": guard let n = UInt64(v) else { return false }; s.maxInstructions = n
        case "--trace-file": s.traceFile = v
        case "--timeout": guard let t = Double(v) else { return false }; s.timeout = t
        case "--memory-limit": s.memoryLimit = v
        case "--max-processes": guard let n = Int(v) else { return false }; s.maxProcesses = n
        case "--jit-cache-size": s.jitCacheSize = v
        case "--jit-cache-dir": s.jitCacheDir = v
        case "--argv0": s.argv0 = v
        default: return false
        }
        return true
    }
}
