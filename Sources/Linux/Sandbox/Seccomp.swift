#if canImport(Glibc)
import Glibc
#endif

/// The sandbox's second wall: a host seccomp filter, installed before the guest's first
/// instruction, that fails the host system calls no emulated guest call needs and that would
/// reach beyond the process (other processes' memory, the network, the kernel's own state) with
/// EPERM, whatever path into Trapeze a guest might find. It stays on across execve (a re-executed
/// Trapeze inherits it). execve itself stays allowed: a guest execve re-executes Trapeze.
enum Seccomp {
    /// x86-64 numbers (arch/x86/entry/syscalls/syscall_64.tbl).
    static let denied: [UInt32] = [
        101,            // ptrace
        310, 311,       // process_vm_readv, process_vm_writev
        322,            // execveat (Trapeze re-executes itself with execve only)
        155, 161, 165, 166, 167, 168, 169,  // pivot_root, chroot, mount, umount2, swapon, swapoff, reboot
        175, 176, 313,  // init_module, delete_module, finit_module
        246, 320,       // kexec_load, kexec_file_load
        248, 249, 250,  // add_key, request_key, keyctl
        272, 308,       // unshare, setns
        298, 321, 323,  // perf_event_open, bpf, userfaultfd
        303, 304,       // name_to_handle_at, open_by_handle_at
        425, 426, 427,  // io_uring_setup, io_uring_enter, io_uring_register
    ]
    /// socket, connect, accept, bind, listen, socketpair, accept4.
    static let network: [UInt32] = [41, 42, 43, 49, 50, 53, 288]

    static let auditArchX86_64: UInt32 = 0xc000_003e
    static let returnAllow: UInt32 = 0x7fff_0000, returnKill: UInt32 = 0x8000_0000
    static let returnEPERM: UInt32 = 0x0005_0000 | UInt32(EPERM)

    /// One BPF instruction: code, jt, jf, k (struct sock_filter).
    typealias Instruction = (code: UInt16, jt: UInt8, jf: UInt8, k: UInt32)

    static func program(allowNetwork: Bool) -> [Instruction] {
        let numbers = denied + (allowNetwork ? [] : network)
        var p: [Instruction] = [
            (0x20, 0, 0, 4),                        // A = arch
            (0x15, 1, 0, auditArchX86_64),          // x86-64? skip the kill
            (0x06, 0, 0, returnKill),
            (0x20, 0, 0, 0),                        // A = syscall number
            (0x35, 0, 1, 0x4000_0000),              // x32 numbers: refused
            (0x06, 0, 0, returnEPERM),
        ]
        for n in numbers {
            p.append((0x15, 0, 1, n))               // A == n? refuse : next
            p.append((0x06, 0, 0, returnEPERM))
        }
        p.append((0x06, 0, 0, returnAllow))
        return p
    }

    /// Installs the filter on the calling thread and the threads it creates later (and, with
    /// TSYNC, the ones it has); false if the kernel refuses.
    @discardableResult
    static func install(allowNetwork: Bool) -> Bool {
        let filter = program(allowNetwork: allowNetwork)
        var bytes = [UInt8]()
        for i in filter {
            bytes += [UInt8(i.code & 0xff), UInt8(i.code >> 8), i.jt, i.jf]
            bytes += (0..<4).map { UInt8(truncatingIfNeeded: i.k >> ($0 * 8)) }
        }
        // PR_SET_NO_NEW_PRIVS (38), without which an unprivileged filter is refused.
        guard HostSyscall.call(.prctl, 38, 1, 0, 0, 0) == 0 else { return false }
        return bytes.withUnsafeBytes { raw in
            // struct sock_fprog: unsigned short len, then the filter pointer at offset 8.
            var fprog = [Int](repeating: 0, count: 2)
            fprog[0] = filter.count
            fprog[1] = Int(bitPattern: raw.baseAddress)
            return fprog.withUnsafeBytes { f in
                // seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog)
                HostSyscall.call(.seccomp, 1, 1, Int(bitPattern: f.baseAddress)) == 0
            }
        }
    }
}
