#if canImport(Glibc)
import Glibc
#endif
import Guest

/// A guest load or store in translated code: where its host instruction starts and what to report
/// if the host faults on it.
struct FaultSite {
    /// Offset of the faulting host instruction from the start of the code cache.
    var hostOffset: UInt32
    /// Instructions of the block, counted at block entry, that had not retired at this access.
    var notRetired: UInt16
    /// Bit 0: the access is a store. Bit 1 (`budgetInSlot`): the budget is in its state-block
    /// slot at this site, and r11 holds a guest register (BlockRegisters.swift).
    var isStore: UInt16
    var guestPC: UInt64
    /// The guest address is `gregs[addressRegister] + addressDisplacement` (a `gregs` index): the
    /// access's index register, usually rax, or the cached base register of an access whose limit
    /// check was left out (CheckedBases.swift), which has no copy of its address in rax.
    var addressRegister: Int32
    var addressDisplacement: Int32
    /// Where to resume instead of the epilogue (offset from the start of the code cache), or 0:
    /// in a block with its own register allocation, a stub that puts the static register map
    /// back first (BlockRegisters.swift).
    var resume: UInt32 = 0

    static let budgetInSlot: UInt16 = 2
}

/// What the signal handler knows about one code cache. Lives in raw memory (no Swift objects), so
/// the handler reads it without allocating, retaining or locking.
struct FaultTable {
    var codeStart: UInt64 = 0
    var codeEnd: UInt64 = 0
    /// The common exit: writes cached guest registers back and returns to the dispatcher.
    var epilogue: UInt64 = 0
    var sites: UnsafeMutablePointer<FaultSite>? = nil
    var count = 0
    var capacity = 0
}

/// Turns host SIGSEGV/SIGBUS inside translated code into guest load/store faults with the exact
/// guest pc. All the signal-handling code of the JIT is in this file.
///
/// Guest pages are mapped in the host with the guest's permissions, so translated code accesses
/// memory with plain `mov`s and the host MMU does the permission check. When one faults, the handler
/// finds the access in its code cache's `FaultTable` (sites are sorted by host offset: code is only
/// ever appended), records pc / reason / guest address in the hart's state, returns the unretired
/// instructions to the budget register — whose pointer
/// is in the pinned state register — and resumes at the epilogue, which writes the guest registers
/// (still intact in host registers) back and returns to the dispatcher. A fault anywhere else is a
/// Trapeze bug: the previous action is restored and the fault re-raised.
final class FaultSites {
    let table: UnsafeMutablePointer<FaultTable>
    private let slot: Int
    private var retired = false

    init(codeStart: UInt64, codeEnd: UInt64) {
        FaultHandler.install()
        (slot, table) = FaultHandler.register(codeStart: codeStart, codeEnd: codeEnd)
    }

    /// Stops the handler from matching faults against this cache. Called before the cache's code
    /// is unmapped (the JIT's deinit, a fork's fresh cache): once unmapped, another thread's new
    /// cache may be mapped at the same addresses.
    func retire() {
        guard !retired else { return }
        retired = true
        FaultHandler.unregister(slot)
    }

    deinit { retire() }

    var epilogue: UInt64 {
        get { table.pointee.epilogue }
        set { table.pointee.epilogue = newValue }
    }

    var count: Int { table.pointee.count }

    func append(_ site: FaultSite) {
        var t = table.pointee
        if t.count == t.capacity {
            // A static hello has ~2000 sites, a warm `dpkg --version` about 6000: the first
            // buffer takes them without growing (its untouched pages cost nothing).
            let capacity = max(1 << 15, t.capacity * 2)
            let grown = UnsafeMutablePointer<FaultSite>.allocate(capacity: capacity)
            if let old = t.sites {
                grown.moveInitialize(from: old, count: t.count)
                old.deallocate()
            }
            t.sites = grown
            t.capacity = capacity
            table.pointee = t
        }
        t.sites![t.count] = site
        table.pointee.count = t.count + 1
    }

    func reset() { table.pointee.count = 0 }
}

