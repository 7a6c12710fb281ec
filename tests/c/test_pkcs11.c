/* PKCS#11 through the C ABI against a real HSM implementation, SoftHSM2:
 * tests/suites/20-c.sh initialises the tokens in a temporary SOFTHSM2_CONF
 * (`qcdn-test` holding tests/keys/rsa2048 as `video-key` and rsa4096 as
 * `video-key-4096`; `locked`, never logged into, for the wrong PIN). The HSM
 * signs every golden token of tests/conformance byte for byte; a wrong PIN,
 * a missing key, token or module are QCDN_ERR_INVALID_KEY without the PIN
 * in the message; one HSM signer serves several threads, batches and a cache.
 * Usage: SOFTHSM2_CONF=… test_pkcs11 REPO_ROOT [MODULE]   (default module:
 * $QCDN_SOFTHSM_MODULE or /usr/lib/softhsm/libsofthsm2.so) */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "test_util.h"
#include "golden.h"

#define PIN "1234"
#define TOKEN "qcdn-test"

static const char *module = "/usr/lib/softhsm/libsofthsm2.so";

static qcdn_signer *hsm_signer(const char *label, const char *kid) {
    qcdn_signer *s = NULL;
    CHECK_STATUS(qcdn_signer_from_pkcs11(module, TOKEN, label, PIN, kid, &s), QCDN_OK, NULL);
    return s;
}

static void sign_golden(const struct golden *g, void *ctx) {
    int *signed_count = ctx;
    const char *label = strncmp(g->key_file, "tests/keys/rsa2048.", 19) == 0   ? "video-key"
                        : strncmp(g->key_file, "tests/keys/rsa4096.", 19) == 0 ? "video-key-4096"
                                                                              : NULL;
    if (label == NULL) {
        test_failed++;
        fprintf(stderr, "%s: no HSM key for %s (import it in tests/suites/20-c.sh)\n", g->name, g->key_file);
        return;
    }
    qcdn_signer *s = hsm_signer(label, g->kid);
    if (s == NULL) return;
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign_json(s, g->uri, g->options_json, &token), QCDN_OK, g->name);
    if (token != NULL && strcmp(token, g->token) == 0) {
        test_passed++;
        (*signed_count)++;
    } else {
        test_failed++;
        fprintf(stderr, "%s: the HSM's token differs from the golden one\n", g->name);
    }
    qcdn_string_free(token);
    qcdn_signer_free(s);
}

static void test_refused(void) {
    qcdn_signer *s = NULL;
    /* `locked` was never logged into in this process (PKCS#11 login is per
     * token and process: a wrong PIN on a token already logged in is not checked). */
    CHECK_STATUS(qcdn_signer_from_pkcs11(module, "locked", "k", "0000", "k", &s), QCDN_ERR_INVALID_KEY, "wrong PIN");
    CHECK(strstr(last_error(), "0000") == NULL);
    CHECK_STATUS(qcdn_signer_from_pkcs11(module, TOKEN, "no-such-key", PIN, "k", &s), QCDN_ERR_INVALID_KEY,
                 "no private key");
    CHECK(strstr(last_error(), PIN) == NULL);
    CHECK_STATUS(qcdn_signer_from_pkcs11(module, "no-such-token", "video-key", PIN, "k", &s), QCDN_ERR_INVALID_KEY,
                 "no token");
    CHECK_STATUS(qcdn_signer_from_pkcs11("/no/such/module.so", TOKEN, "video-key", PIN, "k", &s),
                 QCDN_ERR_INVALID_KEY, "cannot load");
    CHECK_STATUS(qcdn_signer_from_pkcs11(module, TOKEN, "video-key", PIN, "", &s), QCDN_ERR_INVALID_ARGUMENT, "empty");
    CHECK(s == NULL);
}

#define THREADS 4
#define ROUNDS 3

static qcdn_signer *shared;
static qcdn_verifier *shared_verifier;

static void *worker(void *arg) {
    int *ok = arg;
    for (int i = 0; i < ROUNDS; i++) {
        char uri[64];
        snprintf(uri, sizeof uri, "videos/%p/%d/", (void *)ok, i);
        char *token = NULL;
        if (qcdn_signer_sign(shared, uri, NULL, &token) == QCDN_OK &&
            qcdn_verifier_verify(shared_verifier, token, NULL, NULL) == QCDN_OK) {
            (*ok)++;
        }
        qcdn_string_free(token);
    }
    return NULL;
}

static void test_shared(void) {
    shared = hsm_signer("video-key", "key-1");
    if (shared == NULL) return;
    CHECK_STATUS(qcdn_verifier_from_signer(shared, &shared_verifier), QCDN_OK, NULL);
    uint32_t bits = 0;
    CHECK_STATUS(qcdn_signer_key_bits(shared, &bits), QCDN_OK, NULL);
    CHECK(bits == 2048);
    pthread_t threads[THREADS];
    int ok[THREADS] = {0};
    for (int t = 0; t < THREADS; t++) CHECK(pthread_create(&threads[t], NULL, worker, &ok[t]) == 0);
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(ok[t] == ROUNDS);
    }
    /* A batch and a cache over the HSM signer. */
    char *json = NULL;
    CHECK_STATUS(qcdn_signer_sign_many_json(shared, "[{\"uri\":\"a/\"},{\"uri\":\"/bad\"},{\"uri\":\"c/\"}]", 2, &json),
                 QCDN_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"code\":\"INVALID_ARGUMENT\"") != NULL);
    qcdn_string_free(json);
    qcdn_signer *cached = NULL;
    CHECK_STATUS(qcdn_signer_cached(shared, 86400, 0, false, &cached), QCDN_OK, NULL);
    char *a = NULL, *b = NULL;
    CHECK_STATUS(qcdn_signer_sign(cached, "videos/a/", NULL, &a), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign(cached, "videos/a/", NULL, &b), QCDN_OK, NULL);
    CHECK_STR_EQ(a, b);
    qcdn_string_free(a);
    qcdn_string_free(b);
    qcdn_signer_free(cached);
    qcdn_verifier_free(shared_verifier);
    qcdn_signer_free(shared);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    const char *env = getenv("QCDN_SOFTHSM_MODULE");
    if (argc > 2) {
        module = argv[2];
    } else if (env != NULL) {
        module = env;
    }
    if (getenv("SOFTHSM2_CONF") == NULL) {
        fprintf(stderr, "SOFTHSM2_CONF is not set: run through tests/suites/20-c.sh\n");
        return 2;
    }
    test_refused();
    int signed_count = 0;
    int n = for_each_golden(sign_golden, &signed_count);
    CHECK(n >= 30 && signed_count == n);
    printf("%d golden tokens signed by SoftHSM2 byte for byte\n", signed_count);
    test_shared();
    return test_summary("test_pkcs11");
}
