/// The module's lazily initialised constants (Swift builds a global or static `let` with a
/// non-trivial initialiser at first use, under a once-lock): `initialize()` builds them all now.
/// A guest fork is a host fork of the whole process, and a constant that another thread was
/// building at that moment would stay locked, half-built, in the child for good;
/// `JIT.prepareForThreads()` calls this while the process still has one thread.
public enum X86Statics {
    /// Returns a number made of them all, so that no access can be optimised away.
    @discardableResult public static func initialize() -> Int {
        let registers: [Reg] = [
            .rax, .rcx, .rdx, .rbx, .rsp, .rbp, .rsi, .rdi,
            .r8, .r9, .r10, .r11, .r12, .r13, .r14, .r15,
            .eax, .ecx, .edx, .ebx, .esp, .ebp, .esi, .edi,
            .r8d, .r9d, .r10d, .r11d, .r12d, .r13d, .r14d, .r15d,
            .ax, .cx, .dx, .bx, .sp, .bp, .si, .di,
            .r8w, .r9w, .r10w, .r11w, .r12w, .r13w, .r14w, .r15w,
            .al, .cl, .dl, .bl, .spl, .bpl, .sil, .dil,
            .r8b, .r9b, .r10b, .r11b, .r12b, .r13b, .r14b, .r15b,
        ]
        var n = Reg.names.count &+ Assembler.nops.count
        for r in registers { n &+= r.size.rawValue }
        return n
    }
}
