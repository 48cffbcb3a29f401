import Testing
@testable import System

/// Builds a machine from `c`, or the error it fails with.
func build(_ c: SystemConfiguration) -> Result<Machine, SystemError> {
    do { return .success(try Machine(c, console: BufferConsole(), clock: ManualClock())) } catch { return .failure(error) }
}

func failure(_ c: SystemConfiguration) -> SystemError? {
    if case .failure(let e) = build(c) { return e }
    return nil
}

@Suite struct LoadingTests {
    @Test("an ELF's segments go to their physical addresses; the entry is made physical")
    func elfAtPhysical() throws {
        let elf = TempFile(BareELF(entry: 0xffff_ffff_8000_0010,
                                   segments: [.init(vaddr: 0xffff_ffff_8000_0000, paddr: 0x8040_0000, bytes: [1, 2, 3, 4], memorySize: 0x2000)]).build())
        defer { elf.remove() }
        var c = SystemConfiguration()
        c.program = elf.path
        let m = try build(c).get()
        #expect(m.resetVector.entry == 0x8040_0010)
        let p = m.bus.ram(0x8040_0000, 0x2000)!
        #expect(Array(UnsafeRawBufferPointer(start: p, count: 6)) == [1, 2, 3, 4, 0, 0])
        #expect(m.images.map(\.name) == ["ELF segment", "device tree"])
    }

    @Test("firmware raw at the start of RAM, a Linux Image at 0x80200000, the initrd below the device tree")
    func firmwareKernelInitrd() throws {
        let firmware = TempFile([0x6f, 0, 0, 0], name: "fw"), kernel = TempFile(linuxImage(imageSize: 0x10_0000), name: "kernel")
        let initrd = TempFile([UInt8](repeating: 7, count: 5000), name: "initrd")
        defer { [firmware, kernel, initrd].forEach { $0.remove() } }
        var c = SystemConfiguration()
        c.firmware = .file(firmware.path)
        c.kernel = kernel.path
        c.initrd = initrd.path
        c.append = "console=ttyS0"
        let m = try build(c).get()
        #expect(m.resetVector.entry == 0x8000_0000 && m.resetVector.nextAddress == 0x8020_0000)
        #expect(m.deviceTreeAddress == 0x87e0_0000)  // 128M: QEMU's place
        let names = m.images.map(\.name), ranges = m.images.map(\.range)
        #expect(names == ["firmware", "kernel", "initrd", "device tree"])
        #expect(ranges[1] == 0x8020_0000..<0x8030_0000)  // the header's image size, not the file's
        #expect(ranges[2].upperBound <= m.deviceTreeAddress && ranges[2].lowerBound % 4096 == 0 && ranges[2].count == 5000)
        let tree = try DeviceTree(m.deviceTree)
        #expect(tree.string("/chosen", "bootargs") == "console=ttyS0")
        #expect(tree.u64("/chosen", "linux,initrd-start") == ranges[2].lowerBound)
        #expect(tree.u64("/chosen", "linux,initrd-end") == ranges[2].upperBound)
    }

    @Test("an ELF kernel starts at its physical entry; firmware may be an ELF too")
    func elfKernel() throws {
        let firmware = TempFile(BareELF().build(), name: "fw")
        let kernel = TempFile(BareELF(entry: 0xffff_ffff_8000_0000,
                                      segments: [.init(vaddr: 0xffff_ffff_8000_0000, paddr: 0x8020_0000, bytes: [0x13, 0, 0, 0])]).build(), name: "k")
        defer { firmware.remove(); kernel.remove() }
        var c = SystemConfiguration()
        c.firmware = .file(firmware.path)
        c.kernel = kernel.path
        let m = try build(c).get()
        #expect(m.resetVector.entry == 0x8000_0000 && m.resetVector.nextAddress == 0x8020_0000)
    }

