/// A named function or data object from an ELF symbol table.
public struct Symbol: Equatable, Sendable {
    public var name: String
    public var address: UInt64
    public var size: UInt64
    public var isFunction: Bool

    public init(name: String, address: UInt64, size: UInt64, isFunction: Bool) {
        self.name = name
        self.address = address
        self.size = size
        self.isFunction = isFunction
    }
}

/// Address → symbol lookup for disassembly, dumps and fault reports.
public struct SymbolTable: Sendable {
    /// Every symbol, in address order (ties keep functions first, then by name, so output is stable).
    public let symbols: [Symbol]

    public init(_ symbols: [Symbol]) {
        self.symbols = symbols.sorted {
            ($0.address, $0.isFunction ? 0 : 1, $0.name) < ($1.address, $1.isFunction ? 0 : 1, $1.name)
        }
    }

    /// Function symbols in address order, one per address.
    public var functions: [Symbol] {
        var out: [Symbol] = []
        for s in symbols where s.isFunction && s.address != out.last?.address { out.append(s) }
        return out
    }

    public var isEmpty: Bool { symbols.isEmpty }

    /// The symbol whose `[address, address+size)` holds `address` (a zero-sized symbol holds only its
    /// own address), and the offset into it. Functions win over objects at the same place.
    public func symbol(containing address: UInt64) -> (name: String, offset: UInt64)? {
        // Binary search for the last symbol starting at or below `address`.
        var lo = 0, hi = symbols.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if symbols[mid].address <= address { lo = mid + 1 } else { hi = mid }
        }
        // Walk back over the symbols starting at or below it: the highest-starting one that covers
        // `address` wins, a function over an object at the same start. The walk is bounded, as
        // symbols rarely nest deeply.
        var best: Symbol? = nil
        var i = lo - 1
        while i >= 0, lo - 1 - i < 64 {
            let s = symbols[i]
            if let b = best, s.address < b.address { break }
            let offset = address - s.address
            if offset < s.size || offset == 0 {
                if let b = best {
                    if s.isFunction && !b.isFunction { best = s }
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
