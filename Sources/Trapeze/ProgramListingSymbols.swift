import Linux
import ELF

/// The symbols of a listing, chosen and ranked as binutils 2.40 objdump -d does, so that the
/// `<symbol>:` headers and `<symbol+0xoff>` targets agree with it on every file. objdump differs
/// from `SymbolTable` on purpose: it ignores sizes (an address belongs to the nearest symbol at or
/// below it), it shows absolute symbols (`__global_pointer$`), and it ranks ties by binding.
struct ListingSymbols {
    struct Entry {
        var name: String
        var value: UInt64
        /// The name of the defining section (`*ABS*` for absolute symbols).
        var section: String
        var symbol: ELFSymbol
        /// objdump's made-up `name@plt` symbols for PLT entries.
        var isSynthetic = false
    }

    /// Every symbol objdump keeps (not section, file, undefined or common ones, nor nameless
    /// ones), sorted by its `compare_symbols`.
    let sorted: [Entry]
    /// The dynamic relocations that name symbols, by address: objdump names a GOT slot by the
    /// symbol relocated into it.
    var relocations: [ELFDynamicRelocation]

    init(_ elf: ELFFile) {
        var entries: [Entry] = []
        for s in elf.elfSymbols() where s.isDefined && !s.name.isEmpty && s.kind != .section && s.kind != .file {
            let section = s.sectionIndex == ELFSymbol.absoluteSection ? "*ABS*"
                : Int(s.sectionIndex) < elf.sections.count ? elf.sections[Int(s.sectionIndex)].name : ""
            entries.append(Entry(name: s.name, value: s.value, section: section, symbol: s))
        }
        relocations = elf.dynamicRelocations()
        entries += Self.pltEntries(elf, relocations)
        sorted = entries.sorted(by: Self.precedes)
        relocations.sort { $0.address < $1.address }
    }

    /// BFD's synthetic symbols: the RISC-V PLT has a 32-byte header, then one 16-byte entry per
    /// `.rela.plt` relocation, named after the relocated symbol (and addend) with `@plt`.
    static func pltEntries(_ elf: ELFFile, _ relocations: [ELFDynamicRelocation]) -> [Entry] {
        guard let index = elf.sections.firstIndex(where: { $0.name == ".plt" }) else { return [] }
        let plt = elf.sections[index]
        return relocations.filter(\.isPLT).enumerated().map { i, r in
            let addend = r.addend == 0 ? "" : r.addend > 0 ? "+0x\(String(r.addend, radix: 16))" : "-0x\(String(-r.addend, radix: 16))"
            let name = r.symbol + addend + "@plt"
            let value = plt.address + 32 + 16 * UInt64(i)
            return Entry(name: name, value: value, section: plt.name,
                         symbol: ELFSymbol(name: name, value: value, size: 0, kind: .function, binding: .global, sectionIndex: UInt16(index)),
                         isSynthetic: true)
        }
    }

