/* pointer_chase: memory-bound pointer chasing. Nodes of a 24 MiB array are linked
 * into one random cycle (Sattolo's shuffle), so every step is a dependent load to
 * an unpredictable cache line; the walk sums a payload and rewrites it now and
 * then, so stores are in the loop too. A second phase walks a singly linked list
 * built by inserting at random positions, then reverses it in place and walks it
 * again. Arguments: nodes (default 1048576), steps (default 4000000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct node {
    struct node *next;
    uint64_t value;
    uint64_t pad; /* 24 bytes: nodes straddle cache lines unevenly */
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t walk(struct node *start, long steps) {
    uint64_t sum = 0;
    struct node *p = start;
    for (long i = 0; i < steps; i++) {
        sum += p->value ^ (uint64_t)i;
        if ((i & 1023) == 0)
            p->value = sum;
        p = p->next;
    }
    return sum;
}

static struct node *reverse(struct node *head) {
    struct node *prev = NULL;
    while (head) {
        struct node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static uint64_t walk_list(const struct node *head, long *length) {
    uint64_t h = 0;
    long n = 0;
    for (; head; head = head->next, n++)
        h = (h ^ head->value) * 0x100000001b3ULL;
    *length = n;
    return h;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1048576;
    long steps = argc > 2 ? atol(argv[2]) : 4000000;
    if (n < 2)
        n = 2;
    struct node *nodes = malloc(sizeof(struct node) * n);
    long *order = malloc(sizeof(long) * n);
    if (!nodes || !order)
        return 2;

    /* Phase 1: one cycle through all nodes in random order. */
    for (long i = 0; i < n; i++) {
        order[i] = i;
        nodes[i].value = next_random() >> 8;
        nodes[i].pad = 0;
    }
    for (long i = n - 1; i > 0; i--) { /* Sattolo: j < i makes a single cycle */
        long j = (long)(next_random() % (uint64_t)i);
        long t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (long i = 0; i < n; i++)
        nodes[order[i]].next = &nodes[order[(i + 1) % n]];
    uint64_t cycle_sum = walk(&nodes[order[0]], steps);

    /* Phase 2: a list of a quarter of the nodes, each inserted after a random earlier one. */
    long m = n / 4 > 1 ? n / 4 : 1;
    struct node *head = &nodes[order[0]];
    head->next = NULL;
    for (long i = 1; i < m; i++) {
        struct node *at = &nodes[order[next_random() % (uint64_t)i]];
        struct node *fresh = &nodes[order[i]];
        fresh->next = at->next;
        at->next = fresh;
    }
    long len1, len2;
    uint64_t h1 = walk_list(head, &len1);
    head = reverse(head);
    uint64_t h2 = walk_list(head, &len2);

    printf("cycle of %ld nodes, %ld steps: sum %016llx\n", n, steps, (unsigned long long)cycle_sum);
    printf("list of %ld nodes: forward %016llx, reversed %016llx (length %ld)\n", len1,
           (unsigned long long)h1, (unsigned long long)h2, len2);
    return len1 == m && len2 == m ? 0 : 1;
}
