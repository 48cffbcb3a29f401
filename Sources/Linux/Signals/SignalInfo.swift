/// A guest `siginfo_t`: 128 bytes, si_signo at 0, si_errno at 4, si_code at 8, and a union from 16
/// whose shape depends on the code (si_addr at 16 for faults; si_pid at 16 and si_uid at 20 for
/// kill; si_value at 24 for sigqueue; si_status, si_utime, si_stime at 24, 32, 40 for SIGCHLD).
public struct SignalInfo: Equatable, Sendable {
    public static let size = 128

    public private(set) var bytes: [UInt8]
    /// The one-line `trapeze:` report printed if this signal ends the guest by its default action
    /// (set for signals raised by a guest fault; nil for signals that die silently, like a shell's).
    public var report: String?

    public init(signo: Int32, code: Int32) {
        bytes = [UInt8](repeating: 0, count: SignalInfo.size)
        report = nil
        self.signo = signo
        self.code = code
    }

    /// From the guest's own bytes (rt_sigqueueinfo); `raw` must hold at least 128 bytes.
    public init(raw: [UInt8]) {
        bytes = Array(raw.prefix(SignalInfo.size))
        if bytes.count < SignalInfo.size { bytes += [UInt8](repeating: 0, count: SignalInfo.size - bytes.count) }
        report = nil
    }

    public var signo: Int32 {
        get { bytes.getLE(0) }
        set { bytes.putLE(newValue, at: 0) }
    }
    public var code: Int32 {
        get { bytes.getLE(8) }
        set { bytes.putLE(newValue, at: 8) }
    }
    /// si_addr (faults).
    public var address: UInt64 {
        get { bytes.getLE(16) }
        set { bytes.putLE(newValue, at: 16) }
    }
    /// si_pid (kill, sigqueue, SIGCHLD).
    public var pid: Int32 {
        get { bytes.getLE(16) }
        set { bytes.putLE(newValue, at: 16) }
    }
    public var uid: UInt32 {
        get { bytes.getLE(20) }
        set { bytes.putLE(newValue, at: 20) }
    }

    // si_code values (include/uapi/asm-generic/siginfo.h).
    public static let user: Int32 = 0          // SI_USER: kill
    public static let kernel: Int32 = 0x80     // SI_KERNEL: sent by the kernel (itimer, forwarded)
    public static let queue: Int32 = -1        // SI_QUEUE
    public static let tkill: Int32 = -6        // SI_TKILL: tkill, tgkill
    public static let illegalOpcode: Int32 = 1 // ILL_ILLOPC
    public static let illegalTrap: Int32 = 4   // ILL_ILLTRP
    public static let mapError: Int32 = 1      // SEGV_MAPERR: no mapping at the address
    public static let accessError: Int32 = 2   // SEGV_ACCERR: mapped, but not with that permission
    public static let busAlign: Int32 = 1      // BUS_ADRALN
    public static let busAddress: Int32 = 2    // BUS_ADRERR: mapped and permitted, but no backing (past a file's end)
    public static let breakpoint: Int32 = 1    // TRAP_BRKPT

    /// A signal sent by kill/tgkill from process `pid`.
    public static func sent(_ signo: Int32, code: Int32, pid: Int32, uid: UInt32) -> SignalInfo {
        var i = SignalInfo(signo: signo, code: code)
        i.pid = pid
        i.uid = uid
        return i
    }

    /// A fault raised by an instruction, with the faulting address.
    public static func fault(_ signo: Int32, code: Int32, address: UInt64) -> SignalInfo {
        var i = SignalInfo(signo: signo, code: code)
        i.address = address
        return i
    }
}
