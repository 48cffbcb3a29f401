/* sieve: the sieve of Eratosthenes over a byte array, repeated; prints the
 * number of primes, the largest, and a sum. Byte stores with a stride and a
 * tight counting loop. Optional argument: the limit (default 5000000). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    long limit = argc > 1 ? atol(argv[1]) : 5000000;
    if (limit < 2)
        limit = 2;
    unsigned char *composite = malloc(limit + 1);
    long count = 0, largest = 0;
    uint64_t sum = 0;
    for (int rep = 0; rep < 2; rep++) {
        memset(composite, 0, limit + 1);
        for (long i = 2; i * i <= limit; i++)
            if (!composite[i])
                for (long j = i * i; j <= limit; j += i)
                    composite[j] = 1;
        count = 0, sum = 0;
        for (long i = 2; i <= limit; i++)
            if (!composite[i]) {
                count++;
                sum += (uint64_t)i;
                largest = i;
            }
    }
    printf("primes up to %ld: %ld\n", limit, count);
    printf("largest: %ld, sum: %llu\n", largest, (unsigned long long)sum);
    free(composite);
    return 0;
}
