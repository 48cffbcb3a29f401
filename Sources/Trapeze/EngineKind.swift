import Guest
import Interpreter
import JIT

/// Which engine executes guest code.
public enum EngineKind: String, CaseIterable, Sendable {
    case jit
    case interp

    /// The engine `trapeze run` uses when none is named.
    public static let `default`: EngineKind = .jit

    /// A fresh engine of this kind; `jit` carries the JIT's options.
    public func make(jit options: JITOptions = JITOptions()) -> any Engine {
        switch self {
        case .interp: Interpreter()
        case .jit: JIT(options: options)
        }
    }
}
