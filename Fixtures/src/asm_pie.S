# asm_pie: a static position-independent executable (ELF type ET_DYN with no
# PT_INTERP), so the loader must choose a base address and enter at base + e_entry.
# All addressing is pc-relative (lla), so it needs no relocations. It sums a
# table in .data through pointers, rewrites the table through the same pointers,
# sums again, and prints both sums in decimal; the exit status is the second sum
# modulo 256. (Debian's riscv64 glibc 2.36 ships no rcrt1.o, so a static-pie libc
# program cannot be built with this toolchain; this fixture covers the loader side.)
# fixture-build: -nostdlib -fPIE -static-pie -Wl,--no-dynamic-linker

        .equ SYS_write, 64
        .equ SYS_exit_group, 94

        .data
table:
        .dword 3, 14, 15, 92, 65, 35, 89, 79
        .equ table_count, 8
line:
        .ascii "asm_pie: sums "
digits:
        .ascii "00000 and 00000\n"
        .equ line_len, . - line

        .text
        .globl _start
_start:
        lla     s0, table
        call    sum_table
        mv      s1, a0                  # first sum: 392

        # Double every entry in place, then add its index.
        mv      t0, s0
        li      t1, 0
1:      ld      t2, 0(t0)
        slli    t2, t2, 1
        add     t2, t2, t1
        sd      t2, 0(t0)
        addi    t0, t0, 8
        addi    t1, t1, 1
        li      t3, table_count
        blt     t1, t3, 1b
        call    sum_table
        mv      s2, a0                  # second sum: 2 * 392 + 28 = 812

        lla     a1, digits + 5
        mv      a0, s1
        call    put_decimal5
        lla     a1, digits + 16 - 1
        mv      a0, s2
        call    put_decimal5

        li      a0, 1
        lla     a1, line
        li      a2, line_len
        li      a7, SYS_write
        ecall

        andi    a0, s2, 255
        li      a7, SYS_exit_group
        ecall

# a0 = sum of the table at s0
sum_table:
        mv      t0, s0
        li      t1, table_count
        li      a0, 0
1:      ld      t2, 0(t0)
        add     a0, a0, t2
        addi    t0, t0, 8
        addi    t1, t1, -1
        bnez    t1, 1b
        ret

# Writes a0 as five decimal digits ending just before a1.
put_decimal5:
        li      t0, 5
        li      t1, 10
1:      remu    t2, a0, t1
        divu    a0, a0, t1
        addi    t2, t2, '0'
        addi    a1, a1, -1
        sb      t2, 0(a1)
        addi    t0, t0, -1
        bnez    t0, 1b
        ret
