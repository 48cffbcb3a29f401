#if canImport(Glibc)
import Glibc
#endif

/// The guest's console owns the terminal while a machine runs: no line editing, echo or CR/NL
/// translation, so keystrokes reach the UART as typed. With `signals: false` (what `trapeze
/// system` asks for, as QEMU's `-nographic`) Ctrl-C, Ctrl-Z and Ctrl-\ are keys for the guest
/// too, and Ctrl-A x is the way out; with `signals: true` they still signal Trapeze. The saved
/// settings come back on `restore()`, at process exit, and on the terminating signals SIGINT,
/// SIGTERM, SIGHUP and SIGQUIT, whichever comes first; a watchdog process puts them back if
/// Trapeze dies any other way (a crash, SIGKILL).
public final class RawTerminal {
    public let descriptor: Int32

    /// Raw mode on `descriptor`, or nil when it is not a terminal (input from a file or a pipe)
    /// or another RawTerminal is active.
    public static func enter(_ descriptor: Int32 = 0, signals: Bool = true) -> RawTerminal? {
        guard isatty(descriptor) == 1, TerminalRestore.saved == nil else { return nil }
        var original = termios()
        guard tcgetattr(descriptor, &original) == 0 else { return nil }
        TerminalRestore.arm(descriptor, original)
        var raw = original
        raw.c_iflag &= ~tcflag_t(ICRNL | INLCR | IGNCR | IXON | ISTRIP)
        raw.c_oflag &= ~tcflag_t(OPOST)
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ECHONL | IEXTEN)
        if !signals { raw.c_lflag &= ~tcflag_t(ISIG) }
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(descriptor, TCSANOW, &raw) == 0 else {
            TerminalRestore.restore()
            return nil
        }
        TerminalWatchdog.start(descriptor, original)
        return RawTerminal(descriptor)
    }

    private init(_ descriptor: Int32) { self.descriptor = descriptor }

    deinit { restore() }

    /// Puts the terminal back as it was (once; later calls do nothing).
    public func restore() { TerminalRestore.restore() }
}

/// The one saved terminal state, reachable from `atexit` and signal handlers (which capture
/// nothing). Only the thread running the machine sets it; handlers only read it.
private enum TerminalRestore {
    nonisolated(unsafe) static var saved: (descriptor: Int32, settings: termios)?
    /// The actions the signals had before, index for index with `signals`.
    nonisolated(unsafe) static var previous: [sigaction] = []
    nonisolated(unsafe) static var exitHandlerInstalled = false
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    static func arm(_ descriptor: Int32, _ settings: termios) {
        saved = (descriptor, settings)
        if !exitHandlerInstalled {
            exitHandlerInstalled = true
            atexit { TerminalRestore.restore() }
        }
        previous = signals.map { _ in sigaction() }
        for (i, signal) in signals.enumerated() {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                TerminalRestore.restore()
                raise(signal)  // now with the previous action back in place
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)  // 0x80000000: the sign bit
            sigaction(signal, &action, &previous[i])
        }
    }

    /// Allocates nothing, as it may run in a signal handler.
    static func restore() {
        guard var state = saved else { return }
        saved = nil
        tcsetattr(state.descriptor, TCSANOW, &state.settings)
        TerminalWatchdog.dismiss()
        for i in previous.indices { sigaction(signals[i], &previous[i], nil) }
    }
}

/// A child process holding the saved settings and the read end of a pipe only Trapeze writes
/// to: when the pipe ends without a word (Trapeze died: a crash, SIGKILL), it puts the terminal
/// back; `dismiss` (a normal restore) tells it to leave the terminal alone and exit.
private enum TerminalWatchdog {
    nonisolated(unsafe) static var writeEnd: Int32 = -1
    nonisolated(unsafe) static var child: pid_t = 0

    static func start(_ descriptor: Int32, _ settings: termios) {
        guard writeEnd < 0 else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var settings = settings
        let (readEnd, write) = (fds[0], fds[1])
        let pid = fork()
        if pid == 0 {
            // The child: only async-signal-safe calls from here on. Keys that signal the
            // foreground process group must not end it.
            for s in [SIGINT, SIGQUIT, SIGTSTP, SIGTTOU, SIGTTIN, SIGHUP] { signal(s, SIG_IGN) }
            close(write)
            var word: UInt8 = 0
            var n = 0
            repeat { n = read(readEnd, &word, 1) } while n < 0 && errno == EINTR
            if n == 0 { tcsetattr(descriptor, TCSANOW, &settings) }
            _exit(0)
        }
        close(readEnd)
        guard pid > 0 else { close(write); return }
        writeEnd = write
        child = pid
    }

    /// Allocates nothing, as it may run in a signal handler.
    static func dismiss() {
        guard writeEnd >= 0 else { return }
        var word: UInt8 = 1
        _ = write(writeEnd, &word, 1)
        close(writeEnd)
        writeEnd = -1
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
    }
}