    @Test("bad input is one error with a status, never a crash")
    func badInput() throws {
        let notELF = TempFile(Array("#!/bin/sh\n".utf8), name: "text")
        let big = TempFile([UInt8](repeating: 1, count: (1 << 20) + 1), name: "big")
        let elf = TempFile(BareELF().build(), name: "elf")
        let highELF = TempFile(BareELF(segments: [.init(vaddr: 0x9000_0000, paddr: 0x9000_0000, bytes: [1])]).build(), name: "high")
        let lowELF = TempFile(BareELF(segments: [.init(vaddr: 0x1000, paddr: 0x1000, bytes: [1])]).build(), name: "low")
        let overlapping = TempFile(BareELF(segments: [.init(vaddr: 0x8000_0000, paddr: 0x8000_0000, bytes: [1], memorySize: 0x100),
                                                      .init(vaddr: 0x8000_1000, paddr: 0x8000_0080, bytes: [2])]).build(), name: "overlap")
        let bigFirmware = TempFile([UInt8](repeating: 0x13, count: 0x20_0004), name: "bigfw")
        let image = TempFile(linuxImage(imageSize: 0x1000), name: "image")
        let hugeImage = TempFile(linuxImage(imageSize: 1 << 40), name: "huge")
        let badTree = TempFile([0xd0, 0x0d, 0xfe, 0xed] + [UInt8](repeating: 0, count: 60), name: "dtb")
        defer { [notELF, big, elf, highELF, lowELF, overlapping, bigFirmware, image, hugeImage, badTree].forEach { $0.remove() } }

        func config(_ f: (inout SystemConfiguration) -> Void) -> SystemConfiguration {
            var c = SystemConfiguration()
            f(&c)
            return c
        }
        let cases: [(SystemConfiguration, Int32, String)] = [
            (config { $0.program = "/nonexistent/elf" }, 127, "no such file"),
            (config { $0.program = "/tmp" }, 126, "is a directory"),
            (config { $0.program = notELF.path }, 126, "not an ELF"),
            (config { $0.program = highELF.path; $0.memorySize = 16 << 20 }, 126, "does not fit RAM"),
            (config { $0.program = lowELF.path }, 126, "does not fit RAM"),
            (config { $0.program = overlapping.path }, 126, "overlaps ELF segment"),
            (config { $0.program = elf.path; $0.memorySize = 1 << 20; $0.initrd = big.path }, 64, "--initrd needs --kernel"),
            (config { $0.firmware = .file(big.path); $0.memorySize = 1 << 20 }, 126, "larger than"),
            (config { $0.firmware = .file(bigFirmware.path); $0.kernel = image.path }, 126, "overlaps firmware"),
            (config { $0.firmware = .file(elf.path); $0.kernel = hugeImage.path }, 126, "does not fit RAM"),
            (config { $0.firmware = .file(elf.path); $0.kernel = notELF.path }, 126, "RISC-V Linux Image"),
            (config { $0.kernel = image.path }, 64, "--kernel needs firmware: pass --bios"),
            (config { $0.program = elf.path; $0.kernel = image.path }, 64, "not both"),
            (config { $0.program = elf.path; $0.firmware = .file(elf.path) }, 64, "without firmware"),
            (config { _ in }, 64, "nothing to run"),
            (config { $0.program = elf.path; $0.memorySize = 12345 }, 64, "--memory"),
            (config { $0.program = elf.path; $0.memorySize = 1 << 50 }, 64, "--memory"),
            (config { $0.program = elf.path; $0.dtb = badTree.path }, 126, "not a device tree"),
            (config { $0.firmware = .file(elf.path); $0.kernel = image.path; $0.initrd = big.path; $0.memorySize = 3 << 20 }, 126, "initrd"),
        ]
        for (c, status, words) in cases {
            let e = failure(c)
            #expect(e?.status == status, "\(words): \(String(describing: e))")
            #expect(e.map { $0.message.contains(words) && !$0.message.contains("\n") } == true, "\(words): \(String(describing: e))")
        }
    }

    @Test("--memory sizes")
    func memorySizes() {
        #expect(SystemConfiguration.parseMemorySize("128") == 128 << 20)
        #expect(SystemConfiguration.parseMemorySize("64K") == 64 << 10)
        #expect(SystemConfiguration.parseMemorySize("2G") == 2 << 30)
        #expect(SystemConfiguration.parseMemorySize("512m") == 512 << 20)
        for bad in ["", "M", "-1", "1.5G", "lots", "99999999999999999999G", "0x10M"] {
            #expect(SystemConfiguration.parseMemorySize(bad) == nil, "\(bad)")
        }
    }

    @Test("a large --memory reserves without committing")
    func largeMemory() throws {
        let elf = TempFile(BareELF().build())
        defer { elf.remove() }
        var c = SystemConfiguration()
        c.program = elf.path
        c.memorySize = 64 << 30
        let m = try build(c).get()
        #expect(m.bus.ram(0x8000_0000 + (64 << 30) - 8, 8) != nil)
        #expect(m.deviceTreeAddress == 0x8000_0000 + (64 << 30) - (2 << 20))
    }
}
