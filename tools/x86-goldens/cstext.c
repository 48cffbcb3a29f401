/* Prints capstone's Intel-syntax text for each line of hex bytes on stdin, or "!! ..." when the
 * bytes are not exactly one instruction. Part of the x86 golden generator (generate.py). */
#include <capstone/capstone.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    csh h;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) return 1;
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        unsigned char buf[32];
        size_t n = 0;
        for (char *p = strtok(line, " \n"); p && n < sizeof buf; p = strtok(NULL, " \n"))
            buf[n++] = (unsigned char)strtoul(p, NULL, 16);
        cs_insn *insn;
        size_t count = cs_disasm(h, buf, n, 0, 0, &insn);
        if (count == 1 && insn[0].size == n)
            printf("%s%s%s\n", insn[0].mnemonic, insn[0].op_str[0] ? " " : "", insn[0].op_str);
        else
            printf("!! %zu instructions\n", count);
        if (count) cs_free(insn, count);
    }
    cs_close(&h);
    return 0;
}
