// Placeholder until the RISCV tests land.
