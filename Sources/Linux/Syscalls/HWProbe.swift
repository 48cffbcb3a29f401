import Guest
import RISCV

/// riscv_hwprobe's keys and values (arch/riscv/include/uapi/asm/hwprobe.h), from a `CPUModel`.
public enum HWProbe {
    public static let baseIMA: UInt64 = 1
    public static let misalignedSlow: UInt64 = 2
    /// The cache-block size of cbo.* (ZICBOZ_BLOCK_SIZE, ZICBOM_BLOCK_SIZE).
    public static let cacheBlockSize: UInt64 = Hart.cacheBlockSize

    /// IMA_EXT_0 bits of the multi-letter extensions, by name: an extension Trapeze does not
    /// have (yet) is simply never set, so adding it to `Extension` is all it takes.
    static let extensionBits: [(String, UInt64)] = [
        ("zba", 3), ("zbb", 4), ("zbs", 5), ("zicboz", 6), ("zbc", 7), ("zbkb", 8), ("zbkc", 9), ("zbkx", 10),
        ("zknd", 11), ("zkne", 12), ("zknh", 13), ("zksed", 14), ("zksh", 15),
        ("zfh", 27), ("zfhmin", 28), ("zihintntl", 29), ("zfa", 32), ("zacas", 34), ("zicond", 35),
        ("zihintpause", 36), ("zimop", 42), ("zcb", 44), ("zcmop", 47), ("zawrs", 48), ("zicbom", 55),
    ]

    /// IMA_EXT_0: F and D together (bit 0), C (1, and Zca 43; Zcd 45 with D), then one bit per
    /// extension.
    public static func imaExt0(_ cpu: CPUModel) -> UInt64 {
        var bits: UInt64 = 0
        if cpu.has(.f) && cpu.has(.d) { bits |= 1 << 0 }
        if cpu.has(.c) {
            bits |= 1 << 1 | 1 << 43
            if cpu.has(.d) { bits |= 1 << 45 }
        }
        for (name, bit) in extensionBits {
            if let e = Extension.named(name), cpu.has(e) { bits |= 1 << bit }
        }
        return bits
    }

    /// The value of `key`, or nil for keys this kernel does not know.
    public static func value(_ key: Int64, _ cpu: CPUModel, highestAddress: UInt64) -> UInt64? {
        switch key {
        case 0, 1, 2: 0                                       // mvendorid, marchid, mimpid
        case 3: baseIMA                                       // BASE_BEHAVIOR
        case 4: imaExt0(cpu)                                  // IMA_EXT_0
        case 5, 9: misalignedSlow                             // CPUPERF_0, MISALIGNED_SCALAR_PERF
        case 6: Extension.named("zicboz").map(cpu.has) == true ? cacheBlockSize : 0 // ZICBOZ_BLOCK_SIZE
        case 7: highestAddress                                // HIGHEST_VIRT_ADDRESS
        case 8: Hart.timebaseFrequency                        // TIME_CSR_FREQ
        case 12: Extension.named("zicbom").map(cpu.has) == true ? cacheBlockSize : 0 // ZICBOM_BLOCK_SIZE
        default: nil
        }
    }
}
