/// A set of `Extension`s, one bit per case.
public struct ExtensionSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ e: Extension) { rawValue = 1 << UInt64(e.rawValue) }
    public init(_ list: [Extension]) { rawValue = list.reduce(0) { $0 | 1 << UInt64($1.rawValue) } }

    public func has(_ e: Extension) -> Bool { rawValue & 1 << UInt64(e.rawValue) != 0 }
    public var members: [Extension] { Extension.allCases.filter(has) }
}

/// The hart a guest runs on: which extensions it has (`--cpu`). An instruction of an extension
/// outside the set is illegal in both engines (fetch refuses it, so the JIT never translates it),
/// and the set is what the guest is told: AT_HWCAP, riscv_hwprobe, /proc/cpuinfo, misa and the
/// device tree.
///
/// Names are parsed as ISA strings: a profile (`rva20`, `rva22`, `rva23s`) or `rv64` followed by
/// single letters (`g` = `imafd_zicsr_zifencei`), then `_`-separated multi-letter extensions.
/// Zicsr and Zifencei come with I (as before their split from the base ISA, and as QEMU has them).
public struct CPUModel: Sendable, Equatable {
    public var extensions: ExtensionSet
    /// What `--cpu` said, for messages.
    public var name: String

    public init(_ extensions: ExtensionSet, name: String) {
        self.extensions = extensions.union(ExtensionSet([.i, .zicsr, .zifencei, .privileged]))
        self.name = name
        isAll = self.extensions == ExtensionSet(Extension.allCases)
        // Every opcode for the default (`max`): no walk over the ISA table at start-up.
        allowed = isAll ? [UInt64](repeating: ~0, count: (Opcode.count + 63) / 64) : CPUModel.opcodeMask(self.extensions)
    }

    public static func == (a: CPUModel, b: CPUModel) -> Bool { a.extensions == b.extensions }

    /// Every extension Trapeze implements: the default.
    public static let all = CPUModel(ExtensionSet(Extension.allCases), name: "max")
    public static let rv64gc = CPUModel(ExtensionSet([.i, .m, .a, .f, .d, .c]), name: "rv64gc")

    /// Every extension: nothing to check at fetch.
    public let isAll: Bool
    public func has(_ e: Extension) -> Bool { extensions.has(e) }

    /// Bit `opcode.rawValue` set when the opcode's row (or `Extension.also`) is in the set.
    private let allowed: [UInt64]

