#!/usr/bin/env python3
"""Generates goldens.txt: one line per instruction form, `instruction | bytes | capstone text`.

The instruction column is Intel syntax; its bytes come from LLVM's assembler (llvm-mc), the
text column from capstone's decoding of those bytes. X86Tests parses the instruction column,
emits it through the Swift assembler and expects the same bytes and the same capstone text.

Run from the repository root: python3 tools/x86-goldens/generate.py
Needs llvm-mc, a C compiler and libcapstone-dev; the tests need only the committed output.
"""
import os, re, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

R64 = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"] + [f"r{i}" for i in range(8, 16)]
R32 = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] + [f"r{i}d" for i in range(8, 16)]
R16 = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] + [f"r{i}w" for i in range(8, 16)]
R8 = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"] + [f"r{i}b" for i in range(8, 16)]
REGS = {64: R64, 32: R32, 16: R16, 8: R8}
SIZE = {8: "byte", 16: "word", 32: "dword", 64: "qword", 128: "xmmword"}
XMM = [f"xmm{i}" for i in range(16)]
CONDS = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"]

# Displacements around the disp8/disp32 boundaries.
DISPS = [0, 1, -1, 0x7F, -0x80, 0x80, -0x81, 0x12345678, 0x7FFFFFFF, -0x80000000]


def mem(base=None, index=None, scale=1, disp=0, rip=False):
    parts = []
    if rip:
        parts.append("rip")
    if base:
        parts.append(base)
    if index:
        parts.append(f"{index}*{scale}")
    text = " + ".join(parts)
    if not parts:
        text = hex(disp)
    elif disp > 0:
        text += f" + {hex(disp)}"
    elif disp < 0:
        text += f" - {hex(-disp)}"
    return f"[{text}]"


def full_memory_set():
    """Every register as base at every displacement boundary, every base/index pair."""
    out = []
    for b in R64:
        for d in DISPS:
            out.append(mem(b, disp=d))
    idx = [r for r in R64 if r != "rsp"]
    for i, b in enumerate(R64):
        for j, x in enumerate(idx):
            out.append(mem(b, x, [1, 2, 4, 8][(i + j) % 4], DISPS[(i * 3 + j) % len(DISPS)]))
    for j, x in enumerate(idx):
        out.append(mem(None, x, [1, 2, 4, 8][j % 4], DISPS[j % len(DISPS)]))
    out += [mem(rip=True, disp=d) for d in (0, 0x10, -0x80, 0x12345678)]
    out += [mem(disp=d) for d in (0, 0x1000, 0x7FFFFFFF)]
    return out


# A handful of addresses exercising the quirks, used by every other form.
SMALL_MEM = [
    mem("rax"), mem("rsp", disp=8), mem("r12"), mem("rbp"), mem("r13", disp=-0x80),
    mem("r15", "r12", 8, 0x80), mem("rbx", "r13", 2, -0x81), mem("r9", "rbp", 4, 0x7F),
    mem(rip=True, disp=0x40), mem(None, "r10", 8, 0x100),
]


def pairs(regs):
    """Each register once as first and once as second operand."""
    return [(regs[i], regs[(i + 3) % 16]) for i in range(16)] + [(regs[(i + 7) % 16], regs[i]) for i in range(16)]


def some(regs, k, seed):
    return [regs[(seed + 5 * i) % 16] for i in range(k)]


def imms(bits):
    base = [0, 1, -1, 0x7F, -0x80, 0x80, -0x81]
    if bits == 8:
        return [0, 1, -1, 0x7F, -0x80, 0xFF]
    if bits == 16:
        return base + [0x7FFF, -0x8000, 0xFFFF]
    return base + [0x7FFF, 0x12345678, 0x7FFFFFFF, -0x80000000]


