import Testing
import RISCV

/// The ISA table is complete and self-consistent, and the views derived from it agree.
@Suite struct TableTests {
    @Test func everyOpcodeHasARowNamedAfterIt() {
        for opcode in Opcode.allCases {
            let spec = opcode.info
            #expect(spec.opcode == opcode)
            #expect(spec.mnemonic == String(String(describing: opcode).map { $0 == "_" ? "." : $0 }))
            #expect(spec.match & spec.mask == spec.match, "\(spec.mnemonic): match has bits outside its mask")
            #expect(spec.match & 3 == 3)
        }
    }

    /// Rows that are a special case of another row by design: zext.h is packw with rs2 = x0 (its
    /// own row so that Zbb has it without Zbkb); the more specific row decodes first.
    static let refinements: [Opcode: Opcode] = [.zext_h: .packw]

    /// Each row's match word decodes to that row, so no row hides behind another.
    @Test func rowsDoNotOverlap() {
        for spec in ISA.all {
            let word = spec.opcode == .packw ? spec.match | 1 << 20 : spec.match // packw x0, x0, x1
            #expect(decode(word)?.opcode == spec.opcode, "\(spec.mnemonic)")
            for other in ISA.all where other.opcode != spec.opcode {
                if Self.refinements[spec.opcode] == other.opcode || Self.refinements[other.opcode] == spec.opcode { continue }
                let common = spec.mask & other.mask
                #expect(spec.match & common != other.match & common, "\(spec.mnemonic) overlaps \(other.mnemonic)")
            }
        }
    }

    @Test func blockEndingAndPrivilegedFlags() {
        let ends: Set<Opcode> = [.jal, .jalr, .beq, .bne, .blt, .bge, .bltu, .bgeu, .ecall, .ebreak, .fence_i,
                                 .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci, .sret, .mret, .wfi, .sfence_vma,
                                 .cbo_clean, .cbo_flush, .cbo_inval, .cbo_zero, .wrs_nto, .wrs_sto]
        for opcode in Opcode.allCases {
            #expect(opcode.info.endsBlock == ends.contains(opcode), "\(opcode)")
            #expect(opcode.info.isPrivileged == [.sret, .mret, .wfi, .sfence_vma].contains(opcode), "\(opcode)")
        }
        #expect(Opcode.ecall.info.mayTrap && Opcode.ld.info.mayTrap && Opcode.fadd_s.info.mayTrap)
        #expect(!Opcode.add.info.mayTrap && !Opcode.fsgnj_d.info.mayTrap && !Opcode.jal.info.mayTrap)
    }

    @Test func memoryAccesses() {
        #expect(Opcode.lb.info.memory == MemoryAccess(.load, width: 1, signed: true))
        #expect(Opcode.lwu.info.memory == MemoryAccess(.load, width: 4, signed: false))
        #expect(Opcode.fsd.info.memory == MemoryAccess(.store, width: 8))
        #expect(Opcode.sc_w.info.memory?.kind == .storeConditional)
        #expect(Opcode.amomaxu_d.info.memory?.width == 8)
        #expect(Opcode.add.info.memory == nil && Opcode.fence.info.memory == nil)
    }

    @Test func registerFiles() {
        #expect(Opcode.fcvt_w_s.info.writesX && Opcode.fcvt_w_s.info.readsF && !Opcode.fcvt_w_s.info.readsX)
        #expect(Opcode.fmv_d_x.info.writesF && Opcode.fmv_d_x.info.readsX)
        #expect(Opcode.fsw.info.rs1 == .x && Opcode.fsw.info.rs2 == .f && Opcode.fsw.info.rd == .none)
        #expect(Opcode.feq_d.info.rd == .x && Opcode.fmadd_d.info.rs3 == .f)
    }

    @Test func extensions() {
        #expect(Opcode.mulw.info.ext == .m && Opcode.lr_d.info.ext == .a && Opcode.fcvt_s_d.info.ext == .d)
        #expect(Opcode.fence_i.info.ext == .zifencei && Opcode.csrrci.info.ext == .zicsr && Opcode.wfi.info.ext == .privileged)
    }

    /// encode(decode(w)) == w for every 32-bit encoding in the goldens; compressed ones re-encode to
    /// a base form that decodes to the same instruction.
    @Test func encoderRoundTrip() throws {
        var failures: [String] = []
        for name in ["all.txt", "fixtures.txt"] {
            for row in try Goldens.rows(name, columns: 3) {
                guard let word = UInt32(row[1], radix: 16), let inst = decode(word) else { continue }
                let encoded = encode(inst)
                if row[1].count == 8 {
                    if encoded != word { failures.append("\(row[1]) -> \(String(encoded, radix: 16))") }
                } else {
                    var base = inst
                    base.length = 4
                    base.raw = encoded
                    if decode(encoded) != base { failures.append("c \(row[1]) -> \(String(encoded, radix: 16))") }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) round trips failed: \(failures.prefix(20))")
    }

    @Test func csrNames() {
        #expect(CSR.name(0x001) == "fflags" && CSR.name(0x300) == "mstatus" && CSR.name(0xc00) == "cycle")
        #expect(CSR.name(0x7c0) == nil)
        // Where privileged specs 1.11 and 1.12 disagree (1.12 is the default, as in objdump).
        #expect(CSR.name(0x30a) == "menvcfg" && CSR.name(0x30a, spec: .v1_11) == nil)
        #expect(CSR.name(0x102) == nil && CSR.name(0x102, spec: .v1_11) == "sedeleg")
        #expect(CSR.name(0x300, spec: .v1_11) == "mstatus")
        #expect(PrivilegedSpec(major: 1, minor: 11) == .v1_11 && PrivilegedSpec(major: 1, minor: 12) == .v1_12)
        #expect(PrivilegedSpec(major: 0, minor: 0) == nil)
        #expect(RegisterNames.x(2) == "sp" && RegisterNames.f(31) == "ft11" && RegisterNames.x(0xff) == "t6")
    }
}