    private static func opcodeMask(_ set: ExtensionSet) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: (Opcode.count + 63) / 64)
        for op in Opcode.allCases {
            let info = op.info
            if (set.has(info.ext) || Extension.also(op).map(set.has) == true)
                && Extension.requires(op).map(set.has) != false {
                words[Int(op.rawValue) / 64] |= 1 << UInt64(op.rawValue % 64)
            }
        }
        return words
    }

    /// Whether this hart executes `inst` (decoded by `decode`); an instruction it lacks is illegal.
    public func allows(_ inst: Instruction) -> Bool {
        let r = Int(inst.opcode.rawValue)
        guard allowed[r >> 6] & 1 << UInt64(r & 63) != 0 else { return false }
        guard inst.length == 2 else { return true }
        guard let entry = DecodeIndex.compressedEntry(UInt16(truncatingIfNeeded: inst.raw)) else { return false }
        return extensions.has(entry.ext)
    }

    // MARK: - Names

    /// Names accepted after the base that describe no instructions Trapeze gates (counters,
    /// memory-system properties, supervisor features): they are allowed in `--cpu` and ignored.
    static let informational: Set<String> = [
        "zicntr", "zihpm", "zkt", "zic64b", "ziccif", "ziccrse", "ziccamoa", "zicclsm", "za64rs", "za128rs",
        "zmmul", "zca", "zcd", "ss1p11", "ss1p12", "ss1p13", "svbare", "sv39", "sv48", "sv57", "svade",
        "ssccptr", "sstvecd", "sstvala", "sscounterenw", "svpbmt", "svinval", "sstc", "supm", "ssnpm",
        "sscofpmf", "svnapot", "ssu64xl", "ssstateen", "shcounterenw", "shvstvala", "shtvala",
        "shvstvecd", "shvsatpa", "shgatpa", "sha",
    ]

    /// The profiles, as the RVA profile specification lists their mandatory extensions (user and
    /// supervisor together). Names Trapeze does not implement (V, H, the S* features) are part of
    /// the list and simply absent from the set: adding an extension to `Extension` later brings
    /// it into the profiles that name it.
    ///
    /// Only the mandatory extensions: the RVA23 text (riscv-profiles, rva23-profile.adoc) lists
    /// Zacas and Zabha as development options and Zfh, Zbc as expansion options, and no longer
    /// offers scalar crypto, so `rva23s` leaves them out; `rva23s_zacas_zfh` adds them.
    static let profiles: [String: [String]] = {
        let rva20 = ["i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "zicntr"]
        let rva22 = rva20 + ["zihpm", "zihintpause", "zba", "zbb", "zbs", "zicbom", "zicbop", "zicboz", "zfhmin", "zkt"]
        let rva23 = rva22 + ["v", "zvfhmin", "zvbb", "zvkt", "zihintntl", "zicond", "zimop", "zcmop", "zcb", "zfa",
                             "zawrs", "supm", "sstc", "h"]
        return ["rva20": rva20, "rva20u64": rva20, "rva20s64": rva20,
                "rva22": rva22, "rva22u64": rva22, "rva22s64": rva22,
                "rva23": rva23, "rva23u64": rva23, "rva23s": rva23, "rva23s64": rva23]
    }()

    /// Every name `--cpu` accepts after the base, for error messages.
    public static var extensionNames: [String] { Extension.allCases.filter { $0 != .privileged }.map(\.name) }

    /// Parses a `--cpu` value; the error is one line naming what is valid.
    public static func parse(_ text: String) -> Result<CPUModel, CPUModelError> {
        let lower = text.lowercased()
        if lower == "max" || lower == "all" { return .success(.all) }
        var parts = lower.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard let head = parts.first, !head.isEmpty else { return .failure(CPUModelError(text: text, problem: "empty")) }
        parts.removeFirst()
        var set = ExtensionSet()
        func add(_ name: String) -> Bool {
            if let e = Extension.named(name) { set.insert(ExtensionSet(e)); return true }
            return informational.contains(name)
        }
        if let profile = profiles[head] {
            for name in profile { _ = add(name) }  // what Trapeze lacks (V, H…) stays out
        } else if head.hasPrefix("rv64") {
            let letters = head.dropFirst(4)
            guard letters.first == "i" || letters.first == "g" else {
                return .failure(CPUModelError(text: text, problem: "the base must be rv64i or rv64g"))
            }
            for letter in letters {
                if letter == "g" {
                    for name in ["i", "m", "a", "f", "d", "zicsr", "zifencei"] { _ = add(name) }
                } else if !add(String(letter)) || Extension.named(String(letter)) == nil {
                    return .failure(CPUModelError(text: text, problem: "unknown single-letter extension '\(letter)'"))
                }
            }
        } else {
            return .failure(CPUModelError(text: text, problem: "unknown base or profile '\(head)'"))
        }
        for name in parts {
            guard !name.isEmpty, name.count > 1, add(name) else {
                return .failure(CPUModelError(text: text, problem: "unknown extension '\(name)'"))
            }
        }
        // Zfh implies Zfhmin.
        if set.has(.zfh) { set.insert(ExtensionSet(.zfhmin)) }
        // Zcb's c.zext.b and friends need C; a d without f is refused by compilers but harmless here.
        return .success(CPUModel(set, name: lower))
    }

    // MARK: - What the guest is told

    /// Single-letter extensions present, in canonical order (`imafdc`).
    public var letters: String {
        "imafdqcbvh".filter { Extension.named(String($0)).map(extensions.has) == true }
    }

    /// Multi-letter extensions present (and the counters Trapeze always has), in the canonical
    /// order of ISA strings: by the category letter after `z` (in single-letter order), then by name.
    public var multiLetter: [String] {
        let names = extensions.members.map(\.name).filter { $0.count > 1 && $0 != "privileged" } + ["zicntr", "zihpm"]
        let order = Array("imafdqlcbkjtpvh")
        func rank(_ n: String) -> Int { n.count > 1 ? order.firstIndex(of: Array(n)[1]) ?? order.count : order.count }
        return Set(names).sorted { rank($0) != rank($1) ? rank($0) < rank($1) : $0 < $1 }
    }

    /// `rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_…` (Linux's /proc/cpuinfo `isa` line).
    public var isaString: String { (["rv64" + letters] + multiLetter).joined(separator: "_") }

    /// AT_HWCAP: bit (letter − 'a') for each single-letter extension.
    public var hwcap: UInt64 {
        let single: [(Extension, UInt8)] = [(.i, 0x69), (.m, 0x6D), (.a, 0x61), (.f, 0x66), (.d, 0x64), (.c, 0x63)]
        return single.reduce(0) { extensions.has($1.0) ? $0 | 1 << UInt64($1.1 - 0x61) : $0 }
    }
}

/// A `--cpu` value that does not parse.
public struct CPUModelError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public let problem: String
    public var description: String {
        "--cpu \(text): \(problem); valid: rv64gc, rva20, rva22, rva23s, max, or rv64i/rv64g + letters "
            + "(\(CPUModel.extensionNames.filter { $0.count == 1 }.joined())) + _-separated extensions ("
            + CPUModel.extensionNames.filter { $0.count > 1 }.joined(separator: ", ") + ")"
    }
}

extension Extension {
    /// The extension spelled `name` in an ISA string (lower case), if Trapeze has it.
    public static func named(_ name: String) -> Extension? {
        Extension.allCases.first { $0.name == name && $0 != .privileged }
    }
}
