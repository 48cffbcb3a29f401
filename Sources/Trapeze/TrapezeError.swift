/// An error Trapeze reports to its user: one line, printed after `trapeze: `, and the exit status
/// the process ends with.
public struct TrapezeError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// As a shell would report it: 127 for a program that does not exist, 126 for one that cannot
    /// be executed (not an ELF, wrong machine, malformed), 1 otherwise.
    public var status: Int32

    public init(_ message: String, status: Int32 = 1) {
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
