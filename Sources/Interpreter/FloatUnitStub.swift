import Guest
import RISCV

/// Temporary stand-in for the F/D arithmetic unit, which lands in Float/ (another branch):
/// every F/D arithmetic instruction is illegal until then. Delete this file at merge.
public enum FloatUnit {
    public static func execute(_ inst: Instruction, _ state: GuestState) -> Bool { false }
}
