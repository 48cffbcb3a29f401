/* segv: writes through a wild pointer with no handler installed, so the guest
 * must die by SIGSEGV (status 139). The message before it is flushed explicitly:
 * a death by signal does not flush stdio buffers. */
#include <stdint.h>
#include <stdio.h>

int main(void) {
    printf("about to write through a wild pointer\n");
    fflush(stdout);
    /* An address inside the never-mapped first page, laundered through a volatile
     * so the compiler neither folds nor diagnoses the store. */
    volatile uintptr_t address = 0x123;
    *(volatile int *)address = 42;
    printf("the store did not fault\n");
    return 1;
}
