/* The payloads' SBI runtime: calls, console output, shutdown. */
#include "sbi.h"

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2) {
    register unsigned long r0 asm("a0") = a0;
    register unsigned long r1 asm("a1") = a1;
    register unsigned long r2 asm("a2") = a2;
    register unsigned long r6 asm("a6") = fid;
    register unsigned long r7 asm("a7") = ext;
    asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    struct sbiret ret = {(long)r0, (long)r1};
    return ret;
}

static int use_dbcn;

void console_init(void) {
    /* probe_extension returns a non-zero value for an extension the firmware has. */
    use_dbcn = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0).value != 0;
}

int console_uses_dbcn(void) { return use_dbcn; }

void put_char(char c) {
    if (use_dbcn) {
        sbi_call(SBI_EXT_DBCN, 2, (unsigned char)c, 0, 0); /* write_byte */
    } else {
        sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)c, 0, 0);
    }
}

void put_string(const char *s) {
    if (use_dbcn) {
        unsigned long n = 0;
        while (s[n]) n++;
        /* write: byte count, then the buffer's physical address (low and high halves). */
        sbi_call(SBI_EXT_DBCN, 0, n, (unsigned long)s, 0);
        return;
    }
    while (*s) put_char(*s++);
}

void put_hex(unsigned long v) {
    char buf[19];
    int i = 18;
    buf[i] = 0;
    do {
        buf[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    buf[--i] = 'x';
    buf[--i] = '0';
    put_string(&buf[i]);
}

void put_dec(unsigned long v) {
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = '0' + v % 10;
        v /= 10;
    } while (v);
    put_string(&buf[i]);
}

void sbi_shutdown(long reason) {
    sbi_call(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, (unsigned long)reason, 0);
    put_string("sbi: system reset returned\n");
}

void report_trap(const char *name, unsigned long cause, unsigned long epc, unsigned long tval) {
    put_string(name);
    put_string(": unexpected trap, scause ");
    put_hex(cause);
    put_string(" sepc ");
    put_hex(epc);
    put_string(" stval ");
    put_hex(tval);
    put_string("\n");
    sbi_shutdown(SBI_SRST_REASON_FAILURE);
}
