/* Macros shared by the privileged tests (assembled together with runtime.S).
 *
 * A test is a flat sequence in `test_main`, running in M-mode on the runtime's stack. Every
 * trap goes to the runtime's recorder, which stores cause/epc/tval/status in m_rec (or s_rec
 * for traps taken in S-mode) and continues at the label armed beforehand with EXPECT_M (or
 * EXPECT_S), in the mode that took the trap, with sp reset. A trap nobody armed ends the test
 * with a report and exit code 100. CHECK clobbers a0-a7, t0-t6 and ra: tests keep their values
 * in s-registers.
 */
#include "../common/machine.h"

/* mstatus / sstatus fields */
#define MSTATUS_SIE   (1 << 1)
#define MSTATUS_MIE   (1 << 3)
#define MSTATUS_SPIE  (1 << 5)
#define MSTATUS_MPIE  (1 << 7)
#define MSTATUS_SPP   (1 << 8)
#define MSTATUS_MPP   (3 << 11)
#define MSTATUS_FS    (3 << 13)
#define MSTATUS_MPRV  (1 << 17)
#define MSTATUS_SUM   (1 << 18)
#define MSTATUS_MXR   (1 << 19)
#define MSTATUS_TVM   (1 << 20)
#define MSTATUS_TW    (1 << 21)
#define MSTATUS_TSR   (1 << 22)
#define MPP_U 0
#define MPP_S (1 << 11)
#define MPP_M (3 << 11)

/* offsets inside a trap record (m_rec / s_rec) */
#define REC_COUNT  0
#define REC_CAUSE  8
#define REC_EPC    16
#define REC_TVAL   24
#define REC_STATUS 32
#define REC_VECTOR 40   /* vector-table entry that took the trap, -1 for the direct handler */

#define MODE_U 0
#define MODE_S 1

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15
#define INTERRUPT              (1 << 63)
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11

.set CHECKNO, 0

/* Starts the test: prints its title. */
.macro TEST_BEGIN title
    la a0, 9001f
    call puts
    .pushsection .rodata
9001: .asciz "\title\n"
    .popsection
.endm

/* Ends the test: all checks passed, finisher 0x5555. */
.macro TEST_END
    li a0, CHECKNO
    j pass
.endm

/* Compares register \got with the constant \want. */
.macro CHECK got, want, desc
    .set CHECKNO, CHECKNO + 1
    mv a0, \got
    li a1, \want
    li a2, CHECKNO
    la a3, 9002f
    call check
    .pushsection .rodata
9002: .asciz "\desc"
    .popsection
.endm

/* Compares register \got with the address of \label. */
.macro CHECK_ADDR got, label, desc
    .set CHECKNO, CHECKNO + 1
    mv a0, \got
    la a1, \label
    li a2, CHECKNO
    la a3, 9003f
    call check
    .pushsection .rodata
9003: .asciz "\desc"
    .popsection
.endm

/* Compares register \got with register \want (neither may be a0..a3 except got = a0). */
.macro CHECK_REG got, want, desc
    .set CHECKNO, CHECKNO + 1
    mv a0, \got
    mv a1, \want
    li a2, CHECKNO
    la a3, 9004f
    call check
    .pushsection .rodata
9004: .asciz "\desc"
    .popsection
.endm

/* Loads field \off of the M (or S) trap record into \reg. */
.macro MREC reg, off
    la \reg, m_rec
    ld \reg, \off(\reg)
.endm
.macro SREC reg, off
    la \reg, s_rec
    ld \reg, \off(\reg)
.endm

/* Arms the recorders: the next trap taken in M (S) mode continues at \label. The record's
   cause and vector are reset to -1 first, so a trap that never comes cannot pass a check. */
.macro EXPECT_M label
    la t1, m_rec
    li t0, -1
    sd t0, REC_CAUSE(t1)
    sd t0, REC_VECTOR(t1)
    la t0, \label
    la t1, m_resume
    sd t0, 0(t1)
.endm
.macro EXPECT_S label
    la t1, s_rec
    li t0, -1
    sd t0, REC_CAUSE(t1)
    sd t0, REC_VECTOR(t1)
    la t0, \label
    la t1, s_resume
    sd t0, 0(t1)
.endm

/* Spins long enough for any armed interrupt to arrive (about 20 million iterations); a test
   continues after it only if none came. Uses s11. */
.macro SPIN n=20000000
    li s11, \n
9007: addi s11, s11, -1
    bnez s11, 9007b
.endm

/* Runs \insn in M-mode; s11 = 1 if it trapped (to M), else 0. */
.macro TRY_M insn:vararg
    EXPECT_M 9005f
    \insn
    li s11, 0
    la t1, m_resume
    sd zero, 0(t1)
    j 9006f
9005: li s11, 1
9006:
.endm

/* Waits (bounded) until mip bit \irq is set; interrupt timers take effect with some delay. */
.macro WAIT_MIP irq
    li s11, 20000000
9008: csrr t0, mip
    srli t0, t0, \irq
    andi t0, t0, 1
    bnez t0, 9009f
    addi s11, s11, -1
    bnez s11, 9008b
9009:
.endm

/* From M-mode: mret into \mode (MODE_U / MODE_S) at \label with interrupts off. */
.macro RUN_IN mode, label
    li a0, \mode
    la a1, \label
    call enter_mode
.endm

/* Checks the last M trap: cause \cause, mepc = \epc_label. */
.macro CHECK_MTRAP cause, epc_label, desc
    MREC s10, REC_CAUSE
    CHECK s10, \cause, "\desc: mcause"
    MREC s10, REC_EPC
    CHECK_ADDR s10, \epc_label, "\desc: mepc"
.endm
.macro CHECK_STRAP cause, epc_label, desc
    SREC s10, REC_CAUSE
    CHECK s10, \cause, "\desc: scause"
    SREC s10, REC_EPC
    CHECK_ADDR s10, \epc_label, "\desc: sepc"
.endm
