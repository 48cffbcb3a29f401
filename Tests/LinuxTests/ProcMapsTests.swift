#if canImport(Glibc)
import Glibc
#endif
import Testing
import Guest
import Linux

/// The guest's /proc/self/maps: the text for a known layout, and the openat interception.
@Suite struct ProcMapsTests {
    /// A maps line with a name: the kernel pads the header to 72 columns, then one space.
    func named(_ header: String, _ name: String) -> String {
        header + String(repeating: " ", count: 72 - header.utf8.count) + " " + name + "\n"
    }

    @Test func knownLayoutMergesLikeTheKernel() {
        let memory = GuestMemory(limit: 1 << 24)
        var labels = MappingLabels()
        let prog = MappingLabel(name: "/bin/prog", offset: 0, device: 0xfe01, inode: 42)
        // Text (3 pages) and read-only data (1 page) of one file: offsets continue, permissions
        // differ, so two lines.
        memory.mapAnonymous(0x10000, 0x3000, [.read, .execute])
        memory.mapAnonymous(0x13000, 0x1000, [.read])
        labels.set(address: 0x10000, length: 0x4000, prog)
        // Data: one file page then bss; the anonymous bss merges with a separate anonymous
        // mapping right after it (same permissions).
        memory.mapAnonymous(0x14000, 0x2000, [.read, .write])
        memory.mapAnonymous(0x16000, 0x1000, [.read, .write])
        labels.set(address: 0x14000, length: 0x1000, MappingLabel(name: "/bin/prog", offset: 0x4000, device: 0xfe01, inode: 42))
        // The same file at discontinuous offsets: two lines even though they touch.
        memory.mapAnonymous(0x30000, 0x2000, [.read])
        labels.set(address: 0x30000, length: 0x1000, MappingLabel(name: "/data", offset: 0, device: 0x801, inode: 7))
        labels.set(address: 0x31000, length: 0x1000, MappingLabel(name: "/data", offset: 0x5000, device: 0x801, inode: 7))
        // A shared mapping, and a file mapping whose middle page was mprotected: three lines
        // whose offsets follow the pages.
        memory.mapAnonymous(0x40000, 0x1000, [.read, .write])
        labels.set(address: 0x40000, length: 0x1000, MappingLabel(name: "/dev/zero (deleted)", shared: true))
        memory.mapAnonymous(0x60000, 0x3000, [.read])
        labels.set(address: 0x60000, length: 0x3000, MappingLabel(name: "/lib/x.so", offset: 0x10000, device: 0x801, inode: 9))
        memory.protect(0x61000, 0x1000, [.read, .write])
        // A mapping with no permissions is still listed; the heap is named.
        memory.mapAnonymous(0x70000, 0x1000, [])
        memory.mapAnonymous(0x80000, 0x2000, [.read, .write])
        // A large address: more than 8 hex digits, no padding needed.
        memory.mapAnonymous(0xff0000, 0x10000, [.read, .write])
        labels.set(address: 0xff0000, length: 0x10000, MappingLabel(name: "[stack]"))

        let text = ProcMapsText.render(memory: memory, labels: labels, heap: 0x80..<0x82)
        let expected =
            named("00010000-00013000 r-xp 00000000 fe:01 42 ", "/bin/prog")
            + named("00013000-00014000 r--p 00003000 fe:01 42 ", "/bin/prog")
            + named("00014000-00015000 rw-p 00004000 fe:01 42 ", "/bin/prog")
            + "00015000-00017000 rw-p 00000000 00:00 0 \n"
            + named("00030000-00031000 r--p 00000000 08:01 7 ", "/data")
            + named("00031000-00032000 r--p 00005000 08:01 7 ", "/data")
            + named("00040000-00041000 rw-s 00000000 00:00 0 ", "/dev/zero (deleted)")
            + named("00060000-00061000 r--p 00010000 08:01 9 ", "/lib/x.so")
            + named("00061000-00062000 rw-p 00011000 08:01 9 ", "/lib/x.so")
            + named("00062000-00063000 r--p 00012000 08:01 9 ", "/lib/x.so")
            + "00070000-00071000 ---p 00000000 00:00 0 \n"
            + named("00080000-00082000 rw-p 00000000 00:00 0 ", "[heap]")
            + named("00ff0000-01000000 rw-p 00000000 00:00 0 ", "[stack]")
        #expect(text == expected)
        // The name starts at column 74 (index 73), as in the kernel's output.
        let first = Array(text.split(separator: "\n")[0].utf8)
        #expect(first.count == 73 + "/bin/prog".utf8.count && first[73] == UInt8(ascii: "/"))
    }

    @Test func relabellingSplitsAndAdvancesOffsets() {
        var labels = MappingLabels()
        labels.set(0x10..<0x20, MappingLabel(name: "/f", offset: 0x1000, device: 1, inode: 2))
        labels.set(0x14..<0x16, nil)
        labels.set(0x18..<0x19, MappingLabel(name: "[x]"))
        #expect(labels.entries.map(\.pages) == [0x10..<0x14, 0x16..<0x18, 0x18..<0x19, 0x19..<0x20])
        #expect(labels.entries.map(\.label.offset) == [0x1000, 0x7000, 0, 0xa000])
        labels.set(address: 0x0, length: 0x100000, nil)
        #expect(labels.entries.isEmpty)
    }

    @Test func emptyMemoryHasNoLines() {
        #expect(ProcMapsText.render(memory: GuestMemory(limit: 1 << 20), labels: MappingLabels()) == "")
    }

    static let atFDCWD = UInt64(bitPattern: -100)

    /// Opens `path` as the guest (openat), reads the whole file on the host side.
    func guestRead(_ g: GuestProcess, _ path: String, flags: UInt64 = 0) -> (fd: Int64, text: String) {
        let fd = g.call(56, ProcMapsTests.atFDCWD, g.string(path), flags, 0)
        guard fd >= 0 else { return (fd, "") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(Int32(fd), &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        close(Int32(fd))
        return (fd, String(decoding: bytes, as: UTF8.self))
    }

    @Test func everySpellingOfOwnMapsGivesTheGuestSnapshot() throws {
        let g = try GuestProcess()
        let snapshot = g.process.procMapsText()
        #expect(snapshot.contains("[stack]"), "\(snapshot)")
        #expect(snapshot.contains(" r-xp ") && snapshot.contains(g.programPath))
        for path in ["/proc/self/maps", "/proc/\(getpid())/maps", "/proc/thread-self/maps",
                     "/proc/self/../self/maps", "/proc/\(getpid())/task/\(getpid())/maps"] {
            let (fd, text) = guestRead(g, path)
            #expect(fd >= 0, "\(path)")
            #expect(text == snapshot, "\(path)")
        }
        // No host address leaks: every mapping lies below the guest's 4 GiB limit.
        for line in snapshot.split(separator: "\n") {
            let range = line.split(separator: " ")[0].split(separator: "-")
            #expect(UInt64(range[1], radix: 16).map { $0 <= 1 << 32 } == true, "\(line)")
        }
    }

    @Test func relativeToAProcDirectory() throws {
        let g = try GuestProcess()
        let dir = g.call(56, ProcMapsTests.atFDCWD, g.string("/proc/self"), UInt64(O_RDONLY | O_DIRECTORY), 0)
        try #require(dir >= 0)
        defer { close(Int32(dir)) }
        let fd = g.call(56, UInt64(dir), g.string("maps"), 0, 0)
        try #require(fd >= 0)
        defer { close(Int32(fd)) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let n = read(Int32(fd), &buffer, buffer.count)
        #expect(String(decoding: buffer[0..<max(n, 0)], as: UTF8.self) == g.process.procMapsText())
    }

    @Test func writingAndSmapsAreRefused() throws {
        let g = try GuestProcess()
        #expect(guestRead(g, "/proc/self/maps", flags: UInt64(O_WRONLY)).fd == -Int64(EACCES))
        #expect(guestRead(g, "/proc/self/maps", flags: UInt64(O_RDWR)).fd == -Int64(EACCES))
        #expect(guestRead(g, "/proc/self/smaps").fd == -Int64(ENOENT))
        #expect(guestRead(g, "/proc/self/smaps_rollup").fd == -Int64(ENOENT))
        // Other /proc files of this process still come from the host.
        #expect(guestRead(g, "/proc/self/status").fd >= 0)
    }

    @Test func mmapAndMunmapOfAFileShowUp() throws {
        let g = try GuestProcess()
        let file = temporaryFile("data", [UInt8](repeating: 7, count: 0x3000), mode: 0o644)
        let fd = g.call(56, ProcMapsTests.atFDCWD, g.string(file), 0, 0)
        try #require(fd >= 0)
        defer { close(Int32(fd)) }
        // mmap(NULL, 0x2000, PROT_READ, MAP_PRIVATE, fd, 0x1000)
        let at = g.call(222, 0, 0x2000, 1, 2, UInt64(fd), 0x1000)
        try #require(at > 0)
        var st = stat()
        try #require(stat(file, &st) == 0)
        let header = String(UInt64(at), radix: 16) + "-" + String(UInt64(at) + 0x2000, radix: 16) + " r--p 00001000 "
        let line = guestRead(g, "/proc/self/maps").text.split(separator: "\n").first { $0.hasPrefix(header) }
        #expect(line.map { $0.contains(" \(st.st_ino) ") && $0.hasSuffix(" " + file) } == true)
        // A shared anonymous mapping is listed as the kernel names it.
        let shared = g.call(222, 0, 0x1000, 3, 0x21, UInt64(bitPattern: -1), 0)
        try #require(shared > 0)
        #expect(guestRead(g, "/proc/self/maps").text.contains(" rw-s 00000000 00:00 0 "))
        #expect(g.call(215, UInt64(at), 0x2000) == 0)
        #expect(!guestRead(g, "/proc/self/maps").text.contains(file))
    }
}
