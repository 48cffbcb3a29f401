#if canImport(Glibc)
import Glibc
#endif
import Guest

/// getrandom and the RISC-V-specific calls (futex is in Threads/).
extension LinuxProcess {
    func sysGetrandom(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let length = UInt64(UInt32(truncatingIfNeeded: a[1]))
        return passthrough(.getrandom, try buffer(a[0], length, .write), Int(length), a.int(2))
    }

    /// riscv_hwprobe keys (arch/riscv/include/uapi/asm/hwprobe.h).
    enum HWProbe {
        static let baseIMA: UInt64 = 1
        static let extFD: UInt64 = 1 << 0, extC: UInt64 = 1 << 1
        /// Zba, Zbb, Zbs, Zbc, Zbkb, Zbkc, Zbkx (bits 3, 4, 5, 7, 8, 9, 10): the bit group both
        /// engines run. (Zicond has a bit too, but not in the headers this was checked against.)
        static let extBit: UInt64 = 1 << 3 | 1 << 4 | 1 << 5 | 1 << 7 | 1 << 8 | 1 << 9 | 1 << 10
        static let misalignedSlow: UInt64 = 2
    }

    /// Answers what an RV64GC hart with the bit group and no vector extension has; unknown
    /// keys get key −1, as Linux does.
    func sysRiscvHWProbe(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let pairs = a[0], count = a[1]
        guard a[4] == 0 else { throw .invalid }
        guard count <= 1 << 16 else { throw .invalid }
        if a[2] != 0 { _ = try buffer(a[3], a[2], .read) }
        for i in 0..<count {
            let entry = pairs &+ i &* 16
            guard let key = try? memory.load(entry, as: UInt64.self) else { throw .fault }
            let value: UInt64?
            switch Int64(bitPattern: key) {
            case 0, 1, 2: value = 0                          // mvendorid, marchid, mimpid
            case 3: value = HWProbe.baseIMA                  // BASE_BEHAVIOR
            case 4: value = HWProbe.extFD | HWProbe.extC | HWProbe.extBit // IMA_EXT_0
            case 5, 9: value = HWProbe.misalignedSlow        // CPUPERF_0, MISALIGNED_SCALAR_PERF
            case 7: value = memory.limit - 1                 // HIGHEST_VIRT_ADDRESS
            case 8: value = Hart.timebaseFrequency           // TIME_CSR_FREQ
            default: value = nil
            }
            do {
                if value == nil { try memory.store(entry, UInt64.max) }
                try memory.store(entry &+ 8, value ?? 0)
            } catch { throw .fault }
        }
        return 0
    }

    func sysFlushICache(_ a: SyscallArguments) -> Int64 {
        guard a[2] & ~1 == 0 else { return -Int64(EINVAL) }
        // Linux makes all code coherent whatever the range; a guest must name the range it
        // changed (__builtin___clear_cache does), so only that range's translations go.
        // An empty or reversed range drops everything, as the kernel would.
        if a[1] > a[0] { memory.invalidateCode(a[0], a[1] &- a[0]) } else { memory.invalidateCode() }
        return 0
    }
}
