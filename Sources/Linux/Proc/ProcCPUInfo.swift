#if canImport(Glibc)
import Glibc
#endif
import Guest
import RISCV

/// /proc/cpuinfo as Linux writes it on RISC-V (arch/riscv/kernel/cpu.c): one paragraph per
/// online host CPU (the guest's threads run on them), describing the `--cpu` choice instead of
/// the x86 host.
extension LinuxProcess {
    func procCPUInfoText() -> String {
        let count = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let isa = cpu.isaString
        // Sv39 reaches 2^38, Sv48 2^47: the guest's address-space limit says which it resembles.
        let mmu = memory.limit > 1 << 38 ? "sv48" : "sv39"
        var text = ""
        for n in 0..<count {
            text += "processor\t: \(n)\nhart\t\t: \(n)\nisa\t\t: \(isa)\nmmu\t\t: \(mmu)\n"
            text += "uarch\t\t: trapeze,dbt\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n"
            text += "hart isa\t: \(isa)\n\n"
        }
        return text
    }
}
