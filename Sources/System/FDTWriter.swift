import CFDT

/// libfdt's sequential-write API with Swift values: nodes are opened and closed in order, each
/// property written as it comes. `build` grows the buffer and starts again when libfdt runs out
/// of room, so callers never size it.
final class FDTWriter {
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    /// libfdt's first error code (negative), or 0.
    private var failure: Int32 = 0

    private init(capacity: Int) {
        self.capacity = capacity
        buffer = .allocate(byteCount: capacity, alignment: 8)
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
        check(fdt_create(buffer, Int32(capacity)))
        check(fdt_finish_reservemap(buffer))
    }

    deinit { buffer.deallocate() }

    /// The finished blob `body` writes (it writes the root node and everything under it).
    static func build(_ body: (FDTWriter) -> Void) throws(SystemError) -> [UInt8] {
        var capacity = 16 << 10
        while true {
            let w = FDTWriter(capacity: capacity)
            body(w)
            w.check(fdt_finish(w.buffer))
            if w.failure == -FDT_ERR_NOSPACE, capacity < 1 << 24 {
                capacity *= 2
                continue
            }
            guard w.failure == 0 else {
                throw SystemError("cannot build the device tree: \(String(cString: fdt_strerror(w.failure)))", status: SystemError.host)
            }
            let size = Int(UInt32(bigEndian: w.buffer.load(fromByteOffset: 4, as: UInt32.self)))  // fdt_header.totalsize
            return Array(UnsafeRawBufferPointer(start: w.buffer, count: size))
        }
    }

    private func check(_ result: Int32) {
        if result < 0 && failure == 0 { failure = result }
    }

    /// Opens a node; `body` writes its properties and subnodes.
    func node(_ name: String, _ body: () -> Void) {
        guard failure == 0 else { return }
        check(fdt_begin_node(buffer, name))
        body()
        if failure == 0 { check(fdt_end_node(buffer)) }
    }

    func property(_ name: String, bytes: [UInt8]) {
        guard failure == 0 else { return }
        check(bytes.withUnsafeBytes { fdt_property(buffer, name, $0.baseAddress, Int32($0.count)) })
    }

    /// A property of 32-bit cells, big-endian as the format wants.
    func property(_ name: String, cells: [UInt32]) {
        property(name, bytes: cells.flatMap { c in (0..<4).map { UInt8(truncatingIfNeeded: c >> (24 - 8 * $0)) } })
    }

    func property(_ name: String, _ value: UInt32) { property(name, cells: [value]) }

    func property(_ name: String, u64 value: UInt64) { property(name, cells: [UInt32(value >> 32), UInt32(truncatingIfNeeded: value)]) }

    /// A string list: each string with its terminating NUL.
    func property(_ name: String, strings: [String]) {
        property(name, bytes: strings.flatMap { Array($0.utf8) + [0] })
    }

    func property(_ name: String, string: String) { property(name, strings: [string]) }

    /// A property with no value (`interrupt-controller;`, `ranges;`).
    func flag(_ name: String) { property(name, bytes: []) }

    /// A `reg` of (address, size) pairs with two cells each.
    func reg(_ address: UInt64, _ size: UInt64) {
        property("reg", cells: [UInt32(address >> 32), UInt32(truncatingIfNeeded: address), UInt32(size >> 32), UInt32(truncatingIfNeeded: size)])
    }
}
