#if canImport(Glibc)
import Glibc
#endif
import RISCV

/// What `trapeze system` was asked to build and run, as plain values.
public struct SystemConfiguration: Equatable, Sendable {
    /// The firmware the machine starts: none (a bare-metal ELF runs from the reset vector in
    /// M-mode), or an image file (OpenSBI `fw_dynamic`, raw or ELF).
    public enum Firmware: Equatable, Sendable {
        case none
        case file(String)
    }

    /// Bytes of RAM at `MemoryMap.dram`.
    public var memorySize: UInt64 = SystemConfiguration.defaultMemorySize
    public var firmware: Firmware = .none
    /// A bare-metal ELF started in M-mode at its entry with no firmware (`trapeze system ELF`).
    public var program: String?
    public var kernel: String?
    public var initrd: String?
    /// The kernel command line, `/chosen/bootargs`.
    public var append: String?
    /// A device tree file used instead of the generated one.
    public var dtb: String?
    /// Where to write the machine's device tree blob.
    public var dumpDTB: String?
    public var maxInstructions: UInt64?
    /// Seconds of wall-clock time before the run stops.
    public var timeout: Double?
    public var trace = false
    public var stats = false
    /// `--drive`: raw disk images behind virtio-blk devices, in slot order.
    public var drives: [Drive] = []
    /// `--snapshot`: disk writes stay in memory, the image files are not changed.
    public var snapshot = false
    /// `--rng`: a virtio-rng device after the disks.
    public var entropy = false
    /// `--cpu`: the hart's extensions (misa, the device tree, and what fetch accepts).
    public var cpu: CPUModel = .all

    /// A disk image and how it may be used.
    public struct Drive: Equatable, Sendable {
        public var path: String
        public var readOnly: Bool
        public init(path: String, readOnly: Bool = false) {
            self.path = path
            self.readOnly = readOnly
        }

        /// `FILE[,readonly]` (`,ro` too); nil for an empty file name or an unknown option.
        public init?(option text: String) {
            var path = Substring(text), readOnly = false
            for suffix in [",readonly", ",ro"] where path.hasSuffix(suffix) {
                path = path.dropLast(suffix.count)
                readOnly = true
                break
            }
            guard !path.isEmpty else { return nil }
            self.init(path: String(path), readOnly: readOnly)
        }
    }

    /// The virtio-mmio slots in use: the drives, then the entropy device.
    public var virtioDeviceCount: Int { drives.count + (entropy ? 1 : 0) }

    /// QEMU's `virt` default.
    public static let defaultMemorySize: UInt64 = 128 << 20
    public static let minimumMemorySize: UInt64 = 1 << 20
    /// RAM is reserved, not committed (`MAP_NORESERVE`), but the address space must exist.
    public static let maximumMemorySize: UInt64 = 256 << 30

    public init() {}

    /// Debian's OpenSBI (package `opensbi`), which `--kernel` boots through when no `--bios` is given.
    public static let installedOpenSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"

    /// The firmware when `--bios` is not given: the installed OpenSBI for a kernel (when it is
    /// there), else none (a bare-metal ELF runs from the reset vector, as with `-bios none`).
    public static func defaultFirmware(kernel: Bool, installed: String = installedOpenSBI) -> Firmware {
        kernel && access(installed, R_OK) == 0 ? .file(installed) : .none
    }

    /// `--memory`: a size with an optional K, M or G suffix (binary units); a plain number means
    /// mebibytes, as QEMU's `-m`. Nil for text that is not a size.
    public static func parseMemorySize(_ text: String) -> UInt64? {
        var digits = Substring(text)
        var shift: UInt64 = 20
        switch text.last {
        case "K", "k": shift = 10; digits = digits.dropLast()
        case "M", "m": shift = 20; digits = digits.dropLast()
        case "G", "g": shift = 30; digits = digits.dropLast()
        case "B", "b": shift = 0; digits = digits.dropLast()
        default: break
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt64(digits) else { return nil }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : bytes
    }

    /// Checks the combination of options, before any file is read.
    public func validate() throws(SystemError) {
        let usage = SystemError.usage
        guard memorySize >= Self.minimumMemorySize, memorySize <= Self.maximumMemorySize else {
            throw SystemError("--memory must be between 1M and 256G, got \(memorySize) bytes", status: usage)
        }
        guard memorySize % 4096 == 0 else {
            throw SystemError("--memory must be a multiple of 4K, got \(memorySize) bytes", status: usage)
        }
        if program != nil {
            if case .file = firmware { throw SystemError("a bare-metal ELF runs without firmware: drop --bios, or pass the kernel with --kernel", status: usage) }
            if kernel != nil { throw SystemError("give either a bare-metal ELF or --kernel, not both", status: usage) }
        }
        if kernel != nil, firmware == .none {
            throw SystemError("--kernel needs firmware: pass --bios FILE (OpenSBI fw_dynamic; Debian's package opensbi installs \(Self.installedOpenSBI)), or run a bare-metal ELF as `trapeze system ELF`", status: usage)
        }
        if kernel == nil {
            if initrd != nil { throw SystemError("--initrd needs --kernel", status: usage) }
            if append != nil { throw SystemError("--append needs --kernel", status: usage) }
        }
        if virtioDeviceCount > MemoryMap.virtioSlots {
            throw SystemError("at most \(MemoryMap.virtioSlots) virtio devices (--drive, --rng), got \(virtioDeviceCount)", status: usage)
        }
        if snapshot && drives.isEmpty { throw SystemError("--snapshot needs --drive", status: usage) }
        if program == nil, firmware == .none, dumpDTB == nil {
            throw SystemError("nothing to run: give a bare-metal ELF, or --bios FILE [--kernel FILE]", status: usage)
        }
    }
}
