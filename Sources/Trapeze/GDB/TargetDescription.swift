import RISCV

/// The target description gdb reads as `target.xml`: an RV64 hart's registers under the feature
/// names gdb's RISC-V support looks for, numbered as gdb numbers them (NOTES.md): x0–x31 = 0–31,
/// pc = 32, f0–f31 = 33–64, CSR n = 65 + n, the virtual `priv` register = 4161.
public enum TargetDescription {
    public static let pc = 32
    public static let firstF = 33
    public static let firstCSR = 65
    public static let fflags = firstCSR + 1, frm = firstCSR + 2, fcsr = firstCSR + 3
    public static let priv = 4161

    /// A CSR shown in system mode: its name and number.
    public struct CSR: Sendable {
        public var name: String
        public var number: Int
        public init(_ name: String, _ number: Int) {
            self.name = name
            self.number = number
        }
    }

    /// The XML for a hart with the F and D registers; `csrs` and the privilege level only for system mode.
    public static func xml(csrs: [CSR] = [], privilege: Bool = false) -> String {
        var lines = [
            "<?xml version=\"1.0\"?>",
            "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">",
            "<target version=\"1.0\">",
            "<architecture>riscv:rv64</architecture>",
            "<feature name=\"org.gnu.gdb.riscv.cpu\">",
        ]
        for i in 0..<32 {
            let type = i == 1 ? "code_ptr" : (i == 2 || i == 8 ? "data_ptr" : "int")
            lines.append(reg(RegisterNames.x[i], 64, type, i))
        }
        lines.append(reg("pc", 64, "code_ptr", pc))
        lines += [
            "</feature>",
            "<feature name=\"org.gnu.gdb.riscv.fpu\">",
            "<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/><field name=\"double\" type=\"ieee_double\"/></union>",
        ]
        for i in 0..<32 { lines.append(reg(RegisterNames.f[i], 64, "riscv_double", firstF + i)) }
        lines += [reg("fflags", 32, "int", fflags), reg("frm", 32, "int", frm), reg("fcsr", 32, "int", fcsr), "</feature>"]
        if !csrs.isEmpty {
            lines.append("<feature name=\"org.gnu.gdb.riscv.csr\">")
            for csr in csrs { lines.append(reg(csr.name, 64, "int", firstCSR + csr.number)) }
            lines.append("</feature>")
        }
        if privilege {
            lines += ["<feature name=\"org.gnu.gdb.riscv.virtual\">", reg("priv", 64, "int", priv), "</feature>"]
        }
        lines.append("</target>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func reg(_ name: String, _ bits: Int, _ type: String, _ number: Int) -> String {
        "<reg name=\"\(name)\" bitsize=\"\(bits)\" type=\"\(type)\" regnum=\"\(number)\"/>"
    }
}
