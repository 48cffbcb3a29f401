import Guest
import Interpreter

/// Which engine executes guest code.
public enum EngineKind: String, CaseIterable, Sendable {
    case jit
    case interp

    /// The engine `trapeze run` uses when none is named.
    public static let `default`: EngineKind = .interp

    func make() -> any Engine {
        switch self {
        case .interp, .jit: Interpreter()
        }
    }
}
