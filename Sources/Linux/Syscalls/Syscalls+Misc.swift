#if canImport(Glibc)
import Glibc
#endif
import Guest

/// futex, getrandom and the RISC-V-specific calls.
extension LinuxProcess {
    func sysGetrandom(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let length = UInt64(UInt32(truncatingIfNeeded: a[1]))
        return passthrough(.getrandom, try buffer(a[0], length, .write), Int(length), a.int(2))
    }

    /// Futexes for a single-threaded process: nobody else can change the word or wake a waiter.
    /// WAIT fails with EAGAIN if the word differs; otherwise it sleeps for the timeout and reports
    /// ETIMEDOUT, or without a timeout blocks until a signal arrives for the guest (as Linux would).
    /// WAKE wakes nobody (0); WAKE_OP still performs its write.
    func sysFutex(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let address = a[0], op = a.int(1) & 0x7f, value = UInt32(truncatingIfNeeded: a[2])
        guard address % 4 == 0 else { throw .invalid }
        switch op {
        case 0, 9:  // FUTEX_WAIT, FUTEX_WAIT_BITSET
            guard let current = try? memory.load(address, as: UInt32.self) else { throw .fault }
            if current != value { throw SyscallError(EAGAIN) }
            if a[3] != 0 {
                // WAIT's timeout is relative; WAIT_BITSET's is absolute on the chosen clock.
                let clock = a.int(1) & 256 != 0 ? Int(CLOCK_REALTIME) : Int(CLOCK_MONOTONIC)
                guard let ts = try? memory.read(a[3], count: 16) else { throw .fault }
                let r = ts.withUnsafeBytes { p in
                    host { HostSyscall.call(.clock_nanosleep, clock, op == 9 ? 1 : 0, Int(bitPattern: p.baseAddress), 0) }
                }
                return r < 0 ? r : -Int64(ETIMEDOUT)
            }
            while !signals.pending { _ = HostSyscall.call(.ppoll, 0, 0, 0, 0, 8) }
            return -Int64(EINTR)
        case 1, 10:  // FUTEX_WAKE, FUTEX_WAKE_BITSET
            return 0
        case 3:  // FUTEX_REQUEUE
            return 0
        case 4:  // FUTEX_CMP_REQUEUE
            guard let current = try? memory.load(address, as: UInt32.self) else { throw .fault }
            if current != UInt32(truncatingIfNeeded: a[5]) { throw SyscallError(EAGAIN) }
            return 0
        case 5:  // FUTEX_WAKE_OP
            try futexWakeOp(a[4], UInt32(truncatingIfNeeded: a[5]))
            return 0
        default:
            throw SyscallError(ENOSYS)
        }
    }

    /// The write half of FUTEX_WAKE_OP: `*uaddr2 = *uaddr2 OP oparg`.
    private func futexWakeOp(_ address: UInt64, _ encoded: UInt32) throws(SyscallError) {
        guard address % 4 == 0 else { throw .invalid }
        guard let old = try? memory.load(address, as: UInt32.self) else { throw .fault }
        var op = encoded >> 28
        var arg = (encoded >> 12) & 0xfff
        if op & 8 != 0 { op &= 7; arg = 1 << (arg & 31) }
        let new: UInt32
        switch op {
        case 0: new = arg
        case 1: new = old &+ arg
        case 2: new = old | arg
        case 3: new = old & ~arg
        case 4: new = old ^ arg
        default: throw SyscallError(ENOSYS)
        }
        do { try memory.store(address, new) } catch { throw .fault }
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
        memory.invalidateCode()
        return 0
    }
}
