/* kmain: where the kernel starts, in S-mode, with translation still off. */
#include "kernel.h"

int sstc;

void kmain(int has_sstc) __attribute__((noreturn));
void kmain(int has_sstc) {
    sstc = has_sstc;
    csr_write(stvec, (u64)strap_entry);   /* direct mode: every trap enters strap_entry */
    csr_write(sscratch, 0);                /* "no task running": a trap now is the kernel's */
    console_init();
    console_puts("kernel: hello from S-mode\n");
    /* Which timer S-mode has changes nothing below, so it is not printed: the output stays
       the same on every machine. */
    csr_write(scounteren, 2);              /* tasks may read `time` (not cycle or instret) */
    csr_write(sie, SIE_SEIE | SIE_STIE);   /* taken only from U-mode, where SIE is ignored */
    tasks_start();
}
