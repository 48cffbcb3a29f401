import Testing
import RISCV

/// `--cpu` names: profiles, ISA strings, errors, and which instructions a choice allows.
@Suite struct CPUModelTests {
    func model(_ text: String) throws -> CPUModel { try CPUModel.parse(text).get() }

    @Test func profilesAndStrings() throws {
        #expect(try model("rv64gc").isaString == "rv64imafdc_zicntr_zicsr_zifencei_zihpm")
        #expect(try model("rv64gc") == CPUModel.rv64gc)
        #expect(try model("rv64imafdc") == CPUModel.rv64gc)  // Zicsr and Zifencei come with I
        #expect(try model("rva20") == CPUModel.rv64gc)
        #expect(try model("rva22").isaString == "rv64imafdc_zicbom_zicbop_zicboz_zicntr_zicsr_zifencei_zihintpause_zihpm_zfhmin_zba_zbb_zbs")
        let rva23 = try model("rva23s")
        #expect(rva23.has(.zicond) && rva23.has(.zba) && !rva23.has(.zbc) && !rva23.has(.zbkb))
        // RVA23's Zcb, Zcmop, Zimop, Zawrs and hints; Zacas is optional there.
        #expect(rva23.has(.zcb) && rva23.has(.zcmop) && rva23.has(.zimop) && rva23.has(.zawrs) && rva23.has(.zihintntl))
        let rva22 = try model("rva22")
        #expect(!rva23.has(.zacas) && !rva22.has(.zcb))
        #expect(try model("RV64GC_ZBA_ZBB_ZBS").isaString == "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_zbb_zbs")
        #expect(try model("rva22_zicond").has(.zicond))
        #expect(try model("rv64gc_zicntr_sstc") == CPUModel.rv64gc)  // informational names are accepted
        #expect(try model("max").isAll && CPUModel.all.isAll && !CPUModel.rv64gc.isAll)
        #expect(try model("rv64imac").letters == "imac")
        #expect(try model("rv64gc").hwcap == 0x112d)
        #expect(try model("rv64imac").hwcap == 0x1101 | 1 << 2)
        #expect(CPUModel.all.hwcap == 0x112d)
    }

    @Test func extensionNamesAreTheCaseNames() {
        for e in Extension.allCases { #expect(e.name == String(describing: e)) }
    }

    @Test func unknownNamesAreErrorsListingTheValidOnes() {
        for bad in ["", "rv32gc", "rv64", "rv64gcx", "rv64gc_zbx", "rv64gc__zba", "x86", "rv64gc_z", "rva99"] {
            guard case .failure(let error) = CPUModel.parse(bad) else {
                Issue.record("'\(bad)' parsed")
                continue
            }
            #expect(error.description.contains("valid: rv64gc, rva20, rva22, rva23s"), "\(error)")
            #expect(error.description.contains("zba"), "\(error)")
        }
    }

    @Test func allowsByRowAndCompressedForm() throws {
        let gc = CPUModel.rv64gc
        let cpop = try #require(decode(0x6020_1293))   // cpop t0, zero... (Zbb)
        #expect(cpop.opcode == .cpop && !gc.allows(cpop) && CPUModel.all.allows(cpop))
        let add = try #require(decode(0x00b5_0533))    // add a0, a0, a1
        #expect(gc.allows(add))
        let cAdd = try #require(decode(0x952e))        // c.add a0, a1
        #expect(cAdd.length == 2 && gc.allows(cAdd))
        let noC = try model("rv64g")
        #expect(!noC.allows(cAdd) && noC.allows(add))
        // andn is Zbb's and Zbkb's: either one allows it.
        let andn = try #require(decode(encode(Instruction(opcode: .andn, rd: 5, rs1: 6, rs2: 7))))
        let zbkb = try model("rv64gc_zbkb"), zbb = try model("rv64gc_zbb")
        #expect(zbkb.allows(andn) && zbb.allows(andn) && !gc.allows(andn))
        // Without F, every F instruction is refused; the privileged ones always pass.
        let fadd = try #require(decode(encode(Instruction(opcode: .fadd_s, rd: 1, rs1: 2, rs2: 3, rm: 7))))
        let imac = try model("rv64imac")
        #expect(!imac.allows(fadd) && gc.allows(fadd))
        #expect(try model("rv64i").allows(Instruction(opcode: .mret)))
    }

    /// Zfhmin is the moves and conversions, Zfh the arithmetic (and implies Zfhmin); Zfa's half
    /// forms need Zfa and Zfh both.
    @Test func halfPrecisionGates() throws {
        let flh = try #require(decode(0x0025_1507)), fcvtSH = try #require(decode(0x4025_8553))
        let fadd = try #require(decode(0x04c5_f553)), fliH = try #require(decode(0xf410_8553))
        #expect(flh.opcode == .flh && fcvtSH.opcode == .fcvt_s_h && fadd.opcode == .fadd_h && fliH.opcode == .fli_h)
        let minimal = try model("rv64gc_zfhmin"), zfh = try model("rv64gc_zfh"), zfa = try model("rv64gc_zfa")
        let both = try model("rv64gc_zfa_zfh"), rva22 = try model("rva22"), rva23 = try model("rva23s")
        #expect(minimal.allows(flh) && minimal.allows(fcvtSH) && !minimal.allows(fadd) && !minimal.allows(fliH))
        #expect(zfh.has(.zfhmin) && zfh.allows(flh) && zfh.allows(fadd) && !zfh.allows(fliH))
        #expect(!zfa.allows(fliH) && !zfa.allows(fadd) && both.allows(fliH))
        #expect(!CPUModel.rv64gc.allows(flh) && CPUModel.all.allows(fliH))
        #expect(rva22.has(.zfhmin) && !rva22.has(.zfh) && rva23.has(.zfhmin))
    }
}
