import Foundation
import Synchronization
import Guest
import JIT
import Testing
import TestSupport

/// The JIT's fault handler while other threads create and free JITs: each thread's guest load
/// from an unmapped page must still come back as that guest's load fault at its pc, even when a
/// freed cache's addresses are mapped again at once by another thread's new cache.
@Suite struct FaultRaceTests {
    static let rounds = 150
    static let threads = 4

    /// Loads from the hole after a few instructions, so the fault is a host SIGSEGV inside
    /// translated code, not a limit check.
    static func program() -> Program {
        Program(code: [RV.addi(5, 0, 3), RV.lui(6, Int(Layout.hole >> 12)), RV.addi(5, 5, 1),
                                        RV.ld(7, 6, 8)] + RV.exit)
    }

    @Test("guest load faults stay exact while other threads create and free JITs")
    func faultsDuringChurn() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: Self.threads) { _ in
            for _ in 0..<Self.rounds {
                let outcome = Self.program().run(smallJIT(cacheSize: 1 << 16))
                let fault = outcome.exceptions.first
                if outcome.exceptions.count != 1 || fault?.cause != .loadAccessFault && fault?.cause != .loadPageFault
                    || fault?.pc != Layout.code + 12 || fault?.tval != Layout.hole + 8 || outcome.x[5] != 4 {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }
}
