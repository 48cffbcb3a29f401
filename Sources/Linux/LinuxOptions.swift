/// How to start a guest Linux process.
public struct LinuxOptions: Sendable {
    /// Host path of the guest executable.
    public var program: String
    /// The guest's argv, argv[0] included.
    public var arguments: [String]
    /// The guest's environment, as "NAME=value" strings.
    public var environment: [String]
    /// Directory that guest absolute paths are looked up in first (the PT_INTERP, libraries).
    public var sysroot: String?
    /// Print every syscall, strace-style.
    public var strace: Bool
    /// Where `--strace` lines go.
    public var straceFD: Int32
    /// `--memory-limit`, `--max-processes`.
    public var limits: GuestLimits
    /// `--sandbox`: what an untrusted guest may reach (nil: what the user may).
    public var sandbox: SandboxPolicy?
    /// execve of a riscv64 program is handed to the host kernel, whose binfmt_misc entry (the one
    /// that started this process) runs it; Trapeze re-executes itself only if the kernel cannot.
    public var execThroughKernel = false

    public init(program: String, arguments: [String]? = nil, environment: [String] = [],
                sysroot: String? = nil, strace: Bool = false, straceFD: Int32 = 2,
                limits: GuestLimits = GuestLimits(), sandbox: SandboxPolicy? = nil) {
        self.program = program
        self.arguments = arguments ?? [program]
        self.environment = environment
        self.sysroot = sysroot
        self.strace = strace
        self.straceFD = straceFD
        self.limits = limits
        self.sandbox = sandbox
    }
}
