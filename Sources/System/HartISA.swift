/// What the hart implements, as the device tree tells firmware and kernels: one list, from which
/// both `riscv,isa` and `riscv,isa-extensions` are made.
public enum HartISA {
    public static let base = "rv64i"
    /// Single-letter extensions first (in canonical order), then multi-letter ones.
    /// Z extensions by category (Zi*, then Zb*/Zbk*), alphabetical within one, as QEMU lists
    /// them; the bit-manipulation ones are those both engines implement (the `bit` group) and
    /// riscv_hwprobe reports in user mode.
    public static let extensions = ["i", "m", "a", "f", "d", "c", "zicntr", "zicond", "zicsr", "zifencei",
                                    "zba", "zbb", "zbc", "zbkb", "zbkc", "zbkx", "zbs", "sstc"]
    /// The widest translation mode (`satp` also accepts Sv48 and Sv39).
    public static let mmuType = "riscv,sv57"

    /// `rv64imafdc_zicntr_zicond_zicsr_zifencei_zba_zbb_zbc_zbkb_zbkc_zbkx_zbs_sstc`.
    public static var isaString: String {
        let letters = extensions.filter { $0.count == 1 }.joined()
        let words = extensions.filter { $0.count > 1 }
        return (["rv64" + letters] + words).joined(separator: "_")
    }
}
