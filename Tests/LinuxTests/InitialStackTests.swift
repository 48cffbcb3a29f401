import Testing
import Guest
import Linux
import ELF

@Suite struct InitialStackTests {
    @Test func layoutReadsBackLikeLinux() throws {
        let memory = GuestMemory(limit: 1 << 32)
        let path = temporaryFile("prog", ELFBuilder().build())
        let program = try ELFLoader.load(path, into: memory, sysroot: nil)
        let random: [UInt8] = Array(1...16)
        let sp = try InitialStack.build(memory: memory, program: program, arguments: ["prog", "one", ""],
                                        environment: ["A=1", "PATH=/bin"], execFilename: "/x/prog",
                                        random: random, identity: .init(uid: 1000, euid: 1001, gid: 100, egid: 101))
        #expect(sp % 16 == 0)
        let layout = AddressSpaceLayout(limit: memory.limit)
        #expect(sp < layout.stackTop && sp > layout.stackBottom)
        let frame = try InitialStack.read(memory: memory, sp: sp)
        #expect(frame.arguments == ["prog", "one", ""])
        #expect(frame.environment == ["A=1", "PATH=/bin"])
        let aux = frame.auxv
        #expect(aux[AuxKey.hwcap.rawValue] == 0x112d)  // I M A F D C
        #expect(aux[AuxKey.pagesz.rawValue] == 4096)
        #expect(aux[AuxKey.phent.rawValue] == 56)
        #expect(aux[AuxKey.phnum.rawValue] == 2)
        #expect(aux[AuxKey.entry.rawValue] == 0x10000)
        #expect(aux[AuxKey.base.rawValue] == 0)
        #expect(aux[AuxKey.uid.rawValue] == 1000 && aux[AuxKey.euid.rawValue] == 1001)
        #expect(aux[AuxKey.gid.rawValue] == 100 && aux[AuxKey.egid.rawValue] == 101)
        #expect(aux[AuxKey.secure.rawValue] == 0)
        #expect(aux[AuxKey.clktck.rawValue] == 100)
        #expect(aux[AuxKey.minsigstksz.rawValue] != nil)
        let randomAt = try #require(aux[AuxKey.random.rawValue])
        #expect(try memory.read(randomAt, count: 16) == random)
        let execfn = try #require(aux[AuxKey.execfn.rawValue])
        #expect(try memory.readCString(execfn) == "/x/prog")
        // The execfn string is the last thing below the 8-byte NULL at the top of the stack.
        #expect(execfn + 8 + 8 == layout.stackTop)
        // argc, then argv[0] pointing at the lowest string.
        #expect(try memory.load(sp, as: UInt64.self) == 3)
        #expect(memory.pageFlags(sp) == [.mapped, .read, .write])
    }

    @Test func hugeArgumentListsAreRefused() throws {
        let memory = GuestMemory(limit: 1 << 32)
        let path = temporaryFile("prog", ELFBuilder().build())
        let program = try ELFLoader.load(path, into: memory, sysroot: nil)
        let big = String(repeating: "x", count: 1 << 20)
        #expect(throws: LoaderError.self) {
            try InitialStack.build(memory: memory, program: program, arguments: ["p", big, big, big],
                                   environment: [], execFilename: "p", random: [],
                                   identity: .init(uid: 0, euid: 0, gid: 0, egid: 0))
        }
    }
}
