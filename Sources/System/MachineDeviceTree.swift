import Guest
import RISCV

/// The device tree of the machine Trapeze builds, in the shapes QEMU's `virt` board uses (node
/// names, compatible strings, phandle numbers), so firmware and kernels find what they expect.
public struct MachineDeviceTree: Equatable, Sendable {
    public var memorySize: UInt64
    /// `/chosen/bootargs`.
    public var bootArguments: String?
    /// `/chosen/linux,initrd-start` and `-end`.
    public var initrd: Range<UInt64>?
    /// virtio-mmio transports in slots 0..<virtioDevices (none unless configured).
    public var virtioDevices: Int
    /// The hart's extensions (`--cpu`), for `riscv,isa` and `riscv,isa-extensions`.
    public var cpu: CPUModel = .all

    public init(memorySize: UInt64, bootArguments: String? = nil, initrd: Range<UInt64>? = nil, virtioDevices: Int = 0) {
        self.memorySize = memorySize
        self.bootArguments = bootArguments
        self.initrd = initrd
        self.virtioDevices = virtioDevices
    }

    static let cpuPhandle: UInt32 = 1, intcPhandle: UInt32 = 2, plicPhandle: UInt32 = 3, testPhandle: UInt32 = 4
    /// Local interrupt numbers on the hart's interrupt controller (mip bits).
    static let machineSoftware: UInt32 = 3, machineTimer: UInt32 = 7, supervisorExternal: UInt32 = 9, machineExternal: UInt32 = 11
    /// The UART's input clock (QEMU's value; the kernel computes divisors from it).
    public static let uartClock: UInt32 = 3_686_400

    public static func unitName(_ name: String, _ address: UInt64) -> String { "\(name)@\(String(address, radix: 16))" }
    public static var serialPath: String { "/soc/" + unitName("serial", MemoryMap.uart) }

    /// The flattened blob.
    public func blob() throws(SystemError) -> [UInt8] {
        try FDTWriter.build { w in
            w.node("") {
                w.property("#address-cells", 2)
                w.property("#size-cells", 2)
                w.property("compatible", string: "riscv-virtio")
                w.property("model", string: "riscv-virtio,qemu")
                chosen(w)
                syscon(w, "poweroff", value: UInt32(TestFinisher.pass))
                syscon(w, "reboot", value: UInt32(TestFinisher.reset))
                w.node(Self.unitName("memory", MemoryMap.dram)) {
                    w.property("device_type", string: "memory")
                    w.reg(MemoryMap.dram, memorySize)
                }
                cpus(w)
                soc(w)
            }
        }
    }

    private func chosen(_ w: FDTWriter) {
        w.node("chosen") {
            if let bootArguments { w.property("bootargs", string: bootArguments) }
            w.property("stdout-path", string: Self.serialPath)
            if let initrd {
                w.property("linux,initrd-start", u64: initrd.lowerBound)
                w.property("linux,initrd-end", u64: initrd.upperBound)
            }
        }
    }

    private func syscon(_ w: FDTWriter, _ name: String, value: UInt32) {
        w.node(name) {
            w.property("value", value)
            w.property("offset", 0)
            w.property("regmap", Self.testPhandle)
            w.property("compatible", string: "syscon-\(name)")
        }
    }

    private func cpus(_ w: FDTWriter) {
        w.node("cpus") {
            w.property("#address-cells", 1)
            w.property("#size-cells", 0)
            w.property("timebase-frequency", UInt32(Hart.timebaseFrequency))
            w.node("cpu@0") {
                w.property("phandle", Self.cpuPhandle)
                w.property("device_type", string: "cpu")
                w.property("reg", 0)
                w.property("status", string: "okay")
                w.property("compatible", string: "riscv")
                w.property("riscv,isa", string: HartISA.isaString(cpu))
                w.property("riscv,isa-base", string: HartISA.base)
                w.property("riscv,isa-extensions", strings: HartISA.extensions(cpu))
                w.property("mmu-type", string: HartISA.mmuType)
                // Linux leaves Zicbom/Zicboz off without their block sizes.
                if cpu.has(.zicbom) { w.property("riscv,cbom-block-size", UInt32(Hart.cacheBlockSize)) }
                if cpu.has(.zicboz) { w.property("riscv,cboz-block-size", UInt32(Hart.cacheBlockSize)) }
                w.node("interrupt-controller") {
                    w.property("#address-cells", 0)
                    w.property("#interrupt-cells", 1)
                    w.flag("interrupt-controller")
                    w.property("compatible", string: "riscv,cpu-intc")
                    w.property("phandle", Self.intcPhandle)
                }
            }
            w.node("cpu-map") {
                w.node("cluster0") {
                    w.node("core0") { w.property("cpu", Self.cpuPhandle) }
                }
            }
        }
    }

    private func soc(_ w: FDTWriter) {
        w.node("soc") {
            w.property("#address-cells", 2)
            w.property("#size-cells", 2)
            w.property("compatible", string: "simple-bus")
            w.flag("ranges")
            for slot in (0..<virtioDevices).reversed() {  // QEMU lists them from the top slot down
                w.node(Self.unitName("virtio_mmio", MemoryMap.virtioBase(slot))) {
                    w.property("interrupts", UInt32(MemoryMap.virtioIRQ(slot)))
                    w.property("interrupt-parent", Self.plicPhandle)
                    w.reg(MemoryMap.virtioBase(slot), MemoryMap.virtioSize)
                    w.property("compatible", string: "virtio,mmio")
                }
            }
            w.node(Self.unitName("rtc", MemoryMap.rtc)) {
                w.property("interrupts", UInt32(MemoryMap.rtcIRQ))
                w.property("interrupt-parent", Self.plicPhandle)
                w.reg(MemoryMap.rtc, MemoryMap.rtcSize)
                w.property("compatible", string: "google,goldfish-rtc")
            }
            w.node(Self.unitName("serial", MemoryMap.uart)) {
                w.property("interrupts", UInt32(MemoryMap.uartIRQ))
                w.property("interrupt-parent", Self.plicPhandle)
                w.property("clock-frequency", Self.uartClock)
                w.reg(MemoryMap.uart, MemoryMap.uartSize)
                w.property("compatible", string: "ns16550a")
            }
            w.node(Self.unitName("test", MemoryMap.testFinisher)) {
                w.property("phandle", Self.testPhandle)
                w.reg(MemoryMap.testFinisher, MemoryMap.testFinisherSize)
                w.property("compatible", strings: ["sifive,test1", "sifive,test0", "syscon"])
            }
            w.node(Self.unitName("plic", MemoryMap.plic)) {
                w.property("phandle", Self.plicPhandle)
                w.property("riscv,ndev", UInt32(PLIC.sourceCount - 1))
                w.reg(MemoryMap.plic, MemoryMap.plicSize)
                w.property("interrupts-extended", cells: [Self.intcPhandle, Self.machineExternal, Self.intcPhandle, Self.supervisorExternal])
                w.flag("interrupt-controller")
                w.property("compatible", strings: ["sifive,plic-1.0.0", "riscv,plic0"])
                w.property("#address-cells", 0)
                w.property("#interrupt-cells", 1)
            }
            w.node(Self.unitName("clint", MemoryMap.clint)) {
                w.property("interrupts-extended", cells: [Self.intcPhandle, Self.machineSoftware, Self.intcPhandle, Self.machineTimer])
                w.reg(MemoryMap.clint, MemoryMap.clintSize)
                w.property("compatible", strings: ["sifive,clint0", "riscv,clint0"])
            }
        }
    }
}
