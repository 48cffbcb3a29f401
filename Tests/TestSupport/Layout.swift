import Guest

/// The test address space (16 MiB): code, two data pages (so accesses can cross a page
/// boundary), a read-only page right after them, and an unmapped hole.
public enum Layout {
    public static let code: UInt64 = 0x10000
    public static let data: UInt64 = 0x20000
    public static let dataSize: UInt64 = 0x2000
    public static let readOnly: UInt64 = 0x22000
    public static let hole: UInt64 = 0x30000
    public static let limit: UInt64 = 1 << 24
    /// The register `Program` loads with `data` at start (one the JIT does not cache).
    public static let dataRegister = 31
}

/// A hart over a fresh `Layout` address space, pc at `Layout.code`, with `environment` attached
/// (nil: no environment, so ecalls and exceptions surface to the caller).
public func makeHart(codePages: UInt64 = 4, writableCode: Bool = false,
                     environment: TestEnvironment? = TestEnvironment()) -> Hart {
    let memory = GuestMemory(limit: Layout.limit)
    let codeFlags: PageFlags = writableCode ? [.read, .write, .execute] : [.read, .execute]
    memory.mapAnonymous(Layout.code, codePages * GuestMemory.pageSize, codeFlags)
    memory.mapAnonymous(Layout.data, Layout.dataSize, [.read, .write])
    memory.mapAnonymous(Layout.readOnly, GuestMemory.pageSize, [.read])
    let hart = Hart(memory: memory)
    hart.environment = environment
    hart.state.pc = Layout.code
    return hart
}
