#if canImport(Glibc)
import Glibc
#endif
import Testing
import Guest
import Linux

/// Syscalls made by hand: registers set, `environmentCall`, result read from a0.
final class GuestProcess {
    let hart: Hart
    let process: LinuxProcess
    let programPath: String

    init(strace: Int32? = nil) throws {
        hart = Hart(memory: GuestMemory(limit: 1 << 32))
        programPath = temporaryFile("prog", ELFBuilder().build())
        process = try LinuxProcess(hart: hart, options: LinuxOptions(
            program: programPath, arguments: ["prog"], environment: ["HOME=/"], strace: strace != nil,
            straceFD: strace ?? 2))
        // 64 KiB of scratch memory for arguments; pc goes back to the entry afterwards.
        let page = call(222, 0, 0x10000, 3, 0x22, UInt64(bitPattern: -1), 0)
        precondition(page > 0)
        scratchAddress = UInt64(page)
        hart.state.pc = process.program.entry
    }
    private(set) var scratchAddress: UInt64 = 0

    @discardableResult
    func call(_ number: UInt64, _ args: UInt64...) -> Int64 {
        for (i, a) in args.enumerated() { hart.state.setX(10 + i, a) }
        hart.state.setX(17, number)
        let pc = hart.state.pc
        let c = process.environmentCall(hart)
        precondition(c == .resume && hart.state.pc == pc + 4)
        return Int64(bitPattern: hart.state.x(10))
    }

    /// Puts a C string in scratch memory at `offset` and returns its guest address.
    func string(_ s: String, at offset: UInt64 = 0x800) -> UInt64 {
        try! hart.memory.write(scratchAddress + offset, Array(s.utf8) + [0])
        return scratchAddress + offset
    }
}

func hostPipe() -> (Int32, Int32) {
    var fds: [Int32] = [0, 0]
    _ = pipe(&fds)
    return (fds[0], fds[1])
}

@Suite struct SyscallTests {
    @Test func processStartsAtTheEntryWithAStack() throws {
        let g = try GuestProcess()
        #expect(g.hart.state.pc == 0x10000)
        #expect(g.hart.state.x(2) == g.process.initialStackPointer)
        #expect(g.hart.environment === g.process)
    }

    @Test func writeGoesToTheHostFileDescriptor() throws {
        let g = try GuestProcess()
        let (r, w) = hostPipe()
        defer { close(r); close(w) }
        try g.hart.memory.write(g.scratchAddress, Array("hello".utf8))
        #expect(g.call(64, UInt64(w), g.scratchAddress, 5) == 5)
        var buf = [UInt8](repeating: 0, count: 5)
        #expect(read(r, &buf, 5) == 5)
        #expect(buf == Array("hello".utf8))
    }

    @Test func openatAndReadATemporaryFile() throws {
        let g = try GuestProcess()
        let path = temporaryFile("data.txt", Array("file contents".utf8), mode: 0o644)
        let fd = g.call(56, UInt64(bitPattern: -100), g.string(path), 0, 0)
        #expect(fd >= 0)
        #expect(g.call(63, UInt64(fd), g.scratchAddress + 0x100, 100) == 13)
        #expect(try g.hart.memory.read(g.scratchAddress + 0x100, count: 13) == Array("file contents".utf8))
        #expect(g.call(57, UInt64(fd)) == 0)
        #expect(g.call(56, UInt64(bitPattern: -100), g.string("/nonexistent/x"), 0, 0) == -Int64(ENOENT))
    }

