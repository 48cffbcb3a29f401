#if canImport(Glibc)
import Glibc
#endif
import CHost
import ELF
import JIT
import Linux

/// What a persistent translation cache file is keyed by (`--jit-cache-dir`, TranslationStore in
/// the JIT): which program it is, the sysroot its libraries come from, `--cpu`, and the JIT's own
/// part (Trapeze's executable and every option that shapes code, `TranslationStore.engineKey`).
///
/// The program is named by its GNU build ID and file size when it has a build ID (Debian's
/// programs and the fixtures do: `ld --build-id`, a hash of the linked output, read from the
/// headers the loader mapped anyway), else by its size and a hash of every byte. Either way a
/// rebuilt or replaced program gets a new file and the same program in another chroot or under
/// another path the same one; the build ID spares each start hashing the whole program.
///
/// The key only chooses which file to read: nothing in it is trusted. Every block is checked
/// against the guest memory it would run on before it is used (its instructions, word for
/// word), so a program that shares a build ID with another, or was patched in place without a
/// new one, gets the blocks that still match and translates the rest afresh.
enum TranslationCacheKey {
    /// `program`: the program as the loader read it (its whole file mapped, or its headers).
    static func key(_ c: RunConfiguration, _ options: JITOptions, program elf: ELFFile? = nil) -> String? {
        let identity: String?
        if let elf, elf.bytes.isWholeFileMapping, let id = elf.buildID {
            identity = "build-id \(hex(id)) size \(elf.bytes.count)"
        } else if let elf, elf.bytes.isWholeFileMapping {
            identity = elf.bytes.withUnsafeBytes { TranslationStore.contentKey(of: $0) }
        } else {
            identity = TranslationStore.contentKey(ofFile: c.program)
        }
        guard let content = identity else { return nil }
        let program = "program \(content)"
        guard let engine = TranslationStore.engineKey(options, buildID: ownBuildID) else { return nil }
        return engine + "\n" + program + "\nsysroot \(c.resolvedSysroot ?? "")\ncpu \(c.cpu.isAll ? "all" : c.cpu.name)"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        var hex = ""
        for byte in bytes { hex += (byte < 16 ? "0" : "") + String(byte, radix: 16) }
        return hex
    }

    /// Trapeze's own GNU build ID in hex: the NT_GNU_BUILD_ID note of the running executable,
    /// found through the program headers the kernel passed in the auxiliary vector, or nil when
    /// it was linked without one. Needs no /proc: a chroot without it keeps its cache.
    static let ownBuildID: String? = {
        let phdrs = trapeze_getauxval(3 /* AT_PHDR */), count = Int(trapeze_getauxval(5 /* AT_PHNUM */))
        guard phdrs != 0, count > 0, count < 256, trapeze_getauxval(4 /* AT_PHENT */) == 56,
              let headers = UnsafeRawPointer(bitPattern: UInt(phdrs)) else { return nil }
        func header(_ i: Int) -> (type: UInt32, vaddr: UInt64, size: UInt64) {
            let h = headers + i * 56
            return (h.loadUnaligned(as: UInt32.self), h.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                    h.loadUnaligned(fromByteOffset: 40, as: UInt64.self))
        }
        // Where the file was loaded relative to its link addresses (0 unless position independent).
        var bias: UInt64 = 0
        for i in 0..<count where header(i).type == 6 /* PT_PHDR */ { bias = UInt64(phdrs) &- header(i).vaddr }
        for i in 0..<count {
            let h = header(i)
            guard h.type == 4 /* PT_NOTE */, let base = UnsafeRawPointer(bitPattern: UInt(h.vaddr &+ bias)) else { continue }
            if let id = ELFFile.buildID(notes: UnsafeRawBufferPointer(start: base, count: Int(h.size))) { return hex(id) }
        }
        return nil
    }()

    /// The process's store, or nil (with a one-line note on stderr when a directory was given
    /// but cannot be used).
    static func store(_ c: RunConfiguration, program: ELFFile? = nil) -> TranslationStore? {
        guard c.engine.kind == .jit, let directory = c.engine.jitCacheDirectory else { return nil }
        guard let key = key(c, c.engine.jitOptions, program: program) else {
            HostIO.error("trapeze: jit cache: cannot identify \(c.program) or Trapeze itself; not used\n")
            return nil
        }
        switch TranslationStore.open(directory: directory, key: key) {
        case .success(let store):
            if let note = store.note, !note.isEmpty { HostIO.error("trapeze: jit cache: \(note)\n") }
            return store
        case .failure(let refusal):
            HostIO.error("trapeze: jit cache: \(refusal.message)\n")
            return nil
        }
    }
}
