import CCapstone

/// One decoded x86-64 instruction, in capstone's Intel syntax.
public struct DisassembledInstruction: Sendable, Equatable {
    public var address: UInt64
    public var bytes: [UInt8]
    public var mnemonic: String
    public var operandText: String
    /// Structured operands (only when decoded with `detail: true`).
    public var operands: [DisassembledOperand]

    /// `mnemonic operands`, as in a listing.
    public var text: String { operandText.isEmpty ? mnemonic : "\(mnemonic) \(operandText)" }
}

/// An operand as capstone sees it; registers by their Intel names.
public enum DisassembledOperand: Sendable, Equatable, CustomStringConvertible {
    case reg(String)
    case imm(Int64, size: Int)
    case mem(base: String?, index: String?, scale: Int, disp: Int64, size: Int)

    public var description: String {
        switch self {
        case .reg(let r): r
        case .imm(let v, let s): "imm\(s * 8)(\(v))"
        case .mem(let b, let i, let sc, let d, let s): "m\(s * 8)[\(b ?? "-") + \(i ?? "-")*\(sc) + \(d)]"
        }
    }
}

/// One line of a listing: where, which bytes, what they mean.
public struct ListingLine: Sendable, Equatable, CustomStringConvertible {
    public var address: UInt64
    public var bytes: [UInt8]
    public var text: String

    /// `0x00001000: 48 01 d8              add rax, rbx`
    public var description: String {
        let hex = bytes.map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
        return "0x\(String(address, radix: 16).leftPadded(8)): \(hex.rightPadded(30)) \(text)"
    }
}

/// A capstone handle for x86-64. Not thread-safe: use one per thread.
public final class X86Disassembler {
    private var handle: csh = 0

    /// Opens capstone; nil only if the library is broken (it is a hard dependency).
    public init?() {
        guard cs_open(CS_ARCH_X86, CS_MODE_64, &handle) == CS_ERR_OK else { return nil }
    }

    deinit { cs_close(&handle) }

    /// Decodes instructions from the start of `bytes` until the end or the first byte capstone
    /// cannot decode. `detail` also fills in structured operands (slower).
    public func decode(_ bytes: [UInt8], address: UInt64, detail: Bool = false, count: Int = 0) -> [DisassembledInstruction] {
        cs_option(handle, CS_OPT_DETAIL, Int(detail ? CS_OPT_ON.rawValue : CS_OPT_OFF.rawValue))
        var insns: UnsafeMutablePointer<cs_insn>?
        let n = bytes.withUnsafeBufferPointer { buf in
            cs_disasm(handle, buf.baseAddress, buf.count, address, count, &insns)
        }
        guard let insns else { return [] }
        defer { cs_free(insns, n) }
        return (0..<n).map { convert(insns[$0], detail: detail) }
    }

    /// A listing of `bytes` loaded at `address`. Bytes capstone cannot decode are listed one at
    /// a time as `.byte 0x..`, and decoding resumes after them.
    public func listing(_ bytes: [UInt8], address: UInt64) -> [ListingLine] {
        var lines: [ListingLine] = []
        var at = 0
        while at < bytes.count {
            let rest = Array(bytes[at...])
            let decoded = decode(rest, address: address &+ UInt64(at))
            for d in decoded { lines.append(ListingLine(address: d.address, bytes: d.bytes, text: d.text)) }
            let consumed = decoded.reduce(0) { $0 + $1.bytes.count }
            at += consumed
            if consumed < rest.count {
                let bad = bytes[at]
                lines.append(ListingLine(address: address &+ UInt64(at), bytes: [bad], text: ".byte 0x\(String(bad, radix: 16).leftPadded(2))"))
                at += 1
            }
        }
        return lines
    }

    /// A listing of `bytes` loaded at `address` (see `listing(_:address:)`).
    public static func lines(_ bytes: [UInt8], address: UInt64) -> [ListingLine] {
        X86Disassembler()?.listing(bytes, address: address) ?? []
    }

    private func convert(_ i: cs_insn, detail: Bool) -> DisassembledInstruction {
        var i = i
        let mnemonic = withUnsafeBytes(of: &i.mnemonic) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let ops = withUnsafeBytes(of: &i.op_str) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let raw = withUnsafeBytes(of: &i.bytes) { Array($0.prefix(Int(i.size))) }
        var operands: [DisassembledOperand] = []
        if detail, let d = i.detail {
            var x86 = d.pointee.x86
            let count = Int(x86.op_count)
            withUnsafeBytes(of: &x86.operands) { buf in
                for k in 0..<min(count, 8) {
                    let op = buf.load(fromByteOffset: k * MemoryLayout<cs_x86_op>.stride, as: cs_x86_op.self)
                    operands.append(convert(op))
                }
            }
        }
        return DisassembledInstruction(address: i.address, bytes: raw, mnemonic: mnemonic, operandText: ops, operands: operands)
    }

    private func convert(_ op: cs_x86_op) -> DisassembledOperand {
        switch op.type {
        case X86_OP_REG: return .reg(name(op.reg.rawValue) ?? "?")
        case X86_OP_IMM: return .imm(op.imm, size: Int(op.size))
        default:
            let m = op.mem
            return .mem(base: name(m.base.rawValue), index: name(m.index.rawValue), scale: Int(m.scale), disp: m.disp, size: Int(op.size))
        }
    }

    private func name(_ reg: UInt32) -> String? {
        guard reg != 0, let c = cs_reg_name(handle, reg) else { return nil }
        return String(cString: c)
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
    fileprivate func rightPadded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}

extension Assembler {
    /// A capstone listing of the bytes in `range` (offsets), at their final addresses.
    public func listing(_ range: Range<Int>? = nil) -> [ListingLine] {
        let r = range ?? 0..<bytes.count
        return X86Disassembler.lines(Array(bytes[r]), address: baseAddress &+ UInt64(r.lowerBound))
    }
}
