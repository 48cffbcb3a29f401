/* mandelbrot: escape-time iteration of z = z^2 + c over a grid in double
 * precision, with data-dependent loop exits. Prints a small ASCII rendering
 * (one character per 4x4 block of the grid) and a checksum of all iteration
 * counts. Optional argument: the grid width (default 320; height is width/2). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { MAX_ITER = 200 };

static int escape_time(double cr, double ci) {
    double zr = 0, zi = 0;
    int n = 0;
    while (n < MAX_ITER && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
    }
    return n;
}

int main(int argc, char **argv) {
    int width = argc > 1 ? atoi(argv[1]) : 320;
    if (width < 8)
        width = 8;
    int height = width / 2;
    const char *shades = " .:-=+*#%@";
    uint64_t checksum = 0;
    long inside = 0;
    char *row = malloc(width / 4 + 2);
    int *counts = malloc(sizeof(int) * width * 4);
    for (int y0 = 0; y0 + 4 <= height; y0 += 4) {
        for (int dy = 0; dy < 4; dy++)
            for (int x = 0; x < width; x++) {
                double cr = -2.2 + 3.0 * x / width;
                double ci = -1.2 + 2.4 * (y0 + dy) / height;
                int n = escape_time(cr, ci);
                counts[dy * width + x] = n;
                checksum = checksum * 31 + (uint64_t)n;
                inside += n == MAX_ITER;
            }
        int len = 0;
        for (int x0 = 0; x0 + 4 <= width; x0 += 4) {
            int sum = 0;
            for (int dy = 0; dy < 4; dy++)
                for (int dx = 0; dx < 4; dx++)
                    sum += counts[dy * width + x0 + dx];
            int shade = sum * 9 / (16 * MAX_ITER);
            row[len++] = shades[shade];
        }
        row[len] = 0;
        printf("|%s|\n", row);
    }
    printf("%dx%d points, %ld inside, checksum %016llx\n", width, height, inside, (unsigned long long)checksum);
    free(row);
    free(counts);
    return 0;
}
