#if canImport(Glibc)
import Glibc
#endif
import Guest
import Linux
import Testing
import TestSupport

/// The syscall layer under random and hostile arguments: nothing may crash Trapeze, every result
/// must be a value or a −errno, and a bad guest pointer must come back as −EFAULT.
@Suite struct SyscallFuzzTests {
    /// Seeded random calls (numbers 0..<500, arguments shaped by the table: descriptors from the
    /// sandbox, wild and boundary pointers, boundary integers) on fresh processes.
    @Test(arguments: [0x5eed_0001, 0x5eed_0002] as [UInt64])
    func randomCallsNeverCrash(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        var faults = 0, successes = 0, calls = 0
        for round in 0..<24 {
            let sandbox = try FuzzSandbox(seed: seed &+ UInt64(round),
                                          limits: round % 3 == 0 ? GuestLimits(memoryBytes: 32 << 20) : GuestLimits())
            for _ in 0..<60 {
                let number = Int(rng.next() % 500)
                if FuzzExclusions.reasons[number] != nil { continue }
                let args = sandbox.arguments(for: number, &rng)
                let r = sandbox.call(number, args)
                calls += 1
                #expect(r >= -4095, "syscall \(number) \(args.map { String($0, radix: 16) }) returned \(r)")
                if r == -Int64(EFAULT) { faults += 1 }
                if r >= 0 { successes += 1 }
            }
        }
        // The arguments reach the handlers' checks rather than all failing one way.
        #expect(calls > 1000)
        #expect(faults > 20 && successes > 20, "EFAULT \(faults), successes \(successes) of \(calls)")
    }

    /// Every table row at least once with each shape of bad pointer in each pointer argument.
    @Test func everyImplementedCallWithBadPointers() throws {
        let sandbox = try FuzzSandbox(seed: 7)
        var rng = SeededRandom(seed: 8)
        for number in 0..<512 where SyscallTable.entry(number) != nil && FuzzExclusions.reasons[number] == nil {
            for _ in 0..<12 {
                let r = sandbox.call(number, sandbox.arguments(for: number, &rng))
                #expect(r >= -4095, "syscall \(number) returned \(r)")
            }
        }
    }

