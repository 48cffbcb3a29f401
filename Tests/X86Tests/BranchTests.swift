import Testing
import X86

/// Decodes `a`'s bytes at its base address.
private func decode(_ a: Assembler) throws -> [DisassembledInstruction] {
    let dis = try #require(X86Disassembler())
    let d = dis.decode(a.bytes, address: a.baseAddress, detail: true)
    #expect(d.reduce(0) { $0 + $1.bytes.count } == a.bytes.count, "capstone did not consume every byte")
    return d
}

/// The branch target capstone reads from a decoded jmp/jcc/call.
private func target(_ d: DisassembledInstruction) -> UInt64? {
    if case .imm(let v, _)? = d.operands.first { return UInt64(bitPattern: v) }
    return nil
}

@Suite struct BranchTests {
    @Test func conditionsInvertPairwise() {
        for cc in Condition.allCases {
            #expect(cc.inverted != cc)
            #expect(cc.inverted.inverted == cc)
        }
        #expect(Condition.e.inverted == .ne)
        #expect(Condition.l.inverted == .ge)
        #expect(Condition.b.inverted == .ae)
    }

    /// Backward jumps to a near label are rel8; forward ones are rel32 and patched on bind.
    @Test func jumpsToLabelsReachTheirTargets() throws {
        var a = Assembler(baseAddress: 0x40_0000)
        let top = a.newLabel(), bottom = a.newLabel()
        a.bind(top)
        a.nop()
        a.jmp(top)
        for cc in Condition.allCases {
            a.jcc(cc, top)
            a.jcc(cc, bottom)
        }
        a.jmp(top)
        a.jmp(bottom)
        a.call(bottom)
        #expect(!a.isResolved)
        a.bind(bottom)
        a.ret()
        #expect(a.isResolved)

        let d = try decode(a)
        let topAddress = try #require(a.address(of: top)), bottomAddress = try #require(a.address(of: bottom))
        #expect(d[1].mnemonic == "jmp" && d[1].bytes.count == 2 && target(d[1]) == topAddress)
        var i = 2
        for cc in Condition.allCases {
            #expect(d[i].mnemonic == "j\(cc)" && d[i].bytes.count == 2 && target(d[i]) == topAddress)
            #expect(d[i + 1].mnemonic == "j\(cc)" && d[i + 1].bytes.count == 6 && target(d[i + 1]) == bottomAddress)
            i += 2
        }
        // 131 bytes back by now: too far for rel8.
        #expect(d[i].mnemonic == "jmp" && d[i].bytes.count == 5 && target(d[i]) == topAddress)
        #expect(d[i + 1].mnemonic == "jmp" && d[i + 1].bytes.count == 5 && target(d[i + 1]) == bottomAddress)
        #expect(d[i + 2].mnemonic == "call" && target(d[i + 2]) == bottomAddress)
    }

    /// rel8 reaches exactly 128 bytes back from the end of the jump, and no further.
    @Test func shortFormStopsAtTheRel8Boundary() throws {
        for (padding, expectShort) in [(126, true), (127, false)] {
            var a = Assembler()
            let top = a.newLabel()
            a.bind(top)
            for _ in 0..<padding { a.nop() }
            a.jcc(.ne, top)
            let d = try decode(a)
            let jump = try #require(d.last)
            #expect(jump.bytes.count == (expectShort ? 2 : 6))
            #expect(target(jump) == 0)
        }
    }

    @Test func shortForwardJumpsWhenAsked() throws {
        var a = Assembler(baseAddress: 0x1000)
        let skip = a.newLabel()
        a.jmp(skip, short: true)
        a.jcc(.a, skip, short: true)
        for _ in 0..<100 { a.int3() }
        a.bind(skip)
        let d = try decode(a)
        #expect(d[0].bytes.count == 2 && target(d[0]) == 0x1000 + 104)
        #expect(d[1].bytes.count == 2 && target(d[1]) == 0x1000 + 104)
    }

