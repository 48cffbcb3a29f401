import RISCV

/// The code and data the boot ROM holds at `MemoryMap.bootROM`, where the hart starts in M-mode:
/// the calling convention of OpenSBI's `fw_dynamic` (a0 = hart id, a1 = device tree, a2 =
/// `struct fw_dynamic_info`), then a jump to the firmware, or straight to a bare-metal program.
public struct ResetVector: Equatable, Sendable {
    /// Where the reset vector jumps (the firmware's entry, or a bare-metal ELF's).
    public var entry: UInt64
    /// The device tree's physical address, passed in a1.
    public var deviceTree: UInt64
    /// What firmware starts next: `fw_dynamic_info.next_addr` (the kernel's entry, or 0).
    public var nextAddress: UInt64

    public static let dynamicInfoMagic: UInt64 = 0x4942_534f, dynamicInfoVersion: UInt64 = 2
    /// `next_mode`: the kernel runs in S-mode.
    public static let nextModeSupervisor: UInt64 = 1
    // Layout after the code: entry and device-tree words, then fw_dynamic_info's six words.
    static let entryOffset: Int64 = 0x18, deviceTreeOffset: Int64 = 0x20, infoOffset: Int64 = 0x28

    public init(entry: UInt64, deviceTree: UInt64, nextAddress: UInt64) {
        self.entry = entry
        self.deviceTree = deviceTree
        self.nextAddress = nextAddress
    }

    /// The ROM image: six instructions, then the data they load.
    public var bytes: [UInt8] {
        let t0: UInt8 = 5, a0: UInt8 = 10, a1: UInt8 = 11, a2: UInt8 = 12
        let code = [
            Instruction(opcode: .auipc, rd: t0, imm: 0),
            Instruction(opcode: .addi, rd: a2, rs1: t0, imm: Self.infoOffset),
            Instruction(opcode: .csrrs, rd: a0, rs1: 0, csr: 0xf14),  // csrr a0, mhartid
            Instruction(opcode: .ld, rd: a1, rs1: t0, imm: Self.deviceTreeOffset),
            Instruction(opcode: .ld, rd: t0, rs1: t0, imm: Self.entryOffset),
            Instruction(opcode: .jalr, rd: 0, rs1: t0, imm: 0),
        ]
        var out: [UInt8] = []
        for i in code { append(UInt64(encode(i)), bytes: 4, to: &out) }
        // struct fw_dynamic_info { magic, version, next_addr, next_mode, options, boot_hart }.
        for word in [entry, deviceTree, Self.dynamicInfoMagic, Self.dynamicInfoVersion, nextAddress,
                     Self.nextModeSupervisor, 0, 0] {
            append(word, bytes: 8, to: &out)
        }
        return out
    }

    /// The physical address of `fw_dynamic_info` (a2).
    public static var dynamicInfoAddress: UInt64 { MemoryMap.bootROM + UInt64(infoOffset) }

    private func append(_ value: UInt64, bytes n: Int, to out: inout [UInt8]) {
        for k in 0..<n { out.append(UInt8(truncatingIfNeeded: value >> (8 * k))) }
    }
}
