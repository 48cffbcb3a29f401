/// Bounds-checked little-endian reads from a file image; every read past the end throws the
/// error the caller names, so a truncated file can never be read out of bounds.
struct ByteReader {
    let bytes: ELFBytes

    func has(_ offset: UInt64, _ length: UInt64) -> Bool {
        let (end, overflow) = offset.addingReportingOverflow(length)
        return !overflow && end <= UInt64(bytes.count)
    }

    func u8(_ offset: UInt64) -> UInt8? {
        has(offset, 1) ? bytes[Int(offset)] : nil
    }

    func u16(_ offset: UInt64) -> UInt16? { uint(offset, 2).map { UInt16(truncatingIfNeeded: $0) } }
    func u32(_ offset: UInt64) -> UInt32? { uint(offset, 4).map { UInt32(truncatingIfNeeded: $0) } }
    func u64(_ offset: UInt64) -> UInt64? { uint(offset, 8) }

    private func uint(_ offset: UInt64, _ width: Int) -> UInt64? {
        guard has(offset, UInt64(width)) else { return nil }
        var v: UInt64 = 0
        let start = Int(offset)
        for i in stride(from: width - 1, through: 0, by: -1) { v = (v << 8) | UInt64(bytes[start + i]) }
        return v
    }

    /// The bytes of `[offset, offset+length)`, or nil when that range is not inside the file.
    func slice(_ offset: UInt64, _ length: UInt64) -> Slice<ELFBytes>? {
        guard has(offset, length) else { return nil }
        return bytes[Int(offset)..<Int(offset + length)]
    }

    /// A NUL-terminated string starting at `offset` (nil when it runs off the end). Decoded
    /// from one contiguous buffer: every start names the program's sections this way, and
    /// decoding from a generic slice cost it a runtime cast per name.
    func cString(_ offset: UInt64, limit: UInt64? = nil) -> String? {
        let end = min(limit ?? UInt64(bytes.count), UInt64(bytes.count))
        guard offset < end else { return nil }
        return bytes.withUnsafeBytes { raw -> String? in
            var i = Int(offset)
            while UInt64(i) < end {
                if raw[i] == 0 {
                    return String(decoding: UnsafeRawBufferPointer(rebasing: raw[Int(offset)..<i]), as: UTF8.self)
                }
                i += 1
            }
            return nil
        }
    }
}
