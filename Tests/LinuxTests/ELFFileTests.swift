import Testing
import TestSupport
import Guest
import Linux
import ELF

@Suite struct ELFFileTests {
    func problem(_ bytes: [UInt8]) -> String? {
        do { _ = try ELFFile(bytes: bytes); return nil } catch { return error.problem }
    }

    @Test func parsesAValidStaticExecutable() throws {
        let elf = try ELFFile(bytes: ELFBuilder().build())
        #expect(elf.entry == 0x10000)
        #expect(elf.loadSegments.count == 1)
        #expect(elf.loadSegments[0].pageFlags == [.mapped, .read, .execute])
        #expect(elf.interpreter == nil)
        #expect(!elf.isPositionIndependent)
    }

    @Test func readsTheInterpreterPath() throws {
        var b = ELFBuilder()
        b.type = 3
        b.interpreter = "/lib/ld-linux-riscv64-lp64d.so.1"
        let elf = try ELFFile(bytes: b.build())
        #expect(elf.interpreter == "/lib/ld-linux-riscv64-lp64d.so.1")
        #expect(elf.isPositionIndependent)
    }

    /// `.riscv.attributes`: GCC's tags from a real fixture, then every truncation and a sweep of
    /// single-byte corruptions of that section, which must parse to something without trapping.
    @Test func readsRISCVAttributes() throws {
        let hello = try ELFFile(path: Paths.fixtures.appendingPathComponent("bin/hello").path)
        let attributes = try #require(hello.riscvAttributes)
        #expect(attributes.arch?.hasPrefix("rv64i2p1_m2p0_a2p1_f2p2_d2p2_c2p0") == true)
        #expect(attributes.privSpec?.major == 1 && attributes.privSpec?.minor == 11)
        let asm = try ELFFile(path: Paths.fixtures.appendingPathComponent("bin/asm_exit").path)
        #expect(asm.riscvAttributes?.arch != nil && asm.riscvAttributes?.privSpec == nil)
        let section = try #require(hello.sections.first { $0.type == RISCVAttributes.sectionType })
        let raw = Array(hello.bytes[Int(section.offset)..<Int(section.offset + section.size)])
        #expect(RISCVAttributes(section: raw[...]) == attributes)
        for length in 0..<raw.count { _ = RISCVAttributes(section: raw[0..<length]) }
        for i in raw.indices {
            for value: UInt8 in [0, 0x7f, 0x80, 0xff] {
                var bad = raw
                bad[i] = value
                _ = RISCVAttributes(section: bad[...])
            }
        }
    }

    /// The GNU build ID, which names a program in the persistent cache's key: readelf's for a
    /// real fixture, none for a file without notes, and none (never a trap) for notes whose sizes
    /// lie or that are cut short.
    @Test func readsTheBuildID() throws {
        let hello = try ELFFile(path: Paths.fixtures.appendingPathComponent("bin/hello").path)
        let id = try #require(hello.buildID)
        #expect(id.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() == "7837a73affcbc3dbe21f8f7f8da7dd046f7e7da5")
        #expect(try ELFFile(bytes: ELFBuilder().build()).buildID == nil)
        let note = try #require(hello.programHeaders.first { $0.type == ProgramHeader.note })
        let original = Array(hello.bytes)
        var lying = original
        for k in 0..<4 { lying[Int(note.offset) + 4 + k] = 0xff } // the first note's descsz
        #expect(try ELFFile(bytes: lying).buildID == nil)
        for at in Int(note.offset)..<Int(note.offset + note.fileSize) {
            for value: UInt8 in [0, 3, 0x14, 0xff] {
                var bytes = original
                bytes[at] = value
                _ = try ELFFile(bytes: bytes).buildID
            }
        }
    }

