/* The /init of the initramfs `make test-boot` builds around Debian's riscv64 kernel: a static
   program, no shell and no busybox. It reports what the kernel found (uname, /proc/cpuinfo, the
   clock, the virtio devices), loads the kernel modules it is given (the files in /modules), then reads
   commands from the console, one per line:
     uname | cpuinfo | date | uptime | devices | modules | mounts | interrupts
     readblk | writeblk | rng | loop N | echo TEXT | poweroff | reboot | panic
   End of input powers the machine off too. Build: riscv64-linux-gnu-gcc -static -O2. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("init: ");
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static void cat(const char *path, int max_lines) {
    FILE *f = fopen(path, "r");
    if (!f) {
        say("%s: %s\n", path, strerror(errno));
        return;
    }
    char line[512];
    for (int n = 0; (max_lines <= 0 || n < max_lines) && fgets(line, sizeof line, f); n++) fputs(line, stdout);
    fclose(f);
    fflush(stdout);
}

static void load_modules(void) {
    /* In the order of their names: the build numbers them by dependency. */
    struct dirent **names;
    int n = scandir("/modules", &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char path[300];
            snprintf(path, sizeof path, "/modules/%s", names[i]->d_name);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            int flags = strstr(path, ".xz") || strstr(path, ".zst") ? MODULE_INIT_COMPRESSED_FILE : 0;
            long r = fd < 0 ? -1 : syscall(SYS_finit_module, fd, "", flags);
            say("module %s: %s\n", names[i]->d_name, r == 0 || errno == EEXIST ? "loaded" : strerror(errno));
            if (fd >= 0) close(fd);
        }
        free(names[i]);
    }
    if (n > 0) free(names);
}

static void date(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char text[64];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    say("date %s (%lld)\n", text, (long long)ts.tv_sec);
}

static void devices(void) {
    DIR *d = opendir("/sys/block");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[300], size[64] = "?";
        snprintf(path, sizeof path, "/sys/block/%s/size", e->d_name);
        FILE *f = fopen(path, "r");
        if (f) {
            if (fgets(size, sizeof size, f)) size[strcspn(size, "\n")] = 0;
            fclose(f);
        }
        say("block device %s, %s sectors\n", e->d_name, size);
    }
    if (d) closedir(d);
    cat("/sys/class/misc/hw_random/rng_current", 1);
}

static void block_io(int write_it) {
    int fd = open("/dev/vda", write_it ? O_RDWR : O_RDONLY);
    if (fd < 0) {
        say("/dev/vda: %s\n", strerror(errno));
        return;
    }
    char sector[512];
    if (write_it) {
        memset(sector, 0, sizeof sector);
        snprintf(sector, sizeof sector, "written by trapeze's init at sector 1\n");
        ssize_t w = pwrite(fd, sector, sizeof sector, 512);
        fsync(fd);
        say("wrote sector 1: %zd bytes\n", w);
    } else {
        ssize_t r = pread(fd, sector, sizeof sector, 0);
        sector[r > 0 ? (r < 80 ? r : 80) : 0] = 0;
        sector[strcspn(sector, "\n")] = 0;
        say("read sector 0: %zd bytes: \"%s\"\n", r, sector);
    }
    close(fd);
}

static void rng(void) {
    int fd = open("/dev/hwrng", O_RDONLY);
    unsigned char b[16];
    ssize_t n = fd < 0 ? -1 : read(fd, b, sizeof b);
    if (n <= 0) {
        say("/dev/hwrng: %s\n", strerror(errno));
    } else {
        int distinct = 0;
        for (int i = 1; i < n; i++) distinct += b[i] != b[0];
        say("hwrng gave %zd bytes, %s\n", n, distinct ? "not all equal" : "all equal");
    }
    if (fd >= 0) close(fd);
}

static void loop(long n) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    unsigned long x = 1;
    for (long i = 0; i < n; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
    clock_gettime(CLOCK_MONOTONIC, &b);
    say("loop %ld: %016lx in %.3f s\n", n, x, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
}

static void halt(int cmd) {
    sync();
    say("%s\n", cmd == LINUX_REBOOT_CMD_RESTART ? "rebooting" : "powering off");
    reboot(cmd);
    say("reboot: %s\n", strerror(errno));
    for (;;) pause();
}

int main(void) {
    mkdir("/dev", 0755);
    if (access("/dev/console", F_OK) != 0) mknod("/dev/console", S_IFCHR | 0600, makedev(5, 1));
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mkdir("/proc", 0755);
    mkdir("/sys", 0755);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    int fd = open("/dev/console", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2) close(fd);
    }
    struct utsname u;
    uname(&u);
    say("trapeze init, pid %d, %s %s %s\n", getpid(), u.sysname, u.release, u.machine);
    cat("/proc/cpuinfo", 0);
    date();
    load_modules();
    devices();
    say("ready\n");

    char line[256];
    while (printf("init> "), fflush(stdout), fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        char *arg = strchr(line, ' ');
        if (arg) *arg++ = 0;
        if (!line[0]) continue;
        if (!strcmp(line, "uname")) say("%s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
        else if (!strcmp(line, "cpuinfo")) cat("/proc/cpuinfo", 0);
        else if (!strcmp(line, "date")) date();
        else if (!strcmp(line, "uptime")) cat("/proc/uptime", 1);
        else if (!strcmp(line, "devices")) devices();
        else if (!strcmp(line, "modules")) cat("/proc/modules", 0);
        else if (!strcmp(line, "mounts")) cat("/proc/mounts", 0);
        else if (!strcmp(line, "interrupts")) cat("/proc/interrupts", 0);
        else if (!strcmp(line, "readblk")) block_io(0);
        else if (!strcmp(line, "writeblk")) block_io(1);
        else if (!strcmp(line, "rng")) rng();
        else if (!strcmp(line, "loop")) loop(arg ? atol(arg) : 10000000);
        else if (!strcmp(line, "echo")) say("%s\n", arg ? arg : "");
        else if (!strcmp(line, "poweroff")) halt(LINUX_REBOOT_CMD_POWER_OFF);
        else if (!strcmp(line, "reboot")) halt(LINUX_REBOOT_CMD_RESTART);
        else if (!strcmp(line, "panic")) exit(3);  /* init exiting panics the kernel */
        else say("unknown command %s\n", line);
    }
    say("end of input\n");
    halt(LINUX_REBOOT_CMD_POWER_OFF);
}
