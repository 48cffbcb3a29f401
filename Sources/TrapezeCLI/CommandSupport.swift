import ArgumentParser
import Guest
import Linux
import RISCV
import Trapeze

/// `--cpu NAME`, parsed; an unknown name is a usage error (status 64) that lists the valid ones.
func parseCPU(_ name: String?) throws -> CPUModel {
    guard let name else { return .all }
    switch CPUModel.parse(name) {
    case .success(let model): return model
    case .failure(let error): throw ValidationError(error.description)
    }
}

/// The guest's arguments as captured after PROG, without the `--` that may separate them.
func guestArguments(_ captured: [String]) -> [String] {
    captured.first == "--" ? Array(captured.dropFirst()) : captured
}

/// Loads the guest program; a load error becomes its one `trapeze:` line and exit status.
func loadGuest(_ configuration: RunConfiguration) throws -> GuestRun {
    do {
        return try GuestRun(configuration)
    } catch {
        report(error.message)
        throw GuestExit(status: error.status)
    }
}

/// `--inject-fault MNEMONIC`, parsed; an unknown mnemonic is a usage error (status 64).
func parseFault(_ mnemonic: String?) throws -> FaultInjection? {
    guard let mnemonic else { return nil }
    guard let fault = FaultInjection(mnemonic: mnemonic) else {
        throw ValidationError("--inject-fault: unknown instruction '\(mnemonic)'")
    }
    return fault
}

/// Ends a command with the guest's outcome: a `--max-insns` stop is reported, a guest killed by
/// a signal kills Trapeze the same way (its parent may be a guest waiting for it), and otherwise
/// Trapeze exits with the guest's status.
func finish(_ status: ExitStatus, _ guest: GuestRun, maxInstructions: UInt64?) throws -> Never {
    if status == .instructionLimit {
        report("stopped after \(maxInstructions ?? 0) instructions (--max-insns) at \(GuestLocation.describe(guest.hart))")
    }
    if case .killed(let signal) = status { throw GuestKilled(signal: signal) }
    throw GuestExit(status: status.processStatus)
}
