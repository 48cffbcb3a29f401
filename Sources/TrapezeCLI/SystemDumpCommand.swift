import ArgumentParser
import ELF
import Guest
import JIT
import Linux
import System
import Trapeze

/// `trapeze dump --system [system options] [--pc ADDR] [--limit N] [--json] [-o FILE] [ELF]`: the
/// machine `trapeze system` would build with the same options, run on the JIT with execution
/// counters, then every block it translated, each with its virtual and physical address and the
/// privilege level it was translated for. The machine options are `trapeze system`'s own, parsed
/// by it; only the dump's options are taken out first. The guest's console goes to stderr while
/// the dump goes to stdout.
enum SystemDumpLine {
    static func wanted(_ arguments: [String]) -> Bool {
        arguments.first == "dump" && arguments.dropFirst().contains("--system")
    }

    static func run(_ arguments: [String]) throws -> Never {
        var rest: [String] = []
        var pc: UInt64? = nil, limit: Int? = nil, json = false, output: String? = nil
        var words = arguments.dropFirst()[...]
        while let word = words.popFirst() {
            let (name, inline) = word.hasPrefix("--") && word.contains("=")
                ? (String(word.prefix(while: { $0 != "=" })), String(word.drop(while: { $0 != "=" }).dropFirst())) : (word, nil)
            func value() throws -> String {
                if let inline { return inline }
                guard let v = words.popFirst() else { throw ValidationError("\(name) needs a value") }
                return v
            }
            switch name {
            case "--system": continue
            case "--pc":
                let text = try value()
                guard let address = DumpCommand.parseAddress(text) else { throw ValidationError("--pc wants an address such as 0x80000000, got '\(text)'") }
                pc = address
            case "--limit":
                guard let n = Int(try value()), n >= 0 else { throw ValidationError("--limit wants a count") }
                limit = n
            case "--json": json = true
            case "-o", "--output": output = try value()
            case "--engine", "--trace", "--gdb":
                throw ValidationError("dump --system: \(name) does not apply (the dump is of the JIT's blocks)")
            default: rest.append(word)
            }
        }
        let system = try SystemCommand.parse(rest)
        let configuration = try system.systemConfiguration()
        // The guest's console on stderr when the dump is on stdout, so the two never mix.
        let console = HostConsole(output: output == nil ? 2 : 1, escapes: false)
        let machine: Machine
        do {
            machine = try Machine(configuration, console: console, clock: system.clock())
        } catch {
            report(error.message)
            throw GuestExit(status: error.status)
        }
        var settings = EngineSettings(kind: .jit, maxInstructions: configuration.maxInstructions, timeout: configuration.timeout)
        settings.countBlockExecutions = true
        let run = SystemRun(machine, settings: settings)
        let status = run.run()
        try DumpCommand.emit(run.jit, symbols: symbols(configuration), options: DumpOptions(pc: pc, limit: limit, json: json), output: output)
        throw GuestExit(status: status.processStatus)
    }

    /// The symbols of the images that are ELF files (the bare-metal program, an ELF firmware or
    /// kernel); a flat image has none.
    static func symbols(_ configuration: SystemConfiguration) -> GuestSymbols {
        var paths = [configuration.program, configuration.kernel].compactMap { $0 }
        if case .file(let bios) = configuration.firmware { paths.append(bios) }
        let tables = paths.compactMap { path -> SymbolTable? in
            guard let bytes = try? ELFFile.readFile(path), let elf = try? ELFFile(bytes: bytes, path: path) else { return nil }
            return elf.symbolTable()
        }
        return GuestSymbols(tables: tables)
    }
}