def forms():
    L = []
    full = full_memory_set()
    # mov carries the complete addressing-mode sweep, in both directions and for lea.
    for i, m in enumerate(full):
        L.append(f"mov {R64[i % 16]}, qword ptr {m}")
    for i, m in enumerate(full):
        L.append(f"mov qword ptr {m}, {R32[(i + 5) % 16]}".replace("qword", "dword"))
    for i, m in enumerate(full[::3]):
        L.append(f"lea {R64[(i + 2) % 16]}, {m}")

    # Integer ALU: every register pair for add at every size, a sample for the others.
    alu = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"]
    for k, op in enumerate(alu + ["test", "mov"]):
        for bits, regs in REGS.items():
            ps = pairs(regs) if op in ("add", "mov") else pairs(regs)[k::5]
            L += [f"{op} {a}, {b}" for a, b in ps]
            for i, m in enumerate(SMALL_MEM[k % 3::3]):
                L.append(f"{op} {SIZE[bits]} ptr {m}, {regs[(i * 7 + k) % 16]}")
                if op != "test":
                    L.append(f"{op} {regs[(i * 5 + k) % 16]}, {SIZE[bits]} ptr {m}")
            for i, v in enumerate(imms(bits)):
                if op == "mov" and bits == 64 and not (-2**31 <= v < 2**31):
                    continue
                L.append(f"{op} {regs[0]}, {v}")
                L.append(f"{op} {regs[(i * 3 + k + 1) % 16]}, {v}")
                L.append(f"{op} {SIZE[bits]} ptr {SMALL_MEM[(i + k) % len(SMALL_MEM)]}, {v}")
    for i, v in enumerate([0x80000000, 0xFFFFFFFF, 0x123456789ABCDEF0, -0x80000001, -2**63]):
        L.append(f"movabs {R64[(i * 3) % 16]}, {v}")
    L.append("movabs rax, 1")

    for k, op in enumerate(["inc", "dec", "not", "neg", "mul", "imul", "div", "idiv"]):
        for bits, regs in REGS.items():
            L += [f"{op} {r}" for r in (regs if op == "neg" else some(regs, 4, k))]
            L.append(f"{op} {SIZE[bits]} ptr {SMALL_MEM[(k + bits) % len(SMALL_MEM)]}")

    for k, op in enumerate(["rol", "ror", "shl", "shr", "sar"]):
        for bits, regs in REGS.items():
            for i, r in enumerate(regs if op == "shl" else some(regs, 4, k)):
                L.append(f"{op} {r}, {[1, 2, 31, 63, 0, 255][i % 6]}")
                L.append(f"{op} {r}, cl")
            L.append(f"{op} {SIZE[bits]} ptr {SMALL_MEM[k]}, 1")
            L.append(f"{op} {SIZE[bits]} ptr {SMALL_MEM[k + 1]}, 7")
            L.append(f"{op} {SIZE[bits]} ptr {SMALL_MEM[k + 2]}, cl")

    for k, op in enumerate(["shlx", "shrx", "sarx", "bzhi", "andn"]):
        for bits in (32, 64):
            regs = REGS[bits]
            for i in range(16):
                a, b, c = regs[i], regs[(i + 5) % 16], regs[(i + 11) % 16]
                L.append(f"{op} {a}, {b}, {c}")
            m = f"{SIZE[bits]} ptr {SMALL_MEM[k + 3]}"
            L.append(f"andn {regs[1]}, {regs[9]}, {m}" if op == "andn" else f"{op} {regs[12]}, {m}, {regs[3]}")

    for bits in (16, 32, 64):
        regs = REGS[bits]
        L += [f"imul {a}, {b}" for a, b in pairs(regs)[::2]]
        L.append(f"imul {regs[5]}, {SIZE[bits]} ptr {SMALL_MEM[4]}")
        for i, v in enumerate(imms(bits)):
            L.append(f"imul {regs[i % 16]}, {regs[(i + 9) % 16]}, {v}")
        L.append(f"imul {regs[13]}, {SIZE[bits]} ptr {SMALL_MEM[5]}, 100")
        L.append(f"imul {regs[2]}, {SIZE[bits]} ptr {SMALL_MEM[6]}, 1000")
        for op in ("popcnt", "lzcnt", "tzcnt"):
            L += [f"{op} {a}, {b}" for a, b in pairs(regs)[::4]]
            L.append(f"{op} {regs[8]}, {SIZE[bits]} ptr {SMALL_MEM[7]}")
        for i in range(0, 16, 3):
            L.append(f"cmov{CONDS[i]} {regs[i]}, {regs[15 - i]}")
        L.append(f"cmovne {regs[3]}, {SIZE[bits]} ptr {SMALL_MEM[2]}")
    for i, cc in enumerate(CONDS):
        L.append(f"cmov{cc} rax, r{8 + i % 8}")
        L.append(f"set{cc} {R8[i]}")
    L.append("sete byte ptr [rsp + 8]")
    L.append("setne byte ptr [r13]")

    for bits, regs in ((8, R8), (16, R16), (32, R32), (64, R64)):
        for src_bits in (8, 16):
            if src_bits >= bits:
                continue
            for op in ("movzx", "movsx"):
                L += [f"{op} {regs[i]}, {REGS[src_bits][(i * 5 + 2) % 16]}" for i in range(16)]
                L.append(f"{op} {regs[3]}, {SIZE[src_bits]} ptr {SMALL_MEM[src_bits % 7]}")
    L += [f"movsxd {R64[i]}, {R32[(i + 6) % 16]}" for i in range(16)]
    L.append("movsxd r11, dword ptr [rsp + 0x80]")

    for bits, regs in REGS.items():
        L += [f"xchg {a}, {b}" for a, b in pairs(regs)[::2]]
        L.append(f"xchg {SIZE[bits]} ptr {SMALL_MEM[bits % 9]}, {regs[bits % 16]}")
        L.append(f"lock cmpxchg {SIZE[bits]} ptr {SMALL_MEM[(bits + 1) % 9]}, {regs[(bits + 3) % 16]}")
        L.append(f"lock xadd {SIZE[bits]} ptr {SMALL_MEM[(bits + 2) % 9]}, {regs[(bits + 6) % 16]}")
        L.append(f"cmpxchg {SIZE[bits]} ptr {SMALL_MEM[3]}, {regs[9]}")
        L.append(f"xadd {SIZE[bits]} ptr {SMALL_MEM[4]}, {regs[10]}")
        for k, op in enumerate(alu[:7]):
            L.append(f"lock {op} {SIZE[bits]} ptr {SMALL_MEM[k]}, {regs[(k * 5) % 16]}")
            L.append(f"lock {op} {SIZE[bits]} ptr {SMALL_MEM[k + 1]}, {[1, -1, 0x7F, 0x80, -0x81][k % 5]}")
        for op in ("inc", "dec", "not", "neg"):
            L.append(f"lock {op} {SIZE[bits]} ptr {SMALL_MEM[bits % 10]}")
    L += ["xchg rax, rax", "xchg eax, eax", "xchg ax, ax", "xchg rax, rcx", "xchg eax, r9d", "xchg ax, r15w"]

    L += [f"bswap {r}" for r in R32 + R64]
    L += [f"push {r}" for r in R64] + [f"pop {r}" for r in R64]
    L += [f"push {v}" for v in (0, 1, -1, 0x7F, -0x80, 0x80, -0x81, 0x12345678)]
    L += ["push qword ptr [rsp + 8]", "push qword ptr [r13]", "pop qword ptr [r12]", "pop qword ptr [rax + rbx*8]"]
    L += [f"jmp {r}" for r in R64] + [f"call {r}" for r in R64]
    L += [f"jmp qword ptr {m}" for m in SMALL_MEM] + [f"call qword ptr {m}" for m in SMALL_MEM]
    L += ["cqo", "cdq", "cdqe", "ret", "ud2", "int3", "nop"]

    # SSE scalar arithmetic and moves.
    for p, mw in (("ss", 32), ("sd", 64)):
        for op in ("add", "sub", "mul", "div", "sqrt", "min", "max"):
            L += [f"{op}{p} {a}, {b}" for a, b in pairs(XMM)[::4]]
            L.append(f"{op}{p} xmm{3 if p == 'ss' else 12}, {SIZE[mw]} ptr {SMALL_MEM[len(op) % 10]}")
        L += [f"mov{p} {a}, {b}" for a, b in pairs(XMM)]
        L += [f"mov{p} {XMM[i]}, {SIZE[mw]} ptr {m}" for i, m in enumerate(SMALL_MEM)]
        L += [f"mov{p} {SIZE[mw]} ptr {m}, {XMM[15 - i]}" for i, m in enumerate(SMALL_MEM)]
        for op in ("ucomi", "comi"):
            L += [f"{op}{p} {a}, {b}" for a, b in pairs(XMM)[::4]]
            L.append(f"{op}{p} xmm9, {SIZE[mw]} ptr {SMALL_MEM[5]}")
        for op in ("cvtsi2", ):
            for bits in (32, 64):
                L += [f"{op}{p} {XMM[i]}, {REGS[bits][(i + 4) % 16]}" for i in range(16)]
                L.append(f"{op}{p} xmm7, {SIZE[bits]} ptr {SMALL_MEM[bits % 10]}")
        for op in (f"cvt{p}2si", f"cvtt{p}2si"):
            for bits in (32, 64):
                L += [f"{op} {REGS[bits][i]}, {XMM[(i + 2) % 16]}" for i in range(16)]
                L.append(f"{op} {REGS[bits][10]}, {SIZE[mw]} ptr {SMALL_MEM[(bits + 1) % 10]}")
        L += [f"round{p} {a}, {b}, {i % 16}" for i, (a, b) in enumerate(pairs(XMM)[::3])]
        L.append(f"round{p} xmm1, {SIZE[mw]} ptr {SMALL_MEM[2]}, 11")
    L += [f"cvtss2sd {a}, {b}" for a, b in pairs(XMM)[::3]] + ["cvtss2sd xmm2, dword ptr [r12 + 4]"]
    L += [f"cvtsd2ss {a}, {b}" for a, b in pairs(XMM)[::3]] + ["cvtsd2ss xmm14, qword ptr [rbp - 8]"]
    for op in ("andps", "andpd", "andnps", "andnpd", "orps", "orpd", "xorps", "xorpd", "pxor"):
        L += [f"{op} {a}, {b}" for a, b in pairs(XMM)[::4]]
        L.append(f"{op} xmm10, xmmword ptr {SMALL_MEM[len(op) % 10]}")
    # AES-NI and the shuffles around it (the crypto group's lowerings).
    for op in ("aesenc", "aesenclast", "aesdec", "aesdeclast", "aesimc", "punpcklqdq"):
        L += [f"{op} {a}, {b}" for a, b in pairs(XMM)[::3]]
        if op != "punpcklqdq":
            L.append(f"{op} xmm{len(op)}, xmmword ptr {SMALL_MEM[len(op) % 10]}")
    for op in ("aeskeygenassist", "pshufd"):
        L += [f"{op} {a}, {b}, {(37 * i) % 256}" for i, (a, b) in enumerate(pairs(XMM)[::3])]
    L.append(f"aeskeygenassist xmm13, xmmword ptr {SMALL_MEM[6]}, 54")
    for i in range(16):
        L.append(f"movd {XMM[i]}, {R32[(i + 1) % 16]}")
        L.append(f"movd {R32[i]}, {XMM[(i + 2) % 16]}")
        L.append(f"movq {XMM[i]}, {R64[(i + 3) % 16]}")
        L.append(f"movq {R64[i]}, {XMM[(i + 4) % 16]}")
        L.append(f"movq {XMM[i]}, {XMM[(i + 5) % 16]}")
    for i, m in enumerate(SMALL_MEM[:5]):
        L += [f"movd xmm{i}, dword ptr {m}", f"movd dword ptr {m}, xmm{i + 9}",
              f"movq xmm{i + 4}, qword ptr {m}", f"movq qword ptr {m}, xmm{i + 11}"]
    for m in SMALL_MEM[:4]:
        L += [f"ldmxcsr dword ptr {m}", f"stmxcsr dword ptr {m}"]

    # FMA3 scalar, every operation and operand order; each xmm in each position.
    for op in ("fmadd", "fmsub", "fnmadd", "fnmsub"):
        for order in ("132", "213", "231"):
            for p in ("ss", "sd"):
                for i in range(0, 16, 5):
                    L.append(f"v{op}{order}{p} {XMM[i]}, {XMM[(i + 7) % 16]}, {XMM[(i + 13) % 16]}")
                L.append(f"v{op}{order}{p} xmm2, xmm11, {'dword' if p == 'ss' else 'qword'} ptr {SMALL_MEM[len(op) + int(order[0])]}")
    for i in range(16):
        L.append(f"vfmadd231sd {XMM[i]}, {XMM[(i + 1) % 16]}, {XMM[(i + 2) % 16]}")
    return L


