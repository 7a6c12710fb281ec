/* The C side of the benchmark (bench/c/run.sh): signing through the C ABI and
 * the cost of a trivial call (a URL build plus qcdn_string_free), measured
 * exactly as bindings-c/examples/core_rate.rs measures the Rust core.
 * Usage: bench_sign KEY.pem ROUNDS BATCH
 * Prints: sign_ns_min=… sign_ns_median=… url_ns_min=… */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qencode_cdn.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: bench_sign KEY.pem ROUNDS BATCH\n");
        return 2;
    }
    int rounds = atoi(argv[2]), batch = atoi(argv[3]);
    if (rounds <= 0 || batch <= 0) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) return 2;
    static unsigned char pem[16384];
    size_t len = fread(pem, 1, sizeof pem, f);
    fclose(f);
    qcdn_signer *signer = NULL;
    if (qcdn_signer_new("ec25a6a6-b31e-4ac9-af01-711460421c6b", pem, len, &signer) != QCDN_OK) return 1;
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    const char *uri = "1f1ab6a3-d867-4787-b882-7f2fb1203634";
    int failures = 0;
    for (int i = 0; i < (batch < 20 ? batch : 20); i++) {
        char *t = NULL;
        failures += qcdn_signer_sign(signer, uri, &o, &t) != QCDN_OK;
        qcdn_string_free(t);
    }
    double *sign = calloc((size_t)rounds, sizeof *sign);
    double *url = calloc((size_t)rounds, sizeof *url);
    if (sign == NULL || url == NULL) return 1;
    for (int r = 0; r < rounds; r++) {
        double t0 = now_ns();
        for (int i = 0; i < batch; i++) {
            char *t = NULL;
            failures += qcdn_signer_sign(signer, uri, &o, &t) != QCDN_OK;
            qcdn_string_free(t);
        }
        sign[r] = (now_ns() - t0) / batch;
    }
    const int url_batch = 200000;
    for (int r = 0; r < rounds; r++) {
        double t0 = now_ns();
        for (int i = 0; i < url_batch; i++) {
            char *u = NULL;
            failures += qcdn_live_playback_url("abc123", NULL, &u) != QCDN_OK;
            qcdn_string_free(u);
        }
        url[r] = (now_ns() - t0) / url_batch;
    }
    qcdn_signer_free(signer);
    if (failures != 0) {
        fprintf(stderr, "bench_sign: %d calls failed\n", failures);
        return 1;
    }
    qsort(sign, (size_t)rounds, sizeof *sign, cmp);
    qsort(url, (size_t)rounds, sizeof *url, cmp);
    printf("sign_ns_min=%.0f sign_ns_median=%.0f url_ns_min=%.1f\n", sign[0], sign[rounds / 2], url[0]);
    free(sign);
    free(url);
    return 0;
}
