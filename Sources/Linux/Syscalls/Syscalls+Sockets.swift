#if canImport(Glibc)
import Glibc
#endif
import Guest

/// Sockets. Everything the calls pass is laid out alike on riscv64 and x86-64 (asm-generic
/// socket constants, sockaddr, the 64-bit msghdr, iovec, cmsghdr, mmsghdr, timeval options), so
/// the calls go to the host with guest pointers turned into host ones; msghdr and iovec arrays
/// hold pointers, and get host copies.
extension LinuxProcess {
    func sysSocket(_ a: SyscallArguments) -> Int64 {
        passthrough(.socket, a.int(0), a.int(1), a.int(2))
    }

    func sysSocketpair(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let sv = try buffer(a[3], 8, .write)
        return passthrough(.socketpair, a.int(0), a.int(1), a.int(2), sv)
    }

    /// bind, connect: (fd, addr, addrlen).
    func sysSocketAddress(_ n: HostSyscall.Number, _ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let length = a[2] & 0xffff_ffff
        guard length <= 4096 else { throw .invalid }
        return passthrough(n, a.int(0), try optionalBuffer(a[1], length, .read), Int(length))
    }

    /// accept4, getsockname, getpeername: (fd, addr, addrlen*, ...); the kernel writes both.
    func sysSocketNameOut(_ n: HostSyscall.Number, _ a: SyscallArguments, flags: Int = 0) throws(SyscallError) -> Int64 {
        let (addr, length) = try addressOut(a[1], a[2])
        return host { HostSyscall.call(n, a.int(0), addr, length, flags) }
    }

    func sysSendto(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let data = try optionalBuffer(a[1], a[2], .read)
        let length = a[5] & 0xffff_ffff
        guard length <= 4096 else { throw .invalid }
        let addr = try optionalBuffer(a[4], length, .read)
        return host { HostSyscall.call(.sendto, a.int(0), data, a.int(2), a.int(3), addr, Int(length)) }
    }

    func sysRecvfrom(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let data = try optionalBuffer(a[1], a[2], .write)
        let (addr, length) = try addressOut(a[4], a[5])
        return host { HostSyscall.call(.recvfrom, a.int(0), data, a.int(2), a.int(3), addr, length) }
    }

    func sysSetsockopt(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let length = a[4] & 0xffff_ffff
        guard length <= 1 << 16 else { throw .invalid }
        let value = try optionalBuffer(a[3], length, .read)
        return host { HostSyscall.call(.setsockopt, a.int(0), a.int(1), a.int(2), value, Int(length)) }
    }

    func sysGetsockopt(_ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let (value, length) = try addressOut(a[3], a[4], limit: 1 << 16)
        return host { HostSyscall.call(.getsockopt, a.int(0), a.int(1), a.int(2), value, length) }
    }

    /// sendmsg, recvmsg: (fd, msghdr*, flags).
    func sysMessage(_ n: HostSyscall.Number, _ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let receive = n == .recvmsg
        let message = try HostMessages(self, a[1], count: 1, stride: 56, receive: receive)
        defer { message.release() }
        let r = host { HostSyscall.call(n, a.int(0), message.headers, a.int(2)) }
        if r >= 0 && receive { try message.copyBack(self) }
        return r
    }

    /// sendmmsg, recvmmsg: (fd, mmsghdr*, vlen, flags[, timeout]); each mmsghdr is a msghdr and
    /// the byte count the kernel fills in.
    func sysMessages(_ n: HostSyscall.Number, _ a: SyscallArguments) throws(SyscallError) -> Int64 {
        let receive = n == .recvmmsg
        let count = Int(min(a[2] & 0xffff_ffff, 1024))
        let message = try HostMessages(self, a[1], count: count, stride: 64, receive: receive)
        defer { message.release() }
        let timeout = receive ? try optionalBuffer(a[4], 16, [.read, .write]) : 0
        let r = host { HostSyscall.call(n, a.int(0), message.headers, count, a.int(3), timeout) }
        if r > 0 { try message.copyBack(self, sent: Int(r)) }
        return r
    }

