import Guest

/// Where a user-mode process's pieces go in guest memory, shaped like Linux's riscv64 (Sv39)
/// layout: the stack at the top, mmap growing down below it, position-independent programs at
/// two thirds of the address space, and brk after the program.
public struct AddressSpaceLayout: Sendable, Equatable {
    public static let stackSize: UInt64 = 8 << 20
    /// The gap Linux keeps between the stack and the mmap area (at least 128 MiB).
    static let stackGap: UInt64 = 128 << 20

    /// One past the highest stack byte (the address space's end, as TASK_SIZE is on Linux).
    public let stackTop: UInt64
    public var stackBottom: UInt64 { stackTop - AddressSpaceLayout.stackSize }
    /// mmap allocates top-down from here.
    public let mmapTop: UInt64
    /// Load base of a position-independent main program (ELF_ET_DYN_BASE).
    public let pieBase: UInt64

    public init(limit: UInt64) {
        let page = GuestMemory.pageSize
        stackTop = limit
        let below = limit > AddressSpaceLayout.stackSize + AddressSpaceLayout.stackGap * 2
            ? limit - AddressSpaceLayout.stackSize - AddressSpaceLayout.stackGap
            : limit / 2
        mmapTop = below & ~(page - 1)
        pieBase = (limit / 3 * 2) & ~(page - 1)
    }
}
