/* The S-mode trap door between a task and the kernel.
 *
 * Every trap taken to S (a system call, a fault, a timer or UART interrupt) enters at
 * strap_entry with the task's registers still live. While a task runs, sscratch holds the
 * address of its struct frame; the entry swaps it into a0 to get a place to save the other 31
 * registers, then runs the C handler on the kernel stack. The kernel itself runs with
 * interrupts off (sstatus.SIE = 0), so a trap from S-mode is always a kernel bug: sscratch is
 * 0 then, and the entry reports it instead of saving anything.
 *
 * user_return is the way back: it restores the registers of the frame it is given (possibly
 * another task's: that is how the scheduler switches tasks) and `sret`s to U-mode. */

#define SAVE(r, i) sd r, (i * 8)(a0)
#define LOAD(r, i) ld r, (i * 8)(a0)
#define FRAME_PC (32 * 8)
#define SSTATUS_SPP_BIT (1 << 8)
#define SSTATUS_SPIE_BIT (1 << 5)

    .text
    .balign 4
    .globl strap_entry
strap_entry:
    csrrw a0, sscratch, a0
    beqz a0, from_kernel
    SAVE(x1, 1);  SAVE(x2, 2);  SAVE(x3, 3);  SAVE(x4, 4);  SAVE(x5, 5);  SAVE(x6, 6)
    SAVE(x7, 7);  SAVE(x8, 8);  SAVE(x9, 9);  SAVE(x11, 11); SAVE(x12, 12); SAVE(x13, 13)
    SAVE(x14, 14); SAVE(x15, 15); SAVE(x16, 16); SAVE(x17, 17); SAVE(x18, 18); SAVE(x19, 19)
    SAVE(x20, 20); SAVE(x21, 21); SAVE(x22, 22); SAVE(x23, 23); SAVE(x24, 24); SAVE(x25, 25)
    SAVE(x26, 26); SAVE(x27, 27); SAVE(x28, 28); SAVE(x29, 29); SAVE(x30, 30); SAVE(x31, 31)
    csrr t0, sscratch           /* the task's own a0 */
    SAVE(t0, 10)
    csrr t0, sepc
    sd t0, FRAME_PC(a0)
    csrw sscratch, zero         /* from here on we are the kernel */
    la sp, kernel_stack_top     /* traps never nest, so one kernel stack is enough */
    call trap_from_user         /* returns the frame to resume */
    /* fall through */

    .globl user_return
user_return:
    ld t0, FRAME_PC(a0)
    csrw sepc, t0
    li t0, SSTATUS_SPP_BIT      /* sret goes to U-mode ... */
    csrc sstatus, t0
    li t0, SSTATUS_SPIE_BIT     /* ... with interrupts enabled there */
    csrs sstatus, t0
    csrw sscratch, a0
    LOAD(x1, 1);  LOAD(x2, 2);  LOAD(x3, 3);  LOAD(x4, 4);  LOAD(x5, 5);  LOAD(x6, 6)
    LOAD(x7, 7);  LOAD(x8, 8);  LOAD(x9, 9);  LOAD(x11, 11); LOAD(x12, 12); LOAD(x13, 13)
    LOAD(x14, 14); LOAD(x15, 15); LOAD(x16, 16); LOAD(x17, 17); LOAD(x18, 18); LOAD(x19, 19)
    LOAD(x20, 20); LOAD(x21, 21); LOAD(x22, 22); LOAD(x23, 23); LOAD(x24, 24); LOAD(x25, 25)
    LOAD(x26, 26); LOAD(x27, 27); LOAD(x28, 28); LOAD(x29, 29); LOAD(x30, 30); LOAD(x31, 31)
    LOAD(x10, 10)
    sret

from_kernel:
    la sp, kernel_stack_top
    call kernel_trap            /* does not return */

    .bss
    .balign 16
    .space 16384
kernel_stack_top:
