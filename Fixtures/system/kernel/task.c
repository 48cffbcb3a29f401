/* Tasks, the scheduler, system calls and what the kernel does on each trap.
 *
 * Three tasks run the programs of user.c, round-robin. Each has its own Sv39 address space:
 * the same virtual addresses (USER_DATA, its data page, and the stack page above it) lead to
 * different physical pages, so no task can see another's memory. A task gives up the hart
 * when it calls yield or exit, when it faults (the kernel kills it), or when the timer
 * interrupts it: that is preemption, and it is what stops a task that never yields from
 * keeping the hart forever. */
#include "kernel.h"

#define USER_DATA  0x40000000ul     /* a task's private data page; its stack page follows */
#define USER_STACK (USER_DATA + 2 * PAGE_SIZE)
#define QUANTUM    100000           /* timer ticks (10 MHz): a 10 ms time slice */

/* System call numbers: Linux's, so they look familiar. */
#define SYS_WRITE 64
#define SYS_EXIT  93
#define SYS_YIELD 124
#define EBADF  9
#define EFAULT 14

enum state { RUNNABLE, EXITED, KILLED };

struct task {
    struct frame frame;             /* first: trap.S saves the registers here */
    const char *name;
    u64 *root;                      /* its page table */
    enum state state;
    u64 status;                     /* exit status */
    u64 preemptions;                /* timer interrupts that took the hart away */
};

#define NTASKS 3
static struct task tasks[NTASKS];
static int current;

static void put(const char *s) { console_puts(s); }

/* SBI-style call to the M-mode stub, only used without Sstc. */
static void sbi_set_timer(u64 when) {
    register u64 a0 __asm__("a0") = when;
    register u64 a7 __asm__("a7") = 0x54494D45;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
}

/* Asks for a supervisor timer interrupt at `when`; also clears the pending one. */
void timer_set(u64 when) {
    if (sstc) csr_write(0x14d, when);      /* stimecmp */
    else sbi_set_timer(when);
}

static void task_init(struct task *t, const char *name, void (*entry)(void)) {
    t->name = name;
    t->root = vm_new_address_space();
    vm_map_user_page(t->root, USER_DATA, page_alloc(), 1);
    vm_map_user_page(t->root, USER_DATA + PAGE_SIZE, page_alloc(), 1);
    t->frame.pc = (u64)entry;
    t->frame.regs[REG_SP] = USER_STACK;
    t->state = RUNNABLE;
}

/* Makes task i current: its address space in satp, then back to it through trap.S. */
static struct frame *switch_to(int i) {
    current = i;
    csr_write(satp, vm_satp(tasks[i].root));
    /* No ASIDs here: flush every cached translation of the previous address space. */
    __asm__ volatile("sfence.vma" ::: "memory");
    return &tasks[i].frame;
}

/* The next runnable task after the current one, round-robin; powers off when none is left. */
static struct frame *schedule(void) {
    for (int k = 1; k <= NTASKS; k++) {
        int i = (current + k) % NTASKS;
        if (tasks[i].state == RUNNABLE) return switch_to(i);
    }
    /* The expected ending: A and B exit with status 0, B was preempted, C was killed. */
    int ok = tasks[0].state == EXITED && tasks[0].status == 0 && tasks[1].state == EXITED &&
             tasks[1].status == 0 && tasks[1].preemptions > 0 && tasks[2].state == KILLED;
    /* Only "at least once": how often depends on the speed of the machine. */
    if (tasks[1].preemptions > 0) put("kernel: B never yielded, yet the others ran: the timer preempted it\n");
    put(ok ? "kernel: all tasks done, powering off\n" : "kernel: unexpected ending\n");
    shutdown(ok ? 0 : 1);
}

void tasks_start(void) {
    task_init(&tasks[0], "A", task_a);
    task_init(&tasks[1], "B", task_b);
    task_init(&tasks[2], "C", task_c);
    put("kernel: starting tasks A, B and C in U-mode\n");
    current = NTASKS - 1;
    timer_set(csr_read(time) + QUANTUM);
    user_return(schedule());
}