    @Test func badGuestPointersAreEFAULT() throws {
        let g = try GuestProcess()
        let (r, w) = hostPipe()
        defer { close(r); close(w) }
        #expect(g.call(64, UInt64(w), 0x10, 4) == -Int64(EFAULT))
        #expect(g.call(64, UInt64(w), 0xffff_ffff_ffff_0000, 4) == -Int64(EFAULT))
        // A buffer that runs off the end of the mapping.
        #expect(g.call(63, UInt64(r), g.scratchAddress + 0xfff0, 0x100) == -Int64(EFAULT))
        #expect(g.call(56, UInt64(bitPattern: -100), 0x20, 0, 0) == -Int64(EFAULT))
        // The program's read-only text cannot be a read() destination.
        #expect(g.call(63, UInt64(r), 0x10000, 4) == -Int64(EFAULT))
    }

    @Test func unknownSyscallsAreENOSYS() throws {
        let g = try GuestProcess()
        #expect(g.call(999) == -Int64(ENOSYS))
        #expect(g.call(244) == -Int64(ENOSYS))
        #expect(g.call(UInt64.max) == -Int64(ENOSYS))
        #expect(g.call(293, 0, 0, 0, 0) == -Int64(ENOSYS))  // rseq: glibc carries on without it
        #expect(g.call(435, 0, 0) == -Int64(EINVAL))  // clone3 with no clone_args
    }

    @Test func mmapMunmapAndMprotect() throws {
        let g = try GuestProcess()
        let m = g.hart.memory
        let a = g.call(222, 0, 0x3000, 3, 0x22, UInt64(bitPattern: -1), 0)
        #expect(a > 0 && a % 4096 == 0)
        let address = UInt64(a)
        #expect(m.pageFlags(address) == [.mapped, .read, .write])
        #expect(try m.load(address + 0x2ff8, as: UInt64.self) == 0)
        #expect(g.call(226, address, 0x1000, 1) == 0)
        #expect(m.pageFlags(address) == [.mapped, .read])
        // MAP_FIXED_NOREPLACE over an existing mapping fails; MAP_FIXED replaces it.
        #expect(g.call(222, address, 0x1000, 3, 0x100022, UInt64(bitPattern: -1), 0) == -Int64(EEXIST))
        #expect(g.call(222, address, 0x1000, 7, 0x32, UInt64(bitPattern: -1), 0) == a)
        #expect(m.pageFlags(address) == [.mapped, .read, .write, .execute])
        #expect(g.call(215, address, 0x3000) == 0)
        #expect(m.pageFlags(address + 0x1000) == [])
        #expect(g.call(215, address + 1, 0x1000) == -Int64(EINVAL))
        #expect(g.call(222, 0, 0, 3, 0x22, UInt64(bitPattern: -1), 0) == -Int64(EINVAL))
        #expect(g.call(226, address, 0x1000, 3) == -Int64(ENOMEM))  // no longer mapped
    }

    @Test func fileBackedMmapSeesTheFile() throws {
        let g = try GuestProcess()
        let path = temporaryFile("mapped", Array("mapped bytes".utf8), mode: 0o644)
        let fd = g.call(56, UInt64(bitPattern: -100), g.string(path), 0, 0)
        let a = g.call(222, 0, 12, 1, 2, UInt64(fd), 0)
        #expect(a > 0)
        #expect(try g.hart.memory.read(UInt64(a), count: 12) == Array("mapped bytes".utf8))
        #expect(g.call(222, 0, 12, 1, 2, 9999, 0) == -Int64(EBADF))
    }

    @Test func brkGrowsAndShrinksTheHeap() throws {
        let g = try GuestProcess()
        let m = g.hart.memory
        let start = g.call(214, 0)
        #expect(start == Int64(g.process.brkStart))
        #expect(start % 4096 == 0 && start >= 0x11000)
        #expect(g.call(214, UInt64(start) + 0x2100) == start + 0x2100)
        #expect(m.pageFlags(UInt64(start) + 0x2000) == [.mapped, .read, .write])
        try m.store(UInt64(start) + 0x2000, UInt64(42))
        #expect(g.call(214, UInt64(start) + 0x10) == start + 0x10)
        #expect(m.pageFlags(UInt64(start) + 0x2000) == [])
        // Below the start, brk just reports the current break.
        #expect(g.call(214, 0x1000) == start + 0x10)
    }

