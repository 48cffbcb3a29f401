#if canImport(Glibc)
import Glibc
#endif
import Guest
import RISCV
import Synchronization
import System

/// `trapeze fuzz --system`: random privileged instruction streams, each a bare-metal program run
/// on a whole machine by the interpreter and the JIT in lockstep (`SystemDifftest`, under
/// `--icount`), which names the first instruction after which the two machines differ.
///
/// A program (`SystemFuzzProgram`): an M-mode prologue sets the trap vectors, an all-RWX PMP
/// entry, random registers, f registers and mstatus bits; then `length` random items; then a
/// write to the test finisher and a loop. Every trap goes to a handler that steps past the
/// instruction (an interrupt: it disables interrupts instead) and returns to the mode the trap
/// came from, or to M-mode after a fetch fault, so a stream never stops making progress,
/// whatever it did to the machine. The items:
///   - Zicsr on M, S, counter, FP and PMP CSRs (WARL fields, read-only and missing ones), with
///     random, single-bit and all-ones values; satp set to bare, to one of two small Sv39 page
///     tables (the code's gigapage supervisor-only or user; a data window of 4 KiB pages with
///     random permissions and A/D bits, and a megapage) with random ASIDs, or to junk;
///   - mret and sret to the next instruction (MPP/SPP as the stream left them: U/S/M switches),
///     ecall (some asking the handler to return to M or S), ebreak, an illegal word, sfence.vma, fence.i;
///   - loads, stores, LR/SC and AMOs through the data window's virtual address or the data page's
///     physical address (faults, misaligned accesses, MPRV, SUM, MXR);
///   - F/D loads, stores and arithmetic and FP CSR accesses (FS Off traps, Initial/Clean become
///     Dirty), and integer arithmetic;
///   - with `loops` (`fuzz --system --loops`): self-loops of loads and stores off a base that
///     each iteration moves by addi (up, down or not at all, across the data window's pages and
///     their permissions) or rewrites with add, counted down in x30 (what a JIT may translate
///     twice and check against the page hit last: LoopPeel.swift).
/// Registers x27 (physical data), x28 (virtual data), x29, x30 (scratch of the items) and x31
/// (the handlers') are never random destinations. The delegation the stream sets up never hands
/// S the faults that could keep S's own handler from running (instruction access and page
/// faults, illegal instructions), and PMP entries are never locked.
public struct SystemFuzzProgram: Sendable {
    public static let base: UInt64 = 0x8000_0000
    static let dataPhysical: UInt64 = 0x8000_C000     // 4 pages
    static let dataVirtual: UInt64 = 0x4000_0000      // 8 pages (L0), then a megapage at +2 MiB
    static let rootS: UInt64 = 0x8001_0000
    static let rootU: UInt64 = 0x8001_1000
    static let level1: UInt64 = 0x8001_2000
    static let level0: UInt64 = 0x8001_3000
    static let end: UInt64 = 0x8001_4000
    static let codeLimit = Int(dataPhysical - base)

    /// The image from `base` to `end`: code, data, page tables.
    public var image: [UInt8]
    /// Where the random items start and end (pc), for listings.
    public var streamStart: UInt64
    public var streamEnd: UInt64
    public var instructions: Int
    /// Instructions the loops may retire beyond their code's length.
    public var loopInstructions: Int

    /// The program for `seed` with `length` random items; `loops` adds loop items (other
    /// seeds' programs then; without, every seed gives the program it always gave).
    public init(seed: UInt64, length: Int, loops: Bool = false) {
        var g = Builder(random: FuzzRandom(seed: seed))
        g.loops = loops
        g.prologue()
        streamStart = SystemFuzzProgram.base + UInt64(4 * g.words.count)
        for _ in 0..<max(0, length) where g.words.count * 4 < SystemFuzzProgram.codeLimit - 4096 { g.item() }
        streamEnd = SystemFuzzProgram.base + UInt64(4 * g.words.count)
        g.epilogue()
        instructions = g.words.count
        loopInstructions = g.loopInstructions
        image = g.image()
    }

    /// The image as a bare-metal ELF file: three loadable segments at their physical addresses.
    public func elf() -> [UInt8] {
        var out = [UInt8]()
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        let dataOffset: UInt64 = 0x1000
        // ELF header
        out += [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        put(UInt16(2)); put(UInt16(243)); put(UInt32(1))
        put(SystemFuzzProgram.base); put(UInt64(64)); put(UInt64(0))
        put(UInt32(0x4)); put(UInt16(64)); put(UInt16(56)); put(UInt16(1)); put(UInt16(64)); put(UInt16(0)); put(UInt16(0))
        // one PT_LOAD, RWX
        put(UInt32(1)); put(UInt32(7)); put(dataOffset); put(SystemFuzzProgram.base); put(SystemFuzzProgram.base)
        put(UInt64(image.count)); put(UInt64(image.count)); put(UInt64(0x1000))
        out += [UInt8](repeating: 0, count: Int(dataOffset) - out.count)
        return out + image
    }

    /// Writes `elf()` to `path`; false if it cannot.
    public func write(to path: String) -> Bool {
        guard let file = fopen(path, "wb") else { return false }
        let bytes = elf()
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        return fclose(file) == 0 && written == bytes.count
    }

    /// The random part disassembled: `pc: word  assembly`.
    public func listing() -> [String] {
        var lines: [String] = []
        var pc = streamStart
        while pc < streamEnd {
            let k = Int(pc - SystemFuzzProgram.base)
            let word = UInt32(image[k]) | UInt32(image[k + 1]) << 8 | UInt32(image[k + 2]) << 16 | UInt32(image[k + 3]) << 24
            let text = decode(word).map { disassemble($0, pc: pc) } ?? "(illegal)"
            lines.append("  \(Hex.pad(pc, 8)): \(Hex.pad(UInt64(word), 8))  \(text)")
            pc += 4
        }
        return lines
    }

    /// Builds the code word by word.
    struct Builder {
        var random: FuzzRandom
        var words: [UInt32] = []
        var data = [UInt8](repeating: 0, count: 4 * 4096)
        var tables = [UInt8](repeating: 0, count: 4 * 4096)
        var loops = false
        var loopInstructions = 0

        static let handlerScratch: UInt8 = 31
        static let scratch: UInt8 = 29, scratch2: UInt8 = 30
        static let physicalData: UInt8 = 27, virtualData: UInt8 = 28
        /// The registers random items write.
        static let pool: [UInt8] = [1, 3, 4] + Array(5...26)

        var pc: UInt64 { SystemFuzzProgram.base + UInt64(4 * words.count) }

        mutating func emit(_ i: Instruction) { words.append(encode(i)) }
        mutating func emit(_ op: Opcode, rd: UInt8 = 0, rs1: UInt8 = 0, rs2: UInt8 = 0, rs3: UInt8 = 0, rm: UInt16 = 0,
                           csr: UInt16 = 0, imm: Int64 = 0) {
            emit(Instruction(opcode: op, rd: rd, rs1: rs1, rs2: rs2, rs3: rs3, rm: rm, csr: csr, imm: imm))
        }

        /// rd = a 32-bit signed value (lui + addiw).
        mutating func li32(_ rd: UInt8, _ v: Int32) {
            let lo = (Int64(v) << 52) >> 52
            let hi = (Int64(v) - lo) & 0xffff_f000
            emit(.lui, rd: rd, imm: Int64(Int32(truncatingIfNeeded: hi)))
            emit(.addiw, rd: rd, rs1: rd, imm: lo)
        }

        /// rd = any 64-bit value; clobbers x30 unless rd is x30 (then the value must fit 32 bits).
        mutating func li(_ rd: UInt8, _ v: UInt64) {
            if Int64(bitPattern: v) == Int64(Int32(truncatingIfNeeded: v)) {
                li32(rd, Int32(truncatingIfNeeded: v))
                return
            }
            li32(rd, Int32(truncatingIfNeeded: v >> 32))
            emit(.slli, rd: rd, rs1: rd, imm: 32)
            li32(Builder.scratch2, Int32(truncatingIfNeeded: v))
            emit(.slli, rd: Builder.scratch2, rs1: Builder.scratch2, imm: 32)
            emit(.srli, rd: Builder.scratch2, rs1: Builder.scratch2, imm: 32)
            emit(.or, rd: rd, rs1: rd, rs2: Builder.scratch2)
        }

        mutating func csrw(_ csr: UInt16, _ rs1: UInt8) { emit(.csrrw, rs1: rs1, csr: csr) }

        // MARK: layout

        static let mHandlerOffset = 0x100, sHandlerOffset = 0x180, prologueOffset = 0x200

        mutating func prologue() {
            // 0x80000000: jump over the handlers to the prologue proper.
            emit(.jal, imm: Int64(Builder.prologueOffset))
            pad(to: Builder.mHandlerOffset)
            mHandler()
            pad(to: Builder.sHandlerOffset)
            sHandler()
            pad(to: Builder.prologueOffset)
            let t = Builder.handlerScratch
            li(t, SystemFuzzProgram.base + UInt64(Builder.mHandlerOffset)); csrw(CSRNumber.mtvec, t)
            li(t, SystemFuzzProgram.base + UInt64(Builder.sHandlerOffset)); csrw(CSRNumber.stvec, t)
            li(t, UInt64.max); csrw(0x3b0, t)        // pmpaddr0: everything
            li(t, 0x1f); csrw(0x3a0, t)              // pmpcfg0: NAPOT RWX
            li(Builder.physicalData, SystemFuzzProgram.dataPhysical)
            li(Builder.virtualData, SystemFuzzProgram.dataVirtual)
            if random.oneIn(2) { li(t, 1 << 63); csrw(0x30a, t) }  // menvcfg.STCE: stimecmp
            li(t, random.next() & 7); csrw(0x306, t)  // mcounteren
            li(t, random.next() & 7); csrw(0x106, t)  // scounteren
            // f registers from x registers while FS is on, then FS and the rest of mstatus at random.
            li(t, 1 << 13); emit(.csrrs, rs1: t, csr: 0x300)
            for f in UInt8(0)..<32 {
                li(Builder.scratch, EdgeValues.float(&random))
                emit(.fmv_d_x, rd: f, rs1: Builder.scratch)
            }
            li(t, UInt64(random.below(4)) << 13 | UInt64(random.below(4)) << 11 | (random.oneIn(4) ? 1 << 18 : 0)
                  | (random.oneIn(4) ? 1 << 19 : 0) | (random.oneIn(3) ? 1 << 8 : 0))
            li(Builder.scratch, 3 << 13 | 3 << 11 | 1 << 18 | 1 << 19 | 1 << 8)
            emit(.csrrc, rs1: Builder.scratch, csr: 0x300)
            emit(.csrrs, rs1: t, csr: 0x300)
            for r in Builder.pool { li(r, EdgeValues.integer(&random)) }
            pageTables()
            for k in 0..<data.count { data[k] = UInt8(truncatingIfNeeded: random.next()) }
        }

        /// M's handler: steps past an exception (mepc + 4: every item is 4 bytes) or turns the
        /// interrupts off, and returns to the mode the trap came from; to M-mode instead after a
        /// fetch fault (the stream could not go on there) or an `ecall` asking for it (x29 = 'M').
        mutating func mHandler() {
            let t = Builder.handlerScratch
            emit(.csrrs, rd: t, csr: 0x342)                  // 0: mcause
            emit(.blt, rs1: t, rs2: 0, imm: 48)              // 1: an interrupt: 13
            emit(.csrrs, rd: t, csr: 0x341)                  // 2: mepc + 4
            emit(.addi, rd: t, rs1: t, imm: 4)
            emit(.csrrw, rs1: t, csr: 0x341)
            emit(.csrrs, rd: t, csr: 0x342)                  // 5
            emit(.addi, rd: t, rs1: t, imm: -1)              // instruction access fault
            emit(.beq, rs1: t, rs2: 0, imm: 32)              // 7: to M (15)
            emit(.addi, rd: t, rs1: t, imm: -11)             // instruction page fault
            emit(.beq, rs1: t, rs2: 0, imm: 24)              // 9: to M
            emit(.addi, rd: t, rs1: Builder.scratch, imm: -0x4D)
            emit(.beq, rs1: t, rs2: 0, imm: 16)              // 11: to M
            emit(.mret)                                      // 12
            emit(.csrrw, rs1: 0, csr: 0x304)                 // 13: mie = 0
            emit(.mret)
            emit(.lui, rd: t, imm: 0x2000)                   // 15: MPP = M (0x1800)
            emit(.addi, rd: t, rs1: t, imm: -0x800)
            emit(.csrrs, rs1: t, csr: 0x300)
            emit(.mret)
        }

        /// S's handler: the same for the traps delegated to S, back to where they came from, or to
        /// S-mode after an `ecall` asking for it (x29 = 'S'). If its sret traps (TSR), M's handler
        /// comes back after it, and the stream goes on from sepc.
        mutating func sHandler() {
            let t = Builder.handlerScratch
            emit(.csrrs, rd: t, csr: 0x142)                  // 0: scause
            emit(.blt, rs1: t, rs2: 0, imm: 36)              // 1: an interrupt: 10
            emit(.csrrs, rd: t, csr: 0x141)                  // 2: sepc + 4
            emit(.addi, rd: t, rs1: t, imm: 4)
            emit(.csrrw, rs1: t, csr: 0x141)
            emit(.addi, rd: t, rs1: Builder.scratch, imm: -0x53)
            emit(.bne, rs1: t, rs2: 0, imm: 12)              // 6: to 9
            emit(.addi, rd: t, rs1: 0, imm: 0x100)           // SPP = S
            emit(.csrrs, rs1: t, csr: 0x100)
            emit(.sret)                                      // 9
            emit(.csrrw, rs1: 0, csr: 0x104)                 // 10: sie = 0
            emit(.sret)
            emit(.csrrs, rd: t, csr: 0x141)                  // 12: after a trapped sret
            emit(.jalr, rs1: t)
        }

        mutating func pad(to offset: Int) {
            while words.count * 4 < offset { emit(.addi) }
        }

        mutating func epilogue() {
            let t = Builder.handlerScratch
            li(t, 0x10_0000)
            li(Builder.scratch, 0x5555)
            emit(.sw, rs1: t, rs2: Builder.scratch)
            emit(.jal, imm: 0)
        }

        func image() -> [UInt8] {
            var out = [UInt8](repeating: 0, count: Int(SystemFuzzProgram.end - SystemFuzzProgram.base))
            for (k, w) in words.enumerated() {
                for b in 0..<4 { out[4 * k + b] = UInt8(truncatingIfNeeded: w >> (8 * b)) }
            }
            let d = Int(SystemFuzzProgram.dataPhysical - SystemFuzzProgram.base)
            out.replaceSubrange(d..<(d + data.count), with: data)
            let p = Int(SystemFuzzProgram.rootS - SystemFuzzProgram.base)
            out.replaceSubrange(p..<(p + tables.count), with: tables)
            return out
        }

        mutating func setPTE(_ table: UInt64, _ index: Int, _ value: UInt64) {
            let at = Int(table - SystemFuzzProgram.rootS) + 8 * index
            for b in 0..<8 { tables[at + b] = UInt8(truncatingIfNeeded: value >> (8 * b)) }
        }

        /// Sv39: both roots map the code's gigapage (supervisor-only in rootS, user in rootU) and
        /// share a level-1 table for the data window: 8 pages onto the 4 data pages with random
        /// permissions, and a megapage onto the start of RAM.
        mutating func pageTables() {
            func pointer(_ table: UInt64) -> UInt64 { (table >> 12) << 10 | 1 }
            let rwx: UInt64 = 0b1110, ad: UInt64 = 0b1100_0000
            setPTE(SystemFuzzProgram.rootS, 2, (SystemFuzzProgram.base >> 12) << 10 | rwx | ad | 1)
            setPTE(SystemFuzzProgram.rootU, 2, (SystemFuzzProgram.base >> 12) << 10 | rwx | ad | 0x10 | 1)
            setPTE(SystemFuzzProgram.rootS, 1, pointer(SystemFuzzProgram.level1))
            setPTE(SystemFuzzProgram.rootU, 1, pointer(SystemFuzzProgram.level1))
            setPTE(SystemFuzzProgram.level1, 0, pointer(SystemFuzzProgram.level0))
            setPTE(SystemFuzzProgram.level1, 1, (SystemFuzzProgram.base >> 12) << 10 | randomFlags())
            for k in 0..<8 {
                let page = SystemFuzzProgram.dataPhysical + UInt64(k % 4) * 4096
                setPTE(SystemFuzzProgram.level0, k, (page >> 12) << 10 | randomFlags())
            }
        }

        /// Leaf flags: valid (mostly), R/W/X (W without R is reserved: a fault), U, A, D at random.
        mutating func randomFlags() -> UInt64 {
            var f: UInt64 = random.oneIn(8) ? 0 : 1
            f |= random.next() & 0b1110            // R W X
            if f & 0b1110 == 0 { f |= 0b0010 }     // never a pointer
            if random.oneIn(2) { f |= 0x10 }       // U
            if !random.oneIn(4) { f |= 0x40 }      // A
            if !random.oneIn(3) { f |= 0x80 }      // D
            return f
        }

        // MARK: items

        mutating func reg() -> UInt8 { random.pick(Builder.pool) }
        mutating func source() -> UInt8 { random.oneIn(8) ? 0 : reg() }
        mutating func destination() -> UInt8 { random.oneIn(10) ? 0 : reg() }

        static let csrs: [UInt16] = [
            0x300, 0x301, 0x302, 0x303, 0x304, 0x306, 0x30a, 0x320, 0x340, 0x341, 0x342, 0x343, 0x344,
            0x3a0, 0x3b1, 0x3b2, 0x3b3, 0x100, 0x104, 0x106, 0x10a, 0x140, 0x141, 0x142, 0x143, 0x144,
            0x14d, 0x180, 0x001, 0x002, 0x003, 0xc00, 0xc01, 0xc02, 0xc03, 0xb00, 0xb02, 0xb03, 0xf11,
            0xf12, 0xf13, 0xf14, 0x7c0, 0x5c0,
        ]

        /// A value worth writing to a CSR: random, one bit, all ones, or fields of mstatus.
        mutating func csrValue() -> UInt64 {
            switch random.below(6) {
            case 0: return random.next()
            case 1: return 1 << UInt64(random.below(64))
            case 2: return UInt64.max
            case 3: return 0
            case 4: return random.next() & 0x7_F9AA   // mstatus' writable bits and some
            default: return random.next() & 0xFFFF
            }
        }

        mutating func item() {
            switch random.below(loops ? 25 : 22) {
            case 22...24: loopItem()
            case 20: delegationItem()
            case 21: interruptItem()
            case 0...4: csrItem()
            case 5: satpItem()
            case 6: returnItem(machine: true)
            case 7: returnItem(machine: false)
            case 8:
                if random.oneIn(2) {  // ask the handler for M- or S-mode
                    emit(.addi, rd: Builder.scratch, imm: random.oneIn(2) ? 0x4D : 0x53)
                    emit(.ecall)
                } else {
                    emit(random.pick([.ecall, .ebreak]))
                }
            case 9: words.append(random.oneIn(2) ? 0 : 0xFFFF_FFFF)      // illegal
            case 10: emit(.sfence_vma, rs1: random.pick([0, Builder.virtualData, Builder.physicalData, reg()]),
                          rs2: random.oneIn(2) ? 0 : reg())
            case 11: if random.oneIn(2) { emit(.fence_i) } else { emit(.fence, rm: 0x0ff) }
            case 12, 13: memoryItem()
            case 14: atomicItem()
            case 15, 16: floatItem()
            default: integerItem()
            }
        }

        mutating func csrItem() {
            let csr = random.pick(Builder.csrs)
            let op: Opcode = random.pick([.csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci])
            if [.csrrwi, .csrrsi, .csrrci].contains(op) {
                let uimm = UInt8(random.below(32)) & (csr == 0x302 ? ~6 : 0x1f)  // see medeleg below
                emit(op, rd: destination(), rs1: uimm, csr: csr)
                return
            }
            var value = csrValue()
            if csr == 0x302 { value &= ~(1 << 1 | 1 << 2 | 1 << 12) }  // keep S's handler reachable
            if csr == 0x3a0 { value &= ~0x8080_8080_8080_8080 }         // no locked PMP entries
            if random.oneIn(3), csr != 0x302, csr != 0x3a0 {
                emit(op, rd: destination(), rs1: source(), csr: csr)
            } else {
                li(Builder.scratch, value)
                emit(op, rd: destination(), rs1: Builder.scratch, csr: csr)
            }
        }

        /// Hands S some exceptions and interrupts (never the ones that could keep its handler
        /// from running: see csrItem).
        mutating func delegationItem() {
            let exceptions: [UInt64] = [0, 3, 4, 5, 6, 7, 8, 13, 15]
            var mask: UInt64 = 0
            for e in exceptions where random.oneIn(2) { mask |= 1 << e }
            li(Builder.scratch, mask)
            emit(.csrrw, rd: destination(), rs1: Builder.scratch, csr: 0x302)
            li(Builder.scratch, random.next() & 0x222)
            emit(.csrrw, rd: destination(), rs1: Builder.scratch, csr: 0x303)
        }

        /// Makes an interrupt pending and enabled: supervisor software (sip.SSIP), supervisor
        /// timer (stimecmp now), or machine software/timer enables, with xIE on or off.
        mutating func interruptItem() {
            switch random.below(3) {
            case 0:
                emit(.csrrsi, rd: destination(), rs1: 2, csr: random.oneIn(2) ? 0x144 : 0x344)
                emit(.csrrsi, rs1: 2, csr: random.oneIn(2) ? 0x104 : 0x304)
            case 1:
                emit(.csrrs, rd: Builder.scratch, csr: 0xc01)          // rdtime
                emit(.addi, rd: Builder.scratch, rs1: Builder.scratch, imm: Int64(random.below(8)))
                emit(.csrrw, rs1: Builder.scratch, csr: 0x14d)         // stimecmp
                li(Builder.scratch, 1 << 5)
                emit(.csrrs, rs1: Builder.scratch, csr: random.oneIn(2) ? 0x104 : 0x304)
            default:
                li(Builder.scratch, random.oneIn(2) ? 1 << 3 | 1 << 7 : 1 << 1 | 1 << 5)
                emit(.csrrs, rs1: Builder.scratch, csr: 0x304)
            }
            emit(random.oneIn(2) ? .csrrsi : .csrrci, rs1: random.oneIn(2) ? 2 : 8, csr: random.oneIn(2) ? 0x100 : 0x300)
        }

        mutating func satpItem() {
            let asid = UInt64(random.below(4)) << 44
            let value: UInt64 = switch random.below(6) {
            case 0: 0
            case 1, 2: 8 << 60 | asid | SystemFuzzProgram.rootS >> 12
            case 3: 8 << 60 | asid | SystemFuzzProgram.rootU >> 12
            case 4: 9 << 60 | asid | SystemFuzzProgram.rootS >> 12
            default: random.next()
            }
            li(Builder.scratch, value)
            emit(.csrrw, rd: destination(), rs1: Builder.scratch, csr: 0x180)
            if random.oneIn(2) { emit(.sfence_vma) }
        }

        /// mret or sret to the instruction after it, in the mode MPP or SPP names.
        mutating func returnItem(machine: Bool) {
            if random.oneIn(2) {  // choose the mode first
                let mpp = UInt64(random.pick([0, 1, 1, 3]))
                li(Builder.scratch, machine ? 3 << 11 : 1 << 8)
                emit(.csrrc, rs1: Builder.scratch, csr: machine ? 0x300 : 0x100)
                li(Builder.scratch, machine ? mpp << 11 : (mpp & 1) << 8)
                emit(.csrrs, rs1: Builder.scratch, csr: machine ? 0x300 : 0x100)
            }
            emit(.auipc, rd: Builder.scratch)
            emit(.addi, rd: Builder.scratch, rs1: Builder.scratch, imm: 12)
            emit(.csrrw, rs1: Builder.scratch, csr: machine ? 0x341 : 0x141)
            emit(machine ? .mret : .sret)
        }

        mutating func base() -> UInt8 { random.oneIn(2) ? Builder.physicalData : Builder.virtualData }

        /// A 12-bit offset: aligned for `size` mostly, now and then misaligned or negative.
        mutating func offset(_ size: Int) -> Int64 {
            let aligned = Int64(random.below(2048 / size)) * Int64(size)
            let misaligned = random.oneIn(10) ? Int64(random.below(size)) : 0
            return min(2047, aligned + misaligned) - (random.oneIn(8) ? 2048 : 0)
        }

        mutating func memoryItem() {
            let loads: [(Opcode, Int)] = [(.lb, 1), (.lbu, 1), (.lh, 2), (.lhu, 2), (.lw, 4), (.lwu, 4), (.ld, 8)]
            let stores: [(Opcode, Int)] = [(.sb, 1), (.sh, 2), (.sw, 4), (.sd, 8)]
            var b = base()
            if random.oneIn(4) {  // somewhere else in the data window: the megapage, a far page
                b = Builder.scratch
                li(b, (random.oneIn(2) ? SystemFuzzProgram.dataVirtual : SystemFuzzProgram.dataPhysical) + UInt64(random.below(8)) << 12
                      + (random.oneIn(3) ? 0x20_0000 : 0))
            }
            func access(_ near: Bool) {
                if random.oneIn(2) {
                    let (op, size) = random.pick(loads)
                    emit(op, rd: destination(), rs1: b, imm: near ? Int64(random.below(16) * size) - 64 : offset(size))
                } else {
                    let (op, size) = random.pick(stores)
                    emit(op, rs1: b, rs2: source(), imm: near ? Int64(random.below(16) * size) - 64 : offset(size))
                }
            }
            access(false)
            // A walk: the base moved by addi between accesses near it, on both sides of the page
            // boundary it started at (what a JIT may let share one TLB probe).
            if b == Builder.scratch, random.oneIn(2) {
                for _ in 0...random.below(3) {
                    emit(.addi, rd: b, rs1: b, imm: Int64(random.below(33) * 8) - 128)
                    access(true)
                }
            }
        }

        /// A self-loop of 2-40 iterations: loads and stores near a base in the data window that
        /// moves each time round by one or two addi of one sign (or none), or by an add of a
        /// register, then the count in x30 and the back edge.
        mutating func loopItem() {
            let loads: [(Opcode, Int)] = [(.lbu, 1), (.lh, 2), (.lw, 4), (.ld, 8), (.fld, 8)]
            let stores: [(Opcode, Int)] = [(.sb, 1), (.sw, 4), (.sd, 8), (.fsd, 8)]
            let b = Builder.scratch, count = Builder.scratch2
            li(b, (random.oneIn(2) ? SystemFuzzProgram.dataVirtual : SystemFuzzProgram.dataPhysical)
                  + UInt64(random.below(8)) << 12 + UInt64(random.below(512)) * 8)
            let iterations = 2 + random.below(39)
            emit(.addi, rd: count, imm: Int64(iterations))
            let sign: Int64 = random.oneIn(2) ? 1 : -1
            let step = { (r: inout FuzzRandom) in sign * Int64(r.below(65)) * 8 }
            let start = words.count
            let accesses = 1 + random.below(3)
            var moves = random.oneIn(4) ? 0 : 1 + random.below(2)
            for k in 0..<accesses {
                let offset = Int64(random.below(16)) * 8 - 64 + (random.oneIn(10) ? Int64(random.below(8)) : 0)
                if random.oneIn(2) {
                    let (op, _) = random.pick(loads)
                    emit(op, rd: op == .fld ? UInt8(random.below(32)) : destination(), rs1: b, imm: offset)
                } else {
                    let (op, _) = random.pick(stores)
                    emit(op, rs1: b, rs2: op == .fsd ? UInt8(random.below(32)) : source(), imm: offset)
                }
                if moves > 0, k + 1 < accesses || random.oneIn(2) {
                    emit(.addi, rd: b, rs1: b, imm: step(&random))
                    moves -= 1
                }
                if random.oneIn(4) { integerItem() }
            }
            if moves > 0 {
                if random.oneIn(4) {  // a move the base's motion cannot be told from
                    emit(.add, rd: b, rs1: b, rs2: source())
                } else {
                    emit(.addi, rd: b, rs1: b, imm: step(&random))
                }
            }
            emit(.addi, rd: count, rs1: count, imm: -1)
            emit(.bne, rs1: count, rs2: 0, imm: -Int64(4 * (words.count - start)))
            loopInstructions += iterations * (words.count - start)
        }

        mutating func atomicItem() {
            let op: Opcode = random.pick([.lr_w, .sc_w, .amoadd_w, .amoswap_w, .lr_d, .sc_d, .amoadd_d, .amoor_d, .amomaxu_d])
            var b = base()
            if random.oneIn(3) {
                b = Builder.scratch
                emit(.addi, rd: b, rs1: base(), imm: Int64(random.below(64)))
            }
            emit(op, rd: destination(), rs1: b, rs2: op == .lr_w || op == .lr_d ? 0 : source(), rm: UInt16(random.below(4)))
        }

        mutating func floatItem() {
            let f = { (r: inout FuzzRandom) in UInt8(r.below(32)) }
            switch random.below(7) {
            case 0: emit(.fld, rd: f(&random), rs1: base(), imm: offset(8))
            case 1: emit(random.oneIn(2) ? .fsd : .fsw, rs1: base(), rs2: f(&random), imm: offset(8))
            case 2: emit(.flw, rd: f(&random), rs1: base(), imm: offset(4))
            case 3: emit(random.pick([.fadd_d, .fmul_d, .fdiv_d, .fadd_s, .fsub_s]), rd: f(&random), rs1: f(&random),
                         rs2: f(&random), rm: random.oneIn(4) ? UInt16(random.below(8)) : 7)
            case 4: emit(random.pick([.fmv_x_d, .fclass_d, .fcvt_l_d]), rd: destination(), rs1: f(&random), rm: 7)
            case 5: emit(random.pick([.fmv_d_x, .fcvt_d_l]), rd: f(&random), rs1: source(), rm: 7)
            default: emit(random.pick([.feq_d, .flt_d, .fle_s]), rd: destination(), rs1: f(&random), rs2: f(&random))
            }
        }

        mutating func integerItem() {
            let op: Opcode = random.pick([.add, .sub, .xor, .mul, .divu, .remw, .sltu, .sll, .sra, .addw])
            if random.oneIn(3) {
                emit(random.pick([.addi, .xori, .andi, .slti]), rd: destination(), rs1: source(), imm: Int64(random.below(4096)) - 2048)
            } else {
                emit(op, rd: destination(), rs1: source(), rs2: source())
            }
        }
    }
}

/// Runs `SystemFuzzProgram`s on the interpreter and the JIT in lockstep.
public struct SystemFuzzer {
    public var fault: FaultInjection?
    /// Items per program.
    public var length: Int
    /// Compare the machines every this many instructions.
    public var interval: UInt64 = 64
    /// Programs with loop items (`SystemFuzzProgram.init(seed:length:loops:)`).
    public var loops = false

