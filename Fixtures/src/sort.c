/* sort: this program's own quicksort (median of three, insertion sort for short
 * ranges) and a top-down merge sort on the same LCG-generated array; both must
 * agree with each other and be ordered. Data-dependent branches and recursion.
 * Optional argument: number of elements (default 200000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void insertion_sort(int32_t *a, long n) {
    for (long i = 1; i < n; i++) {
        int32_t v = a[i];
        long j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static void swap(int32_t *a, int32_t *b) {
    int32_t t = *a;
    *a = *b;
    *b = t;
}

static void quicksort(int32_t *a, long n) {
    while (n > 16) {
        long mid = n / 2;
        if (a[mid] < a[0])
            swap(&a[mid], &a[0]);
        if (a[n - 1] < a[0])
            swap(&a[n - 1], &a[0]);
        if (a[n - 1] < a[mid])
            swap(&a[n - 1], &a[mid]);
        int32_t pivot = a[mid];
        long i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            swap(&a[i], &a[j]);
            i++, j--;
        }
        /* Recurse into the smaller side, loop on the larger: bounded stack depth. */
        long left = j + 1;
        if (left < n - left) {
            quicksort(a, left);
            a += left, n -= left;
        } else {
            quicksort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

static void merge_sort(int32_t *a, int32_t *tmp, long n) {
    if (n < 2)
        return;
    long half = n / 2;
    merge_sort(a, tmp, half);
    merge_sort(a + half, tmp, n - half);
    long i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    while (i < half)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 200000;
    if (n < 1)
        n = 1;
    int32_t *q = malloc(n * sizeof *q), *m = malloc(n * sizeof *m), *tmp = malloc(n * sizeof *tmp);
    uint64_t x = 42;
    for (long i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        q[i] = m[i] = (int32_t)(x >> 32) % 1000000; /* duplicates and negatives */
    }
    quicksort(q, n);
    merge_sort(m, tmp, n);
    int ordered = 1;
    for (long i = 1; i < n; i++)
        if (q[i - 1] > q[i])
            ordered = 0;
    int agree = memcmp(q, m, n * sizeof *q) == 0;
    uint64_t sum = 0;
    for (long i = 0; i < n; i++)
        sum = sum * 31 + (uint32_t)q[i];
    printf("n = %ld: ordered %s, quicksort and merge sort agree: %s\n", n, ordered ? "yes" : "no",
           agree ? "yes" : "no");
    printf("min %d, median %d, max %d, checksum %016llx\n", q[0], q[n / 2], q[n - 1], (unsigned long long)sum);
    free(q);
    free(m);
    free(tmp);
    return ordered && agree ? 0 : 1;
}
