/* The runner's M-mode stub and its S-mode trap door.
 *
 * M-mode opens memory to S and U (one PMP entry over everything), delegates U's and S's
 * exceptions and the supervisor interrupts to S, lets S and U read the counters, turns on
 * stimecmp when the hart has Sstc (menvcfg.STCE), and `mret`s into kmain in S-mode with
 * a0 = 1 if it does. It takes no part after that.
 *
 * The program runs in U-mode; every trap (a system call, the timer tick, a fault) enters
 * s_trap with sscratch holding the address of `frame`, where the 31 registers and the pc are
 * saved; the C handler `trap` runs on the kernel stack and `user_resume` goes back. The kernel
 * runs with interrupts off, so a trap from S is a kernel bug: sscratch is 0 then. */
#include "machine.h"
#include "start.h"

#define SAVE(r, i) sd r, (i * 8)(sp)
#define LOAD(r, i) ld r, (i * 8)(sp)
#define FRAME_PC (32 * 8)

    .section .text.start, "ax"
    .globl _start
_start:
    la t0, m_trap
    csrw mtvec, t0
    ZERO_BSS
    ENTER_S kmain, kernel_stack_top, m_trap

    .balign 4
m_trap:                         /* nothing is expected in M-mode: fail with status 3 */
    li t0, FINISHER_BASE
    li t1, (3 << 16) | FINISHER_FAIL
    sw t1, 0(t0)
1:  wfi
    j 1b

    .text
    .balign 4
    .globl s_trap
s_trap:
    csrrw sp, sscratch, sp
    beqz sp, from_kernel
    SAVE(x1, 1);  SAVE(x3, 3);  SAVE(x4, 4);  SAVE(x5, 5);  SAVE(x6, 6);  SAVE(x7, 7)
    SAVE(x8, 8);  SAVE(x9, 9);  SAVE(x10, 10); SAVE(x11, 11); SAVE(x12, 12); SAVE(x13, 13)
    SAVE(x14, 14); SAVE(x15, 15); SAVE(x16, 16); SAVE(x17, 17); SAVE(x18, 18); SAVE(x19, 19)
    SAVE(x20, 20); SAVE(x21, 21); SAVE(x22, 22); SAVE(x23, 23); SAVE(x24, 24); SAVE(x25, 25)
    SAVE(x26, 26); SAVE(x27, 27); SAVE(x28, 28); SAVE(x29, 29); SAVE(x30, 30); SAVE(x31, 31)
    csrr t0, sscratch           /* the program's sp */
    SAVE(t0, 2)
    csrr t0, sepc
    sd t0, FRAME_PC(sp)
    csrw sscratch, zero
    mv a0, sp
    la sp, kernel_stack_top
    call trap
    /* fall through */

    .globl user_resume
user_resume:                    /* back to U-mode with the registers in `frame` */
    la sp, frame
    ld t0, FRAME_PC(sp)
    csrw sepc, t0
    csrw sscratch, sp
    LOAD(x1, 1);  LOAD(x3, 3);  LOAD(x4, 4);  LOAD(x5, 5);  LOAD(x6, 6);  LOAD(x7, 7)
    LOAD(x8, 8);  LOAD(x9, 9);  LOAD(x10, 10); LOAD(x11, 11); LOAD(x12, 12); LOAD(x13, 13)
    LOAD(x14, 14); LOAD(x15, 15); LOAD(x16, 16); LOAD(x17, 17); LOAD(x18, 18); LOAD(x19, 19)
    LOAD(x20, 20); LOAD(x21, 21); LOAD(x22, 22); LOAD(x23, 23); LOAD(x24, 24); LOAD(x25, 25)
    LOAD(x26, 26); LOAD(x27, 27); LOAD(x28, 28); LOAD(x29, 29); LOAD(x30, 30); LOAD(x31, 31)
    LOAD(x2, 2)
    sret

from_kernel:
    la sp, kernel_stack_top
    call kernel_fault           /* does not return */

    .bss
    .balign 16
    .globl frame
frame:
    .space 33 * 8
    .balign 16
    .space 16384
kernel_stack_top:
