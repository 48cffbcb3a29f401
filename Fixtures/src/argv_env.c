/* argv_env: prints argc, the arguments and one environment variable, and exits
 * with argc. argv[0] is shown only by its last path component: harnesses may
 * spell the path differently. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *slash = strrchr(argv[0], '/');
    printf("argc = %d\n", argc);
    printf("argv[0] ends in \"%s\"\n", slash ? slash + 1 : argv[0]);
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = \"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
    if (argv[argc] != NULL)
        printf("argv is not NULL-terminated\n");
    const char *value = getenv("FIXTURE_ENV");
    printf("FIXTURE_ENV = %s\n", value ? value : "(unset)");
    const char *missing = getenv("FIXTURE_SURELY_UNSET_VARIABLE");
    printf("FIXTURE_SURELY_UNSET_VARIABLE is %s\n", missing ? "set" : "unset");
    return argc;
}
