/* Debian's libfdt (libfdt-dev): the device tree blob's sequential-write API that builds the
 * machine's DTB, and the read and read-write APIs that read one back and edit a user's /chosen.
 * The static libfdt.a links into the statically linked `trapeze` executable. */
#include <libfdt.h>
