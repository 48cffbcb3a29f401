/* sbi_hello: the smallest S-mode payload. OpenSBI starts it at 0x8020_0000 in S-mode; it
   reports what the firmware handed over and what the SBI offers, prints through the debug
   console (or legacy putchar), and powers the machine off through SRST. */
#include "sbi.h"

void payload_trap(unsigned long cause, unsigned long epc, unsigned long tval) {
    report_trap("sbi_hello", cause, epc, tval);
}

static unsigned long read_sstatus(void) {
    unsigned long v;
    asm volatile("csrr %0, sstatus" : "=r"(v));
    return v;
}

long payload_main(unsigned long hart, unsigned long dtb) {
    console_init();
    put_string("sbi_hello: S-mode payload running at ");
    put_hex((unsigned long)&payload_main & ~0xfffffUL);
    put_string(" on hart ");
    put_dec(hart);
    put_string("\n");
    /* The device tree OpenSBI passes on starts with the FDT magic, big-endian. */
    unsigned int magic = *(volatile unsigned int *)dtb;
    put_string("sbi_hello: device tree magic ");
    put_string(magic == 0xedfe0dd0 ? "ok" : "missing");
    put_string("\n");
    struct sbiret v = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
    put_string("sbi_hello: SBI specification ");
    put_dec((unsigned long)v.value >> 24 & 0x7f);
    put_string(".");
    put_dec((unsigned long)v.value & 0xffffff);
    put_string(", implementation ");
    put_dec((unsigned long)sbi_call(SBI_EXT_BASE, 1, 0, 0, 0).value);
    put_string("\n");
    put_string("sbi_hello: SRST ");
    put_string(sbi_call(SBI_EXT_BASE, 3, SBI_EXT_SRST, 0, 0).value ? "present" : "absent");
    put_string(", console through ");
    put_string(console_uses_dbcn() ? "DBCN" : "legacy putchar");
    put_string("\n");
    /* A call the firmware does not know returns SBI_ERR_NOT_SUPPORTED (-2). */
    put_string("sbi_hello: unknown extension returns ");
    long err = sbi_call(0x0a000000UL, 0, 0, 0, 0).error;
    put_string(err == -2 ? "not supported" : "something else");
    put_string("\n");
    put_string("sbi_hello: sstatus.SIE ");
    put_dec(read_sstatus() >> 1 & 1);
    put_string(", powering off\n");
    return SBI_SRST_REASON_NONE;
}
