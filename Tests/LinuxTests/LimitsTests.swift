#if canImport(Glibc)
import Glibc
#endif
import Guest
import Linux
import Testing

/// `--memory-limit` accounting through the memory syscalls, and size parsing.
@Suite struct LimitsTests {
    @Test func sizesParse() {
        #expect(GuestLimits.parseSize("4096") == 4096)
        #expect(GuestLimits.parseSize("64K") == 64 << 10)
        #expect(GuestLimits.parseSize("64k") == 64 << 10)
        #expect(GuestLimits.parseSize("256M") == 256 << 20)
        #expect(GuestLimits.parseSize("256MB") == 256 << 20)
        #expect(GuestLimits.parseSize("256MiB") == 256 << 20)
        #expect(GuestLimits.parseSize("2G") == 2 << 30)
        #expect(GuestLimits.parseSize("1T") == 1 << 40)
        #expect(GuestLimits.parseSize("100B") == 100)
        for bad in ["", "M", "-1", "1.5G", "12Q", "64 M", "0x100", "64IB", "99999999999999999999", "17179869184T",
                    "1kıb", "６４M", "64\u{301}K", "B", "iB", "KiB"] {
            #expect(GuestLimits.parseSize(bad) == nil, "\(bad)")
        }
    }

    /// A process whose memory limit leaves `headroom` bytes above what loading it used.
    func limited(headroom: UInt64) throws -> (FuzzSandbox, UInt64) {
        let probe = try FuzzSandbox(seed: 1)
        let baseline = probe.process.accounting.mappedBytes
        let s = try FuzzSandbox(seed: 1, limits: GuestLimits(memoryBytes: baseline + headroom))
        #expect(s.process.accounting.mappedBytes == baseline)
        return (s, baseline)
    }

    static let mib: UInt64 = 1 << 20
    static let anonymous: UInt64 = 0x22, readWrite: UInt64 = 3, fixed: UInt64 = 0x10

    @Test func mmapBeyondTheLimitIsENOMEM() throws {
        let (s, baseline) = try limited(headroom: 4 * Self.mib)
        let a = s.call(222, [0, 4 * Self.mib, Self.readWrite, Self.anonymous, UInt64.max, 0])
        #expect(a > 0)
        #expect(s.process.accounting.mappedBytes == baseline + 4 * Self.mib)
        #expect(s.call(222, [0, 4096, Self.readWrite, Self.anonymous, UInt64.max, 0]) == -Int64(ENOMEM))
        // Replacing pages already mapped costs nothing.
        #expect(s.call(222, [UInt64(a), 4 * Self.mib, Self.readWrite, Self.anonymous | Self.fixed, UInt64.max, 0]) == a)
        #expect(s.process.accounting.mappedBytes == baseline + 4 * Self.mib)
        // Unmapping gives the room back, page for page.
        #expect(s.call(215, [UInt64(a), Self.mib]) == 0)
        #expect(s.process.accounting.mappedBytes == baseline + 3 * Self.mib)
        #expect(s.call(222, [0, Self.mib, Self.readWrite, Self.anonymous, UInt64.max, 0]) > 0)
        #expect(s.call(222, [0, 4096, Self.readWrite, Self.anonymous, UInt64.max, 0]) == -Int64(ENOMEM))
        // Unmapping what is not mapped does not make room.
        #expect(s.call(215, [0x7000_0000, 8 * Self.mib]) == 0)
        #expect(s.call(222, [0, 4096, Self.readWrite, Self.anonymous, UInt64.max, 0]) == -Int64(ENOMEM))
    }

    @Test func brkStopsAtTheLimit() throws {
        let (s, baseline) = try limited(headroom: 2 * Self.mib)
        let start = UInt64(s.call(214, [0]))
        #expect(s.call(214, [start + Self.mib]) == Int64(start + Self.mib))
        // Beyond the limit brk leaves the break where it was, as Linux does.
        #expect(s.call(214, [start + 3 * Self.mib]) == Int64(start + Self.mib))
        #expect(s.process.accounting.mappedBytes == baseline + Self.mib)
        #expect(s.call(214, [start]) == Int64(start))
        #expect(s.process.accounting.mappedBytes == baseline)
        #expect(s.call(214, [start + 2 * Self.mib]) == Int64(start + 2 * Self.mib))
    }

    @Test func mremapGrowthIsCounted() throws {
        let (s, baseline) = try limited(headroom: 3 * Self.mib)
        let a = UInt64(s.call(222, [0, Self.mib, Self.readWrite, Self.anonymous, UInt64.max, 0]))
        // Growing to 4 MiB (in place or moved) would need 3 more: over the limit.
        #expect(s.call(216, [a, Self.mib, 4 * Self.mib, 1, 0]) == -Int64(ENOMEM))
        let b = s.call(216, [a, Self.mib, 2 * Self.mib, 1, 0])
        #expect(b > 0)
        #expect(s.process.accounting.mappedBytes == baseline + 2 * Self.mib)
        #expect(s.call(216, [UInt64(b), 2 * Self.mib, Self.mib / 2, 0, 0]) == b)
        #expect(s.process.accounting.mappedBytes == baseline + Self.mib / 2)
    }

    @Test func noLimitMeansNoAccounting() throws {
        let s = try FuzzSandbox(seed: 2)
        #expect(s.process.accounting.limits == GuestLimits())
        #expect(s.call(222, [0, 1 << 30, Self.readWrite, Self.anonymous, UInt64.max, 0]) > 0)
    }
}
