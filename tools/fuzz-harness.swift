// libFuzzer entry points for tools/fuzz-run.sh, one per build (-D FUZZ_ELF or -D FUZZ_DECODE).
// A property that fails calls fatalError, which libFuzzer reports as a crash with its input.
import Guest
import Linux
import RISCV
import ELF

#if FUZZ_ELF
/// One guest address space for every input: an image is unmapped again after it loads.
let memory = GuestMemory(limit: 1 << 32)

/// ELF files: parse, read the symbol table, map into guest memory. Any input must either load
/// or be rejected with a LoaderError that says what is wrong.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let elf = try ELFFile(bytes: bytes)
        _ = elf.symbolTable()
        _ = elf.riscvAttributes
        _ = elf.interpreter.map { SysrootPath.resolve($0, sysroot: "/nonexistent") }
        let image = try ELFLoader.map(elf, into: memory, base: elf.isPositionIndependent ? 0x1000_0000 : nil)
        guard image.low <= image.high, image.high <= memory.limit else { fatalError("image outside guest memory") }
        memory.unmap(image.low & ~0xfff, (image.high - (image.low & ~0xfff) + 0xfff) & ~0xfff)
    } catch {
        if error.problem.isEmpty { fatalError("LoaderError without a message") }
    }
    return 0
}
#elseif FUZZ_DECODE
/// Instruction words: decode, disassemble, and re-encode what decodes; the round trip must
/// give the same instruction back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var offset = 0
    while offset + 4 <= size {
        let word = UInt32(data[offset]) | UInt32(data[offset + 1]) << 8 | UInt32(data[offset + 2]) << 16 | UInt32(data[offset + 3]) << 24
        offset += word & 3 == 3 ? 4 : 2
        guard let inst = decode(word) else { continue }
        _ = disassemble(inst, pc: 0x1_0000)
        guard let again = decode(encode(inst)), again.opcode == inst.opcode, again.rd == inst.rd,
              again.rs1 == inst.rs1, again.rs2 == inst.rs2, again.imm == inst.imm else {
            fatalError("round trip failed for 0x\(String(word, radix: 16))")
        }
    }
    return 0
}
#endif
