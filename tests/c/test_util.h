/* Tiny test harness shared by the C tests: counted checks, file reading, and
 * status + last-error-message assertions. Each program ends with
 * test_summary(), which prints "N passed, N failed" and returns the exit code. */
#ifndef QCDN_TEST_UTIL_H
#define QCDN_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qencode_cdn.h"

static int test_passed;
static int test_failed;

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) {                                                                 \
            test_passed++;                                                          \
        } else {                                                                    \
            test_failed++;                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                             \
    do {                                                                                               \
        const char *check_a_ = (a);                                                                    \
        const char *check_b_ = (b);                                                                    \
        if (check_a_ != NULL && check_b_ != NULL && strcmp(check_a_, check_b_) == 0) {                 \
            test_passed++;                                                                             \
        } else {                                                                                       \
            test_failed++;                                                                             \
            fprintf(stderr, "%s:%d: CHECK_STR_EQ failed: %s\n  got:  %s\n  want: %s\n", __FILE__,     \
                    __LINE__, #a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");     \
        }                                                                                              \
    } while (0)

/* The last error message of this thread (static buffer, overwritten by the next call). */
static inline const char *last_error(void) {
    static char buf[2048];
    size_t needed = 0;
    if (qcdn_last_error_message(buf, sizeof buf, &needed) != QCDN_OK) {
        snprintf(buf, sizeof buf, "(message needs %zu bytes)", needed);
    }
    return buf;
}

/* Checks that `status` is `want` and, when `fragment` is not NULL, that the
 * last error message contains it. */
#define CHECK_STATUS(status, want, fragment) check_status_at(__FILE__, __LINE__, #status, (status), (want), (fragment))

static inline void check_status_at(const char *file, int line, const char *expr, qcdn_status got, qcdn_status want,
                            const char *fragment) {
    if (got != want) {
        test_failed++;
        fprintf(stderr, "%s:%d: %s returned %s (%u), want %s (%u); last error: %s\n", file, line, expr,
                qcdn_status_str(got), (unsigned)got, qcdn_status_str(want), (unsigned)want, last_error());
        return;
    }
    if (fragment != NULL && want != QCDN_OK) {
        const char *msg = last_error();
        if (strstr(msg, fragment) == NULL) {
            test_failed++;
            fprintf(stderr, "%s:%d: %s: message \"%s\" lacks \"%s\"\n", file, line, expr, msg, fragment);
            return;
        }
    }
    test_passed++;
}

/* Reads a whole file (NUL-terminated too); exits on failure. Free with free(). */
static inline unsigned char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap + 1);
    if (buf == NULL) exit(2);
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        cap *= 2;
        unsigned char *bigger = realloc(buf, cap + 1);
        if (bigger == NULL) exit(2);
        buf = bigger;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Reads `rel` below the repository root given as argv[1] (or $QCDN_ROOT). */
static const char *test_root = ".";
static inline unsigned char *read_repo_file(const char *rel, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", test_root, rel);
    return read_file(path, len);
}

static inline void test_init(int argc, char **argv) {
    const char *env = getenv("QCDN_ROOT");
    if (argc > 1) {
        test_root = argv[1];
    } else if (env != NULL) {
        test_root = env;
    }
}

static inline int test_summary(const char *name) {
    printf("%s: %d passed, %d failed\n", name, test_passed, test_failed);
    return test_failed == 0 && test_passed > 0 ? 0 : 1;
}

#endif /* QCDN_TEST_UTIL_H */
