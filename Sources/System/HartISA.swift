import RISCV

/// What the hart implements, as the device tree tells firmware and kernels: one list, from which
/// both `riscv,isa` and `riscv,isa-extensions` are made.
public enum HartISA {
    public static let base = "rv64i"
    /// Single-letter extensions first (in canonical order), then multi-letter ones by category
    /// (Zi*, Za*, Zf*, Zc*, Zb*, Zk*), alphabetical within one, as QEMU lists them: the `--cpu`
    /// choice's instruction extensions, the counters (Zicntr, Zihpm) and Sstc, which the
    /// machine always has.
    public static func extensions(_ cpu: CPUModel = .all) -> [String] {
        cpu.letters.map(String.init) + cpu.multiLetter + ["sstc"]
    }
    /// The widest translation mode (`satp` also accepts Sv48 and Sv39).
    public static let mmuType = "riscv,sv57"

    /// `rv64imafdc_zicntr_zicond_zicsr_zifencei_zihpm_zba_zbb_…_sstc`.
    public static func isaString(_ cpu: CPUModel = .all) -> String {
        cpu.isaString + "_sstc"
    }
}
