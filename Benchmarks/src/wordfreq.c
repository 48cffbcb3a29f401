/* wordfreq: string processing. Generates a text of pseudo-random words built
 * from syllables, with punctuation and mixed case; tokenises it (ctype tests,
 * lower-casing), interns every word in a chained hash table (FNV-1a, strcmp on
 * collisions, words memcpy'd into an arena), then sorts the distinct words by
 * count and spelling with qsort/strcmp and prints the most frequent ones. A
 * second pass rebuilds each line with strcat/strlen and searches it with strstr
 * and strchr. Argument: passes over the text (default 6). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TEXT_WORDS = 60000, BUCKETS = 4096, MAX_WORD = 32 };

struct entry {
    struct entry *next;
    const char *word;
    long count;
};

static const char *syllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "zen", "dar",
                                  "que", "bri", "sto", "ph", "al", "or", "ex", "un"};
enum { SYLLABLES = sizeof syllables / sizeof syllables[0] };

static uint32_t seed = 12345;

static uint32_t next_random(void) {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static char *make_text(size_t *length) {
    size_t cap = (size_t)TEXT_WORDS * 16, n = 0;
    char *text = malloc(cap);
    for (int w = 0; w < TEXT_WORDS; w++) {
        /* Skewed choice of syllable count and syllables, so some words are common. */
        int parts = 1 + (int)(next_random() % 3);
        for (int p = 0; p < parts; p++) {
            uint32_t r = next_random();
            const char *s = syllables[r % 3 == 0 ? r % SYLLABLES : (r >> 4) % 4];
            size_t len = strlen(s);
            memcpy(text + n, s, len);
            if (p == 0 && r % 7 == 0)
                text[n] = (char)toupper((unsigned char)text[n]);
            n += len;
        }
        uint32_t r = next_random() % 20;
        text[n++] = r == 0 ? '.' : r == 1 ? ',' : r == 2 ? '\n' : ' ';
        if (r < 2)
            text[n++] = r == 0 ? '\n' : ' ';
    }
    text[n] = '\0';
    *length = n;
    return text;
}

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

struct table {
    struct entry *buckets[BUCKETS];
    struct entry *entries;
    long used;
    char *arena;
    size_t arena_used;
};

static void intern(struct table *t, const char *word, size_t len) {
    uint32_t b = fnv1a(word) % BUCKETS;
    for (struct entry *e = t->buckets[b]; e; e = e->next)
        if (strcmp(e->word, word) == 0) {
            e->count++;
            return;
        }
    char *copy = t->arena + t->arena_used;
    memcpy(copy, word, len + 1);
    t->arena_used += len + 1;
    struct entry *e = &t->entries[t->used++];
    e->word = copy;
    e->count = 1;
    e->next = t->buckets[b];
    t->buckets[b] = e;
}

static int by_count_then_word(const void *a, const void *b) {
    const struct entry *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

static long tokenise(const char *text, struct table *t) {
    char word[MAX_WORD + 1];
    size_t len = 0;
    long words = 0;
    for (const char *p = text;; p++) {
        if (isalpha((unsigned char)*p)) {
            if (len < MAX_WORD)
                word[len++] = (char)tolower((unsigned char)*p);
        } else {
            if (len) {
                word[len] = '\0';
                intern(t, word, len);
                words++;
                len = 0;
            }
            if (!*p)
                return words;
        }
    }
}

/* Rebuilds each line from its words with strcat and searches it: strlen/strcat/strstr/strchr. */
static uint64_t scan_lines(const char *text) {
    static char line[4096], piece[MAX_WORD + 2];
    uint64_t h = 0;
    const char *p = text;
    while (*p) {
        const char *end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        line[0] = '\0';
        const char *w = p;
        while (w < end) {
            const char *space = memchr(w, ' ', (size_t)(end - w));
            size_t len = (size_t)((space ? space : end) - w);
            if (len > MAX_WORD)
                len = MAX_WORD;
            if (strlen(line) + len + 2 < sizeof line) {
                memcpy(piece, w, len);
                piece[len] = '_';
                piece[len + 1] = '\0';
                strcat(line, piece);
            }
            w = space ? space + 1 : end;
        }
        for (const char *hit = line; (hit = strstr(hit, "ka_")) != NULL; hit++)
            h = h * 31 + (uint64_t)(hit - line);
        h ^= strlen(line);
        p = *end ? end + 1 : end;
    }
    return h;
}

int main(int argc, char **argv) {
    int passes = argc > 1 ? atoi(argv[1]) : 6;
    size_t length;
    char *text = make_text(&length);
    struct table *t = calloc(1, sizeof *t);
    t->entries = malloc(sizeof(struct entry) * TEXT_WORDS);
    t->arena = malloc(length + TEXT_WORDS);
    long words = 0, distinct = 0;
    uint64_t lines = 0, top = 0;
    for (int pass = 0; pass < passes; pass++) {
        memset(t->buckets, 0, sizeof t->buckets);
        t->used = 0;
        t->arena_used = 0;
        words = tokenise(text, t);
        distinct = t->used;
        qsort(t->entries, (size_t)t->used, sizeof(struct entry), by_count_then_word);
        top = 0;
        for (long i = 0; i < t->used && i < 100; i++)
            top = top * 131 + fnv1a(t->entries[i].word) + (uint64_t)t->entries[i].count;
        lines = lines * 31 + scan_lines(text);
    }
    printf("%zu bytes, %ld words, %ld distinct\n", length, words, distinct);
    for (long i = 0; i < 5 && i < t->used; i++)
        printf("  %-12s %ld\n", t->entries[i].word, t->entries[i].count);
    printf("top-100 hash %016llx, line hash %016llx\n", (unsigned long long)top, (unsigned long long)lines);
    return 0;
}
