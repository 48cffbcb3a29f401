#if canImport(Glibc)
import Glibc
#endif
import Testing
import System

@Suite(.serialized) struct RawTerminalTests {
    /// A pseudo-terminal's two ends, through /dev/ptmx (Swift's Glibc lacks posix_openpt).
    func openPTY() -> (primary: Int32, secondary: Int32)? {
        let unlockRequest: UInt = 0x4004_5431, numberRequest: UInt = 0x8004_5430  // TIOCSPTLCK, TIOCGPTN
        let primary = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard primary >= 0 else { return nil }
        var unlock: Int32 = 0, number: UInt32 = 0
        guard ioctl(primary, unlockRequest, &unlock) == 0, ioctl(primary, numberRequest, &number) == 0 else {
            close(primary)
            return nil
        }
        let secondary = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        return secondary >= 0 ? (primary, secondary) : nil
    }

    @Test("raw mode turns off line editing and echo, and restore puts the settings back")
    func rawAndBack() throws {
        let pty = try #require(openPTY())
        defer { close(pty.primary); close(pty.secondary) }
        var before = termios()
        tcgetattr(pty.secondary, &before)
        #expect(before.c_lflag & tcflag_t(ICANON | ECHO) != 0)
        let terminal = try #require(RawTerminal.enter(pty.secondary))
        var during = termios()
        tcgetattr(pty.secondary, &during)
        #expect(during.c_lflag & tcflag_t(ICANON | ECHO) == 0 && during.c_lflag & tcflag_t(ISIG) != 0)
        #expect(during.c_iflag & tcflag_t(ICRNL) == 0)
        #expect(RawTerminal.enter(pty.secondary) == nil)  // one at a time
        terminal.restore()
        var after = termios()
        tcgetattr(pty.secondary, &after)
        #expect(after.c_lflag == before.c_lflag && after.c_iflag == before.c_iflag && after.c_oflag == before.c_oflag)
        terminal.restore()  // a second time does nothing
    }

    @Test("input that is not a terminal stays as it is")
    func notATerminal() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        defer { close(fds[0]); close(fds[1]) }
        #expect(RawTerminal.enter(fds[0]) == nil)
    }
}
