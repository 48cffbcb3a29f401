#if canImport(Glibc)
import Glibc
#endif
import Guest
import JIT
import Linux

/// A user-mode guest (one Linux process) as gdb sees it.
///
/// Running between stops is the chosen engine's ordinary run, at full speed: breakpoints are
/// `ebreak`s that instruction fetch returns at their pcs (memory keeps the program's bytes), and
/// the `DebugEnvironment` turns them, faults, signals and interrupts into stops. Stepping always
/// executes one instruction on the interpreter, which makes it exact under either engine. While
/// any watchpoint is set the guest runs by such steps, each access checked before it happens
/// (no per-instruction work otherwise: translated code runs untouched between breakpoints).
public final class UserTarget: DebugTarget {
    public let guest: GuestRun
    public private(set) var engineKind: EngineKind
    private(set) var engine: any Engine
    let environment: DebugEnvironment
    var watches = Watchpoints()
    var breakpoints: Set<UInt64> = []
    /// The auxiliary vector as the loader built it (`qXfer:auxv:read`), captured before the guest runs.
    private let auxv: [UInt8]
    /// How the guest ended, once it has.
    public internal(set) var finalStatus: ExitStatus?

    public init(_ guest: GuestRun) {
        self.guest = guest
        engineKind = guest.configuration.engine.kind
        engine = UserTarget.makeEngine(engineKind, guest.configuration.engine)
        let process = guest.process
        environment = DebugEnvironment(wrapping: process, memory: guest.memory) {
            let ready = process.signals.queued.raw & ~process.signals.blocked.raw
            return ready == 0 ? nil : Int32(ready.trailingZeroBitCount + 1)
        }
        auxv = UserTarget.auxiliaryVector(guest.memory, sp: process.initialStackPointer)
        guest.hart.environment = environment
    }

    /// The JIT keeps block records so that `monitor dump` can show them.
    static func makeEngine(_ kind: EngineKind, _ settings: EngineSettings) -> any Engine {
        var settings = settings
        settings.kind = kind
        settings.countBlockExecutions = true
        return settings.makeEngine()
    }

    /// The auxv pairs (AT_NULL included) above the initial stack's argv and envp.
    static func auxiliaryVector(_ memory: GuestMemory, sp: UInt64) -> [UInt8] {
        var a = sp
        func next() -> UInt64? { defer { a &+= 8 }; return try? memory.load(a, as: UInt64.self) }
        guard let argc = next(), argc < 1 << 16 else { return [] }
        a &+= (argc + 1) * 8
        while let p = next(), p != 0 {}
        let start = a
        while let key = next(), next() != nil, key != 0 {}
        return (try? memory.read(start, count: Int(a &- start))) ?? []
    }

    var hart: Hart { guest.hart }
    var memory: GuestMemory { guest.memory }

    // MARK: Registers

    public var targetDescription: String { TargetDescription.xml() }
    public var generalRegisters: [Int] { Array(0...TargetDescription.pc) }

    public func readRegister(_ number: Int) -> [UInt8]? {
        let state = hart.state
        switch number {
        case 0..<32: return bytes(state.x(number), 8)
        case TargetDescription.pc: return bytes(state.pc, 8)
        case TargetDescription.firstF..<TargetDescription.firstF + 32: return bytes(state.f(number - TargetDescription.firstF), 8)
        case TargetDescription.fflags: return bytes(UInt64(state.fflags), 4)
        case TargetDescription.frm: return bytes(UInt64(state.frm), 4)
        case TargetDescription.fcsr: return bytes(UInt64(state.fcsr), 4)
        default: return nil
        }
    }

