import Foundation
import Testing

/// Guest pages that fault on the host although their permissions allow the access (a file
/// mapping past the file's end, Fixtures/src/hostile_bus.c): the guest gets what Linux gives it,
/// and Trapeze's own copies of guest memory survive.
@Suite struct HostileBusTests {
    let hostile = HostileTests()

    @Test("a load or store past a file's end is the guest's SIGBUS (BUS_ADRERR)", arguments: HostileTests.engines)
    func loadsAndStores(engine: String) throws {
        for mode in ["load", "store"] {
            let r = try hostile.trapeze(engine, [], "hostile_bus", [mode])
            #expect(r.status == 0, "\(mode) [\(engine)] \(r.stderrText)")
            #expect(String(decoding: r.stdout, as: UTF8.self) == """
                SIGBUS caught, si_code BUS_ADRERR, si_addr the page
                still running

                """, "\(mode) [\(engine)]")
            hostile.expectNoHostCrash(r, "\(mode) [\(engine)]")
        }
    }

    /// Instruction fetch is the third access: a jump onto the page, and a 4-byte instruction
    /// whose second half lies there (the fault names that half's address, as stval does).
    @Test("fetching an instruction past a file's end is the guest's SIGBUS (BUS_ADRERR)", arguments: HostileTests.engines)
    func fetches(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_bus", ["fetch"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            SIGBUS caught, si_code BUS_ADRERR, si_addr the page
            SIGBUS caught, si_code BUS_ADRERR, si_addr the page
            still running

            """, "[\(engine)]")
        hostile.expectNoHostCrash(r, "fetch [\(engine)]")
    }

    @Test("system call buffers there are EFAULT", arguments: HostileTests.engines)
    func syscallBuffers(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_bus", ["syscalls"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == """
            write from it: EFAULT
            read into it: succeeded
            open a path there: EFAULT
            clock_gettime into it: EFAULT
            nanosleep from it: EFAULT
            sigaction from it: EFAULT
            sigaction into it: EFAULT
            uname into it: EFAULT
            execve with it: EFAULT
            still running

            """)
        hostile.expectNoHostCrash(r, "syscalls [\(engine)]")
    }

    @Test("a signal frame there kills with SIGSEGV", arguments: HostileTests.engines)
    func signalFrame(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_bus", ["frame"])
        #expect(r.status == 139, "[\(engine)] \(r.stderrText)")
        #expect(r.stderrText.contains("cannot deliver SIGUSR1"), "[\(engine)] \(r.stderrText)")
        hostile.expectNoHostCrash(r, "frame [\(engine)]")
    }

    /// Before, the interpreter checked a file page and then accessed it: a truncation in between
    /// was a host SIGBUS in Trapeze (status 135 within 10^6 accesses); and a fault whose file grew
    /// back before it was classified became a SIGSEGV.
    @Test("loads, stores and AMOs race a thread truncating the file: SIGBUS or success, never a crash", arguments: HostileTests.engines)
    func truncateRace(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_bus", ["truncate", "200000"], timeout: 120)
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "truncate race: SIGBUS caught, still running\nstill running\n", "[\(engine)]")
        hostile.expectNoHostCrash(r, "truncate [\(engine)]")
    }

    @Test("a thread's clear-child-tid word there is skipped at its exit", arguments: HostileTests.engines)
    func clearChildTID(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_bus", ["cleartid"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "thread exited\nstill running\n", "[\(engine)]")
        hostile.expectNoHostCrash(r, "cleartid [\(engine)]")
    }

    @Test("mremap moves a mapping with a page past the file's end", arguments: HostileTests.engines)
    func mremapCopy(engine: String) throws {
        let r = try hostile.trapeze(engine, [], "hostile_bus", ["mremap"])
        #expect(r.status == 0, "[\(engine)] \(r.stderrText)")
        #expect(String(decoding: r.stdout, as: UTF8.self) == "mremap: moved\nstill running\n")
    }
}
