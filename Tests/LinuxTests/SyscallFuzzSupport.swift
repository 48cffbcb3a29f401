#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Guest
import Linux
import TestSupport

/// A guest process set up for throwing random system calls at, in a way that cannot hurt the
/// test process around it: every file descriptor argument comes from a pool of descriptors the
/// sandbox opened on its own temporary directory (or is certainly invalid), and every byte a
/// pointer argument can reach is free of `/` and `.`, so any path a syscall reads is a plain
/// name resolved in that directory (or, for dirfd-less calls, a name that does not exist).
final class FuzzSandbox {
    let hart: Hart
    let process: LinuxProcess
    let directory: String
    let directoryFD: Int32, fileFD: Int32, readOnlyFD: Int32
    /// 64 KiB read-write and 4 KiB read-only guest memory, filled with path-safe bytes.
    let scratch: UInt64, readOnly: UInt64
    static let scratchSize: UInt64 = 0x10000
    /// Descriptors some call created (opened, duplicated): closed when the sandbox goes.
    private var created: Set<Int32> = []

    init(seed: UInt64, limits: GuestLimits = GuestLimits()) throws {
        var template = Array("/tmp/trapeze-fuzz-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        let program = directory + "/prog"
        _ = FileManager.default.createFile(atPath: program, contents: Data(ELFBuilder().build()), attributes: [.posixPermissions: 0o755])
        _ = FileManager.default.createFile(atPath: directory + "/data", contents: Data(repeating: 0x41, count: 8192))
        _ = FileManager.default.createFile(atPath: directory + "/ro", contents: Data(repeating: 0x42, count: 100))
        directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        fileFD = open(directory + "/data", O_RDWR | O_CLOEXEC)
        readOnlyFD = open(directory + "/ro", O_RDONLY | O_CLOEXEC)
        hart = Hart(memory: GuestMemory(limit: 1 << 32))
        process = try LinuxProcess(hart: hart, options: LinuxOptions(
            program: program, arguments: ["prog"], environment: [], limits: limits))
        scratch = 0x4000_0000
        readOnly = scratch + FuzzSandbox.scratchSize + 0x1000
        hart.memory.mapAnonymous(scratch, FuzzSandbox.scratchSize, [.read, .write])
        hart.memory.mapAnonymous(readOnly, 0x1000, [.read])
        var rng = SeededRandom(seed: seed)
        let fill = (0..<(FuzzSandbox.scratchSize + 0x1000)).map { _ in FuzzSandbox.pathSafe(rng.next()) }
        _ = hart.memory.poke(scratch, fill.prefix(Int(FuzzSandbox.scratchSize)))
        _ = hart.memory.poke(readOnly, fill.suffix(0x1000))
    }

    /// A byte that can sit in a path without making it absolute or climbing out (`/`, `.`),
    /// with zeros common enough that strings end.
    static func pathSafe(_ r: UInt64) -> UInt8 {
        if r % 8 == 0 { return 0 }
        let b = UInt8(truncatingIfNeeded: r >> 8)
        return b == UInt8(ascii: "/") || b == UInt8(ascii: ".") ? UInt8(ascii: "x") : b
    }

    /// Makes one call the way the guest would; returns a0.
    @discardableResult
    func call(_ number: Int, _ args: [UInt64]) -> Int64 {
        for i in 0..<6 { hart.state.setX(10 + i, i < args.count ? args[i] : 0) }
        hart.state.setX(17, UInt64(number))
        hart.state.pc = process.program.entry
        _ = process.environmentCall(hart)
        let result = Int64(bitPattern: hart.state.x(10))
        noteCreatedDescriptors(number, args, result)
        return result
    }

    private func noteCreatedDescriptors(_ number: Int, _ args: [UInt64], _ result: Int64) {
        guard result >= 0 else { return }
        switch number {
        case 23, 24, 56, 279: created.insert(Int32(truncatingIfNeeded: result))         // dup, dup3, openat, memfd_create
        case 25 where [0, 1030].contains(Int32(truncatingIfNeeded: args[1])):          // F_DUPFD(_CLOEXEC)
            created.insert(Int32(truncatingIfNeeded: result))
        case 59:                                                                        // pipe2
            for k in 0..<2 {
                if let fd = try? hart.memory.load(args[0] &+ UInt64(4 * k), as: Int32.self) { created.insert(fd) }
            }
        default: break
        }
    }

    deinit {
        for fd in created.subtracting([directoryFD, fileFD, readOnlyFD]) where fd > 2 { close(fd) }
        close(directoryFD)
        close(fileFD)
        close(readOnlyFD)
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Argument pools

    /// Descriptors: the sandbox's own, or numbers no process has open.
    func descriptor(_ rng: inout SeededRandom) -> UInt64 {
        let pool: [Int64] = [Int64(directoryFD), Int64(fileFD), Int64(readOnlyFD), -1, -9, 0x7fff_fff0, 0x4000_0000 + Int64(rng.next() % 1000)]
        return UInt64(bitPattern: pool[Int(rng.next() % UInt64(pool.count))])
    }

    /// Pointers: into the scratch or read-only pages, straddling their ends, unmapped guest
    /// memory, at and beyond the guest limit, non-canonical, NULL.
    func pointer(_ rng: inout SeededRandom) -> UInt64 {
        switch rng.next() % 12 {
        case 0: 0
        case 1, 2, 3: scratch + rng.next() % FuzzSandbox.scratchSize
        case 4: scratch + FuzzSandbox.scratchSize - rng.next() % 64          // runs off the end
        case 5: readOnly + rng.next() % 0x1000
        case 6: 0x1000 + (rng.next() % 0x1000) * 0x1000                     // never mapped
        case 7: (1 << 32) - rng.next() % 16                                   // straddles the limit
        case 8: (1 << 32) + rng.next() % (1 << 40)
        case 9: 1 << (38 + rng.next() % 26)
        case 10: UInt64.max - rng.next() % 64
        default: rng.next()
        }
    }

    /// Integers: the boundary values syscalls check, small ones, and anything.
    func integer(_ rng: inout SeededRandom) -> UInt64 {
        let special: [UInt64] = [0, 1, 2, 3, 4, 8, 64, 4096, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff,
                                 UInt64.max, UInt64.max - 1, 1 << 63, 1 << 32, 0x1_0000_0000_0000]
        switch rng.next() % 4 {
        case 0: return special[Int(rng.next() % UInt64(special.count))]
        case 1: return rng.next() % 64
        case 2: return rng.next() % 0x20000
        default: return rng.next()
        }
    }

    /// Arguments for `number`, shaped by its table row when it has one.
    func arguments(for number: Int, _ rng: inout SeededRandom) -> [UInt64] {
        let kinds = SyscallTable.entry(number)?.arguments ?? []
        return (0..<6).map { i -> UInt64 in
            let kind = i < kinds.count ? kinds[i] : .int
            switch kind {
            case .fd, .dirfd: return descriptor(&rng)
            case .pointer, .string, .input, .output, .strings:
                return rng.next() % 8 == 0 ? integer(&rng) : pointer(&rng)
            case .int, .hex, .octal: return integer(&rng)
            }
        }
    }
}

/// Calls the fuzzer never makes, and why: they would end, block, reparent or reconfigure the
/// test process itself, touch processes or files outside the sandbox, or belong to the signal
/// layer (tested separately).
enum FuzzExclusions {
    static let reasons: [Int: String] = [
        93: "exit", 94: "exit_group", 220: "clone (forks the test process)", 435: "clone3",
        221: "execve", 281: "execveat", 95: "waitid (could reap the test runner's children)",
        260: "wait4 (ditto)", 129: "kill", 130: "tkill", 131: "tgkill",
        154: "setpgid", 157: "setsid", 140: "setpriority", 166: "umask", 49: "chdir", 50: "fchdir",
        164: "setrlimit", 261: "prlimit64 (other pids pass through)", 167: "prctl (PR_SET_PDEATHSIG)",
        81: "sync (slow, system-wide)", 45: "truncate (dirfd-less path)", 32: "flock (may block)",
        71: "sendfile (unbounded copies)", 73: "ppoll (blocks)", 101: "nanosleep (blocks)",
        115: "clock_nanosleep (blocks)", 98: "futex (FUTEX_WAIT blocks)", 57: "close (numbers get reused by other threads)",
        102: "getitimer (signal layer)", 103: "setitimer (signal layer)", 132: "sigaltstack (signal layer)",
        133: "rt_sigsuspend (blocks)", 134: "rt_sigaction (signal layer)", 135: "rt_sigprocmask (signal layer)",
        136: "rt_sigpending (signal layer)", 137: "rt_sigtimedwait (blocks)", 139: "rt_sigreturn (signal layer)",
        72: "pselect6 (blocks)",
        143: "setregid (the test thread's credentials)", 144: "setgid (ditto)", 145: "setreuid (ditto)",
        146: "setuid (ditto)", 147: "setresuid (ditto)", 149: "setresgid (ditto)", 151: "setfsuid (ditto)",
        152: "setfsgid (ditto)", 159: "setgroups (ditto)",
        198: "socket (the network)", 199: "socketpair (ditto)", 200: "bind (ditto)", 201: "listen (ditto)",
        202: "accept (blocks)", 203: "connect (the network)", 204: "getsockname (ditto)", 205: "getpeername (ditto)",
        206: "sendto (ditto)", 207: "recvfrom (blocks)", 208: "setsockopt (the network)", 209: "getsockopt (ditto)",
        210: "shutdown (ditto)", 211: "sendmsg (ditto)", 212: "recvmsg (blocks)", 242: "accept4 (blocks)",
        243: "recvmmsg (blocks)", 269: "sendmmsg (the network)",
    ]
}
