import ELF

/// Puts a configuration's images in RAM and works out how the machine boots: firmware or
/// bare-metal ELF, the kernel firmware starts next, the initrd, and the device tree (generated,
/// or the user's) placed near the top of RAM.
struct BootImages {
    /// Where the reset vector jumps, and `fw_dynamic_info.next_addr`.
    var entry: UInt64 = 0, nextAddress: UInt64 = 0
    var deviceTree: [UInt8] = []
    var deviceTreeAddress: UInt64 = 0
    var htif: (tohost: UInt64, fromhost: UInt64?)?
    var images: [(name: String, range: Range<UInt64>)] = []

    /// The device tree's alignment when RAM leaves room for it (QEMU's choice; the kernel maps
    /// the tree with 2 MiB pages), else the format's own.
    static let deviceTreeAlignment: UInt64 = 2 << 20, minimumAlignment: UInt64 = 8
    static let initrdAlignment: UInt64 = 4096

    init(_ c: SystemConfiguration, ram: HostRegion) throws(SystemError) {
        let loader = ImageLoader(ram: ram)
        let limit = ram.size
        if case .file(let path) = c.firmware {
            let bytes = try ImageFile.read(path, role: "firmware", limit: limit)
            if isELF(bytes) {
                entry = try loader.load(try Self.parse(bytes, path, "firmware"), name: "firmware")
            } else {
                try loader.place("firmware", bytes[...], at: MemoryMap.firmwareLoad)
                entry = MemoryMap.firmwareLoad
            }
        }
        if let path = c.program {
            let bytes = try ImageFile.read(path, role: "ELF", limit: 1 << 30)
            let elf = try Self.parse(bytes, path, "ELF")
            entry = try loader.load(elf, name: "ELF")
            htif = try Self.hostInterface(elf, loader)
        }
        if let path = c.kernel {
            let bytes = try ImageFile.read(path, role: "kernel", limit: limit)
            if isELF(bytes) {
                nextAddress = try loader.load(try Self.parse(bytes, path, "kernel"), name: "kernel")
            } else if let header = LinuxImageHeader(bytes) {
                try loader.place("kernel", bytes[...], at: MemoryMap.kernelLoad, size: header.imageSize)
                nextAddress = MemoryMap.kernelLoad
            } else {
                throw SystemError("kernel \(path): neither an ELF file nor a RISC-V Linux Image (no \"RSC\\x05\" magic at 0x38)",
                                  status: SystemError.unloadable)
            }
        }
        let initrdBytes = try c.initrd.map { path throws(SystemError) in try ImageFile.read(path, role: "initrd", limit: limit) }
        let userTree = try c.dtb.map { path throws(SystemError) in try Self.userDeviceTree(path, limit: limit) }

        // The tree's size does not depend on the addresses in it, so place it by a first build.
        func tree(_ initrd: Range<UInt64>?) throws(SystemError) -> [UInt8] {
            if let userTree { return try DeviceTreeEdit.settingChosen(userTree, bootArguments: c.append, initrd: initrd) }
            var tree = MachineDeviceTree(memorySize: c.memorySize, bootArguments: c.append, initrd: initrd,
                                         virtioDevices: c.virtioDeviceCount)
            tree.cpu = c.cpu
            return try tree.blob()
        }
        let placeholder: Range<UInt64>? = initrdBytes == nil ? nil : 0..<0
        let size = UInt64(try tree(placeholder).count)
        let top = ram.base + ram.size
        let imagesEnd = loader.end
        var treeAddress = Self.alignDown(top - size, Self.deviceTreeAlignment)
        if treeAddress < imagesEnd + UInt64(initrdBytes?.count ?? 0) { treeAddress = Self.alignDown(top - size, Self.minimumAlignment) }
        var initrd: Range<UInt64>? = nil
        if let initrdBytes {
            let count = UInt64(initrdBytes.count)
            guard treeAddress >= ram.base + count else {
                throw SystemError("initrd \(c.initrd ?? ""): \(count) bytes do not fit RAM (see --memory)", status: SystemError.unloadable)
            }
            let start = Self.alignDown(treeAddress - count, Self.initrdAlignment)
            try loader.place("initrd", initrdBytes[...], at: start)
            initrd = start..<start + count
        }
        deviceTree = try tree(initrd)
        deviceTreeAddress = treeAddress
        try loader.place("device tree", deviceTree[...], at: treeAddress)
        images = loader.loaded
    }

    static func alignDown(_ value: UInt64, _ alignment: UInt64) -> UInt64 { value & ~(alignment - 1) }

    static func parse(_ bytes: [UInt8], _ path: String, _ role: String) throws(SystemError) -> ELFFile {
        do {
            return try ELFFile(bytes: bytes, path: path)
        } catch {
            throw SystemError("\(role) \(error.description)", status: SystemError.unloadable)
        }
    }

    /// HTIF's words, when the ELF names `tohost` (spike's and QEMU's convention).
    static func hostInterface(_ elf: ELFFile, _ loader: ImageLoader) throws(SystemError) -> (tohost: UInt64, fromhost: UInt64?)? {
        let symbols = elf.elfSymbols().filter(\.isDefined)
        func address(_ name: String) -> UInt64? { symbols.first { $0.name == name }.map { loader.physical($0.value, in: elf) } }
        guard let tohost = address("tohost") else { return nil }
        let fromhost = address("fromhost")
        for (name, word) in [("tohost", tohost), ("fromhost", fromhost)] {
            guard let word else { continue }
            guard word % 8 == 0, loader.ram.contains(word, 8) else {
                throw SystemError("ELF \(elf.path): \(name) at 0x\(String(word, radix: 16)) is not an aligned word in RAM", status: SystemError.unloadable)
            }
        }
        return (tohost, fromhost)
    }

    static func userDeviceTree(_ path: String, limit: UInt64) throws(SystemError) -> [UInt8] {
        let bytes = try ImageFile.read(path, role: "dtb", limit: limit)
        if let problem = DeviceTreeEdit.problem(bytes) {
            throw SystemError("dtb \(path): not a device tree blob (\(problem.lowercased()))", status: SystemError.unloadable)
        }
        return bytes
    }
}
