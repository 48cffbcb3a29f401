/// One entry of an ELF symbol table as stored, before any choice of which symbols name addresses.
/// The listing needs them all (objdump ranks symbols by type and binding, and shows absolute ones);
/// `SymbolTable` keeps only those that name code and data.
public struct ELFSymbol: Equatable, Sendable {
    public enum Binding: Equatable, Sendable { case local, global, weak, other }
    public enum Kind: Equatable, Sendable { case label, object, function, section, file, other }

    public static let undefinedSection: UInt16 = 0
    public static let absoluteSection: UInt16 = 0xfff1
    public static let commonSection: UInt16 = 0xfff2

    public var name: String
    public var value: UInt64
    public var size: UInt64
    public var kind: Kind
    public var binding: Binding
    /// `st_shndx`: the section the symbol is defined in, or one of the special indices above.
    public var sectionIndex: UInt16

    /// Whether the symbol is defined somewhere (not undefined, not a common block).
    public var isDefined: Bool { sectionIndex != Self.undefinedSection && sectionIndex != Self.commonSection }

    /// The RISC-V psABI's mapping symbols (`$x`, `$d`, `$x<isa>`) and the assembler's fake label
    /// `.L0 `: objdump never shows them, and neither do we.
    public var isRISCVMarker: Bool {
        name == "$x" || name == "$d" || name.hasPrefix("$xrv") || name == ".L0 "
    }

    public init(name: String, value: UInt64, size: UInt64, kind: Kind, binding: Binding, sectionIndex: UInt16) {
        self.name = name
        self.value = value
        self.size = size
        self.kind = kind
        self.binding = binding
        self.sectionIndex = sectionIndex
    }

    init(name: String, value: UInt64, size: UInt64, info: UInt8, sectionIndex: UInt16) {
        self.name = name
        self.value = value
        self.size = size
        self.sectionIndex = sectionIndex
        kind = switch info & 0xf {
        case 0: .label
        case 1: .object
        case 2: .function
        case 3: .section
        case 4: .file
        // STT_GNU_IFUNC: the symbol's code is its resolver, a function as far as naming goes
        // (BFD marks it a function too).
        case 10: .function
        default: .other
        }
        binding = switch info >> 4 {
        case 0: .local
        case 1: .global
        case 2: .weak
        default: .other
        }
    }
}

extension ELFFile {
    /// Every entry of `.symtab` (or `.dynsym` when stripped) except the null one, moved by `bias`
    /// (the load base of a position-independent file) unless absolute.
    public func elfSymbols(bias: UInt64 = 0) -> [ELFSymbol] {
        let r = ByteReader(bytes: bytes)
        let table = sections.first { $0.type == SectionHeader.symtab } ?? sections.first { $0.type == SectionHeader.dynsym }
        guard let table, table.entrySize == 24, Int(table.link) < sections.count, r.has(table.offset, table.size) else {
            return []
        }
        let strings = sections[Int(table.link)]
        guard r.has(strings.offset, strings.size) else { return [] }
        var symbols: [ELFSymbol] = []
        let count = table.size / 24
        for i in 0..<count where i > 0 {
            let o = table.offset + i * 24
            let nameOffset = UInt64(r.u32(o) ?? 0)
            let shndx = r.u16(o + 6) ?? 0
            let value = r.u64(o + 8) ?? 0
            let name = nameOffset < strings.size ? r.cString(strings.offset + nameOffset, limit: strings.offset + strings.size) ?? "" : ""
            symbols.append(ELFSymbol(name: name, value: shndx == ELFSymbol.absoluteSection ? value : value &+ bias,
                                     size: r.u64(o + 16) ?? 0, info: r.u8(o + 4) ?? 0, sectionIndex: shndx))
        }
        return symbols
    }

    /// The symbols that name code and data addresses: defined functions, objects and labels
    /// (`STT_NOTYPE`, e.g. `_start` or a loop label in hand-written assembly) with a name and a
    /// real section, without the RISC-V mapping symbols.
    public func symbolTable(bias: UInt64 = 0) -> SymbolTable {
        var out: [Symbol] = []
        for s in elfSymbols(bias: bias) where s.isDefined && s.sectionIndex < 0xff00 && !s.name.isEmpty && !s.isRISCVMarker {
            let kind: Symbol.Kind
            switch s.kind {
            case .function: kind = .function
            case .object: kind = .object
            case .label: kind = .label
            case .section, .file, .other: continue
            }
            out.append(Symbol(name: s.name, address: s.value, size: s.size, kind: kind))
        }
        return SymbolTable(out)
    }
}
