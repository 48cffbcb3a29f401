import Foundation
import Testing

/// A guest attacking Trapeze through /proc (Fixtures/src/hostile_proc.c): the files that describe
/// the process are the guest's own or refused, under every spelling, for itself and its family.
@Suite struct HostileProcTests {
    let hostile = HostileTests()

    @Test("/proc/self/mem is guest memory however it is spelled; syscall, map_files, pagemap are refused", arguments: HostileTests.engines)
    func memIsTheGuests(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_proc", ["mem"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            mem rdwr                     guest memory
            mem rdonly                   guest memory
            thread-self mem              guest memory
            pid mem                      guest memory
            task mem                     guest memory
            a thread's /proc/TID/mem     guest memory
            dotted mem                   guest memory
            root mem                     guest memory
            dirfd mem                    guest memory
            through a dirfd's link       guest memory
            O_PATH mem                   opened
            reopened O_PATH mem          guest memory
            symlinked mem                guest memory
            relative mem                 guest memory
            syscall                      EACCES
            map_files                    EACCES
            pagemap                      ENOENT
            auxv for writing             EACCES
            still running

            """, "[\(engine)]")
        hostile.expectNoHostCrash(r, "proc mem [\(engine)]")
    }

    /// Linux's mem forces its way past page protections (FOLL_FORCE); the guest's uses them, so
    /// read-only text stays read-only. Everything else is as fs/proc/base.c mem_rw does it.
    @Test("reads and writes on mem move guest memory with the guest's permissions", arguments: HostileTests.engines)
    func memTransfers(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_proc", ["memio"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            read at the position: 8, the marker
            position after: moved by 8
            pwrite a variable: 8, now 7
            pwrite read-only text: EIO
            pread unmapped: EIO
            pread past the address space: EIO
            pread across a mapping's end: 4096
            pread a PROT_NONE page: EIO
            pread into read-only text: EFAULT
            preadv: 8, both halves
            mmap it: ENODEV
            a dup reads: guest memory
            write on a read-only open: EBADF
            still running

            """, "[\(engine)]")
        hostile.expectNoHostCrash(r, "proc memio [\(engine)]")
    }

    /// Before the O_PATH-first open, the host's /proc file sat under the guest's next descriptor
    /// number until Trapeze swapped it: a second thread reading that number saw the host's auxv
    /// in about half of 20000 opens.
    @Test("a thread racing for the descriptor number never reads the host's file", arguments: HostileTests.engines)
    func openRace(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_proc", ["race", "5000"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "opened auxv 5000 times, the host's seen 0 times\nstill running\n", "[\(engine)]")
    }

    @Test("auxv, cmdline, stat, status, comm and exe describe the guest", arguments: HostileTests.engines)
    func selfFilesAreTheGuests(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_proc", ["self"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            auxv matches getauxval (full)
            cmdline is the guest's argv
            stat name hostile_proc
            stat startstack is a guest address above sp
            stat startcode brackets guest code
            stat arg_start is argv[0]
            status Name:\thostile_proc
            comm hostile_proc
            exe ends in hostile_proc
            task exe ends in hostile_proc
            maps lists the guest stack
            still running

            """)
    }

    @Test("a guest cannot open its parent's or child's mem", arguments: HostileTests.engines)
    func familyIsRefused(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_proc", ["family"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            child opens parent mem       EACCES
            parent opens child mem       EACCES
            parent opens child auxv      EACCES
            parent opens child cgroup    opened
            child exited 0
            still running

            """)
    }
}
