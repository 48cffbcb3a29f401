import CFDT

/// A device tree the user supplies (`--dtb`): checked with libfdt, and given the kernel command
/// line and initrd in `/chosen` as the generated tree would have them.
enum DeviceTreeEdit {
    /// Nil when `blob` is a sound flattened device tree, else libfdt's reason.
    static func problem(_ blob: [UInt8]) -> String? {
        blob.withUnsafeBytes { raw -> String? in
            guard raw.count >= 40 else { return "too short for a device tree header" }
            let result = fdt_check_header(raw.baseAddress)
            guard result == 0 else { return String(cString: fdt_strerror(result)) }
            let total = Int(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
            return total <= raw.count ? nil : "truncated (header says \(total) bytes)"
        }
    }

    /// `blob` with `/chosen` holding `bootArguments` and `initrd` (each only when given).
    static func settingChosen(_ blob: [UInt8], bootArguments: String?, initrd: Range<UInt64>?) throws(SystemError) -> [UInt8] {
        guard bootArguments != nil || initrd != nil else { return blob }
        let room = blob.count + (bootArguments?.utf8.count ?? 0) + 256
        var out = [UInt8](repeating: 0, count: room)
        let result: Int32 = out.withUnsafeMutableBytes { dst in
            blob.withUnsafeBytes { src -> Int32 in
                let fdt = dst.baseAddress!
                var r = fdt_open_into(src.baseAddress, fdt, Int32(room))
                guard r == 0 else { return r }
                var chosen = fdt_path_offset(fdt, "/chosen")
                if chosen == -FDT_ERR_NOTFOUND { chosen = fdt_add_subnode(fdt, 0, "chosen") }
                guard chosen >= 0 else { return chosen }
                if let bootArguments {
                    r = bootArguments.withCString { fdt_setprop(fdt, chosen, "bootargs", $0, Int32(bootArguments.utf8.count + 1)) }
                    guard r == 0 else { return r }
                }
                if let initrd {
                    r = fdt_setprop_u64(fdt, chosen, "linux,initrd-start", initrd.lowerBound)
                    guard r == 0 else { return r }
                    r = fdt_setprop_u64(fdt, chosen, "linux,initrd-end", initrd.upperBound)
                    guard r == 0 else { return r }
                }
                return fdt_pack(fdt)
            }
        }
        guard result == 0 else {
            throw SystemError("cannot set /chosen in the device tree: \(String(cString: fdt_strerror(result)))", status: SystemError.unloadable)
        }
        let total = out.withUnsafeBytes { Int(UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self))) }
        return Array(out[0..<total])
    }
}
