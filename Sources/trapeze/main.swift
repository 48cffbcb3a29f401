import TrapezeCLI
TrapezeCommand.entry()
