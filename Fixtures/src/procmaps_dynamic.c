/* procmaps.c as a dynamically linked PIE: the dynamic linker and libc add file-backed mappings.
 * fixture-build: -fPIE -pie
 */
#define PROGRAM_NAME "/procmaps_dynamic"
#include "procmaps.c"