def llvm_encodings(lines):
    src = ".intel_syntax noprefix\n" + "\n".join(lines) + "\n"
    out = subprocess.run(
        ["llvm-mc", "-triple=x86_64", "-output-asm-variant=1", "--show-encoding"],
        input=src, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    enc = re.findall(r"encoding: \[([^\]]*)\]", out.stdout)
    if len(enc) != len(lines):
        sys.exit(f"llvm-mc gave {len(enc)} encodings for {len(lines)} lines")
    return [" ".join(b[2:].zfill(2) for b in e.split(",")) for e in enc]


def capstone_texts(hexes):
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "cstext")
        subprocess.run(["cc", "-O1", "-o", exe, os.path.join(HERE, "cstext.c"), "-lcapstone"], check=True)
        out = subprocess.run([exe], input="\n".join(hexes) + "\n", capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def main():
    lines = forms()
    hexes = llvm_encodings(lines)
    texts = capstone_texts(hexes)
    with open(os.path.join(HERE, "goldens.txt"), "w") as f:
        f.write("# generated by tools/x86-goldens/generate.py — do not edit\n")
        f.write("# instruction (Intel syntax) | bytes from llvm-mc | capstone's text for those bytes\n")
        for l, h, t in zip(lines, hexes, texts):
            if t.startswith("!!"):
                sys.exit(f"capstone does not decode {l!r} ({h}) as one instruction")
            f.write(f"{l} | {h} | {t}\n")
    print(f"{len(lines)} goldens")


main()
