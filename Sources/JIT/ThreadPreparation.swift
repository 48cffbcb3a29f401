import Interpreter
import RISCV
import X86

extension JIT {
    /// Builds every lazily initialised constant that translation, the slow path and loading
    /// saved blocks use (the decoder's and the ISA's tables, register maps, helper addresses,
    /// the F/D constants, the assembler's registers, the crypto S-boxes), for a process about to
    /// start its second thread. Swift builds such a constant at its first use while holding a
    /// once-lock; a host fork (a guest `fork`) while another thread holds one leaves the child's
    /// copy locked for good, and the child hangs at its own first use (a threaded `dpkg-deb`'s
    /// forked child did, waiting for the decoder's tables). Built while the process has one
    /// thread, none of them can be half-built at a fork. Returns a number made of them all, so
    /// that no access is optimised away.
    @discardableResult public static func prepareForThreads() -> Int {
        var n = 0
        if let i = RISCV.decode(0x0000_0013) { n &+= Int(i.length) }  // the 32-bit tables
        if let i = RISCV.decode(0x0001) { n &+= Int(i.length) }       // the compressed ones
        n &+= ISA.all.count &+ ISA.byOpcode.count
        n &+= RegisterMap.all.count &+ RegisterMap.host.count &+ RegisterMap.returnAddressHost.count
            &+ RegisterMap.returnAddressCallerSaved.count &+ FloatRegisterMap.all.count &+ FloatRegisterMap.host.count
        n &+= Relocation.helpers.count &+ Int(truncatingIfNeeded: FloatConstants.address)
        n &+= CPUFeatures.host.description.count &+ CPUFeatures.names.count
        n &+= JITOptions.defaultMaxBlockInstructions &+ (JITOptions.blockRegistersDefault ? 1 : 0) &+ (JITOptions.hostCallsDefault ? 1 : 0)
            &+ (JITOptions.joinsDefault ? 1 : 0) &+ (JITOptions.loopPeelingDefault ? 1 : 0)
            &+ (JITOptions.gatherChainsDefault ? 1 : 0) &+ (JITOptions.loopMotionDefault ? 1 : 0)
            &+ (JITOptions.allocatedThunksDefault ? 1 : 0) &+ (JITOptions.groupsAcrossJoinsDefault ? 1 : 0)
            &+ (JITOptions.sideExitRefundsDefault ? 1 : 0) &+ (JITOptions.joinBudgetsDefault ? 1 : 0) &+ (JITOptions.floatInPlaceDefault ? 1 : 0) &+ (JITOptions.inlineCallsDefault ? 1 : 0)
            &+ (JITOptions.constantAddressesDefault ? 1 : 0) &+ (JITOptions.returnAddressRegisterDefault ? 1 : 0)
        n &+= TranslationStore.magic.count
        n &+= X86Statics.initialize() &+ CryptoOps.initializeTables()
        return n
    }
}
