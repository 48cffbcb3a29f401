/// Signal numbers on the wire: the remote protocol numbers signals its own way (gdb's
/// `GDB_SIGNAL_*`), which matches Linux only for some (SIGINT, SIGTRAP, SIGSEGV do; SIGBUS,
/// SIGUSR1, SIGCHLD and the real-time signals do not).
public enum GDBSignal {
    /// gdb's number for Linux signals 1...31, by Linux number (0 unused; SIGSTKFLT has none).
    private static let linuxToGDB: [Int32] = [
        0, 1, 2, 3, 4, 5, 6, 10, 8, 9, 30, 11, 31, 13, 14, 15,
        unknown, 20, 19, 17, 18, 21, 22, 16, 24, 25, 26, 27, 28, 23, 32, 12,
    ]
    /// GDB_SIGNAL_UNKNOWN.
    static let unknown: Int32 = 143

    /// gdb's number for Linux signal `sig`.
    public static func number(linux sig: Int32) -> Int32 {
        switch sig {
        case 0..<32: linuxToGDB[Int(sig)]
        case 32: 77  // gdb numbered SIGRTMIN after the others it already had
        case 33...63: 45 + (sig - 33)
        case 64: 78
        default: unknown
        }
    }

    /// The Linux signal for gdb's number, nil for one Linux does not have.
    public static func linux(gdb number: Int32) -> Int32? {
        (1...64).first { self.number(linux: $0) == number }
    }
}
