#if canImport(Glibc)
import Glibc
#endif
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
            var hex = ""
            for byte in id { hex += (byte < 16 ? "0" : "") + String(byte, radix: 16) }
            identity = "build-id \(hex) size \(elf.bytes.count)"
        } else if let elf, elf.bytes.isWholeFileMapping {
            identity = elf.bytes.withUnsafeBytes { TranslationStore.contentKey(of: $0) }
        } else {
            identity = TranslationStore.contentKey(ofFile: c.program)
        }
        guard let content = identity else { return nil }
        let program = "program \(content)"
        guard let engine = TranslationStore.engineKey(options) else { return nil }
        return engine + "\n" + program + "\nsysroot \(c.resolvedSysroot ?? "")\ncpu \(c.cpu.isAll ? "all" : c.cpu.name)"
    }

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
