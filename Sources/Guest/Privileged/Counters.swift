/// mcycle and minstret: one cycle per retired instruction, as far as the guest can tell, so
/// both follow `state.instret`, each with its own offset (written through the CSRs) and its own
/// mcountinhibit bit. A Linux process never writes them and reads `instret` itself.
///
/// Public entry points: none beyond the CSRs (`Hart.readCSR`/`writeCSR`).
extension Hart {
    /// A counter's value: `instret` plus the stored offset, or the stored value while inhibited.
    func counter(_ offset: Int, inhibit: UInt64) -> UInt64 {
        let stored = state.word(offset)
        return state.mcountinhibit & inhibit != 0 ? stored : state.instret &+ stored
    }

    /// A CSR write replaces the increment the writing instruction would make, and engines count
    /// that instruction after the handler returns: so the offset is taken from `instret + 1`.
    func setCounter(_ offset: Int, inhibit: UInt64, _ value: UInt64) {
        state.setWord(offset, state.mcountinhibit & inhibit != 0 ? value : value &- (state.instret &+ 1))
    }

    /// CY (bit 0) and IR (bit 2) may be set; the hpm counters are always zero, so their bits are
    /// read-only zero. A counter that stops keeps its value; one that restarts continues from it.
    func setCountInhibit(_ value: UInt64) {
        let counters = [(StateOffset.mcycle, UInt64(1 << 0)), (StateOffset.minstret, UInt64(1 << 2))]
        let values = counters.map { counter($0.0, inhibit: $0.1) }
        state.mcountinhibit = value & 0b101
        for ((offset, bit), current) in zip(counters, values) {
            state.setWord(offset, state.mcountinhibit & bit != 0 ? current : current &- state.instret)
        }
    }
}
