import Testing
import TrapezeCLI

/// `trapeze system`'s fast command-line path must agree with swift-argument-parser wherever it
/// answers, and must leave everything unusual (help, errors, odd forms) to it.
@Suite struct SystemLineTests {
    /// Lines the fast path must take, as `tools/bench --system` and scripts write them.
    static let plain: [[String]] = [
        ["system", "image"],
        ["system", "--engine", "jit", "--memory", "512M", "image"],
        ["system", "--engine", "interp", "--memory", "512M", "image"],
        ["system", "--stats", "--memory", "512M", "image"],
        ["system", "image", "--icount", "--max-insns", "1000"],
        ["system", "--cpu", "rv64gc", "--timeout", "2.5", "--perf-map", "--trace", "image"],
        ["system", "--bios", "none", "--kernel", "Image", "--initrd", "rd", "--append", "console=ttyS0", "--no-reboot"],
        ["system", "--snapshot", "--rng", "--kernel", "k"],
        ["system"],
    ]

    /// Lines the fast path must leave to swift-argument-parser.
    static let unusual: [[String]] = [
        ["system", "--help"], ["system", "-h"], ["system", "--engine"], ["system", "--engine", "qemu", "image"],
        ["system", "--engine", "jit", "--engine", "interp", "image"], ["system", "--bogus", "image"],
        ["system", "--memory=512M", "image"], ["system", "--stats=1", "image"], ["system", "a", "b"],
        ["system", "--max-insns", "many", "image"], ["system", "--timeout", "nan", "image"],
        ["system", "--memory", "-1", "image"], ["system", "--drive", "disk.img", "image"],
        ["system", "--dtb", "x.dtb", "image"], ["system", "--dump-dtb", "x.dtb"], ["system", "--gdb", "1234", "image"],
        ["run", "image"], ["dump", "--system", "image"], [],
    ]

    @Test("plain system lines take the fast path and parse as swift-argument-parser parses them", arguments: plain)
    func plainLines(_ line: [String]) throws {
        let fast = try #require(SystemLine.fast(line))
        #expect(fast == (try SystemLine.parsed(line)))
    }

    @Test("unusual system lines are left to swift-argument-parser", arguments: unusual)
    func unusualLines(_ line: [String]) {
        #expect(SystemLine.fast(line) == nil)
    }
}