    public func writeRegister(_ number: Int, _ data: [UInt8]) -> Bool {
        guard let size = readRegister(number)?.count, data.count == size else { return false }
        let value = data.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let state = hart.state
        switch number {
        case 0: break  // x0 stays zero
        case 1..<32: state.setX(number, value)
        case TargetDescription.pc: state.pc = value
        case TargetDescription.firstF..<TargetDescription.firstF + 32: state.setF(number - TargetDescription.firstF, value)
        case TargetDescription.fflags: state.fflags = UInt32(truncatingIfNeeded: value) & 0x1f
        case TargetDescription.frm: state.frm = UInt32(truncatingIfNeeded: value) & 7
        case TargetDescription.fcsr: state.fcsr = UInt32(truncatingIfNeeded: value) & 0xff
        default: return false
        }
        return true
    }

    private func bytes(_ value: UInt64, _ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    // MARK: Memory

    public func readMemory(_ address: UInt64, count: Int) -> [UInt8] {
        // Page by page: stop at the first page neither readable nor executable by the guest.
        var out: [UInt8] = []
        var a = address
        while out.count < count {
            let pageEnd = (a | (GuestMemory.pageSize - 1)) &+ 1
            let n = Int(min(UInt64(count - out.count), pageEnd &- a))
            guard n > 0, a < memory.limit, memory.check(a, UInt64(n), .mapped) else { break }
            let flags = memory.pageFlags(a)
            guard flags.contains(.read) || flags.contains(.execute) else { break }
            var chunk = [UInt8](repeating: 0, count: n)
            let copied: Void? = chunk.withUnsafeMutableBytes { try? memory.copyOut(a, to: $0, need: .mapped) }
            guard copied != nil else { break }
            out += chunk
            a &+= UInt64(n)
        }
        return out
    }

    public func writeMemory(_ address: UInt64, _ data: [UInt8]) -> Bool {
        guard !data.isEmpty else { return true }
        guard memory.poke(address, data) else { return false }
        // Code gdb patched must be decoded again (poke succeeded, so both ends are mapped).
        let last = address &+ UInt64(data.count) &- 1
        if memory.pageFlags(address).contains(.execute) || memory.pageFlags(last).contains(.execute) {
            memory.invalidateCode(address, UInt64(data.count))
        }
        return true
    }

    // MARK: Breakpoints and watchpoints

    public func insertBreakpoint(at address: UInt64) -> Bool {
        guard breakpoints.insert(address).inserted else { return true }
        // `c.ebreak` where a compressed instruction is, so the patch covers only that instruction.
        let compressed = (try? memory.fetch16(address)).map { $0 & 3 != 3 } ?? false
        memory.patchFetch(address, compressed ? 0x9002 : 0x0010_0073)
        return true
    }

    public func removeBreakpoint(at address: UInt64) -> Bool {
        guard breakpoints.remove(address) != nil else { return true }
        memory.patchFetch(address, nil)
        return true
    }

    public func insertWatchpoint(_ kind: WatchKind, address: UInt64, length: UInt64) -> Bool {
        watches.insert(.init(kind: kind, address: address, length: length))
        return true
    }

    public func removeWatchpoint(_ kind: WatchKind, address: UInt64, length: UInt64) -> Bool {
        _ = watches.remove(.init(kind: kind, address: address, length: length))
        return true
    }

    // MARK: Information

    public var threads: [Int] { [Int(getpid())] }

    public func transferObject(_ object: String, annex: String) -> [UInt8]? {
        switch object {
        case "auxv": auxv
        case "exec-file": Array(guest.process.executablePath.utf8)
        default: nil
        }
    }

    public func monitor(_ command: String) -> String? {
        let words = command.split(separator: " ")
        switch words.first {
        case "engine":
            guard words.count == 2, let kind = EngineKind(rawValue: String(words[1])) else {
                return "engine: \(engineKind.rawValue) (monitor engine interp|jit switches)\n"
            }
            if kind != engineKind {
                engineKind = kind
                engine = UserTarget.makeEngine(kind, guest.configuration.engine)
            }
            return "engine: \(kind.rawValue)\n"
        case "dump": return DebugMonitor.dump(engine, guest, pc: hart.state.pc)
        case "stats": return DebugMonitor.stats(engine, engineKind, hart)
        case "help": return DebugMonitor.help
        default: return nil
        }
    }
}
