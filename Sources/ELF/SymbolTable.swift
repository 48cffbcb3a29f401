/// A named function, data object or assembly label from an ELF symbol table.
public struct Symbol: Equatable, Sendable {
    /// `STT_FUNC`, `STT_OBJECT`, or `STT_NOTYPE` (a label: hand-written assembly's `_start`,
    /// `loop`, linker-defined `__bss_start`).
    public enum Kind: Equatable, Sendable { case function, object, label }

    public var name: String
    public var address: UInt64
    public var size: UInt64
    public var kind: Kind

    public var isFunction: Bool { kind == .function }

    public init(name: String, address: UInt64, size: UInt64, kind: Kind) {
        self.name = name
        self.address = address
        self.size = size
        self.kind = kind
    }

    public init(name: String, address: UInt64, size: UInt64, isFunction: Bool) {
        self.init(name: name, address: address, size: size, kind: isFunction ? .function : .object)
    }

    /// Ties at one address: a function names it before an object, an object before a label.
    var rank: Int {
        switch kind {
        case .function: 0
        case .object: 1
        case .label: 2
        }
    }
}

/// Address → symbol lookup for disassembly, dumps and fault reports.
public struct SymbolTable: Sendable {
    /// Every symbol, in address order (ties keep functions first, then objects, then labels, then
    /// by name, so output is stable).
    public let symbols: [Symbol]
    /// How far each symbol reaches: its size, except that a label without one (labels carry no
    /// size) reaches to the next symbol's start, as objdump names the code after a label by it.
    /// A label with nothing after it holds only its own address.
    private let extents: [UInt64]

    public init(_ symbols: [Symbol]) {
        let sorted = symbols.sorted { ($0.address, $0.rank, $0.name) < ($1.address, $1.rank, $1.name) }
        self.symbols = sorted
        var extents = sorted.map(\.size)
        var next: UInt64? = nil
        for i in sorted.indices.reversed() {
            if sorted[i].kind == .label && sorted[i].size == 0, let next { extents[i] = next - sorted[i].address }
            if next.map({ sorted[i].address < $0 }) ?? true { next = sorted[i].address }
        }
        self.extents = extents
    }

    /// Function symbols in address order, one per address.
    public var functions: [Symbol] {
        var out: [Symbol] = []
        for s in symbols where s.isFunction && s.address != out.last?.address { out.append(s) }
        return out
    }

    public var isEmpty: Bool { symbols.isEmpty }

    /// The symbol whose `[address, address+size)` holds `address` (a zero-sized function or object
    /// holds only its own address; a label reaches to the next symbol), and the offset into it.
    /// Functions win over objects, objects over labels, at the same place.
    public func symbol(containing address: UInt64) -> (name: String, offset: UInt64)? {
        // Binary search for the last symbol starting at or below `address`.
        var lo = 0, hi = symbols.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if symbols[mid].address <= address { lo = mid + 1 } else { hi = mid }
        }
        // Walk back over the symbols starting at or below it: the highest-starting one that covers
        // `address` wins, the best-ranked at the same start. The walk is bounded, as symbols
        // rarely nest deeply.
        var best: Symbol? = nil
        var i = lo - 1
        while i >= 0, lo - 1 - i < 64 {
            let s = symbols[i]
            if let b = best, s.address < b.address { break }
            let offset = address - s.address
            if offset < extents[i] || offset == 0 {
                if let b = best {
                    if s.rank < b.rank { best = s }
                } else {
                    best = s
                }
            }
            i -= 1
        }
        guard let best else { return nil }
        return (best.name, address - best.address)
    }
}
