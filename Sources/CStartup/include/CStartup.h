/* What has to happen before the Swift runtime starts (startup.c). */
#ifndef TRAPEZE_CSTARTUP_H
#define TRAPEZE_CSTARTUP_H

/* Takes back what the early constructor set in the environment, so a guest never sees it.
 * Call it first thing in main. */
void trapeze_startup_restore(void);

/* argc and argv as the kernel passed them (the statically linked Swift runtime reads its
 * CommandLine.arguments from /proc/self/cmdline, which a chroot may lack); argc is -1 if the
 * constructor did not get them. */
int trapeze_startup_argc(void);
char **trapeze_startup_argv(void);

#endif
