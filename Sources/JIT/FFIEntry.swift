@preconcurrency import CFFI

/// The one door from Swift into translated code: `ffi_call` on the generated prologue, whose C
/// signature is `uint32_t prologue(void *state, void *memoryBase, const void *block)`.
///
/// libffi is used rather than an `unsafeBitCast` of the code address to a Swift function type so
/// that the calling convention is the C one by construction (the issue asks for it, too).
final class FFIEntry {
    private let cif: UnsafeMutablePointer<ffi_cif>
    private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>

    init?() {
        cif = .allocate(capacity: 1)
        argumentTypes = .allocate(capacity: 3)
        let pointerType = withUnsafeMutablePointer(to: &ffi_type_pointer) { $0 }
        let resultType = withUnsafeMutablePointer(to: &ffi_type_uint32) { $0 }
        for i in 0..<3 { argumentTypes[i] = pointerType }
        guard ffi_prep_cif(cif, FFI_DEFAULT_ABI, 3, resultType, argumentTypes) == FFI_OK else { return nil }
    }

    deinit {
        cif.deallocate()
        argumentTypes.deallocate()
    }

    /// Runs translated code from `block` until it exits; returns its exit reason.
    func call(prologue: UInt64, state: UnsafeMutableRawPointer, memoryBase: UnsafeMutableRawPointer,
              block: UInt64) -> UInt32 {
        var a0: UnsafeMutableRawPointer? = state
        var a1: UnsafeMutableRawPointer? = memoryBase
        var a2: UInt64 = block
        var result: ffi_arg = 0 // libffi widens small integer results to a full ffi_arg
        let function = unsafeBitCast(UInt(prologue), to: (@convention(c) () -> Void).self)
        withUnsafeMutablePointer(to: &a0) { p0 in
            withUnsafeMutablePointer(to: &a1) { p1 in
                withUnsafeMutablePointer(to: &a2) { p2 in
                    var values: (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) =
                        (UnsafeMutableRawPointer(p0), UnsafeMutableRawPointer(p1), UnsafeMutableRawPointer(p2))
                    withUnsafeMutableBytes(of: &values) { raw in
                        ffi_call(cif, function, &result,
                                 raw.baseAddress!.assumingMemoryBound(to: UnsafeMutableRawPointer?.self))
                    }
                }
            }
        }
        return UInt32(truncatingIfNeeded: result)
    }
}
