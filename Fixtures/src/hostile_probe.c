/* hostile_probe: wild addresses x every kind of access, each recovered from with
 * a SIGSEGV/SIGBUS handler and siglongjmp. Prints, per access kind, how many
 * probes died by SIGSEGV, by SIGBUS, or did not fault at all; then proves the
 * process is intact by computing and printing a checksum and exiting normally.
 *
 * The addresses are ones no riscv64 Linux process maps: above the Sv39 user
 * limit (2^38), up to and past the top of the x86-64 user half, non-canonical,
 * kernel-half, the x86 vsyscall page, and the wrap-around at 2^64. To an
 * unconfined translator, base + g for such a g lands in its own heap, code
 * cache or libraries.
 *
 * `hostile_probe maps [-]` (Trapeze only, used by Tests/TrapezeTests; with `-` the host maps
 * come on stdin, since Trapeze now refuses a forked child's /proc files): the guest's
 * own /proc/self/maps lists only guest mappings, but a forked child is a real
 * host process with a copy of Trapeze's address space, and its
 * /proc/<pid>/maps is the host's, so the guest can still see Trapeze's own
 * mappings. It finds the guest memory reservation (the one mapping of at least
 * 2^38 bytes), and for every other host mapping probes the guest address
 * g = host start - reservation base: exactly the address that would reach that
 * host mapping if Trapeze added guest addresses to its base without a check. */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static sigjmp_buf recover;
static volatile int caught;
static volatile unsigned long sink;

static void on_fault(int sig, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    caught = sig;
    siglongjmp(recover, 1);
}

#define LOAD(name, insn)                                                         \
    static void name(uintptr_t a) {                                              \
        unsigned long v;                                                         \
        __asm__ volatile(insn " %0, 0(%1)" : "=r"(v) : "r"(a) : "memory");       \
        sink = v;                                                                \
    }
#define STORE(name, insn)                                                        \
    static void name(uintptr_t a) {                                              \
        __asm__ volatile(insn " zero, 0(%0)" : : "r"(a) : "memory");             \
    }
#define AMO(name, insn)                                                          \
    static void name(uintptr_t a) {                                              \
        unsigned long v;                                                         \
        __asm__ volatile(insn " %0, %1, (%2)" : "=r"(v) : "r"(1L), "r"(a) : "memory"); \
        sink = v;                                                                \
    }

LOAD(p_lb, "lb") LOAD(p_lh, "lh") LOAD(p_lw, "lw") LOAD(p_ld, "ld")
LOAD(p_lbu, "lbu") LOAD(p_lhu, "lhu") LOAD(p_lwu, "lwu")
STORE(p_sb, "sb") STORE(p_sh, "sh") STORE(p_sw, "sw") STORE(p_sd, "sd")
AMO(p_amoadd_w, "amoadd.w") AMO(p_amoadd_d, "amoadd.d") AMO(p_amoswap_d, "amoswap.d")

static void p_lw_misaligned(uintptr_t a) { p_lw(a + 1); }
static void p_ld_misaligned(uintptr_t a) { p_ld(a + 3); }
static void p_sd_misaligned(uintptr_t a) { p_sd(a + 5); }
static void p_flw(uintptr_t a) { __asm__ volatile("flw ft0, 0(%0)" : : "r"(a) : "ft0", "memory"); }
static void p_fld(uintptr_t a) { __asm__ volatile("fld ft0, 0(%0)" : : "r"(a) : "ft0", "memory"); }
static void p_fsw(uintptr_t a) { __asm__ volatile("fsw ft0, 0(%0)" : : "r"(a) : "memory"); }
static void p_fsd(uintptr_t a) { __asm__ volatile("fsd ft0, 0(%0)" : : "r"(a) : "memory"); }
static void p_lr_w(uintptr_t a) {
    unsigned long v;
    __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(a) : "memory");
    sink = v;
}
static void p_lr_d(uintptr_t a) {
    unsigned long v;
    __asm__ volatile("lr.d %0, (%1)" : "=r"(v) : "r"(a) : "memory");
    sink = v;
}
/* A call to the wild address: the fault is on instruction fetch. */
static void p_jalr(uintptr_t a) {
    __asm__ volatile("jalr ra, 0(%0)" : : "r"(a) : "ra", "memory");
}

static const struct { const char *name; void (*probe)(uintptr_t); } kinds[] = {
    {"lb", p_lb}, {"lh", p_lh}, {"lw", p_lw}, {"ld", p_ld},
    {"lbu", p_lbu}, {"lhu", p_lhu}, {"lwu", p_lwu},
    {"sb", p_sb}, {"sh", p_sh}, {"sw", p_sw}, {"sd", p_sd},
    {"lw+1", p_lw_misaligned}, {"ld+3", p_ld_misaligned}, {"sd+5", p_sd_misaligned},
    {"flw", p_flw}, {"fld", p_fld}, {"fsw", p_fsw}, {"fsd", p_fsd},
    {"amoadd.w", p_amoadd_w}, {"amoadd.d", p_amoadd_d}, {"amoswap.d", p_amoswap_d},
    {"lr.w", p_lr_w}, {"lr.d", p_lr_d}, {"jalr", p_jalr},
};

