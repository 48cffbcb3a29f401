/// Why a program could not be loaded. Every case reads as one line after `trapeze: `.
public struct LoaderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file the problem is in (the program, or its interpreter).
    public var path: String
    /// What is wrong, e.g. "not an ELF file".
    public var problem: String

    public init(_ path: String, _ problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }
}
