/// Why a machine could not be built or its images loaded. Every case reads as one line after
/// `trapeze: `, and carries the status Trapeze exits with.
public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// 64 for a bad option value (as a usage error), 127 for an image file that does not exist,
    /// 126 for an image that cannot be loaded, 1 for a host failure.
    public var status: Int32

    public static let usage: Int32 = 64, missing: Int32 = 127, unloadable: Int32 = 126, host: Int32 = 1

    public init(_ message: String, status: Int32) {
        self.message = message
        self.status = status
    }

    public var description: String { message }
}