    @Test func madviseDontneedZeroesAnonymousPages() throws {
        let g = try GuestProcess()
        try g.hart.memory.store(g.scratchAddress + 8, UInt64(0x1234))
        #expect(g.call(233, g.scratchAddress, 0x1000, 4) == 0)
        #expect(try g.hart.memory.load(g.scratchAddress + 8, as: UInt64.self) == 0)
    }

    @Test func newfstatatWritesTheRISCVStatLayout() throws {
        let g = try GuestProcess()
        let path = temporaryFile("sized", [UInt8](repeating: 7, count: 1234), mode: 0o640)
        let buf = g.scratchAddress + 0x100
        #expect(g.call(79, UInt64(bitPattern: -100), g.string(path), buf, 0) == 0)
        let bytes = try g.hart.memory.read(buf, count: 128)
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(readLE(bytes, 8, 8) == UInt64(st.st_ino))
        #expect(readLE(bytes, 16, 4) == UInt64(S_IFREG | 0o640))
        #expect(readLE(bytes, 20, 4) == 1)  // nlink
        #expect(readLE(bytes, 24, 4) == UInt64(getuid()))
        #expect(readLE(bytes, 48, 8) == 1234)
        #expect(readLE(bytes, 88, 8) == UInt64(st.st_mtim.tv_sec))
        // fstat agrees.
        let fd = g.call(56, UInt64(bitPattern: -100), g.string(path), 0, 0)
        #expect(g.call(80, UInt64(fd), buf + 0x100) == 0)
        #expect(try g.hart.memory.read(buf + 0x100, count: 128) == bytes)
        #expect(g.call(79, UInt64(bitPattern: -100), g.string("/nonexistent"), buf, 0) == -Int64(ENOENT))
    }

    @Test func procSelfExeNamesTheGuestProgram() throws {
        let g = try GuestProcess()
        let n = g.call(78, UInt64(bitPattern: -100), g.string("/proc/self/exe"), g.scratchAddress + 0x100, 4096)
        #expect(n == Int64(g.programPath.utf8.count))
        #expect(try g.hart.memory.read(g.scratchAddress + 0x100, count: Int(n)) == Array(g.programPath.utf8))
        let fd = g.call(56, UInt64(bitPattern: -100), g.string("/proc/self/exe"), 0, 0)
        #expect(g.call(63, UInt64(fd), g.scratchAddress + 0x100, 4) == 4)
        #expect(try g.hart.memory.read(g.scratchAddress + 0x100, count: 4) == [0x7f, 0x45, 0x4c, 0x46])
        // Under its own process id and as the thread's, too; not under another process's.
        for path in ["/proc/\(getpid())/exe", "/proc/thread-self/exe"] {
            let m = g.call(78, UInt64(bitPattern: -100), g.string(path), g.scratchAddress + 0x100, 4096)
            #expect(m == Int64(g.programPath.utf8.count), "\(path)")
            #expect(try g.hart.memory.read(g.scratchAddress + 0x100, count: max(0, Int(m))) == Array(g.programPath.utf8), "\(path)")
        }
        let other = g.call(78, UInt64(bitPattern: -100), g.string("/proc/1/exe"), g.scratchAddress + 0x100, 4096)
        let otherTarget = other < 0 ? [] : try g.hart.memory.read(g.scratchAddress + 0x100, count: Int(other))
        #expect(other < 0 || otherTarget != Array(g.programPath.utf8))
    }

    @Test func unameSaysRISCV64() throws {
        let g = try GuestProcess()
        #expect(g.call(160, g.scratchAddress) == 0)
        #expect(try g.hart.memory.readCString(g.scratchAddress + 4 * 65) == "riscv64")
        #expect(try g.hart.memory.readCString(g.scratchAddress) == "Linux")
    }

