extension ELFFile {
    /// The GNU build ID (the NT_GNU_BUILD_ID note in a PT_NOTE segment, which `ld --build-id`
    /// writes: a hash of the linked output), or nil when the file has none or its notes are
    /// malformed. Every read is bounds-checked: the file may be hostile.
    public var buildID: [UInt8]? {
        let r = ByteReader(bytes: bytes)
        for h in programHeaders where h.type == ProgramHeader.note && h.fileSize <= 1 << 16 {
            guard r.has(h.offset, h.fileSize) else { continue }
            if let id = ELFFile.buildID(notes: r, from: h.offset, to: h.offset &+ h.fileSize) { return id }
        }
        return nil
    }

    /// The GNU build ID in a notes segment as loaded in memory (the running executable's own,
    /// found through the program headers in its auxiliary vector), or nil.
    public static func buildID(notes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard notes.count <= 1 << 16 else { return nil }
        return buildID(notes: ByteReader(bytes: ELFBytes(Array(notes))), from: 0, to: UInt64(notes.count))
    }

    /// Walks the notes in `[start, end)` for name "GNU", type 3 (NT_GNU_BUILD_ID).
    static func buildID(notes r: ByteReader, from start: UInt64, to end: UInt64) -> [UInt8]? {
        var at = start
        while at &+ 12 <= end {
            guard let nameSize = r.u32(at), let descSize = r.u32(at + 4), let type = r.u32(at + 8) else { break }
            let name = at + 12, desc = name + (UInt64(nameSize) + 3) & ~3
            let next = desc + (UInt64(descSize) + 3) & ~3
            guard nameSize <= 1 << 12, descSize <= 1 << 12, next <= end else { break }
            if type == 3, nameSize == 4, r.u32(name) == 0x0055_4E47, descSize >= 8, let id = r.slice(desc, UInt64(descSize)) {
                return Array(id)
            }
            at = next
        }
        return nil
    }
}
