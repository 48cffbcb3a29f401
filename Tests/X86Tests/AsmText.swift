import Foundation
import X86

/// An operand of an instruction written in Intel syntax.
enum AsmOperand: Equatable, CustomStringConvertible {
    case reg(Reg)
    case xmm(XMM)
    case mem(Mem)
    case imm(Int64)

    var description: String {
        switch self {
        case .reg(let r): r.description
        case .xmm(let x): x.description
        case .imm(let v): String(v)
        case .mem(let m): m.intelText
        }
    }
}

/// One instruction in the subset of Intel syntax the goldens use.
struct AsmInstruction: CustomStringConvertible {
    var lock = false
    var mnemonic: String
    var operands: [AsmOperand]

    var description: String {
        (lock ? "lock " : "") + mnemonic + (operands.isEmpty ? "" : " " + operands.map(\.description).joined(separator: ", "))
    }
}

struct AsmSyntaxError: Error, CustomStringConvertible {
    var description: String
}

extension Mem {
    /// `qword ptr [rax + rbx*4 + 0x10]`
    var intelText: String {
        var parts: [String] = []
        switch base {
        case .gpr(let b): parts.append(Reg.r64(b).description)
        case .rip: parts.append("rip")
        case .label(let l): parts.append("rip + L\(l.id)")
        case .none: break
        }
        if let i = index { parts.append("\(Reg.r64(i))*\(scale)") }
        var t = parts.joined(separator: " + ")
        if parts.isEmpty {
            t = "0x" + String(UInt32(bitPattern: disp), radix: 16)
        } else if disp > 0 {
            t += " + 0x" + String(disp, radix: 16)
        } else if disp < 0 {
            t += " - 0x" + String(-Int64(disp), radix: 16)
        }
        return "\(size.keyword) ptr [\(t)]"
    }
}

/// Parses `lock add qword ptr [rax + r12*4 - 0x10], 5` and the like.
func parseInstruction(_ text: String) throws -> AsmInstruction {
    var rest = Substring(text.trimmingCharacters(in: .whitespaces))
    var lock = false
    if rest.hasPrefix("lock ") {
        lock = true
        rest = rest.dropFirst(5)
    }
    let mnemonic = String(rest.prefix { $0 != " " })
    let operandText = rest.dropFirst(mnemonic.count).trimmingCharacters(in: .whitespaces)
    let operands = operandText.isEmpty ? [] : try operandText.split(separator: ",").map {
        try parseOperand($0.trimmingCharacters(in: .whitespaces))
    }
    return AsmInstruction(lock: lock, mnemonic: mnemonic, operands: operands)
}

private func parseOperand(_ s: String) throws -> AsmOperand {
    if let r = Reg(name: s) { return .reg(r) }
    if s.hasPrefix("xmm"), let n = UInt8(s.dropFirst(3)), let x = XMM(rawValue: n) { return .xmm(x) }
    if let bracket = s.firstIndex(of: "[") {
        let sizeWord = s[..<bracket].split(separator: " ").first.map(String.init) ?? "qword"
        let sizes: [String: OperandSize] = ["byte": .byte, "word": .word, "dword": .dword, "qword": .qword, "xmmword": .xmmword]
        guard let size = sizes[sizeWord], s.hasSuffix("]") else { throw AsmSyntaxError(description: "bad memory operand \(s)") }
        return .mem(try parseAddress(String(s[s.index(after: bracket)..<s.index(before: s.endIndex)]), size: size))
    }
    return .imm(try parseNumber(s))
}

private func parseNumber(_ s: String) throws -> Int64 {
    let negative = s.hasPrefix("-")
    let digits = negative ? s.dropFirst() : Substring(s)
    let magnitude = digits.hasPrefix("0x") ? UInt64(digits.dropFirst(2), radix: 16) : UInt64(digits)
    guard let m = magnitude else { throw AsmSyntaxError(description: "bad number \(s)") }
    return negative ? 0 &- Int64(bitPattern: m) : Int64(bitPattern: m)
}

private func parseAddress(_ s: String, size: OperandSize) throws -> Mem {
    var base: Mem.Base = .none
    var index: GPR?
    var scale: UInt8 = 1
    var disp: Int64 = 0
    var sign: Int64 = 1
    for token in s.split(separator: " ") {
        switch token {
        case "+": sign = 1
        case "-": sign = -1
        case "rip": base = .rip
        default:
            let parts = token.split(separator: "*")
            if let r = Reg(name: String(parts[0])) {
                if parts.count == 2 {
                    index = r.gpr
                    scale = UInt8(parts[1]) ?? 0
                } else {
                    base = .gpr(r.gpr)
                }
            } else {
                disp = disp &+ sign &* (try parseNumber(String(token)))
            }
        }
    }
    return Mem(size, base: base, index: index, scale: scale, disp: Int32(truncatingIfNeeded: disp))
}
