import ArgumentParser
import Trapeze

/// `trapeze system` command lines, parsed.
///
/// `fast` reads the plain lines that benchmarks and scripts use (`tools/bench --system` starts a
/// machine per run) without swift-argument-parser, whose reflection over the command types cost
/// about 2 ms of every start-up: 1% of a 0.2 s kernel. It knows `system`'s options that take one
/// plain value in the `--name value` form and its flags, and gives up (nil) on anything else —
/// help, `--name=value`, repeated options, `--drive`, values that look like options or do not
/// parse — so that `parsed` (swift-argument-parser) handles those, errors included. The tests
/// check that both agree wherever `fast` answers.
public enum SystemLine {
    /// The settings for `argv` (without Trapeze's own argv[0]), or nil for `parsed` to handle.
    public static func fast(_ argv: [String]) -> SystemSettings? {
        guard argv.first == "system" else { return nil }
        var s = SystemSettings()
        var seen: [String] = []
        var i = 1
        while i < argv.count {
            let arg = argv[i]
            guard arg.hasPrefix("-") else {
                guard s.program == nil, !arg.isEmpty else { return nil }
                s.program = arg
                i += 1
                continue
            }
            guard !seen.contains(arg) else { return nil }
            seen.append(arg)
            switch arg {
            case "--stats": s.stats = true
            case "--icount": s.icount = true
            case "--trace": s.trace = true
            case "--perf-map": s.perfMap = true
            case "--no-reboot": s.noReboot = true
            case "--snapshot": s.snapshot = true
            case "--rng": s.rng = true
            default:
                guard i + 1 < argv.count, !argv[i + 1].hasPrefix("-"), !argv[i + 1].isEmpty,
                      setOption(arg, argv[i + 1], &s) else { return nil }
                i += 1
            }
            i += 1
        }
        return s
    }

    /// The settings swift-argument-parser makes of `argv` (without argv[0]); throws its errors.
    public static func parsed(_ argv: [String]) throws -> SystemSettings {
        guard argv.first == "system" else { throw ValidationError("not a system command line") }
        return try SystemCommand.parse(Array(argv.dropFirst())).settings
    }

    /// Stores an option's value; false if `name` is not one `fast` knows or the value does not parse.
    private static func setOption(_ name: String, _ v: String, _ s: inout SystemSettings) -> Bool {
        switch name {
        case "--engine": guard let e = EngineKind(rawValue: v) else { return false }; s.engine = e
        case "--memory": s.memory = v
        case "--cpu": s.cpu = v
        case "--bios": s.bios = v
        case "--kernel": s.kernel = v
        case "--initrd": s.initrd = v
        case "--append": s.append = v
        case "--max-insns": guard let n = UInt64(v) else { return false }; s.maxInstructions = n
        case "--timeout": guard let t = Double(v), t.isFinite else { return false }; s.timeout = t
        default: return false
        }
        return true
    }
}