    /// Bad pointers, one per call, with every other argument valid: each must be −EFAULT, and
    /// nothing may be written outside guest memory.
    @Test func badPointersGiveEFAULT() throws {
        let s = try FuzzSandbox(seed: 9)
        let fd = UInt64(s.fileFD), dir = UInt64(s.directoryFD)
        // Not mapped; straddling the end of the scratch; past the guest limit; the x86 kernel
        // half; wrapping at 2^64; and read-only memory where the kernel must write.
        let bad: [UInt64] = [0x2000, s.scratch + FuzzSandbox.scratchSize - 2, 1 << 32, 1 << 38, 1 << 47,
                             0xffff_8000_0000_0000, UInt64.max - 3]
        let readOnly = s.readOnly
        let buf = s.scratch + 0x100
        let name = s.scratch + 0x8000
        _ = s.hart.memory.poke(name, Array("fuzzname".utf8) + [0])
        // A string that runs off the end of the scratch has no NUL before it does.
        _ = s.hart.memory.poke(s.scratch + FuzzSandbox.scratchSize - 2, [0x61, 0x62])
        // The name exists (a symlink to the data file), so only the bad pointer can fail a call.
        #expect(symlink("data", s.directory + "/fuzzname") == 0)
        for p in bad + [readOnly] {
            let writes: [(String, Int, [UInt64])] = [
                ("read", 63, [fd, p, 16]), ("pread64", 67, [fd, p, 16, 0]), ("fstat", 80, [fd, p]),
                ("newfstatat", 79, [dir, name, p, 0]), ("statx", 291, [dir, name, 0, 0x7ff, p]),
                ("getcwd", 17, [p, 64]), ("pipe2", 59, [p, 0]), ("clock_gettime", 113, [0, p]),
                ("clock_getres", 114, [0, p]), ("gettimeofday", 169, [p, 0]), ("times", 153, [p]),
                ("uname", 160, [p]), ("sysinfo", 179, [p]), ("getrusage", 165, [0, p]),
                ("getrlimit", 163, [7, p]), ("getrandom", 278, [p, 16, 0]), ("getresuid", 148, [p, p, p]),
                ("sched_getaffinity", 123, [0, 128, p]), ("getdents64", 61, [dir, p, 256]),
                ("readlinkat", 78, [dir, name, p, 64]), ("fstatfs", 44, [fd, p]),
                ("riscv_hwprobe", 258, [p, 1, 0, 0, 0]), ("fcntl F_GETLK", 25, [fd, 5, p]),
            ]
            for (what, number, args) in writes {
                #expect(s.call(number, args) == -Int64(EFAULT), "\(what) with pointer 0x\(String(p, radix: 16))")
            }
            guard p != readOnly else { continue }  // reading from read-only memory is fine
            let reads: [(String, Int, [UInt64])] = [
                ("write", 64, [fd, p, 16]), ("pwrite64", 68, [fd, p, 16, 0]), ("openat path", 56, [dir, p, 0, 0]),
                ("mkdirat path", 34, [dir, p, 0o755]), ("unlinkat path", 35, [dir, p, 0]),
                ("faccessat path", 48, [dir, p, 0]), ("statfs path", 43, [p, buf]),
                ("readv iovec", 65, [fd, p, 1]), ("writev iovec", 66, [fd, p, 1]),
                ("symlinkat target", 36, [p, dir, name]), ("renameat2 old", 276, [dir, p, dir, name, 0]),
                ("utimensat times", 88, [dir, name, p, 0]), ("memfd_create name", 279, [p, 0]),
            ]
            for (what, number, args) in reads {
                #expect(s.call(number, args) == -Int64(EFAULT), "\(what) with pointer 0x\(String(p, radix: 16))")
            }
        }
        // An iovec that is itself fine but points at a bad buffer.
        for p in bad {
            try s.hart.memory.store(buf, p)
            try s.hart.memory.store(buf + 8, UInt64(16))
            #expect(s.call(65, [fd, buf, 1]) == -Int64(EFAULT), "readv into 0x\(String(p, radix: 16))")
            #expect(s.call(66, [fd, buf, 1]) == -Int64(EFAULT), "writev from 0x\(String(p, radix: 16))")
        }
    }

    /// fcntl's F_GET_RW_HINT/F_SET_RW_HINT (1035/1036) and the file variants (1037/1038) take a
    /// pointer to a u64. Passed through unchecked, the host kernel would read or write the *host*
    /// address equal to the guest's value: a write into Trapeze's memory. They must be checked
    /// like every other pointer, and work on guest memory.
    @Test func fcntlWriteHintPointersAreGuestPointers() throws {
        let s = try FuzzSandbox(seed: 10)
        let fd = UInt64(s.fileFD)
        let slot = s.scratch + 0x200
        try s.hart.memory.store(slot, UInt64(2))           // RWH_WRITE_LIFE_SHORT
        let set = s.call(25, [fd, 1036, slot])
        if set == -Int64(EINVAL) { return }                 // a kernel without write hints
        #expect(set == 0)
        try s.hart.memory.store(slot, UInt64(0xdead))
        #expect(s.call(25, [fd, 1035, slot]) == 0)
        #expect(try s.hart.memory.load(slot, as: UInt64.self) == 2)
        for p: UInt64 in [0x2000, 1 << 38, UInt64(UInt(bitPattern: s.hart.memory.base))] {
            #expect(s.call(25, [fd, 1035, p]) == -Int64(EFAULT))
            #expect(s.call(25, [fd, 1036, p]) == -Int64(EFAULT))
        }
    }
}