static const uint64_t wild[] = {
    1ull << 38,                 /* the first address above Sv39 user space */
    (1ull << 41) + 4,
    (1ull << 39) + 0x10,
    (1ull << 43) + 0x123000,
    (1ull << 46),
    (1ull << 47) - 8,           /* the last bytes of the x86-64 user half */
    (1ull << 47),               /* the first non-canonical address */
    (1ull << 48) + 0x1000,
    (1ull << 62),
    (1ull << 63),
    0xffff800000000000ull,      /* x86-64 kernel half */
    0xffffffffff600000ull,      /* the x86-64 vsyscall page */
    0xfffffffffffffff8ull,      /* the last 8 bytes before the wrap */
    0xfffffffffffffffcull,      /* 8-byte accesses wrap around to address 0 */
    0,                          /* NULL */
    0x10,
};

/* 0: no fault; else the signal number. */
static int probe(void (*f)(uintptr_t), uintptr_t address) {
    caught = 0;
    if (sigsetjmp(recover, 1) == 0) {
        f(address);
        return 0;
    }
    return caught;
}

static void install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

static int wild_probes(void) {
    int survived = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int segv = 0, bus = 0, ok = 0;
        for (size_t i = 0; i < sizeof wild / sizeof wild[0]; i++) {
            int sig = probe(kinds[k].probe, (uintptr_t)wild[i]);
            if (sig == SIGSEGV) segv++;
            else if (sig == SIGBUS) bus++;
            else ok++;
        }
        printf("%-10s segv %2d  bus %2d  ok %2d\n", kinds[k].name, segv, bus, ok);
        survived += ok;
    }
    return survived;
}

/* Writing to the program's own (read-only) text, and executing from a
 * non-executable data page, must fault too. */
static void own_code_probes(void) {
    static uint32_t ret_insn[4] = {0x00008067, 0x00008067, 0x00008067, 0x00008067};
    int text = probe(p_sw, (uintptr_t)&wild_probes);
    int data = probe(p_jalr, (uintptr_t)ret_insn);
    printf("store to own text: %s\n", text == SIGSEGV ? "segv" : "no fault");
    printf("jump to data page: %s\n", data == SIGSEGV ? "segv" : "no fault");
}

/* Trapeze only: probe guest addresses that alias Trapeze's host mappings. The
 * reservation is 2^38 bytes of guest space plus a 1 MiB guard, but the guest's
 * own mappings split it into several host mappings: look for a run of adjacent
 * mappings that spans exactly that size, and take its start as the base. */
#define RESERVATION ((1ull << 38) + (1ull << 20))
static int host_mapping_probes(int from_stdin) {
    pid_t child = -1;
    FILE *f = stdin;
    if (from_stdin) {
        /* Trapeze refuses another Trapeze process's /proc files: the test reads the host's
         * maps of this process and sends them. */
        printf("ready\n");
        fflush(stdout);
    } else {
        child = fork();
        if (child < 0) { printf("cannot fork\n"); return 1; }
        if (child == 0) { for (;;) pause(); }
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/maps", (int)child);
        f = fopen(path, "r");
        if (!f) { printf("cannot open /proc/<child>/maps\n"); kill(child, SIGKILL); return 1; }
    }
    static uint64_t lo[1024], hi[1024];
    int n = 0;
    char line[512];
    while (fgets(line, sizeof line, f) && n < 1024) {
        unsigned long long a, b;
        if (sscanf(line, "%llx-%llx", &a, &b) == 2) { lo[n] = a; hi[n] = b; n++; }
    }
    if (!from_stdin) {
        fclose(f);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    int first = -1, last = -1;
    for (int i = 0; i < n && first < 0; i++) {
        for (int j = i; j < n; j++) {
            if (j > i && lo[j] != hi[j - 1]) break;
            if (hi[j] - lo[i] == RESERVATION) { first = i; last = j; break; }
        }
    }
    if (first < 0) { printf("no guest memory reservation among the host mappings\n"); return 1; }
    uint64_t base = lo[first];
    int probed = 0, faulted[3] = {0, 0, 0};
    void (*probes[3])(uintptr_t) = {p_ld, p_sd, p_jalr};
    for (int i = 0; i < n; i++) {
        if (i >= first && i <= last) continue;
        uint64_t g = lo[i] - base;   /* wraps for mappings below the reservation */
        probed++;
        for (int k = 0; k < 3; k++) faulted[k] += probe(probes[k], (uintptr_t)g) == SIGSEGV;
    }
    int ok = probed > 0 && faulted[0] == probed && faulted[1] == probed && faulted[2] == probed;
    printf("host mappings probed: %d; faulted: ld %d, sd %d, jalr %d: %s\n",
           probed, faulted[0], faulted[1], faulted[2], ok ? "all confined" : "ESCAPED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    install();
    if (argc > 1 && strcmp(argv[1], "maps") == 0) {
        int r = host_mapping_probes(argc > 2 && strcmp(argv[2], "-") == 0);
        printf("still running after the faults\n");
        return r;
    }
    int survived = wild_probes();
    own_code_probes();
    /* Still here and in working order: do some real work after all those faults. */
    unsigned long sum = 0;
    for (unsigned long i = 1; i <= 1000; i++) sum = sum * 31 + i * i;
    printf("probes that did not fault: %d\n", survived);
    printf("checksum after the faults: %lu\n", sum);
    return survived == 0 ? 0 : 1;
}
