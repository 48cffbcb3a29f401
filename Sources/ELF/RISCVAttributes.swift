/// The RISC-V build attributes of an ELF (its `.riscv.attributes` section, SHT_RISCV_ATTRIBUTES):
/// the ISA string the compiler targeted and the privileged-spec version it assumed.
///
/// Layout (the generic ELF attributes format): a format byte 'A', then subsections of
/// `u32 length, vendor name NUL, sub-subsections`, each `uleb128 tag, u32 length, attributes`.
/// Only the "riscv" vendor's file-scope (tag 1) attributes are read; an attribute is a uleb128
/// tag then a NUL-terminated string for odd tags and a uleb128 integer for even ones. Anything
/// malformed ends the parse with what was read so far: attributes only shape listings.
public struct RISCVAttributes: Sendable, Equatable {
    public static let sectionType: UInt32 = 0x7000_0003

    /// Tag_RISCV_arch, e.g. "rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0_zicsr2p0_zifencei2p0".
    public var arch: String?
    /// Tag_RISCV_priv_spec, _minor and _revision (8, 10, 12).
    public var privSpec: (major: UInt64, minor: UInt64, revision: UInt64)?

    public static func == (a: RISCVAttributes, b: RISCVAttributes) -> Bool {
        a.arch == b.arch && a.privSpec?.major == b.privSpec?.major && a.privSpec?.minor == b.privSpec?.minor
            && a.privSpec?.revision == b.privSpec?.revision
    }

    public init(arch: String? = nil, privSpec: (major: UInt64, minor: UInt64, revision: UInt64)? = nil) {
        self.arch = arch
        self.privSpec = privSpec
    }

    /// Parses the attribute section's bytes.
    public init(section bytes: ArraySlice<UInt8>) {
        let b = Array(bytes)
        guard b.first == UInt8(ascii: "A") else { return }
        var major: UInt64?, minor: UInt64?, revision: UInt64?
        var p = 1
        func u32(_ at: Int) -> Int? {
            guard at >= 0, at + 4 <= b.count else { return nil }
            return Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
        }
        func uleb(_ at: inout Int, end: Int) -> UInt64? {
            var value: UInt64 = 0, shift: UInt64 = 0
            while at < end {
                let byte = b[at]
                at += 1
                if shift < 64 { value |= UInt64(byte & 0x7f) << shift }
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
            return nil
        }
        func string(_ at: inout Int, end: Int) -> String? {
            guard let nul = b[at..<end].firstIndex(of: 0) else { return nil }
            let s = String(decoding: b[at..<nul], as: UTF8.self)
            at = nul + 1
            return s
        }
        while p < b.count {
            guard let length = u32(p), length >= 5, p + length <= b.count else { break }
            let end = p + length
            var q = p + 4
            guard let vendor = string(&q, end: end) else { break }
            if vendor == "riscv" {
                while q < end {
                    let start = q
                    guard let tag = uleb(&q, end: end), let size = u32(q), size >= 5, start + size <= end else { break }
                    let subEnd = start + size
                    q += 4
                    if tag == 1 {
                        while q < subEnd {
                            guard let attribute = uleb(&q, end: subEnd) else { break }
                            if attribute & 1 == 1 {
                                guard let value = string(&q, end: subEnd) else { break }
                                if attribute == 5 { arch = value }
                            } else {
                                guard let value = uleb(&q, end: subEnd) else { break }
                                switch attribute {
                                case 8: major = value
                                case 10: minor = value
                                case 12: revision = value
                                default: break
                                }
                            }
                        }
                    }
                    q = subEnd
                }
            }
            p = end
        }
        if major != nil || minor != nil || revision != nil {
            privSpec = (major ?? 0, minor ?? 0, revision ?? 0)
        }
    }
}

extension ELFFile {
    /// The `.riscv.attributes` of the file, or nil when it has none.
    public var riscvAttributes: RISCVAttributes? {
        guard let section = sections.first(where: { $0.type == RISCVAttributes.sectionType }),
              section.offset <= UInt64(bytes.count), section.size <= UInt64(bytes.count) - section.offset else { return nil }
        let start = Int(section.offset)
        return RISCVAttributes(section: ArraySlice(bytes[start..<start + Int(section.size)]))
    }
}
