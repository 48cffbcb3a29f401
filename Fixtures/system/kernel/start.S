/* The M-mode stub: the only code that runs in machine mode.
 *
 * The hart starts here in M-mode with translation off and every trap going to M. Before a
 * supervisor kernel can work, the firmware has to open three doors:
 *   - PMP: with PMP implemented, S and U may touch no memory at all until an entry allows it;
 *   - delegation: traps from U and S and the supervisor interrupts must reach S-mode's own
 *     handler (stvec) instead of M's;
 *   - the timer: S-mode needs a timer of its own. With the Sstc extension it has stimecmp
 *     (enabled by menvcfg.STCE); without it, this stub lends S-mode the machine timer:
 *     S asks for an interrupt with an SBI-style ecall, and the stub turns the machine timer
 *     interrupt into a supervisor one (mip.STIP).
 * Then it `mret`s into S-mode at kmain and stays out of the way. */
#include "machine.h"
#include "start.h"

#define SBI_EXT_TIME 0x54494D45     /* "TIME": the SBI set_timer call the fallback answers */
#define MIP_STIP (1 << 5)
#define MIE_MTIE (1 << 7)

    .section .text.start, "ax"
    .globl _start
_start:
    la sp, m_stack_top
    csrw mscratch, sp
    la t0, m_trap
    csrw mtvec, t0

    ZERO_BSS                    /* C expects zeroed globals */
    ENTER_S kmain, __stack_top, m_trap  /* a0: whether Sstc exists */

/* Machine-mode traps: the timer forwarding (only used without Sstc); anything else is a bug. */
    .text
    .balign 4
m_trap:
    csrrw sp, mscratch, sp
    sd t0, -8(sp)
    sd t1, -16(sp)
    csrr t0, mcause
    bltz t0, m_interrupt
    li t1, 9                    /* ecall from S */
    bne t0, t1, m_fatal
    li t1, SBI_EXT_TIME
    bne a7, t1, m_fatal
    /* set_timer(a0): arm the machine timer for S and take back the pending STIP */
    li t0, CLINT_MTIMECMP
    sd a0, 0(t0)
    li t0, MIP_STIP
    csrc mip, t0
    li t0, MIE_MTIE
    csrs mie, t0
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    j m_return
m_interrupt:
    slli t0, t0, 1
    li t1, 7 << 1               /* machine timer */
    bne t0, t1, m_fatal
    /* hand the tick to S: raise STIP, and mask MTIP until S asks again */
    li t0, MIE_MTIE
    csrc mie, t0
    li t0, MIP_STIP
    csrs mip, t0
m_return:
    ld t0, -8(sp)
    ld t1, -16(sp)
    csrrw sp, mscratch, sp
    mret

m_fatal:
    la a0, m_fatal_msg
    li t0, UART_BASE
1:  lbu t1, 0(a0)
    beqz t1, 3f
2:  lbu a1, UART_LSR(t0)
    andi a1, a1, 0x20
    beqz a1, 2b
    sb t1, UART_THR(t0)
    addi a0, a0, 1
    j 1b
3:  li t0, FINISHER_BASE
    li t1, (3 << 16) | FINISHER_FAIL
    sw t1, 0(t0)
4:  wfi
    j 4b

    .section .rodata
m_fatal_msg: .asciz "firmware: unexpected machine-mode trap\n"

    .bss
    .balign 16
    .space 512
m_stack_top:
