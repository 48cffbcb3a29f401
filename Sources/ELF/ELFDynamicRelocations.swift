/// A dynamic relocation that names a symbol: a GOT slot the dynamic linker fills with `puts`, say.
/// objdump -d names such slots (`# 2030 <puts@GLIBC_2.27>`) and the PLT entries that jump through
/// them (`puts@plt`), so the listing needs them.
public struct ELFDynamicRelocation: Equatable, Sendable {
    /// Where the relocation writes.
    public var address: UInt64
    public var addend: Int64
    /// The symbol's bare name.
    public var symbol: String
    /// The name with its symbol version as objdump prints it: `puts@GLIBC_2.27`, `x@Base`, or bare.
    public var versionedSymbol: String
    /// Whether the relocation comes from `.rela.plt` (one per PLT entry, in entry order).
    public var isPLT: Bool
}

extension ELFFile {
    static let rela: UInt32 = 4, versym: UInt32 = 0x6fff_ffff, verneed: UInt32 = 0x6fff_fffe

    /// The relocations of the RELA sections tied to `.dynsym`, in file order, without those that
    /// name no symbol or an absolute one.
    public func dynamicRelocations() -> [ELFDynamicRelocation] {
        let r = ByteReader(bytes: bytes)
        guard let dynsymIndex = sections.firstIndex(where: { $0.type == SectionHeader.dynsym }) else { return [] }
        let dynsym = sections[dynsymIndex]
        guard dynsym.entrySize == 24, Int(dynsym.link) < sections.count, r.has(dynsym.offset, dynsym.size) else { return [] }
        let strings = sections[Int(dynsym.link)]
        let versions = symbolVersions(r)
        let versym = sections.first { $0.type == Self.versym }
        var out: [ELFDynamicRelocation] = []
        for section in sections where section.type == Self.rela && Int(section.link) == dynsymIndex && section.entrySize == 24 {
            guard r.has(section.offset, section.size) else { continue }
            for i in 0..<(section.size / 24) {
                let o = section.offset + i * 24
                let info = r.u64(o + 8) ?? 0
                let index = info >> 32
                guard index != 0, index < dynsym.size / 24 else { continue }
                let s = dynsym.offset + index * 24
                let shndx = r.u16(s + 6) ?? 0
                guard shndx != ELFSymbol.absoluteSection else { continue }
                let nameOffset = UInt64(r.u32(s) ?? 0)
                let name = nameOffset < strings.size ? r.cString(strings.offset + nameOffset, limit: strings.offset + strings.size) ?? "" : ""
                var versioned = name
                if let versym, r.has(versym.offset + index * 2, 2), let raw = r.u16(versym.offset + index * 2) {
                    let number = raw & 0x7fff
                    let version = number == 0 ? "" : number == 1 ? "Base" : versions[number] ?? ""
                    // objdump writes `@` for a hidden or undefined symbol's version, `@@` for the default.
                    if !version.isEmpty { versioned += (shndx == 0 || raw & 0x8000 != 0 ? "@" : "@@") + version }
                }
                out.append(ELFDynamicRelocation(address: r.u64(o) ?? 0, addend: Int64(bitPattern: r.u64(o + 16) ?? 0),
                                                symbol: name, versionedSymbol: versioned, isPLT: section.name == ".rela.plt"))
            }
        }
        return out
    }

    /// Version number → name, from `.gnu.version_r` (the versions this file needs from others).
    private func symbolVersions(_ r: ByteReader) -> [UInt16: String] {
        guard let need = sections.first(where: { $0.type == Self.verneed }), Int(need.link) < sections.count else { return [:] }
        let strings = sections[Int(need.link)]
        var out: [UInt16: String] = [:]
        var entry = need.offset
        for _ in 0..<64 {
            guard r.has(entry, 16), let count = r.u16(entry + 2), let auxOffset = r.u32(entry + 8), let next = r.u32(entry + 12) else { break }
            var aux = entry + UInt64(auxOffset)
            for _ in 0..<count {
                guard r.has(aux, 16), let other = r.u16(aux + 6), let name = r.u32(aux + 8), let auxNext = r.u32(aux + 12) else { break }
                if UInt64(name) < strings.size { out[other] = r.cString(strings.offset + UInt64(name), limit: strings.offset + strings.size) }
                if auxNext == 0 { break }
                aux += UInt64(auxNext)
            }
            if next == 0 { break }
            entry += UInt64(next)
        }
        return out
    }
}