    @Test func hwprobeDescribesRV64GCAndTheBitGroup() throws {
        let g = try GuestProcess()
        let m = g.hart.memory
        for (i, key) in [3, 4, 5, 1000, 6, 12].enumerated() { try m.store(g.scratchAddress + UInt64(i) * 16, UInt64(key)) }
        #expect(g.call(258, g.scratchAddress, 6, 0, 0, 0) == 0)
        #expect(try m.load(g.scratchAddress + 8, as: UInt64.self) == 1)        // IMA
        // FD | C | ZBA ZBB ZBS ZBC ZBKB ZBKC ZBKX (0x7bb), ZKND ZKNE ZKNH ZKSED ZKSH (bits 11–15),
        // ZFA (32), ZICOND (35), ZCA (43), ZCD (45), and ZICBOZ (6), ZIHINTNTL (29), ZACAS (34),
        // ZIHINTPAUSE (36), ZIMOP (42), ZCB (44), ZCMOP (47), ZAWRS (48), ZICBOM (55), ZFH (27),
        // ZFHMIN (28): the values of Linux's asm/hwprobe.h
        let rva23Scalar: UInt64 = 1 << 6 | 1 << 29 | 1 << 34 | 1 << 36 | 1 << 42 | 1 << 44 | 1 << 47 | 1 << 48 | 1 << 55
            | 1 << 27 | 1 << 28
        #expect(try m.load(g.scratchAddress + 24, as: UInt64.self)
                == 0x7bb | 0x1f << 11 | 1 << 32 | 1 << 35 | 1 << 43 | 1 << 45 | rva23Scalar)
        #expect(try m.load(g.scratchAddress + 32, as: UInt64.self) == 5)
        #expect(try m.load(g.scratchAddress + 48, as: Int64.self) == -1)       // unknown key
        #expect(try m.load(g.scratchAddress + 72, as: UInt64.self) == 64)      // ZICBOZ_BLOCK_SIZE
        #expect(try m.load(g.scratchAddress + 88, as: UInt64.self) == 64)      // ZICBOM_BLOCK_SIZE
        let generation = m.codeGeneration
        #expect(g.call(259, 0, 0, 0) == 0)
        #expect(m.codeGeneration != generation)
    }

    @Test func timeAndIdentity() throws {
        let g = try GuestProcess()
        #expect(g.call(113, UInt64(CLOCK_MONOTONIC), g.scratchAddress) == 0)
        #expect(try g.hart.memory.load(g.scratchAddress, as: Int64.self) > 0 || g.hart.memory.load(g.scratchAddress + 8, as: Int64.self) > 0)
        #expect(g.call(113, UInt64(CLOCK_MONOTONIC), 0x30) == -Int64(EFAULT))
        #expect(g.call(172) == Int64(getpid()))
        #expect(g.call(174) == Int64(getuid()))
        #expect(g.call(96, g.scratchAddress) > 0)
        #expect(g.call(278, g.scratchAddress, 32, 0) == 32)
    }

    @Test func futexWithAStaleValueIsEAGAIN() throws {
        let g = try GuestProcess()
        try g.hart.memory.store(g.scratchAddress, UInt32(5))
        #expect(g.call(98, g.scratchAddress, 128, 4, 0, 0, 0) == -Int64(EAGAIN))
        #expect(g.call(98, g.scratchAddress, 129, 1, 0, 0, 0) == 0)
        // A timed wait on a matching value sleeps and times out.
        try g.hart.memory.write(g.scratchAddress + 16, le(0, 8) + le(1_000_000, 8))
        #expect(g.call(98, g.scratchAddress, 128, 5, g.scratchAddress + 16, 0, 0) == -Int64(ETIMEDOUT))
    }

    @Test func exitStopsTheGuest() throws {
        let g = try GuestProcess()
        g.hart.state.setX(10, 3)
        g.hart.state.setX(17, 94)
        #expect(g.process.environmentCall(g.hart) == .stop(.exited(3)))
    }

    @Test func threadsAreRefusedAndForkWorks() throws {
        let g = try GuestProcess()
        #expect(g.call(220, 0x3d0f00, 0, 0, 0, 0) == -Int64(EAGAIN))  // pthread_create's flags
        let tid = g.scratchAddress + 0x40
        let pid = g.call(220, 0x1200011, 0, 0, 0, tid)  // glibc fork: CHILD_SETTID|CHILD_CLEARTID|SIGCHLD
        if pid == 0 {
            let ok = (try? g.hart.memory.load(tid, as: UInt32.self)) == UInt32(getpid())
            _exit(ok ? 7 : 1)
        }
        #expect(pid > 0)
        let status = g.scratchAddress + 0x80
        #expect(g.call(260, UInt64(pid), status, 0, 0) == pid)
        let s = try g.hart.memory.load(status, as: UInt32.self)
        #expect(s & 0x7f == 0 && (s >> 8) & 0xff == 7)
    }

    @Test func execveChecksTheTargetFirst() throws {
        let g = try GuestProcess()
        let argv = g.scratchAddress + 0x200
        try g.hart.memory.store(argv, UInt64(0))
        #expect(g.call(221, g.string("/nonexistent/prog"), argv, argv) == -Int64(ENOENT))
        #expect(g.call(221, g.string("/tmp"), argv, argv) == -Int64(EACCES))
        let text = temporaryFile("text", Array("data".utf8), mode: 0o644)
        #expect(g.call(221, g.string(text), argv, argv) == -Int64(EACCES))
        var arm = ELFBuilder()
        arm.machine = 183
        let armPath = temporaryFile("arm", arm.build())
        #expect(g.call(221, g.string(armPath), argv, argv) == -Int64(ENOEXEC))
        #expect(g.call(221, g.string(armPath), 0x8, argv) == -Int64(EFAULT))
    }

    @Test func straceLinesLookLikeStrace() throws {
        let (r, w) = hostPipe()
        defer { close(r) }
        let g = try GuestProcess(strace: w)
        let (pr, pw) = hostPipe()
        defer { close(pr); close(pw) }
        try g.hart.memory.write(g.scratchAddress, Array("hi\n".utf8))
        g.call(64, UInt64(pw), g.scratchAddress, 3)
        g.call(56, UInt64(bitPattern: -100), g.string("/nonexistent"), 0, 0)
        g.call(999)
        close(w)
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(r, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("mmap(0, 65536, 0x3, 0x22, -1, 0) = 0x") == true)
        #expect(lines.contains("write(\(pw), \"hi\\n\", 3) = 3"))
        #expect(lines.contains("openat(AT_FDCWD, \"/nonexistent\", 0, 00) = -1 ENOENT (No such file or directory)"))
        #expect(lines.last?.hasPrefix("syscall_999(") == true)
        #expect(lines.last?.hasSuffix(") = -1 ENOSYS (Function not implemented)") == true)
    }

    @Test func missingAndBadProgramsGiveLoaderErrors() {
        func problem(_ path: String) -> String {
            do {
                _ = try LinuxProcess(hart: Hart(memory: GuestMemory(limit: 1 << 32)), options: LinuxOptions(program: path))
                return ""
            } catch { return error.description }
        }
        #expect(problem("/nonexistent/prog") == "/nonexistent/prog: No such file or directory")
        #expect(problem("/tmp") == "/tmp: is a directory")
        let text = temporaryFile("script", Array("echo hi\n".utf8))
        #expect(problem(text) == "\(text): not an ELF file")
        var dynamic = ELFBuilder()
        dynamic.interpreter = "/nonexistent/ld.so"
        let dyn = temporaryFile("dyn", dynamic.build())
        #expect(problem(dyn) == "\(dyn): interpreter /nonexistent/ld.so: No such file or directory")
    }
}
