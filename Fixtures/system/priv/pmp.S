/* priv_pmp: physical memory protection. TOR and NAPOT entries deny S and U reads, writes and
 * fetches (access faults with tval = address); the lowest-numbered matching entry wins; an
 * address no entry matches is denied to S/U but not to M; unlocked entries do not bind M, a
 * locked one does, and cannot be changed any more.
 *
 * The runtime's allow-all entry 0 is replaced by entry 15: TOR from 0 up to the end of this
 * image (code, data, stack, UART and finisher), so RAM above the image matches no entry. */
#include "test.h"

#define CFG_R 0x01
#define CFG_W 0x02
#define CFG_X 0x04
#define CFG_TOR   0x08
#define CFG_NAPOT 0x18
#define CFG_L 0x80
#define BEYOND 0x80400000           /* RAM no entry covers */

/* Runs \snippet in \mode with a2 = address in register \addr; s0 = cause, s1 = tval. */
.macro TRY mode, snippet, addr
    mv a2, \addr
    li a3, 0x77
    EXPECT_M 9030f
    RUN_IN \mode, \snippet
9030: MREC s0, REC_CAUSE
    MREC s1, REC_TVAL
.endm
/* pmpaddr value of the naturally aligned 4 KiB region at \reg (in place) */
.macro NAPOT_4K reg
    srli \reg, \reg, 2
    ori \reg, \reg, 0x1ff
.endm

    .text
    .globl test_main
test_main:
    TEST_BEGIN "priv_pmp: TOR, NAPOT, priority, no match, the L bit"
    csrw pmpaddr14, zero
    la t0, __image_end
    srli t0, t0, 2
    csrw pmpaddr15, t0
    li t0, (CFG_TOR | CFG_R | CFG_W | CFG_X) << 56
    csrw pmpcfg2, t0            /* entry 15: [0, image end) RWX; entries 8-14 off */
    la s4, region_tor
    la s5, region_napot
    la s6, region_locked
    la s7, x_ecall
    /* entry 0: OFF, only the base of entry 1; entry 1: TOR [region_tor, +4 KiB) read-only;
       entry 2: NAPOT region_napot, no access; entry 3: NAPOT on the U code page, R only */
    srli t0, s4, 2
    csrw pmpaddr0, t0
    addi t0, s4, 2047
    addi t0, t0, 2047
    addi t0, t0, 2
    srli t0, t0, 2
    csrw pmpaddr1, t0
    mv t0, s5
    NAPOT_4K t0
    csrw pmpaddr2, t0
    la t0, __user_start
    NAPOT_4K t0
    csrw pmpaddr3, t0
    li t0, ((CFG_TOR | CFG_R) << 8) | (CFG_NAPOT << 16) | ((CFG_NAPOT | CFG_R) << 24)
    csrw pmpcfg0, t0
    sfence.vma                  /* PMP changes: flush what the hart may have cached */

    TRY MODE_S, s_load, s4
    CHECK s0, CAUSE_ECALL_S, "TOR read-only: S load works"
    TRY MODE_S, s_store, s4
    CHECK s0, CAUSE_STORE_ACCESS, "TOR read-only: S store faults (entry 15 allows it: the lowest entry wins)"
    CHECK_REG s1, s4, "store access fault: mtval = address"
    TRY MODE_U, s_store, s4
    CHECK s0, CAUSE_STORE_ACCESS, "TOR read-only: U store is an access fault"
    addi t0, s4, -8
    TRY MODE_S, s_store, t0
    CHECK s0, CAUSE_ECALL_S, "TOR: the byte below the range is not covered"
    li t0, 0x66
    sd t0, 0(s4)
    ld s0, 0(s4)
    CHECK s0, 0x66, "TOR entry without L: M store works"
    TRY MODE_S, s_load, s5
    CHECK s0, CAUSE_LOAD_ACCESS, "NAPOT no access: S load is an access fault"
    CHECK_REG s1, s5, "load access fault: mtval = address"
    addi t0, s5, 2047
    addi t0, t0, 2047
    addi t0, t0, 2              /* the first byte after the region */
    TRY MODE_S, s_load, t0
    CHECK s0, CAUSE_ECALL_S, "NAPOT: the byte after the region is not covered"
    TRY MODE_U, s_jump, s7
    CHECK s0, CAUSE_FETCH_ACCESS, "NAPOT without X: U fetch is an access fault"
    CHECK_REG s1, s7, "fetch access fault: mtval = target"
    MREC s0, REC_EPC
    CHECK_REG s0, s7, "fetch access fault: mepc = target"
    TRY MODE_S, s_load, s7
    CHECK s0, CAUSE_ECALL_S, "NAPOT R: S may still read that page"
    li t0, BEYOND
    TRY MODE_S, s_load, t0
    CHECK s0, CAUSE_LOAD_ACCESS, "no matching entry: S load is an access fault"
    li t0, BEYOND
    TRY MODE_U, s_store, t0
    CHECK s0, CAUSE_STORE_ACCESS, "no matching entry: U store is an access fault"
    li t0, BEYOND
    li t1, 0x55
    sd t1, 0(t0)
    ld s0, 0(t0)
    CHECK s0, 0x55, "no matching entry: M works"

    /* --- the L bit: entry 4 locked read-only binds M too and cannot be undone --- */
    mv t0, s6
    NAPOT_4K t0
    csrw pmpaddr4, t0
    li t0, (CFG_L | CFG_NAPOT | CFG_R) << 32
    csrs pmpcfg0, t0
    sfence.vma
    ld s0, 0(s6)
    CHECK s0, 0, "locked R entry: M load works"
    EXPECT_M 1f
m_locked_store:
    sd s6, 0(s6)
1:  CHECK_MTRAP CAUSE_STORE_ACCESS, m_locked_store, "locked R entry: M store"
    MREC s0, REC_TVAL
    CHECK_REG s0, s6, "M store access fault: mtval = address"
    li t0, 0xff << 32
    csrc pmpcfg0, t0
    csrr s0, pmpcfg0
    srli s0, s0, 32
    andi s0, s0, 0xff
    CHECK s0, CFG_L | CFG_NAPOT | CFG_R, "locked entry: cfg cannot be cleared"
    csrw pmpaddr4, zero
    csrr s0, pmpaddr4
    mv t0, s6
    NAPOT_4K t0
    CHECK_REG s0, t0, "locked entry: pmpaddr cannot be changed"
    TEST_END

s_load:
    ld a4, 0(a2)
    ecall
s_store:
    sd a3, 0(a2)
    ecall
s_jump:
    jr a2

    .section .user.text, "ax"
x_ecall:
    ecall

    .section .pages, "aw", @nobits
    .balign 4096
region_tor:    .space 4096
region_napot:  .space 4096
region_locked: .space 4096
