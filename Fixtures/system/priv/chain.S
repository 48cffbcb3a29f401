/* priv_chain: direct jumps to another page, which an engine that chains translated code may
 * link straight to the target's translation, must follow every change of what that page holds:
 * a remap fenced by sfence.vma of the page's address or by sfence.vma x0, x0, a satp write to
 * other tables, and a store to the target's code followed by fence.i, in S-mode (through page
 * tables) and in M-mode (physical addresses).
 *
 * chain_caller (on its own page) calls the next page 16 times with a `jal` (a direct jump to
 * another page) and sums what the callee left in a4. Under Sv39 the caller is at PAGE(1), and
 * PAGE(2) maps code_a (returns 0xa, the page after the caller's) or code_b (0xb). Each sum is
 * taken after a first pass that lets an engine link the jump, then the page changes. */
#include "test.h"
#include "sv39.h"

#define LI_A4(k) (((k) << 20) | (14 << 7) | 0x13)     /* addi a4, x0, k */

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_chain: chained jumps to another page after remaps, satp writes and code stores"
    ZERO_TABLES

    /* M-mode first: the caller and code_a at their physical addresses */
    la t0, chain_caller
    jalr t0
    jalr t0
    mv s1, a5
    CHECK s1, 0xa * 16, "M: the jump to the next page runs code_a"

    SPACE root1, table1a, table0a
    MAP table0a, 1, chain_caller, PTE_V | PTE_X | PTE_A
    MAP table0a, 2, code_a, PTE_V | PTE_X | PTE_A
    SPACE root2, table1b, table0b
    MAP table0b, 1, chain_caller, PTE_V | PTE_X | PTE_A
    MAP table0b, 2, code_b, PTE_V | PTE_X | PTE_A

    TWO_SPACES_ON

    /* a2 = space 1's PAGE(2) entry, a6 = that entry for code_b, a7 = for code_a */
    la a2, table0a
    addi a2, a2, 16
    la t1, code_b
    srli t1, t1, 12
    slli t1, t1, 10
    ori a6, t1, PTE_V | PTE_X | PTE_A
    ld a7, 0(a2)
    mv a3, s3
    EXPECT_M 2f
    RUN_IN MODE_S, s_chain
2:  MREC s0, REC_CAUSE
    CHECK s0, CAUSE_ECALL_S, "the S run ends with its ecall"
    CHECK s5, 0xa * 16, "S: PAGE(1) jumps to PAGE(2), code_a"
    CHECK s6, 0xb * 16, "S: after PAGE(2) is remapped to code_b and sfence.vma PAGE(2): code_b"
    CHECK s7, 0xa * 16, "S: after it is mapped back and sfence.vma x0, x0: code_a"
    CHECK s8, 0xb * 16, "S: after a satp write to tables mapping code_b there: code_b"
    CHECK s9, 0xa * 16, "S: after the satp write back: code_a"
    CHECK s10, 0xc * 16, "S: after a store to code_a and fence.i: the new code"

    /* M-mode again: code_a changed once more behind the caller's chained jump */
    csrw satp, zero
    sfence.vma
    la t0, code_a
    li t1, LI_A4(0xd)
    sw t1, 0(t0)
    fence.i
    la t0, chain_caller
    jalr t0
    mv s1, a5
    CHECK s1, 0xd * 16, "M: after a store to code_a and fence.i: the new code"
    TEST_END

/* S-mode, in space 1 (a3 = its satp; a2, a6, a7: see above; s4 = space 2's satp): each sum is
   the second of two runs of the caller. */
s_chain:
    li s1, PAGE(1)
    jalr s1
    jalr s1
    mv s5, a5
    sd a6, 0(a2)                /* PAGE(2) -> code_b, that page fenced */
    li t0, PAGE(2)
    sfence.vma t0
    jalr s1
    jalr s1
    mv s6, a5
    sd a7, 0(a2)                /* PAGE(2) -> code_a, everything fenced */
    sfence.vma
    jalr s1
    jalr s1
    mv s7, a5
    csrw satp, s4               /* space 2: PAGE(2) -> code_b */
    jalr s1
    jalr s1
    mv s8, a5
    csrw satp, a3
    jalr s1
    jalr s1
    mv s9, a5
    la t0, code_a               /* through the identity 1 GiB page */
    li t1, LI_A4(0xc)
    sw t1, 0(t0)
    fence.i
    jalr s1
    jalr s1
    mv s10, a5
    ecall

/* The caller, code_a and code_b on three consecutive pages: the caller's jal reaches the page
   right after its own. 4-byte instructions only, so a word store replaces one whole. */
    .section .text.code_a, "ax"
    .option push
    .option norvc
    .balign 4096
chain_caller:
    mv t4, ra
    li a5, 0
    li t3, 16
1:  jal ra, code_a
    add a5, a5, a4
    addi t3, t3, -1
    bnez t3, 1b
    jr t4
    .balign 4096
code_a:
    li a4, 0xa
    ret
    .balign 4096
code_b:
    li a4, 0xb
    ret
    .balign 4096
    .option pop

    TWO_SPACE_TABLES
