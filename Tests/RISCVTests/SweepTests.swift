import Testing
import RISCV

/// Validity agrees with objdump (restricted to RV64GC) over every 16-bit encoding and a
/// structured million-word sample of 32-bit ones; nothing crashes along the way.
@Suite struct SweepTests {
    @Test func everyCompressedEncoding() throws {
        let valid = try Goldens.bytes("compressed-valid.bin")
        var index = 0, disagreements: [String] = []
        for half in 0..<(1 << 16) where half & 3 != 3 {
            let inst = decode(UInt32(half))
            // Zcb and Zcmop (ext) fill encodings rv64gc reserves.
            let beyondRVC = inst != nil && [Extension.zcb, .zcmop].contains(ISA.compressedExtension(UInt16(half)))
            if (inst != nil) != Goldens.bit(valid, index) && !beyondRVC {
                disagreements.append(String(half, radix: 16) + (inst == nil ? " rejected" : " accepted"))
            }
            if let inst {
                #expect(inst.length == 2 && inst.raw == UInt32(half))
                _ = disassemble(inst, pc: 0x1000)
            }
            index += 1
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagree with objdump: \(disagreements.prefix(40))")
    }

    @Test func upperBitsOfACompressedWordAreIgnored() {
        for half: UInt32 in [0x0505, 0x8082, 0x4501, 0x0000] {
            #expect(decode(half | 0xabcd_0000) == decode(half))
        }
    }

    /// Encodings binutils accepts under rv64gc that are not RV64GC or its privileged instructions.
    static let otherExtensions: Set<UInt32> = [
        0x7b20_0073,  // dret (debug spec)
    ]

    @Test func thirtyTwoBitSample() throws {
        let valid = try Goldens.bytes("sweep32-valid.bin")
        #expect(valid.count * 8 >= Sweep32.count)
        var disagreements: [String] = [], accepted = 0, checksum: UInt32 = 0, index = 0
        for word in Sweep32() {
            checksum &+= word
            let inst = decode(word)
            // objdump's binary mode knows rv64gc alone; the bit and crypto groups have their own goldens.
            let beyondRV64GC = inst?.opcode.group == .bit || inst?.opcode.group == .crypto || [.zfa, .zfh, .zfhmin].contains(inst?.opcode.info.ext)
                || [.zimop, .zacas, .zicbom, .zicboz, .zawrs].contains(inst?.opcode.info.ext)
            if (inst != nil) != Goldens.bit(valid, index) && !Self.otherExtensions.contains(word) && !beyondRV64GC {
                disagreements.append(String(word, radix: 16) + (inst == nil ? " rejected" : " accepted"))
            }
            if let inst {
                accepted += 1
                #expect(inst.length == 4 && inst.raw == word)
                _ = disassemble(inst, pc: 0x1000)
            }
            index += 1
        }
        #expect(index == Sweep32.count)
        #expect(checksum == 0x0b99_5698, "the Swift sweep generator drifted from tools/gen-riscv-goldens.py")
        #expect(accepted > 100_000, "the sample hits too few valid encodings")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagree with objdump: \(disagreements.prefix(40))")
    }

    @Test func longerEncodingsAreRejected() {
        // Bits 4:2 = 111 announce 48-bit and longer instructions.
        for word: UInt32 in [0x0000_001f, 0x0000_003f, 0x0000_007f, 0xffff_ffff, 0x1234_567f] {
            #expect(decode(word) == nil)
        }
    }
}