    /// A guest (addr, addrlen*) pair the kernel fills in: the host pointers, or 0s for NULL.
    private func addressOut(_ addr: UInt64, _ lengthAddress: UInt64, limit: UInt64 = 4096) throws(SyscallError) -> (Int, Int) {
        if lengthAddress == 0 { return (try optionalBuffer(addr, 0, .write), 0) }
        let lengthPointer = try buffer(lengthAddress, 4, [.read, .write])
        guard let length = try? memory.load(lengthAddress, as: UInt32.self) else { throw .fault }
        guard Int32(bitPattern: length) >= 0 else { throw .invalid }
        return (try optionalBuffer(addr, min(UInt64(length), limit), .write), lengthPointer)
    }
}

/// Host copies of guest msghdr (or mmsghdr) arrays, their iovec arrays translated.
struct HostMessages {
    let guestAddress: UInt64
    let count: Int
    let stride: Int
    let headers: Int
    private let block: UnsafeMutableRawPointer
    private var iovecs: [UnsafeMutableRawPointer] = []

    init(_ p: LinuxProcess, _ address: UInt64, count: Int, stride: Int, receive: Bool) throws(SyscallError) {
        guestAddress = address
        self.count = count
        self.stride = stride
        block = UnsafeMutableRawPointer.allocate(byteCount: max(1, count * stride), alignment: 8)
        headers = Int(bitPattern: block)
        let need: PageFlags = receive ? .write : .read
        do throws(SyscallError) {
            for i in 0..<count {
                let g = address &+ UInt64(i * stride)
                func word(_ offset: UInt64) throws(SyscallError) -> UInt64 {
                    guard let v = try? p.memory.load(g &+ offset, as: UInt64.self) else { throw .fault }
                    return v
                }
                let h = block + i * stride
                for k in 0..<(stride / 8) { h.storeBytes(of: try word(UInt64(k * 8)), toByteOffset: k * 8, as: UInt64.self) }
                let nameLength = try word(8) & 0xffff_ffff
                guard nameLength <= 4096 else { throw SyscallError.invalid }
                h.storeBytes(of: UInt64(bitPattern: Int64(try p.optionalBuffer(try word(0), nameLength, need))), toByteOffset: 0, as: UInt64.self)
                let iovCount = try word(24)
                guard iovCount <= 1024 else { throw SyscallError(EMSGSIZE) }
                let iov = UnsafeMutableRawPointer.allocate(byteCount: max(16, Int(iovCount) * 16), alignment: 8)
                iovecs.append(iov)
                let guestIov = try word(16)
                for j in 0..<Int(iovCount) {
                    let entry = guestIov &+ UInt64(j * 16)
                    guard let base = try? p.memory.load(entry, as: UInt64.self),
                          let length = try? p.memory.load(entry &+ 8, as: UInt64.self) else { throw SyscallError.fault }
                    iov.storeBytes(of: UInt64(bitPattern: Int64(try p.optionalBuffer(base, length, need))), toByteOffset: j * 16, as: UInt64.self)
                    iov.storeBytes(of: length, toByteOffset: j * 16 + 8, as: UInt64.self)
                }
                h.storeBytes(of: UInt64(UInt(bitPattern: iov)), toByteOffset: 16, as: UInt64.self)
                let controlLength = try word(40)
                guard controlLength <= 1 << 20 else { throw SyscallError.invalid }
                h.storeBytes(of: UInt64(bitPattern: Int64(try p.optionalBuffer(try word(32), controlLength, need))), toByteOffset: 32, as: UInt64.self)
            }
        } catch {
            release()
            throw error
        }
    }

    /// After a receive (or any mmsg call): the lengths and flags the kernel wrote, back to the guest.
    func copyBack(_ p: LinuxProcess, sent: Int? = nil) throws(SyscallError) {
        for i in 0..<min(count, sent ?? count) {
            let h = block + i * stride
            let g = guestAddress &+ UInt64(i * stride)
            do {
                try p.memory.store(g &+ 8, h.load(fromByteOffset: 8, as: UInt32.self))
                try p.memory.store(g &+ 40, h.load(fromByteOffset: 40, as: UInt64.self))
                try p.memory.store(g &+ 48, h.load(fromByteOffset: 48, as: UInt32.self))
                if stride == 64 { try p.memory.store(g &+ 56, h.load(fromByteOffset: 56, as: UInt32.self)) }
            } catch { throw .fault }
        }
    }

    func release() {
        iovecs.forEach { $0.deallocate() }
        block.deallocate()
    }
}