/* write(fd, buf, len): copies from the task's memory page by page, checking each one. The
   kernel reaches a page through its physical address, which is also a kernel virtual address;
   for user.c's own pages that address is mapped with U=1, and S-mode may only read such pages
   with sstatus.SUM ("supervisor user memory access") set, so it is set for the copy alone. */
static u64 sys_write(struct task *t, u64 fd, u64 buf, u64 len) {
    if (fd != 1 && fd != 2) return (u64)-EBADF;
    for (u64 done = 0; done < len;) {
        u64 pa = vm_user_to_physical(t->root, buf + done, 0);
        if (!pa) return (u64)-EFAULT;
        u64 chunk = PAGE_SIZE - (pa % PAGE_SIZE);
        if (chunk > len - done) chunk = len - done;
        csr_set(sstatus, SSTATUS_SUM);
        console_write((const char *)pa, chunk);
        csr_clear(sstatus, SSTATUS_SUM);
        done += chunk;
    }
    return len;
}

static const char *cause_name(u64 cause) {
    switch (cause) {
    case 2: return "illegal instruction";
    case 12: return "instruction page fault";
    case 13: return "load page fault";
    case 15: return "store page fault";
    default: return "exception";
    }
}

/* Every trap from U-mode ends up here; returns the frame of the task to run next. */
struct frame *trap_from_user(struct frame *f) {
    struct task *t = &tasks[current];
    u64 cause = csr_read(scause);
    if (cause & SCAUSE_INTERRUPT) {
        switch (cause & ~SCAUSE_INTERRUPT) {
        case IRQ_S_EXTERNAL:
            console_interrupt();
            return f;                          /* the same task carries on */
        case IRQ_S_TIMER:
            timer_set(csr_read(time) + QUANTUM);
            t->preemptions++;
            return schedule();                 /* preemption: the task had its slice */
        }
    } else if (cause == EXC_ECALL_U) {
        f->pc += 4;                            /* return after the ecall */
        u64 *r = f->regs;
        switch (r[REG_A7]) {
        case SYS_WRITE:
            r[REG_A0] = sys_write(t, r[REG_A0], r[REG_A1], r[REG_A2]);
            return f;
        case SYS_YIELD:
            r[REG_A0] = 0;
            return schedule();
        case SYS_EXIT:
            t->state = EXITED;
            t->status = r[REG_A0];
            put("kernel: task ");
            put(t->name);
            put(" exited with status ");
            console_put_dec(t->status);
            put("\n");
            return schedule();
        }
        r[REG_A0] = (u64)-38;                  /* ENOSYS */
        return f;
    }
    /* Any other exception is the task's fault: it dies, the others go on. */
    t->state = KILLED;
    put("kernel: task ");
    put(t->name);
    put(" killed: ");
    put(cause_name(cause));
    put(" at ");
    console_put_hex(csr_read(stval));
    put("\n");
    return schedule();
}

/* A trap taken in S-mode: the kernel broke. Report it by polling (the interrupt-driven
   console may be what broke) and stop. */
void kernel_trap(void) {
    u64 values[3] = {csr_read(scause), csr_read(sepc), csr_read(stval)};
    char line[3 * 19 + 1];
    for (int v = 0; v < 3; v++) {
        line[19 * v] = ' ';
        for (int i = 0; i < 18; i++)
            line[19 * v + 1 + i] = i == 0 ? '0' : i == 1 ? 'x' : "0123456789abcdef"[(values[v] >> (68 - 4 * i)) & 15];
    }
    line[3 * 19] = 0;
    console_panic_puts("kernel panic: trap in S-mode (scause sepc stval):");
    console_panic_puts(line);
    console_panic_puts("\n");
    mmio_write32(FINISHER_BASE, (2u << 16) | FINISHER_FAIL);
    for (;;) __asm__ volatile("wfi");
}

void shutdown(int code) {
    timer_set(~0ul);
    console_flush();
    mmio_write32(FINISHER_BASE, code ? ((u32)code << 16) | FINISHER_FAIL : FINISHER_PASS);
    for (;;) __asm__ volatile("wfi");
}
