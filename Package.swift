// swift-tools-version:6.0
import PackageDescription

// Release builds drop Swift's dynamic exclusivity checks: the interpreter and dispatcher keep
// guest state in raw memory, and the checks would cost on every access (see NOTES.md).
// Concrete generic types' metadata (`[String]`, `[UInt64: UInt64]`, ...) is fetched through
// their accessors rather than by demangling a mangled name at first use: the demangler looks
// up each conformance a type needs (`UInt64: Hashable`) by scanning every conformance record
// of the static binary, and that was a sixth of a short process's start-up.
let fast: [SwiftSetting] = [.unsafeFlags([
    "-enforce-exclusivity=unchecked",
    "-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors",
])]

// The `trapeze` binary is linked statically (Swift runtime, libc, libffi, capstone): every guest
// process, and every guest execve, starts a new Trapeze, and loading and relocating a dozen
// shared libraries used to take longer than running a small guest. FoundationEssentials (which
// swift-argument-parser imports) misses two of its own libraries when linked this way, so they
// are named here.
let staticExecutable: [LinkerSetting] = [.unsafeFlags([
    "-static-executable", "-Xlinker", "-l_FoundationCShims", "-Xlinker", "-l_FoundationCollections",
])]

// Test code is compiled without optimisation: the code under test is optimised as above, and
// optimising the test targets themselves (swift-testing's expanded #expect macros, mostly) took a
// third of `make test`'s build time for nothing the tests measure.
let testCode: [SwiftSetting] = [.unsafeFlags(["-Onone"])]

let package = Package(
    name: "Trapeze",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "trapeze", targets: ["trapeze"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CFFI", path: "Sources/CFFI"),
        .systemLibrary(name: "CCapstone", path: "Sources/CCapstone"),
        .systemLibrary(name: "CHost", path: "Sources/CHost"),
        .systemLibrary(name: "CFDT", path: "Sources/CFDT"),
        .target(name: "RISCV", swiftSettings: fast),
        .target(name: "Guest", dependencies: ["RISCV", "CHost"], swiftSettings: fast),
        .target(name: "Interpreter", dependencies: ["RISCV", "Guest"], swiftSettings: fast),
        .target(name: "X86", dependencies: ["CCapstone"], swiftSettings: fast),
        .target(name: "JIT", dependencies: ["RISCV", "Guest", "Interpreter", "X86", "CFFI", "CHost"], swiftSettings: fast),
        .target(name: "ELF", dependencies: ["Guest"], swiftSettings: fast),
        .target(name: "Linux", dependencies: ["RISCV", "Guest", "ELF", "CHost"], swiftSettings: fast),
        .target(name: "System", dependencies: ["RISCV", "Guest", "ELF", "CFDT"], swiftSettings: fast),
        .target(name: "Trapeze", dependencies: ["RISCV", "Guest", "Interpreter", "JIT", "ELF", "Linux", "System", "X86", "CHost"], swiftSettings: fast),
        .target(name: "TrapezeCLI", dependencies: [
            "Trapeze", "RISCV", "Guest", "Linux", "JIT", "System",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fast),
        // Code that must run before the Swift runtime starts (Sources/CStartup/startup.c).
        .target(name: "CStartup"),
        .executableTarget(name: "trapeze", dependencies: ["TrapezeCLI", "CStartup"], swiftSettings: fast,
                         linkerSettings: staticExecutable),
        // What the test targets share (environment double, layout, assembler, random, tools);
        // nothing outside Tests/ depends on it.
        .target(name: "TestSupport", dependencies: ["Guest", "Linux", "RISCV"], path: "Tests/TestSupport", swiftSettings: testCode),
        .testTarget(name: "RISCVTests", dependencies: ["RISCV"], exclude: ["Goldens"], swiftSettings: testCode),
        .testTarget(name: "X86Tests", dependencies: ["X86", "CCapstone", "TestSupport"], swiftSettings: testCode),
        .testTarget(name: "GuestTests", dependencies: ["Guest", "RISCV", "TestSupport"], swiftSettings: testCode),
        .testTarget(name: "InterpreterTests", dependencies: ["Interpreter", "Guest", "RISCV", "Linux", "TestSupport"], swiftSettings: testCode),
        .testTarget(name: "LinuxTests", dependencies: ["Linux", "ELF", "Guest", "RISCV", "TestSupport"], swiftSettings: testCode),
        .testTarget(name: "JITTests", dependencies: ["JIT", "Interpreter", "Guest", "Linux", "RISCV", "X86", "CCapstone", "TestSupport"], swiftSettings: testCode),
        .testTarget(name: "SystemTests", dependencies: ["System", "ELF", "Guest", "RISCV", "CFDT", "TestSupport"], swiftSettings: testCode),
        .testTarget(name: "TrapezeTests", dependencies: ["Trapeze", "TrapezeCLI", "ELF", "JIT", "Linux", "Guest", "RISCV", "TestSupport"], exclude: ["DumpGoldens", "CLIGoldens"], swiftSettings: testCode),
    ]
)
