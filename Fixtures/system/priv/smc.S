/* priv_smc: self-modifying code. A store to code that has run (and so was translated by an
 * engine that translates) followed by fence.i must make the new instructions run: a function
 * patched in place, a function patched anew before each of eight calls, and a store over the
 * instruction right after the fence.i that follows it. */
#include "test.h"

#define LI_A0(k) (((k) << 20) | (10 << 7) | 0x13)     /* addi a0, x0, k */
#define ADDI_S1(k) (((k) << 20) | (9 << 15) | (9 << 7) | 0x13)  /* addi s1, s1, k */

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_smc: stores to code that has run, and fence.i"

    /* --- a function patched in place --- */
    call smc_fn
    mv s0, a0
    CHECK s0, 1, "the function returns 1 before the patch"
    la t0, smc_fn
    li t1, LI_A0(2)
    sw t1, 0(t0)
    fence.i
    call smc_fn
    mv s0, a0
    CHECK s0, 2, "after a store and fence.i it returns 2"

    /* --- patched on every pass: pass k makes the function return k + 3 --- */
    li s2, 0                    /* sum of the results */
    li s3, 0                    /* pass */
1:  la t0, smc_fn
    addi t1, s3, 3
    slli t1, t1, 20
    li t2, (10 << 7) | 0x13
    or t1, t1, t2
    sw t1, 0(t0)
    fence.i
    call smc_fn
    add s2, s2, a0
    addi s3, s3, 1
    li t0, 8
    blt s3, t0, 1b
    CHECK s2, 3+4+5+6+7+8+9+10, "eight passes each run the code the pass before wrote"

    /* --- a store over the instruction after the fence.i --- */
    li s1, 0
    la t0, smc_target
    li t1, ADDI_S1(40)
    .option push
    .option norvc
    sw t1, 0(t0)
    fence.i
smc_target:
    addi s1, s1, 1
    .option pop
    CHECK s1, 40, "the instruction stored over runs after fence.i"

    TEST_END

    /* 4-byte instructions only, so a word store replaces one whole. */
    .option push
    .option norvc
    .balign 4
smc_fn:
    addi a0, x0, 1
    ret
    .option pop
