/// A `jmp rel32` whose target can be changed while other threads may be executing it.
///
/// Its 4-byte displacement is 4-byte aligned in final memory, so it never straddles an 8-byte
/// boundary and one aligned 32-bit store replaces it atomically: a thread running the jump sees
/// either the old or the new target, never a mix.
public struct JumpSite: Hashable, Sendable {
    /// Offset of the E9 opcode in the assembler's buffer.
    public let offset: Int
    /// Offset of the displacement (`offset + 1`).
    public var displacementOffset: Int { offset + 1 }
    /// Offset just past the jump, which the displacement is relative to.
    public var endOffset: Int { offset + 5 }

    /// The displacement bytes that make a jump at final address `siteAddress` (its E9 byte)
    /// go to `target`, or nil when the target is beyond ±2 GiB.
    public static func displacement(siteAddress: UInt64, target: UInt64) -> UInt32? {
        Assembler.rel32(from: siteAddress &+ 5, to: target).map { UInt32(bitPattern: $0) }
    }

    /// Retargets the jump located at final address `siteAddress`, whose displacement can be
    /// written through `writable` (the same memory, or a writable alias of it).
    /// Returns false, writing nothing, if the target is out of reach.
    public static func retarget(siteAddress: UInt64, writable: UnsafeMutableRawPointer, to target: UInt64) -> Bool {
        guard let disp = displacement(siteAddress: siteAddress, target: target) else { return false }
        let field = writable + 1
        precondition(UInt(bitPattern: field) & 3 == 0, "jump site displacement is not 4-byte aligned")
        // An aligned 32-bit store is a single atomic write on x86-64.
        field.assumingMemoryBound(to: UInt32.self).pointee = disp.littleEndian
        return true
    }
}

extension Assembler {
    /// Emits a patchable `jmp rel32` to `label`, preceded by the nop padding that aligns its
    /// displacement to 4 bytes at the final address.
    @discardableResult
    public mutating func patchableJmp(_ label: Label) -> JumpSite {
        let site = alignJumpSite()
        bytes.append(0xE9)
        emitLabelDisplacement(label, width: 4, end: offset + 4)
        return site
    }

    /// Emits a patchable `jmp rel32` to an absolute final address.
    @discardableResult
    public mutating func patchableJmp(absolute target: UInt64) -> JumpSite {
        let site = alignJumpSite()
        bytes.append(0xE9)
        emitAbsoluteDisplacement(target)
        return site
    }

    /// Changes a jump site in this (not yet installed) buffer to go to an absolute address.
    @discardableResult
    public mutating func retarget(_ site: JumpSite, to target: UInt64) -> Bool {
        guard let d = JumpSite.displacement(siteAddress: baseAddress &+ UInt64(site.offset), target: target) else {
            return false
        }
        write32(d, at: site.displacementOffset)
        // The new target replaces whatever the field referred to before.
        pendingFixups.removeAll { $0.at == site.displacementOffset }
        absoluteFixups.removeAll { $0.at == site.displacementOffset }
        absoluteFixups.append(AbsoluteFixup(at: site.displacementOffset, end: site.endOffset, target: target))
        return true
    }

    private mutating func alignJumpSite() -> JumpSite {
        // The E9 byte goes at an address ≡ 3 (mod 4) so the displacement after it is aligned.
        let pad = Int((3 &- address) & 3)
        if pad > 0 { nop(pad) }
        return JumpSite(offset: offset)
    }
}
