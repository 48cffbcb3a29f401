import Foundation

/// Where the package, its fixtures and the built `trapeze` binary are.
public enum Paths {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let fixtures = root.appendingPathComponent("Fixtures")

    /// The `trapeze` executable built beside this test bundle (`swift test` builds it too), or
    /// `TRAPEZE_BIN` when set.
    public static var trapeze: String {
        if let bin = ProcessInfo.processInfo.environment["TRAPEZE_BIN"] { return bin }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test binary may sit inside a `.xctest` bundle directory.
        while dir.path != "/" && !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("trapeze").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("trapeze").path
    }

    /// `tool` as the shell would find it on PATH.
    public static func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

/// The external tools some tests compare against. A test that needs one names it in
/// `.enabled(if:)`, so a machine without it reports the test skipped rather than passed.
public enum Tools {
    public static let qemu = Paths.which("qemu-riscv64")
    public static let objdump = Paths.which("riscv64-linux-gnu-objdump")
    public static let objcopy = Paths.which("riscv64-linux-gnu-objcopy")
    public static let strace = Paths.which("strace")
    /// Debian's riscv64 cross sysroot: the dynamic linker and libc that dynamic fixtures load.
    public static let sysroot = "/usr/riscv64-linux-gnu"
    public static let dynamicLinker = sysroot + "/lib/ld-linux-riscv64-lp64d.so.1"
    public static let hasSysroot = FileManager.default.isReadableFile(atPath: dynamicLinker)
}
