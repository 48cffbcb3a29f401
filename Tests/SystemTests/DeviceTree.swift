import CFDT
@testable import System

/// A device tree blob read back with libfdt's read API.
struct DeviceTree {
    let blob: [UInt8]

    struct Invalid: Error { var code: Int32 }

    init(_ blob: [UInt8]) throws {
        self.blob = blob
        let result = blob.withUnsafeBytes { fdt_check_header($0.baseAddress) }
        guard result == 0 else { throw Invalid(code: result) }
    }

    func exists(_ path: String) -> Bool { blob.withUnsafeBytes { fdt_path_offset($0.baseAddress, path) } >= 0 }

    func property(_ path: String, _ name: String) -> [UInt8]? {
        blob.withUnsafeBytes { raw -> [UInt8]? in
            let node = fdt_path_offset(raw.baseAddress, path)
            guard node >= 0 else { return nil }
            var length: Int32 = 0
            guard let p = fdt_getprop(raw.baseAddress, node, name, &length), length >= 0 else { return nil }
            return Array(UnsafeRawBufferPointer(start: p, count: Int(length)))
        }
    }

    func strings(_ path: String, _ name: String) -> [String]? {
        property(path, name).map { bytes in bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) } }
    }

    func string(_ path: String, _ name: String) -> String? { strings(path, name)?.first }

    func cells(_ path: String, _ name: String) -> [UInt32]? {
        property(path, name).map { b in stride(from: 0, to: b.count - 3, by: 4).map { UInt32(b[$0]) << 24 | UInt32(b[$0 + 1]) << 16 | UInt32(b[$0 + 2]) << 8 | UInt32(b[$0 + 3]) } }
    }

    func u64(_ path: String, _ name: String) -> UInt64? {
        cells(path, name).flatMap { $0.count == 2 ? UInt64($0[0]) << 32 | UInt64($0[1]) : nil }
    }

    /// The names of `path`'s subnodes, in order.
    func children(_ path: String) -> [String] {
        blob.withUnsafeBytes { raw -> [String] in
            var out: [String] = []
            var node = fdt_first_subnode(raw.baseAddress, fdt_path_offset(raw.baseAddress, path))
            while node >= 0 {
                out.append(String(cString: fdt_get_name(raw.baseAddress, node, nil)))
                node = fdt_next_subnode(raw.baseAddress, node)
            }
            return out
        }
    }
}