    /// objdump's order: by value, then useful names before compiler markers and file-like names,
    /// functions, then objects, global before weak before local, larger before smaller, names not
    /// starting with `.`, then by name bytes.
    static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        if a.value != b.value { return a.value < b.value }
        func compilerMarker(_ n: String) -> Bool { n.contains("gnu_compiled") || n.contains("gcc2_compiled") }
        func fileLike(_ n: String) -> Bool { n.utf8.count > 2 && (n.hasSuffix(".o") || n.hasSuffix(".a")) }
        func local(_ e: Entry) -> Bool { e.symbol.binding == .local }
        func global(_ e: Entry) -> Bool { e.symbol.binding == .global }
        let keys: [(Bool, Bool)] = [
            (compilerMarker(a.name), compilerMarker(b.name)),
            (fileLike(a.name), fileLike(b.name)),
            (a.symbol.kind != .function, b.symbol.kind != .function),
            (a.symbol.kind != .object, b.symbol.kind != .object),
            (local(a), local(b)),
            (!global(a), !global(b)),
        ]
        for (x, y) in keys where x != y { return !x }
        let sizes = (a.isSynthetic ? 0 : a.symbol.size, b.isSynthetic ? 0 : b.symbol.size)
        if sizes.0 != sizes.1 { return sizes.0 > sizes.1 }
        let dots = (a.name.hasPrefix("."), b.name.hasPrefix("."))
        if dots.0 != dots.1 { return !dots.0 }
        return Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
    }

    /// The RISC-V target's `symbol_is_valid`: mapping symbols and the fake label are never shown.
    func valid(_ i: Int) -> Bool { !sorted[i].symbol.isRISCVMarker }

    func ok(_ i: Int, in section: String, wantSection: Bool) -> Bool {
        (!wantSection || sorted[i].section == section) && valid(i)
    }

    /// objdump's `find_symbol_for_address` for a linked (not relocatable) file: the closest
    /// symbol at or below `vma`, preferring one in `section` among equals; nil when none fits.
    func find(_ vma: UInt64, in section: String, requireSection: Bool) -> Int? {
        guard !sorted.isEmpty else { return nil }
        var lo = 0, hi = sorted.count
        while lo + 1 < hi {
            let mid = (lo + hi) / 2
            if sorted[mid].value > vma { hi = mid } else if sorted[mid].value < vma { lo = mid } else { lo = mid; break }
        }
        var place = lo
        while place > 0 && sorted[place].value == sorted[place - 1].value { place -= 1 }
        var i = place
        while i < hi && sorted[i].value == sorted[place].value {
            if ok(i, in: section, wantSection: true) { return i }
            i += 1
        }
        if !ok(place, in: section, wantSection: requireSection) {
            var newPlace: Int? = nil
            var j = i - 1
            while j >= 0 {
                if ok(j, in: section, wantSection: requireSection) {
                    if newPlace == nil { newPlace = j }
                    if sorted[j].value != sorted[newPlace!].value { break }
                    newPlace = j
                }
                j -= 1
            }
            if let newPlace {
                place = newPlace
            } else if let later = (place + 1..<sorted.count).first(where: { ok($0, in: section, wantSection: requireSection) }) {
                place = later
            }
            if !ok(place, in: section, wantSection: requireSection) { return nil }
        }
        return place
    }

    /// What objdump prints between the angle brackets for an operand address `vma`: the nearest
    /// symbol as `name` below, except that an address no symbol starts at but a dynamic
    /// relocation writes to is named by the relocated symbol (`puts@GLIBC_2.27`, no offset).
    func describe(_ vma: UInt64, section: SectionHeader) -> String {
        let place = find(vma, in: section.name, requireSection: false)
        if let place, sorted[place].value != vma, !sorted[place].isSynthetic,
           let first = relocations.first, let last = relocations.last, first.address <= vma, last.address >= vma {
            var lo = 0, hi = relocations.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if relocations[mid].address < vma { lo = mid + 1 } else { hi = mid }
            }
            if lo < relocations.count, relocations[lo].address == vma { return relocations[lo].versionedSymbol }
        }
        return name(vma, symbol: place, section: section.name, sectionAddress: section.address)
    }

    /// What objdump prints between the angle brackets for `vma`: `sym`, `sym+0x1c`, `sym-0x4`,
    /// or the section itself when no symbol fits.
    func name(_ vma: UInt64, symbol: Int?, section: String, sectionAddress: UInt64) -> String {
        let (base, value) = symbol.map { (sorted[$0].name, sorted[$0].value) } ?? (section, sectionAddress)
        if vma == value { return base }
        return vma > value ? "\(base)+0x\(String(vma - value, radix: 16))" : "\(base)-0x\(String(value - vma, radix: 16))"
    }

    /// The value of `__global_pointer$`, which objdump uses for gp-relative address comments.
    var globalPointer: UInt64? { sorted.first { $0.name == "__global_pointer$" }?.value }
}
