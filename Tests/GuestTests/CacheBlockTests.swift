import Guest
import RISCV
import Testing

/// Zicbom/Zicboz in system mode (ext): menvcfg/senvcfg gating, cbo.zero through the MMU, and the
/// store faults they raise; Zawrs completes at once.
@Suite struct CacheBlockTests {
    func cbo(_ hart: Hart, _ op: Opcode, _ address: UInt64) -> Emulation {
        hart.state.setX(10, address)
        return hart.emulateSystem(Instruction(opcode: op, rs1: 10, raw: encode(Instruction(opcode: op, rs1: 10))))
    }

    @Test func envcfgFieldsGateEachOperationBelowM() {
        let (hart, _) = makeSystemHart()
        openPMP(hart)
        hart.csrWrite(CSRNumber.menvcfg, ~0)
        #expect(hart.csrRead(CSRNumber.menvcfg) == EnvConfig.stce | EnvConfig.fiom | EnvConfig.cbie | EnvConfig.cbcfe | EnvConfig.cbze)
        hart.csrWrite(CSRNumber.senvcfg, 2 << 4 | EnvConfig.cbze)  // CBIE = 10 is reserved: reads 00
        #expect(hart.csrRead(CSRNumber.senvcfg) == EnvConfig.cbze)
        let block = RAMBus.base + 0x2000
        for (op, field) in [(Opcode.cbo_zero, EnvConfig.cbze), (.cbo_clean, EnvConfig.cbcfe), (.cbo_flush, EnvConfig.cbcfe),
                            (.cbo_inval, EnvConfig.cbie)] {
            hart.privilege = .machine
            hart.csrWrite(CSRNumber.menvcfg, 0)
            hart.csrWrite(CSRNumber.senvcfg, 0)
            #expect(isRetired(cbo(hart, op, block)), "M needs no enable: \(op)")
            hart.privilege = .supervisor
            #expect(isIllegal(cbo(hart, op, block)), "\(op) in S without menvcfg")
            hart.privilege = .machine
            hart.csrWrite(CSRNumber.menvcfg, field)
            hart.privilege = .supervisor
            #expect(isRetired(cbo(hart, op, block)), "\(op) in S with menvcfg")
            hart.privilege = .user
            #expect(isIllegal(cbo(hart, op, block)), "\(op) in U without senvcfg")
            hart.privilege = .supervisor
            hart.csrWrite(CSRNumber.senvcfg, field)
            hart.privilege = .user
            #expect(isRetired(cbo(hart, op, block)), "\(op) in U with both")
        }
    }

    @Test func zeroClearsTheBlockThroughTheMMU() {
        let (hart, platform) = makeSystemHart()
        var tables = PageTables(platform.ram, levels: 3)
        tables.map(0x4000_0000, 0x8008_0000, flags: Bits.rwx)
        tables.map(0x4000_1000, 0x8008_1000, flags: Bits.v | Bits.r | Bits.a)  // read-only
        openPMP(hart)
        hart.state.satp = tables.satp()
        hart.csrWrite(CSRNumber.menvcfg, EnvConfig.cbze | EnvConfig.cbcfe)
        hart.privilege = .supervisor
        for k in 0..<32 { platform.ram.store(0x8008_0000 + 8 * UInt64(k), ~0) }
        #expect(isRetired(cbo(hart, .cbo_zero, 0x4000_0040 + 0x27)))
        let words = (0..<32).map { platform.ram.load(0x8008_0000 + 8 * UInt64($0)) }
        #expect(words[0..<8].allSatisfy { $0 == ~0 } && words[8..<16].allSatisfy { $0 == 0 } && words[16...].allSatisfy { $0 == ~0 })
        // A read-only page: cbo.zero faults as a store with rs1's address; cbo.clean is allowed.
        #expect(cbo(hart, .cbo_zero, 0x4000_1008) == .exception(GuestTrap(.storePageFault, pc: hart.state.pc, tval: 0x4000_1008)))
        #expect(isRetired(cbo(hart, .cbo_clean, 0x4000_1008)))
        // Unmapped: both fault as stores.
        #expect(cbo(hart, .cbo_clean, 0x4000_5000) == .exception(GuestTrap(.storePageFault, pc: hart.state.pc, tval: 0x4000_5000)))
        #expect(cbo(hart, .cbo_zero, 0x4000_5000) == .exception(GuestTrap(.storePageFault, pc: hart.state.pc, tval: 0x4000_5000)))
    }

    @Test func waitsCompleteAtOnce() {
        let (hart, _) = makeSystemHart()
        hart.privilege = .user
        let pc = hart.state.pc
        #expect(hart.run(.wrs_nto) == .retired(.resume) && hart.run(.wrs_sto) == .retired(.resume))
        #expect(hart.state.pc == pc + 8)
    }

    func isRetired(_ e: Emulation) -> Bool { if case .retired = e { true } else { false } }
    func isIllegal(_ e: Emulation) -> Bool { if case .exception(let t) = e { t.cause == .illegalInstruction } else { false } }
}
