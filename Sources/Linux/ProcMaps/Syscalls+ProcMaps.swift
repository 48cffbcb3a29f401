#if canImport(Glibc)
import Glibc
#endif
import Guest

/// The guest's own /proc/self/maps (Proc/ decides when it is asked for).
extension LinuxProcess {
    /// The guest's /proc/self/maps text now.
    public func procMapsText() -> String {
        let heapEnd = (brkEnd &+ GuestMemory.pageSize &- 1) >> GuestMemory.pageShift
        let heapStart = brkStart >> GuestMemory.pageShift
        return ProcMapsText.render(memory: memory, labels: mappingLabels,
                                   heap: heapEnd > heapStart ? heapStart..<heapEnd : nil)
    }
}

/// Labels for the mappings the loader and mmap make.
extension LinuxProcess {
    /// The file-backed pages of each loaded image, and the stack.
    static func initialLabels(_ program: LoadedProgram, executablePath: String, layout: AddressSpaceLayout) -> MappingLabels {
        var labels = MappingLabels()
        for (image, path) in [(program.main, executablePath)] + (program.interpreter.map { [($0, absolute($0.elf.path))] } ?? []) {
            var st = stat()
            let identity = stat(path, &st) == 0 ? (UInt64(st.st_dev), UInt64(st.st_ino)) : (0, 0)
            for segment in image.elf.loadSegments where segment.fileSize > 0 {
                let start = (segment.vaddr &+ image.bias) & ~(GuestMemory.pageSize - 1)
                let skew = (segment.vaddr &+ image.bias) - start
                labels.set(address: start, length: segment.fileSize + skew,
                           MappingLabel(name: path, offset: segment.offset - skew,
                                        device: identity.0, inode: identity.1))
            }
        }
        labels.set(address: layout.stackBottom, length: AddressSpaceLayout.stackSize, MappingLabel(name: "[stack]"))
        return labels
    }

    /// The label of a new mmap: the file's path and identity (as the host names the fd), or
    /// none for private anonymous memory.
    static func mmapLabel(fd: Int32?, offset: UInt64, shared: Bool) -> MappingLabel? {
        guard let fd else { return shared ? MappingLabel(name: "/dev/zero (deleted)", shared: true) : nil }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        let name = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return MappingLabel(name: name, offset: offset, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), shared: shared)
    }
}