    public init(length: Int = 64, fault: FaultInjection? = nil) {
        self.length = length
        self.fault = fault
    }

    public struct Failure: Sendable {
        public var seed: UInt64
        public var report: [String]
    }

    /// The cases seed...seed+count-1; the first that diverges (or cannot run) stops the run.
    public func run(seed: UInt64, count: Int) -> (cases: Int, failure: Failure?) {
        for k in 0..<max(0, count) {
            let s = seed &+ UInt64(k)
            if let report = check(seed: s) { return (k + 1, Failure(seed: s, report: report)) }
        }
        return (max(0, count), nil)
    }

    /// Checks started by this process (names their temporary files).
    private static let checks = Atomic<Int>(0)

    /// Nil when both engines agree on the program for `seed`; else the report.
    public func check(seed: UInt64) -> [String]? {
        let program = SystemFuzzProgram(seed: seed, length: length, loops: loops)
        // Unique per check, not only per process and seed: checks of one seed may run at once
        // (the tests run it under several difftest intervals in parallel), and each deletes its
        // file when it is done.
        let path = "/tmp/trapeze-fuzz-system-\(getpid())-\(seed)-\(Self.checks.add(1, ordering: .relaxed).newValue).elf"
        guard program.write(to: path) else { return ["fuzz --system: cannot write \(path)"] }
        defer { unlink(path) }
        var configuration = SystemConfiguration()
        configuration.program = path
        configuration.memorySize = 1 << 20  // the image needs 80 KiB; all of RAM is compared often
        // Every item retires a few instructions; traps count too. Enough to finish, or to stop a
        // stream caught in a loop of its own making.
        configuration.maxInstructions = UInt64(program.instructions + program.loopInstructions) * 4 + 1000
        let options = SystemDifftestOptions(fault: fault, interval: interval, maxInstructions: configuration.maxInstructions,
                                            memoryCheckInterval: 1)
        do {
            let result = try SystemDifftest(configuration, options: options).run()
            guard let divergence = result.divergence else { return nil }
            return divergence.report + ["program (the random part; the prologue sets registers, vectors and page tables):"]
                + program.listing()
        } catch {
            return ["fuzz --system: seed \(seed): \(error.message)"]
        }
    }
}
