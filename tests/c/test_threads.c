/* One signer and one verifier shared by several pthreads at once: every token
 * equals the one signed single-threaded, every verification passes, and each
 * thread sees only its own last error message. Usage: test_threads REPO_ROOT */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "test_util.h"

#define THREADS 8
#define ROUNDS 25

static qcdn_signer *shared_signer;
static qcdn_verifier *shared_verifier;
static char *expected[THREADS];

struct result {
    int index;
    int ok;
    int failed;
};

static void uri_for(int i, char *buf, size_t len) { snprintf(buf, len, "videos/thread-%d/", i); }

static void *worker(void *arg) {
    struct result *r = arg;
    char uri[64];
    uri_for(r->index, uri, sizeof uri);
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    qcdn_verify_options vo = {0};
    vo.now = 1700000000;
    for (int round = 0; round < ROUNDS; round++) {
        char *token = NULL;
        if (qcdn_signer_sign(shared_signer, uri, &o, &token) == QCDN_OK && strcmp(token, expected[r->index]) == 0) {
            r->ok++;
        } else {
            r->failed++;
        }
        char key[96];
        snprintf(key, sizeof key, "%sseg-%d.ts", uri, round);
        if (qcdn_verifier_verify_resource(shared_verifier, token, QCDN_RESOURCE_STORAGE, key, &vo, NULL) == QCDN_OK) {
            r->ok++;
        } else {
            r->failed++;
        }
        qcdn_string_free(token);
        /* A failure of this thread's own, with a message naming the thread. */
        char bad[64];
        snprintf(bad, sizeof bad, "bad playback id %d", r->index);
        char *url = NULL;
        if (qcdn_live_playback_url(bad, NULL, &url) != QCDN_ERR_INVALID_ARGUMENT) r->failed++;
        char msg[512];
        char want[64];
        snprintf(want, sizeof want, "bad playback id %d", r->index);
        if (qcdn_last_error_message(msg, sizeof msg, NULL) == QCDN_OK && strstr(msg, want) != NULL) {
            r->ok++;
        } else {
            fprintf(stderr, "thread %d saw another thread's error: %s\n", r->index, msg);
            r->failed++;
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    size_t len = 0;
    unsigned char *key = read_repo_file("tests/keys/rsa2048.pkcs1.pem", &len);
    CHECK_STATUS(qcdn_signer_new("key-1", key, len, &shared_signer), QCDN_OK, NULL);
    free(key);
    CHECK_STATUS(qcdn_verifier_from_signer(shared_signer, &shared_verifier), QCDN_OK, NULL);
    if (shared_signer == NULL || shared_verifier == NULL) return test_summary("test_threads");

    qcdn_sign_options o = {0};
    o.now = 1700000000;
    for (int i = 0; i < THREADS; i++) {
        char uri[64];
        uri_for(i, uri, sizeof uri);
        CHECK_STATUS(qcdn_signer_sign(shared_signer, uri, &o, &expected[i]), QCDN_OK, NULL);
    }

    pthread_t threads[THREADS];
    struct result results[THREADS];
    for (int i = 0; i < THREADS; i++) {
        results[i] = (struct result){.index = i};
        CHECK(pthread_create(&threads[i], NULL, worker, &results[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(results[i].ok == 3 * ROUNDS);
        CHECK(results[i].failed == 0);
        test_passed += results[i].ok;
    }
    printf("%d threads x %d rounds: sign, verify_resource, thread-local error\n", THREADS, ROUNDS);

    for (int i = 0; i < THREADS; i++) qcdn_string_free(expected[i]);
    qcdn_verifier_free(shared_verifier);
    qcdn_signer_free(shared_signer);
    return test_summary("test_threads");
}
