#if canImport(Glibc)
import Glibc
#endif
import Guest
import RISCV

/// getrandom and the RISC-V-specific calls (futex is in Threads/).
extension LinuxProcess {
    func sysGetrandom(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let length = UInt64(UInt32(truncatingIfNeeded: a[1]))
        return passthrough(.getrandom, try buffer(a[0], length, .write), Int(length), a.int(2))
    }

    /// Answers for the calling hart's `--cpu` choice (no vector extension); unknown keys get
    /// key −1, as Linux does.
    func sysRiscvHWProbe(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let pairs = a[0], count = a[1]
        guard a[4] == 0 else { throw .invalid }
        guard count <= 1 << 16 else { throw .invalid }
        if a[2] != 0 { _ = try buffer(a[3], a[2], .read) }
        let cpu = a.hart.cpu
        for i in 0..<count {
            let entry = pairs &+ i &* 16
            guard let key = try? memory.load(entry, as: UInt64.self) else { throw .fault }
            let value = HWProbe.value(Int64(bitPattern: key), cpu, highestAddress: memory.limit - 1)
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