    @Test func absoluteTargetsFollowTheBaseAddress() throws {
        let helper: UInt64 = 0x7F00_1234_5678
        var a = Assembler(baseAddress: helper - 0x4000_0000)
        #expect(a.canReach(helper))
        a.call(absolute: helper)
        a.jmp(absolute: helper + 0x10)
        a.jcc(.le, absolute: helper - 0x20)
        var d = try decode(a)
        #expect(d.map(\.mnemonic) == ["call", "jmp", "jle"])
        #expect(d.map(target) == [helper, helper + 0x10, helper - 0x20])

        let moved = a.rebase(to: helper + 0x1000)
        #expect(moved)
        d = try decode(a)
        #expect(d.map(target) == [helper, helper + 0x10, helper - 0x20])

        let tooFar = a.rebase(to: helper + 0x1_0000_0000)
        #expect(!tooFar, "4 GiB away is out of rel32 reach")
        #expect(a.baseAddress == helper + 0x1000)
        #expect(!Assembler(baseAddress: 0).canReach(helper))
    }

    @Test func indirectJumpsAndCalls() throws {
        var a = Assembler()
        a.jmp(.r11)
        a.call(.rax)
        a.jmp(.qword(.r14, 0x80))
        a.call(.qword(.rsp, .rbx, 8, -8))
        a.ret()
        a.ud2()
        a.int3()
        #expect(try decode(a).map(\.text) == [
            "jmp r11", "call rax", "jmp qword ptr [r14 + 0x80]", "call qword ptr [rsp + rbx*8 - 8]", "ret", "ud2", "int3",
        ])
    }

    /// RIP-relative operands that name a label land on it, whatever follows the displacement.
    @Test func ripRelativeLabelsAccountForTrailingImmediates() throws {
        var a = Assembler(baseAddress: 0x10_0000)
        let data = a.newLabel()
        a.mov(.rax, .rip(.qword, data))
        a.mov(.rip(.qword, data), imm: 0x1234_5678)
        a.add(.rip(.dword, data), imm: 5)
        a.round(.double, .xmm3, .rip(.qword, data), mode: 3)
        a.movsd(.xmm0, Mem(.qword, base: .label(data), disp: 8))
        a.ret()
        a.align(16)
        a.bind(data)
        a.emit(qword: 0x4000_0000_0000_0000)
        a.emit(dword: 0x3F80_0000)
        #expect(Array(a.bytes.suffix(12)) == [0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0x80, 0x3F])
        let d = try #require(X86Disassembler()).decode(a.bytes, address: a.baseAddress, detail: true, count: 6)
        let dataAddress = try #require(a.address(of: data))
        #expect(dataAddress % 16 == 0)
        for (k, insn) in d.prefix(5).enumerated() {
            let mem = insn.operands.compactMap { op -> Int64? in
                if case .mem("rip", nil, _, let disp, _) = op { return disp } else { return nil }
            }
            let want = dataAddress + (k == 4 ? 8 : 0)
            #expect(mem.count == 1 && insn.address + UInt64(insn.bytes.count) &+ UInt64(bitPattern: mem[0]) == want,
                    "\(insn.text)")
        }
    }

    @Test func nopsOfEveryLengthAreSingleInstructions() throws {
        let dis = try #require(X86Disassembler())
        for n in 1...15 {
            var a = Assembler()
            a.nop(n)
            #expect(a.bytes.count == n)
            let d = dis.decode(a.bytes, address: 0)
            #expect(d.count == 1 && d[0].mnemonic == "nop" && d[0].bytes.count == n, "nop(\(n)) → \(d.map(\.text))")
        }
    }

    @Test func alignPadsToTheBoundaryAtTheFinalAddress() {
        for start in 0..<40 {
            var a = Assembler(baseAddress: 0x1003)
            for _ in 0..<start { a.int3() }
            a.align(32)
            #expect(a.address % 32 == 0)
            #expect(a.offset - start < 32)
        }
    }

    /// `ret imm16` (translated code returns to a guest call's landing with `ret 8`).
    @Test func returnPoppingArguments() throws {
        for n in [8, 0x1234] as [UInt16] {
            var a = Assembler()
            a.ret(popping: n)
            let d = try decode(a)
            #expect(d.count == 1 && d[0].mnemonic == "ret" && target(d[0]) == UInt64(n))
        }
    }
}
