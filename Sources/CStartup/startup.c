/* Runs before the Swift runtime's own initialisers.
 *
 * Two things the statically linked Swift runtime gets from /proc, which a chroot or container
 * may not have mounted — exactly where binfmt_misc starts Trapeze for riscv64 programs:
 * - its own path, for its crash backtracer (it aborts with "Unable to obtain Swift runtime path"
 *   when /proc/self/exe cannot be read): naming the backtracer's helper explicitly (and turning
 *   the backtracer off) spares it the look-up; the variable is removed again in main, so guests
 *   never see it. This is done for every start, not only without /proc: the static binary has
 *   no `swift-backtrace` helper beside it, so the backtracer could never run, and looking for
 *   it cost every process a second readlink of /proc/self/exe and eight failed stats;
 * - CommandLine.arguments (from /proc/self/cmdline): glibc hands argc and argv to constructors,
 *   and main reads them from here. */
#include <stdlib.h>
#include <unistd.h>
#include "CStartup.h"

static int setBacktraceVariable;
static int savedArgc = -1;
static char **savedArgv;

__attribute__((constructor(101))) static void trapeze_startup_early(int argc, char **argv, char **envp) {
    (void)envp;
    savedArgc = argc;
    savedArgv = argv;
    if (getenv("SWIFT_BACKTRACE") != NULL || getenv("SWIFT_ROOT") != NULL) return;
    setBacktraceVariable = setenv("SWIFT_BACKTRACE", "enable=no,swift-backtrace=/nonexistent", 0) == 0;
}

void trapeze_startup_restore(void) {
    if (setBacktraceVariable) unsetenv("SWIFT_BACKTRACE");
    setBacktraceVariable = 0;
}

int trapeze_startup_argc(void) { return savedArgc; }
char **trapeze_startup_argv(void) { return savedArgv; }