enum FaultHandler {
    /// One per live JIT (a guest thread each); the handler scans them only on a fault.
    static let slots = 1024
    /// The tables, one per slot, allocated once and never freed: the handler may read a slot on
    /// one thread while another thread retires it, so a slot is emptied (its code range made
    /// empty first), never deallocated. Only the thread running a cache's code can fault inside
    /// its range, so a site array is freed only when no handler can be searching it.
    /// Fresh anonymous pages, which read as zeros — an empty `FaultTable` (no sites, empty
    /// range) — and cost nothing until touched: initializing 48 KB of slots was a dozen page
    /// faults in every process, which uses one or a few.
    nonisolated(unsafe) static let pool: UnsafeMutablePointer<FaultTable> = {
        let bytes = slots * MemoryLayout<FaultTable>.stride
        guard let m = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), m != MAP_FAILED else {
            let p = UnsafeMutablePointer<FaultTable>.allocate(capacity: slots)
            p.initialize(repeating: FaultTable(), count: slots)
            return p
        }
        return m.bindMemory(to: FaultTable.self, capacity: slots)
    }()
    /// Which slots are claimed; changed under `lock`, never read by the handler.
    nonisolated(unsafe) static let claimed: UnsafeMutablePointer<Bool> = {
        let p = UnsafeMutablePointer<Bool>.allocate(capacity: slots)
        p.initialize(repeating: false, count: slots)
        return p
    }()
    nonisolated(unsafe) static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        ForkLocks.register(m) // engines of other threads come and go around a guest fork
        return m
    }()
    /// The actions that were installed before ours, restored for faults that are not ours.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = .allocate(capacity: 2)
    /// Offset of the general registers in a `ucontext_t`, fixed before the handler can run.
    nonisolated(unsafe) static var gregsOffset = 0

    static func register(codeStart: UInt64, codeEnd: UInt64) -> (Int, UnsafeMutablePointer<FaultTable>) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        for i in 0..<slots where !claimed[i] {
            claimed[i] = true
            let table = pool + i
            table.pointee.sites = nil
            table.pointee.count = 0
            table.pointee.capacity = 0
            table.pointee.epilogue = 0
            table.pointee.codeStart = codeStart
            table.pointee.codeEnd = codeEnd  // the range last: from here the handler may match it
            return (i, table)
        }
        HostFailure.exit("more than \(slots) JIT code caches alive at once (guest threads)", errno: 0)
    }

    static func unregister(_ slot: Int) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        let table = pool + slot
        table.pointee.codeEnd = 0  // the range first: no fault matches it any more
        table.pointee.codeStart = 0
        let sites = table.pointee.sites
        table.pointee.sites = nil
        table.pointee.count = 0
        table.pointee.capacity = 0
        sites?.deallocate()
        claimed[slot] = false
    }

    /// Installs the process-wide handler once.
    static func install() { _ = installed }

    private static let installed: Bool = {
        gregsOffset = MemoryLayout<ucontext_t>.offset(of: \ucontext_t.uc_mcontext)!
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = handleFault
        action.sa_flags = SA_SIGINFO | SA_ONSTACK
        sigemptyset(&action.sa_mask)
        sigaction(SIGSEGV, &action, previous)
        sigaction(SIGBUS, &action, previous + 1)
        return true
    }()

    /// Gives the calling thread an alternate signal stack if it has none, so the handler runs even
    /// when the fault is near the end of the thread's own stack. (Kept for the thread's lifetime.)
    static func ensureAlternateStack() {
        var current = stack_t()
        guard sigaltstack(nil, &current) == 0, current.ss_flags & Int32(SS_DISABLE) != 0 else { return }
        let size = 1 << 16
        guard let memory = malloc(size) else { return }
        var stack = stack_t(ss_sp: memory, ss_flags: 0, ss_size: size)
        if sigaltstack(&stack, nil) != 0 { free(memory) }
    }
}

// Linux x86-64 `gregs` indices (sys/ucontext.h REG_*), which Swift's Glibc module does not export.
// r11 is `Host.budget`, rbx `Host.state`.
private let regR11 = 3, regRBX = 11, regRIP = 16

extension FaultSite {
    /// The `gregs` index of each host register, in `GPR` order (rax, rcx, rdx, rbx, rsp, rbp, rsi,
    /// rdi, r8...r15).
    static let gregsIndex: [Int32] = [13, 14, 12, 11, 15, 10, 9, 8, 0, 1, 2, 3, 4, 5, 6, 7]
}

/// The signal handler proper: async-signal-safe (no allocation, locks or Swift runtime calls).
private func handleFault(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    guard info != nil, let context else { return }
    // A SIGSEGV or SIGBUS sent with kill is a signal for the guest, wherever the host was.
    if GuestFaultRecovery.forwardSent(signal, info) { return }
    let gregs = (context + FaultHandler.gregsOffset).assumingMemoryBound(to: Int64.self)
    let rip = UInt64(bitPattern: gregs[regRIP])
    for i in 0..<FaultHandler.slots {
        let t = (FaultHandler.pool + i).pointee
        guard rip >= t.codeStart, rip < t.codeEnd, let sites = t.sites else { continue }
        let offset = rip &- t.codeStart
        var low = 0, high = t.count
        while low < high {
            let mid = (low + high) / 2
            if UInt64(sites[mid].hostOffset) < offset { low = mid + 1 } else { high = mid }
        }
        guard low < t.count, UInt64(sites[low].hostOffset) == offset else { break }
        let site = sites[low]
        guard let state = UnsafeMutableRawPointer(bitPattern: Int(gregs[regRBX])) else { break }
        // From the registers, not the host fault address: that may be a later byte of a
        // misaligned access, and the guest wants the first.
        let guestAddress = UInt64(bitPattern: gregs[Int(site.addressRegister)] &+ Int64(site.addressDisplacement))
        state.storeBytes(of: site.guestPC, toByteOffset: StateOffset.pc, as: UInt64.self)
        // Give back the budget not used: in r11, or in its slot where r11 holds a guest register
        // (the site's resume path reloads r11 from there).
        if site.isStore & FaultSite.budgetInSlot != 0 {
            let left = state.load(fromByteOffset: ScratchSlot.budget, as: UInt64.self)
            state.storeBytes(of: left &+ UInt64(site.notRetired), toByteOffset: ScratchSlot.budget, as: UInt64.self)
        } else {
            gregs[regR11] = gregs[regR11] &+ Int64(site.notRetired)
        }
        let reason: ExitReason = site.isStore & 1 != 0 ? .storeFault : .loadFault
        state.storeBytes(of: reason.rawValue, toByteOffset: StateOffset.exitReason, as: UInt32.self)
        state.storeBytes(of: guestAddress, toByteOffset: ScratchSlot.faultAddress, as: UInt64.self)
        GuestFaultRecovery.noteHostFault(signal, info)  // SIGBUS or SIGSEGV, for the guest's signal
        gregs[regRIP] = Int64(bitPattern: site.resume != 0 ? t.codeStart &+ UInt64(site.resume) : t.epilogue)
        return
    }
    // A fault in Swift's guarded copy of guest memory does not return from here.
    GuestFaultRecovery.recover(signal, info)
    // Not a guest access: a real bug. Put the old action back and let the fault happen again.
    let index = signal == SIGBUS ? 1 : 0
    sigaction(signal, FaultHandler.previous + index, nil)
}
