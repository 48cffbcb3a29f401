import CStartup
import TrapezeCLI

trapeze_startup_restore()
// The arguments as the kernel passed them, also where /proc (the runtime's source) is missing.
if trapeze_startup_argc() >= 0, let argv = trapeze_startup_argv() {
    TrapezeCommand.entry((0..<Int(trapeze_startup_argc())).map { String(cString: argv[$0]!) })
}
TrapezeCommand.entry()
