import Guest

extension GuestSignal {
    /// The signal that kills a user program for an exception it does not handle, as tools that
    /// stop on the exception (rather than deliver it) report it.
    public static func forException(_ cause: ExceptionCause) -> Int32 {
        switch cause {
        case .illegalInstruction: ill
        case .breakpoint: trap
        case .instructionMisaligned, .loadMisaligned, .storeMisaligned: bus
        case .instructionAccessFault, .loadAccessFault, .storeAccessFault,
             .instructionPageFault, .loadPageFault, .storePageFault: segv
        case .ecallFromU, .ecallFromS, .ecallFromM: sys
        }
    }
}

extension ExitStatus {
    /// The guest was killed by signal `signal`. Guest and host number signals alike
    /// (GuestSignal), so Trapeze ends itself with the same one.
    public static func signaled(_ signal: Int32) -> ExitStatus { .killed(signal: signal) }}
