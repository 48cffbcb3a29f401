#if canImport(Glibc)
import Glibc
#endif
import ELF
import JIT
import Linux

/// What a persistent translation cache file is keyed by (`--jit-cache-dir`, TranslationStore in
/// the JIT): the program file's contents (size and hash: a rebuilt or replaced program gets a
/// new file, the same program in another chroot or under another path the same one), the sysroot its libraries come from, `--cpu`, and the JIT's own part
/// (Trapeze's executable and every option that shapes code, `TranslationStore.engineKey`).
/// The guest code itself is checked block by block when a block is loaded, so a library that
/// changed under the same sysroot only costs its blocks a retranslation.
enum TranslationCacheKey {
    /// `program`: the program file as the loader mapped it, when it mapped the whole file.
    static func key(_ c: RunConfiguration, _ options: JITOptions, program mapped: ELFBytes? = nil) -> String? {
        let contentKey = mapped.flatMap { bytes in
            bytes.isWholeFileMapping ? bytes.withUnsafeBytes { TranslationStore.contentKey(of: $0) } : nil
        }
        guard let content = contentKey ?? TranslationStore.contentKey(ofFile: c.program) else { return nil }
        let program = "program \(content)"
        guard let engine = TranslationStore.engineKey(options) else { return nil }
        return engine + "\n" + program + "\nsysroot \(c.resolvedSysroot ?? "")\ncpu \(c.cpu.isAll ? "all" : c.cpu.name)"
    }

    /// The process's store, or nil (with a one-line note on stderr when a directory was given
    /// but cannot be used).
    static func store(_ c: RunConfiguration, program: ELFBytes? = nil) -> TranslationStore? {
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
