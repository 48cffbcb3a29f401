/* sbi_hello: an S-mode payload for OpenSBI-style firmware (`trapeze system --bios fw_dynamic.bin
 * --kernel sbi_hello`, or QEMU's `-bios fw_dynamic.bin -kernel sbi_hello`). Linked at
 * 0x8020_0000, where fw_dynamic starts the next stage in S-mode with a0 = hart id and a1 = the
 * device tree. It checks that it runs in S-mode with a0 = 0, asks the SBI base extension for
 * the spec version, prints a line through the legacy console putchar call, and powers off
 * through the system reset extension (SRST); a failed check shuts down with a reason. */

#define SBI_CONSOLE_PUTCHAR 0x01
#define SBI_EXT_BASE        0x10
#define SBI_EXT_SRST        0x53525354

    .section .text.start, "ax"
    .globl _start
_start:
    bnez a0, fail                       /* hart 0 */
    beqz a1, fail                       /* a device tree */
    csrr t0, sstatus                    /* legal only in S (or M): U would trap into the firmware */
    li a7, SBI_EXT_BASE
    li a6, 0                            /* sbi_get_spec_version */
    ecall
    bnez a0, fail                       /* SBI_SUCCESS */
    srli t0, a1, 24
    beqz t0, fail                       /* major version >= 1 (SRST needs 0.3+, OpenSBI 1.x says 1.0+) */
    la s0, message
1:  lbu a0, 0(s0)
    beqz a0, 2f
    li a7, SBI_CONSOLE_PUTCHAR
    ecall
    addi s0, s0, 1
    j 1b
2:  li a0, 0                            /* shutdown */
    li a1, 0                            /* no reason */
    j reset
fail:
    li a0, 0
    li a1, 1                            /* system failure */
reset:
    li a7, SBI_EXT_SRST
    li a6, 0                            /* sbi_system_reset */
    ecall
3:  wfi                                 /* not reached */
    j 3b

    .section .rodata
message:
    .asciz "sbi_hello: S-mode payload running under SBI firmware\n"