    @Test func rejectsMalformedHeaders() {
        let good = ELFBuilder().build()
        #expect(problem([]) == "not an ELF file")
        #expect(problem(Array("#!/bin/sh\n".utf8)) == "not an ELF file")
        #expect(problem(Array(good.prefix(40))) == "truncated ELF header")
        var bad = good; bad[1] = 0x46
        #expect(problem(bad) == "not an ELF file")
        bad = good; bad[4] = 1
        #expect(problem(bad) == "32-bit ELF, not ELF64")
        bad = good; bad[5] = 2
        #expect(problem(bad) == "big-endian ELF, not little-endian")
        var x86 = ELFBuilder(); x86.machine = 62
        #expect(problem(x86.build()) == "ELF for machine x86-64, not RISC-V")
        var arm = ELFBuilder(); arm.machine = 183
        #expect(problem(arm.build()) == "ELF for machine AArch64, not RISC-V")
        var object = ELFBuilder(); object.type = 1
        #expect(problem(object.build()) == "relocatable object, not an executable")
    }

    @Test func rejectsBadProgramHeaders() {
        let good = ELFBuilder().build()
        #expect(problem(Array(good.prefix(64 + 20))) == "truncated program header table")
        var bad = good
        bad[56] = 0; bad[57] = 0  // e_phnum = 0
        #expect(problem(bad) == "no program headers")
        bad = good
        bad[32] = 0xf0; bad[33] = 0xff  // e_phoff far past the end
        #expect(problem(bad) == "truncated program header table")
        bad = good
        bad[54] = 32  // e_phentsize
        #expect(problem(bad) == "bad program header size 32")
    }

    @Test func rejectsBadSegments() {
        var outside = ELFBuilder().build()
        // p_offset of the first header (at 64 + 8) pointed past the end of the file.
        outside.replaceSubrange(72..<80, with: le(1 << 40, 8))
        #expect(problem(outside) == "segment outside file")

        var small = ELFBuilder()
        small.segments = [.init(vaddr: 0x10000, bytes: [1, 2, 3, 4], memorySize: 2)]
        #expect(problem(small.build()) == "segment file size larger than its memory size")

        var overlapping = ELFBuilder()
        overlapping.segments = [.init(vaddr: 0x10000, bytes: [1], memorySize: 0x2000),
                                .init(flags: 6, vaddr: 0x11000, bytes: [2])]
        #expect(problem(overlapping.build()) == "overlapping or unordered segments")

        var wrapping = ELFBuilder()
        wrapping.segments = [.init(vaddr: UInt64.max - 10, bytes: [1], memorySize: 100)]
        #expect(problem(wrapping.build()) == "segment address overflows")

        var none = ELFBuilder()
        none.segments = [.init(type: 4, vaddr: 0, bytes: [1])]
        #expect(problem(none.build()) == "no loadable segments")
    }

    @Test func rejectsBadInterpreter() {
        var b = ELFBuilder()
        b.interpreter = "/lib/ld.so"
        var bytes = b.build()
        // The interpreter string's NUL terminator (its last byte) overwritten.
        let offset = Int(readLE(bytes, 64 + 8, 8)), size = Int(readLE(bytes, 64 + 32, 8))
        bytes[offset + size - 1] = 0x41
        #expect(problem(bytes) == "bad PT_INTERP")
    }

    @Test func loaderRejectsSegmentsThatDoNotFit() throws {
        let memory = GuestMemory(limit: 1 << 30)
        var huge = ELFBuilder()
        huge.segments = [.init(vaddr: 0x10000, bytes: [1], memorySize: 1 << 40)]
        #expect(throws: LoaderError("", "segments too large")) {
            try ELFLoader.map(try ELFFile(bytes: huge.build()), into: memory, base: nil)
        }
        var high = ELFBuilder()
        high.segments = [.init(vaddr: (1 << 30) - 0x1000, bytes: [1])]
        #expect(throws: LoaderError("", "segment outside the guest address space")) {
            try ELFLoader.map(try ELFFile(bytes: high.build()), into: memory, base: nil)
        }
        var zero = ELFBuilder()
        zero.segments = [.init(vaddr: 0, bytes: [1])]
        #expect(throws: LoaderError("", "segment outside the guest address space")) {
            try ELFLoader.map(try ELFFile(bytes: zero.build()), into: memory, base: nil)
        }
    }

    @Test func loaderMapsSegmentsWithTheirPermissions() throws {
        let memory = GuestMemory(limit: 1 << 30)
        var b = ELFBuilder()
        b.segments = [.init(flags: 5, vaddr: 0x10000, bytes: [0x13, 0, 0, 0], memorySize: 0x1800),
                      .init(flags: 6, vaddr: 0x11800, bytes: [7, 8], memorySize: 0x3000),
                      .init(flags: 4, vaddr: 0x20000, bytes: [9])]
        let image = try ELFLoader.map(try ELFFile(bytes: b.build()), into: memory, base: nil)
        #expect(image.bias == 0)
        #expect(image.high == 0x20001)
        #expect(try memory.load(0x10000, as: UInt32.self) == 0x13)
        #expect(try memory.load(0x11800, as: UInt16.self) == 0x0807)
        #expect(try memory.load(0x11802, as: UInt64.self) == 0)  // bss is zero
        #expect(memory.pageFlags(0x10000) == [.mapped, .read, .execute])
        // The page both segments share gets both sets of permissions.
        #expect(memory.pageFlags(0x11000) == [.mapped, .read, .write, .execute])
        #expect(memory.pageFlags(0x13000) == [.mapped, .read, .write])
        #expect(memory.pageFlags(0x15000) == [])  // the gap is unmapped
        #expect(memory.pageFlags(0x20000) == [.mapped, .read])
    }

    @Test func positionIndependentImagesGoToTheChosenBase() throws {
        let memory = GuestMemory(limit: 1 << 30)
        var b = ELFBuilder()
        b.type = 3
        b.entry = 0x104
        b.segments = [.init(type: 6, flags: 4, vaddr: 0x40, bytes: []),
                      .init(vaddr: 0, bytes: [UInt8](repeating: 0x55, count: 0x200))]
        let image = try ELFLoader.map(try ELFFile(bytes: b.build()), into: memory, base: 0x2000_0000)
        #expect(image.bias == 0x2000_0000)
        #expect(image.entry == 0x2000_0104)
        #expect(image.programHeaders == 0x2000_0040)
        #expect(try memory.load(0x2000_0100, as: UInt8.self) == 0x55)
    }

    /// Thousands of seeded random corruptions of a valid file: every one must load or give a
    /// LoaderError, never crash.
    @Test func mutatedFilesNeverCrash() {
        var b = ELFBuilder()
        b.segments = [.init(flags: 5, vaddr: 0x10000, bytes: [UInt8](repeating: 0x13, count: 64)),
                      .init(flags: 6, vaddr: 0x12000, bytes: [1, 2, 3], memorySize: 0x100)]
        b.interpreter = "/nonexistent/ld.so"
        let good = b.build()
        let memory = GuestMemory(limit: 1 << 30)
        var rng = SeededRandom(seed: 0x7a9e2e)
        var errors = 0, loaded = 0
        for _ in 0..<4000 {
            var bytes = good
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                // Mostly the headers, where the structure is; sometimes anywhere.
                let range = rng.next() % 4 == 0 ? bytes.count : 64 + 56 * 4
                let i = Int(rng.next() % UInt64(range))
                bytes[i] = rng.next() % 3 == 0 ? 0xff : UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 8 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count))) }
            do {
                let elf = try ELFFile(bytes: bytes)
                _ = elf.symbolTable()
                let image = try ELFLoader.map(elf, into: memory, base: elf.isPositionIndependent ? 0x1000_0000 : nil)
                memory.unmap(image.low, (image.high - image.low + 0xfff) & ~0xfff)
                loaded += 1
            } catch {
                #expect(!error.problem.isEmpty)
                errors += 1
            }
        }
        #expect(errors + loaded == 4000)
        #expect(errors > 100 && loaded > 100)
    }
}
