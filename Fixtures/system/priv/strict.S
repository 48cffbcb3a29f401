/* priv_strict: spec rules QEMU 7.2 breaks (so this fixture is `noqemu`; the expected output is
 * written from the privileged spec):
 *   - mstatus.MPP is WARL over the implemented modes: writing the reserved value 2 must read
 *     back as U, S or M (QEMU 7.2 keeps 2);
 *   - pmpcfg R=0,W=1 is reserved: such a write must not leave R=0,W=1 (QEMU 7.2 keeps it);
 *   - a misaligned AMO raises a store/AMO exception (cause 6 or 7), never a load one (QEMU
 *     7.2 reports cause 4, load address misaligned). */
#include "test.h"

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_strict: WARL and cause rules QEMU 7.2 gets wrong"
    li s1, MSTATUS_MPP
    csrc mstatus, s1
    li s2, 2 << 11
    csrs mstatus, s2
    csrr s0, mstatus
    and s0, s0, s1
    srli s0, s0, 11
    addi s0, s0, -2
    snez s0, s0
    CHECK s0, 1, "mstatus.MPP never holds the reserved value 2"

    li s1, 0x02 << 8            /* entry 1: OFF, W only */
    ori s1, s1, 0x1f
    csrw pmpcfg0, s1
    csrr s0, pmpcfg0
    srli s0, s0, 8
    andi s0, s0, 3
    addi s0, s0, -2
    snez s0, s0
    CHECK s0, 1, "pmpcfg never holds R=0,W=1"
    li s1, 0x1f
    csrw pmpcfg0, s1

    la s2, scratch + 4
    EXPECT_M 1f
    amoadd.d a0, zero, (s2)
    li s0, -1                   /* not reached */
    j 2f
1:  MREC s0, REC_CAUSE
    addi s0, s0, -CAUSE_MISALIGNED_STORE
2:  sltiu s0, s0, 2
    CHECK s0, 1, "misaligned AMO: store/AMO misaligned or access fault"
    MREC s0, REC_TVAL
    CHECK_REG s0, s2, "misaligned AMO: mtval = address"
    TEST_END

    .bss
    .balign 16
scratch: .space 16
