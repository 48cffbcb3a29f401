#if canImport(Glibc)
import Glibc
#endif
import Foundation
import RISCV
import Testing
@testable import System

@Suite struct DeviceTreeTests {
    let tree: DeviceTree

    init() throws {
        tree = try DeviceTree(try MachineDeviceTree(memorySize: 256 << 20).blob())
    }

    @Test("the node set is QEMU virt's for the devices we build")
    func nodes() {
        #expect(tree.children("/") == ["chosen", "poweroff", "reboot", "memory@80000000", "cpus", "soc"])
        #expect(tree.children("/soc") == ["rtc@101000", "serial@10000000", "test@100000", "plic@c000000", "clint@2000000"])
        #expect(tree.children("/cpus") == ["cpu@0", "cpu-map"])
        #expect(tree.string("/", "compatible") == "riscv-virtio")
        #expect(tree.cells("/", "#address-cells") == [2] && tree.cells("/", "#size-cells") == [2])
    }

    @Test("cpu, memory and chosen")
    func cpu() {
        #expect(tree.cells("/cpus", "timebase-frequency") == [10_000_000])
        #expect(tree.string("/cpus/cpu@0", "riscv,isa") == "rv64imafdc_zicntr_zicond_zicsr_zifencei_zihpm_zfa_zfh_zfhmin_zba_zbb_zbc_zbkb_zbkc_zbkx_zbs_zknd_zkne_zknh_zksed_zksh_sstc")
        #expect(tree.string("/cpus/cpu@0", "riscv,isa-base") == "rv64i")
        #expect(tree.strings("/cpus/cpu@0", "riscv,isa-extensions") == HartISA.extensions())
        #expect(tree.string("/cpus/cpu@0", "mmu-type") == "riscv,sv57")
        // --cpu reaches the tree.
        var plain = MachineDeviceTree(memorySize: 64 << 20)
        plain.cpu = .rv64gc
        if let small = try? DeviceTree(plain.blob()) {
            #expect(small.string("/cpus/cpu@0", "riscv,isa") == "rv64imafdc_zicntr_zicsr_zifencei_zihpm_sstc")
            #expect(small.strings("/cpus/cpu@0", "riscv,isa-extensions")
                    == ["i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei", "zihpm", "sstc"])
        } else {
            Issue.record("no tree")
        }
        #expect(tree.string("/cpus/cpu@0/interrupt-controller", "compatible") == "riscv,cpu-intc")
        #expect(tree.property("/cpus/cpu@0/interrupt-controller", "interrupt-controller") == [])
        #expect(tree.cells("/memory@80000000", "reg") == [0, 0x8000_0000, 0, 0x1000_0000])
        #expect(tree.string("/chosen", "stdout-path") == "/soc/serial@10000000")
        #expect(tree.property("/chosen", "bootargs") == nil && tree.property("/chosen", "linux,initrd-start") == nil)
    }

    @Test("devices: addresses, interrupts, compatible strings")
    func devices() {
        let intc = tree.cells("/cpus/cpu@0/interrupt-controller", "phandle")![0]
        let plic = tree.cells("/soc/plic@c000000", "phandle")![0]
        #expect(tree.cells("/soc/clint@2000000", "interrupts-extended") == [intc, 3, intc, 7])
        #expect(tree.cells("/soc/plic@c000000", "interrupts-extended") == [intc, 11, intc, 9])
        #expect(tree.cells("/soc/plic@c000000", "riscv,ndev") == [96])
        #expect(tree.strings("/soc/plic@c000000", "compatible") == ["sifive,plic-1.0.0", "riscv,plic0"])
        #expect(tree.cells("/soc/serial@10000000", "interrupts") == [10])
        #expect(tree.cells("/soc/serial@10000000", "interrupt-parent") == [plic])
        #expect(tree.cells("/soc/serial@10000000", "reg") == [0, 0x1000_0000, 0, 0x100])
        #expect(tree.string("/soc/serial@10000000", "compatible") == "ns16550a")
        #expect(tree.cells("/soc/rtc@101000", "interrupts") == [11])
        #expect(tree.string("/soc/rtc@101000", "compatible") == "google,goldfish-rtc")
        let test = tree.cells("/soc/test@100000", "phandle")![0]
        #expect(tree.strings("/soc/test@100000", "compatible") == ["sifive,test1", "sifive,test0", "syscon"])
        #expect(tree.cells("/poweroff", "regmap") == [test] && tree.cells("/poweroff", "value") == [0x5555])
        #expect(tree.cells("/reboot", "regmap") == [test] && tree.cells("/reboot", "value") == [0x7777])
    }

    @Test("a user's device tree gets the command line and initrd in /chosen")
    func userTree() throws {
        let plain = try MachineDeviceTree(memorySize: 64 << 20).blob()
        let edited = try DeviceTree(try DeviceTreeEdit.settingChosen(plain, bootArguments: "quiet", initrd: 0x8100_0000..<0x8100_1000))
        #expect(edited.string("/chosen", "bootargs") == "quiet")
        #expect(edited.u64("/chosen", "linux,initrd-start") == 0x8100_0000 && edited.u64("/chosen", "linux,initrd-end") == 0x8100_1000)
        #expect(edited.string("/chosen", "stdout-path") == "/soc/serial@10000000")
        #expect(try DeviceTreeEdit.settingChosen(plain, bootArguments: nil, initrd: nil) == plain)

        let file = TempFile(plain, name: "dtb"), elf = TempFile(BareELF().build(), name: "elf")
        defer { file.remove(); elf.remove() }
        var c = SystemConfiguration()
        c.program = elf.path
        c.dtb = file.path
        let m = try build(c).get()
        #expect(m.deviceTree == plain)
        #expect(DeviceTreeEdit.problem([1, 2, 3]) != nil && DeviceTreeEdit.problem(Array(plain.prefix(100))) != nil)
    }

    static let dtc: String? = ["/usr/bin/dtc", "/usr/local/bin/dtc"].first { (path: String) in access(path, X_OK) == 0 }

    @Test("dtc decompiles our blob without complaint, to QEMU's shapes", .enabled(if: dtc != nil))
    func decompile() throws {
        let file = TempFile(try MachineDeviceTree(memorySize: 128 << 20, bootArguments: "console=ttyS0").blob(), name: "dtb")
        defer { file.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.dtc!)
        process.arguments = ["-I", "dtb", "-O", "dts", file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let warnings = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(warnings.isEmpty, "\(warnings)")
        for line in ["bootargs = \"console=ttyS0\";", "reg = <0x00 0x80000000 0x00 0x8000000>;",
                     "compatible = \"sifive,test1\\0sifive,test0\\0syscon\";", "interrupts-extended = <0x02 0x03 0x02 0x07>;",
                     "clock-frequency = \"\\08@\";", "riscv,ndev = <0x60>;"] {
            #expect(text.contains(line), "\(line)")
        }
    }

    static let qemu: String? = ["/usr/bin/qemu-system-riscv64", "/usr/local/bin/qemu-system-riscv64"].first { (path: String) in access(path, X_OK) == 0 }

    /// Every node's path under `path`, depth first.
    static func paths(_ tree: DeviceTree, _ path: String = "/") -> [String] {
        tree.children(path).flatMap { name -> [String] in
            let child = path == "/" ? "/" + name : path + "/" + name
            return [child] + paths(tree, child)
        }
    }

    @Test("every node we emit is in QEMU's virt tree, with the same addresses, interrupts and compatible strings",
          .enabled(if: qemu != nil))
    func matchesQEMU() throws {
        let path = "/tmp/trapeze-virt-\(getpid()).dtb"
        defer { unlink(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.qemu!)
        process.arguments = ["-M", "virt,dumpdtb=\(path)", "-m", "128M", "-nographic", "-display", "none"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let theirs = try DeviceTree(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let ours = try DeviceTree(try MachineDeviceTree(memorySize: 128 << 20).blob())
        let shared = ["compatible", "reg", "interrupts", "interrupt-parent", "interrupts-extended", "#address-cells", "#size-cells",
                      "#interrupt-cells", "phandle", "value", "offset", "regmap", "clock-frequency", "device_type",
                      "timebase-frequency", "riscv,ndev", "stdout-path", "status", "cpu", "interrupt-controller", "ranges"]
        for node in Self.paths(ours) {
            #expect(theirs.exists(node), "\(node)")
            for name in shared where theirs.property(node, name) != nil {
                #expect(ours.property(node, name) == theirs.property(node, name), "\(node) \(name)")
            }
        }
    }
}
