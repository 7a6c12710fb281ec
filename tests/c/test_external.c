/* External signers through the C ABI: the private key is not in the library.
 * The "KMS" here is OpenSSL (an RSA implementation independent of the
 * library's) behind a qcdn_sign_callback, as a user would wire an HSM, a
 * cloud KMS or a signing service:
 * - every golden `sign` token of tests/conformance, byte for byte, inline and
 *   on the helper thread of a timeout;
 * - callbacks that fail (with and without a message, a message filling the
 *   whole buffer), report more than sig_cap bytes, too few bytes, garbage,
 *   another key's signature: QCDN_ERR_SIGNER_FAILED and no token;
 * - a callback that does not answer within timeout_ms: QCDN_ERR_TIMEOUT, and
 *   free_user_data only after the late callback returned;
 * - 8 threads sharing one external signer;
 * - free_user_data exactly once, also with a cached signer made from it, and
 *   never when the signer could not be made;
 * - prepare/finish: the same token as sign, wrong signatures refused.
 * Usage: test_external REPO_ROOT */
#define _POSIX_C_SOURCE 200809L

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>



#include "test_util.h"
#include "golden.h"

static char sentinel_byte;
#define SENTINEL ((char *)&sentinel_byte)
#define SENTINEL_SIGNER ((qcdn_signer *)&sentinel_byte)

static const char BAD_UTF8[] = {'a', (char)0xff, (char)0xfe, 'b', 0};

/* ---- the "KMS": OpenSSL keys behind a callback --------------------------- */

enum behaviour {
    KMS_OK,
    KMS_FAIL_WITH_MESSAGE, /* returns 7 and says why */
    KMS_FAIL_SILENTLY,     /* returns 1, no message */
    KMS_FAIL_LONG_MESSAGE, /* fills the whole error buffer, no NUL */
    KMS_TOO_MANY_BYTES,    /* *sig_len = sig_cap + 1 (writes nothing) */
    KMS_TOO_FEW_BYTES,     /* a real signature, *sig_len = 100 */
    KMS_GARBAGE,           /* the right length, not a signature */
    KMS_BLOCKS,            /* waits until the test opens the gate */
};

struct kms {
    EVP_PKEY *key;
    enum behaviour behaviour;
    atomic_int calls;
    atomic_size_t last_sig_cap;
};

static atomic_int freed; /* calls of kms_free, over the whole program */

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static int freed_seen; /* freed, as last signalled under gate_lock */

static EVP_PKEY *load_openssl_key(const char *rel) {
    size_t len = 0;
    unsigned char *pem = read_repo_file(rel, &len);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    free(pem);
    if (key == NULL) {
        fprintf(stderr, "OpenSSL cannot read %s\n", rel);
        exit(2);
    }
    return key;
}

/* RS256 with OpenSSL: RSASSA-PKCS1-v1_5 over SHA-256 (the EVP default for RSA). */
static bool openssl_rs256(EVP_PKEY *key, const uint8_t *input, size_t input_len, uint8_t *sig, size_t *sig_len) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestSign(ctx, sig, sig_len, input, input_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

static struct kms *kms_new(const char *key_file, enum behaviour behaviour) {
    struct kms *k = calloc(1, sizeof *k);
    if (k == NULL) exit(2);
    k->key = key_file != NULL ? load_openssl_key(key_file) : NULL;
    k->behaviour = behaviour;
    atomic_init(&k->calls, 0);
    atomic_init(&k->last_sig_cap, 0);
    return k;
}

/* The free_user_data of the tests: frees the KMS (so a call after it would be
 * a use-after-free the sanitizers report) and counts. */
static void kms_free(void *user_data) {
    struct kms *k = user_data;
    EVP_PKEY_free(k->key);
    free(k);
    pthread_mutex_lock(&gate_lock);
    freed_seen = atomic_fetch_add(&freed, 1) + 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

static int32_t kms_sign(void *user_data, const uint8_t *input, size_t input_len, uint8_t *sig, size_t sig_cap,
                        size_t *sig_len, char *error, size_t error_cap) {
    struct kms *k = user_data;
    atomic_fetch_add(&k->calls, 1);
    atomic_store(&k->last_sig_cap, sig_cap);
    if (*sig_len != 0 || input_len == 0 || memchr(input, '.', input_len) == NULL) {
        snprintf(error, error_cap, "the library broke its side of the contract");
        return 99;
    }
    switch (k->behaviour) {
    case KMS_FAIL_WITH_MESSAGE:
        snprintf(error, error_cap, "KMS: AccessDeniedException: not allowed to use key alias/video");
        return 7;
    case KMS_FAIL_SILENTLY:
        return 1;
    case KMS_FAIL_LONG_MESSAGE:
        memset(error, 'x', error_cap);
        return 2;
    case KMS_TOO_MANY_BYTES:
        *sig_len = sig_cap + 1;
        return 0;
    case KMS_GARBAGE: {
        size_t n = (size_t)EVP_PKEY_get_size(k->key);
        for (size_t i = 0; i < n; i++) sig[i] = (uint8_t)(i * 37 + 11);
        *sig_len = n;
        return 0;
    }
    case KMS_BLOCKS:
        pthread_mutex_lock(&gate_lock);
        while (!gate_open) pthread_cond_wait(&gate_cond, &gate_lock);
        pthread_mutex_unlock(&gate_lock);
        break;
    default:
        break;
    }
    size_t len = sig_cap;
    if (!openssl_rs256(k->key, input, input_len, sig, &len)) {
        snprintf(error, error_cap, "OpenSSL could not sign");
        return 3;
    }
    *sig_len = k->behaviour == KMS_TOO_FEW_BYTES ? 100 : len;
    return 0;
}

/* The public key of a key file as SPKI PEM (through a local signer). */
static char *public_pem(const char *key_file) {
    size_t len = 0;
    unsigned char *key = read_repo_file(key_file, &len);
    qcdn_signer *local = NULL;
    char *pem = NULL;
    CHECK_STATUS(qcdn_signer_new("local", key, len, &local), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_public_key_pem(local, &pem), QCDN_OK, NULL);
    qcdn_signer_free(local);
    free(key);
    if (pem == NULL) exit(2);
    return pem;
}

static qcdn_signer *external(const char *kid, const char *public_key_file, struct kms *k, bool owned,
                             uint32_t timeout_ms) {
    char *pem = public_pem(public_key_file);
    qcdn_signer *s = NULL;
    CHECK_STATUS(qcdn_signer_new_external(kid, (const uint8_t *)pem, strlen(pem), kms_sign, k,
                                          owned ? kms_free : NULL, timeout_ms, &s),
                 QCDN_OK, NULL);
    qcdn_string_free(pem);
    if (s == NULL) exit(2);
    return s;
}

/* ---- golden tokens --------------------------------------------------------- */

struct golden_run {
    uint32_t timeout_ms;
    int limit; /* sign the first `limit` cases (0: all) */
    int seen, calls;
};

static void sign_golden(const struct golden *g, void *ctx) {
    struct golden_run *run = ctx;
    if (run->limit > 0 && run->seen >= run->limit) return;
    run->seen++;
    struct kms *k = kms_new(g->key_file, KMS_OK);
    qcdn_signer *s = external(g->kid, g->key_file, k, true, run->timeout_ms);
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign_json(s, g->uri, g->options_json, &token), QCDN_OK, g->name);
    if (token == NULL || strcmp(token, g->token) != 0) {
        test_failed++;
        fprintf(stderr, "%s: the external signer's token differs from the golden one\n", g->name);
    } else {
        test_passed++;
    }
    run->calls += atomic_load(&k->calls);
    CHECK(atomic_load(&k->last_sig_cap) >= 512);
    qcdn_string_free(token);
    qcdn_signer_free(s); /* frees k */
}

static void test_golden_tokens(void) {
    int before = atomic_load(&freed);
    struct golden_run inline_run = {.timeout_ms = 0};
    int n = for_each_golden(sign_golden, &inline_run);
    CHECK(n >= 30);
    CHECK(inline_run.calls == n); /* one callback per token */
    CHECK(atomic_load(&freed) == before + n);
    /* With a (generous) timeout the callback runs on a helper thread: the
     * same bytes (the first cases; all of them ran inline above, and the
     * suite runs this under valgrind too). */
    struct golden_run helper_run = {.timeout_ms = 600000, .limit = 6};
    for_each_golden(sign_golden, &helper_run);
    CHECK(helper_run.seen == 6 && helper_run.calls == 6);
    printf("%d golden tokens through the callback inline, %d on the helper thread of a timeout\n", n,
           helper_run.seen);
}

/* ---- broken callbacks ------------------------------------------------------ */

static void check_refused(enum behaviour behaviour, const char *sign_key, const char *public_key, const char *words) {
    struct kms *k = kms_new(sign_key, behaviour);
    qcdn_signer *s = external("k", public_key, k, false, 0);
    char *token = SENTINEL;
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    CHECK_STATUS(qcdn_signer_sign(s, "videos/a/", &o, &token), QCDN_ERR_SIGNER_FAILED, words);
    CHECK(token == SENTINEL);
    CHECK_STATUS(qcdn_signer_sign(s, "videos/a/", &o, &token), QCDN_ERR_SIGNER_FAILED, "sign callback of key `k`");
    /* Every signing path refuses the same way. */
    char *url = SENTINEL;
    CHECK_STATUS(qcdn_signer_signed_live_url(s, "abc123", &o, &url), QCDN_ERR_SIGNER_FAILED, NULL);
    CHECK_STATUS(qcdn_signer_signed_cookie_json(s, "videos/", NULL, &url), QCDN_ERR_SIGNER_FAILED, NULL);
    CHECK(url == SENTINEL);
    char *json = NULL;
    CHECK_STATUS(qcdn_last_error_json(&json), QCDN_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"code\":\"SIGNER_FAILED\"") != NULL && strstr(json, "\"status_code\":17"));
    qcdn_string_free(json);
    qcdn_signer_free(s);
    EVP_PKEY_free(k->key);
    free(k);
}

static void test_broken_callbacks(void) {
    const char *k2048 = "tests/keys/rsa2048.pkcs1.pem";
    check_refused(KMS_FAIL_WITH_MESSAGE, k2048, k2048, "the callback returned 7: KMS: AccessDeniedException");
    check_refused(KMS_FAIL_SILENTLY, k2048, k2048, "the callback returned 1");
    check_refused(KMS_FAIL_LONG_MESSAGE, k2048, k2048, "returned 2: xxxxxxxxxxxxxxxx");
    check_refused(KMS_TOO_MANY_BYTES, k2048, k2048, "more than the buffer's 1024 (sig_cap)");
    check_refused(KMS_TOO_FEW_BYTES, k2048, k2048, "returned 100 bytes");
    check_refused(KMS_GARBAGE, k2048, k2048, "does not verify");
    /* Another key: of another size (the length is wrong), and of the same size. */
    check_refused(KMS_OK, "tests/keys/rsa4096.pkcs1.pem", k2048, "returned 512 bytes");
    check_refused(KMS_OK, "tests/keys/rsa4096-b.pkcs1.pem", "tests/keys/rsa4096.pkcs1.pem", "does not verify");

    /* The whole-buffer message is cut at error_cap: never read beyond it. */
    char msg[2048];
    struct kms *k = kms_new(NULL, KMS_FAIL_LONG_MESSAGE);
    qcdn_signer *s = external("k", k2048, k, true, 0);
    char *token = SENTINEL;
    CHECK_STATUS(qcdn_signer_sign(s, "x", NULL, &token), QCDN_ERR_SIGNER_FAILED, NULL);
    CHECK(qcdn_last_error_message(msg, sizeof msg, NULL) == QCDN_OK);
    size_t run = 0;
    for (const char *p = strstr(msg, "returned 2: x"); p != NULL && p[12 + run] == 'x'; run++) {
    }
    CHECK(run == 1024);
    qcdn_signer_free(s);
}

/* ---- timeouts ----------------------------------------------------------------- */

static bool wait_for_freed(int want) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 120; /* a bound for a hang, not a timing assertion */
    pthread_mutex_lock(&gate_lock);
    while (freed_seen < want) {
        if (pthread_cond_timedwait(&gate_cond, &gate_lock, &until) != 0) break;
    }
    bool ok = freed_seen >= want;
    pthread_mutex_unlock(&gate_lock);
    return ok;
}

static void test_timeout(void) {
    struct kms *k = kms_new("tests/keys/rsa2048.pkcs1.pem", KMS_BLOCKS);
    qcdn_signer *s = external("k", "tests/keys/rsa2048.pkcs1.pem", k, true, 50);
    int before = atomic_load(&freed);
    char *token = SENTINEL;
    /* The callback waits for the gate, which opens only after the call
     * returned: the deadline must end it, whatever the machine's speed. */
    CHECK_STATUS(qcdn_signer_sign(s, "videos/a/", NULL, &token), QCDN_ERR_TIMEOUT, "did not answer within");
    CHECK(token == SENTINEL);
    char *json = NULL;
    CHECK_STATUS(qcdn_last_error_json(&json), QCDN_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"code\":\"TIMEOUT\"") != NULL);
    qcdn_string_free(json);
    /* Freed while the late callback still runs: user_data must survive it. */
    qcdn_signer_free(s);
    CHECK(atomic_load(&freed) == before);
    pthread_mutex_lock(&gate_lock);
    gate_open = true;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    CHECK(wait_for_freed(before + 1));
    CHECK(atomic_load(&freed) == before + 1);

    /* A timeout of its own for a signer, not a global: another signer signs at once. */
    struct kms *fast = kms_new("tests/keys/rsa2048.pkcs1.pem", KMS_OK);
    qcdn_signer *f = external("key-1", "tests/keys/rsa2048.pkcs1.pem", fast, true, 600000);
    CHECK_STATUS(qcdn_signer_sign(f, "videos/a/", NULL, &token), QCDN_OK, NULL);
    qcdn_string_free(token);
    qcdn_signer_free(f);
}

/* ---- threads ------------------------------------------------------------------ */

#define THREADS 8
#define ROUNDS 4

static qcdn_signer *shared;
static char *expected[THREADS][ROUNDS];

struct worker {
    int index;
    int ok;
};

static void uri_for(int t, int r, char *buf, size_t len) { snprintf(buf, len, "videos/t%d/r%d/", t, r); }

static void *worker(void *arg) {
    struct worker *w = arg;
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    for (int r = 0; r < ROUNDS; r++) {
        char uri[64];
        uri_for(w->index, r, uri, sizeof uri);
        char *token = NULL;
        if (qcdn_signer_sign(shared, uri, &o, &token) == QCDN_OK && strcmp(token, expected[w->index][r]) == 0) w->ok++;
        qcdn_string_free(token);
    }
    return NULL;
}

static void test_threads(void) {
    size_t len = 0;
    unsigned char *key = read_repo_file("tests/keys/rsa2048.pkcs1.pem", &len);
    qcdn_signer *local = NULL;
    CHECK_STATUS(qcdn_signer_new("key-1", key, len, &local), QCDN_OK, NULL);
    free(key);
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    for (int t = 0; t < THREADS; t++) {
        for (int r = 0; r < ROUNDS; r++) {
            char uri[64];
            uri_for(t, r, uri, sizeof uri);
            CHECK_STATUS(qcdn_signer_sign(local, uri, &o, &expected[t][r]), QCDN_OK, NULL);
        }
    }
    qcdn_signer_free(local);
    /* Inline calls, then calls on helper threads (a timeout): one signer, 8 threads. */
    uint32_t timeouts[] = {0, 600000};
    for (size_t m = 0; m < 2; m++) {
        struct kms *k = kms_new("tests/keys/rsa2048.pkcs1.pem", KMS_OK);
        shared = external("key-1", "tests/keys/rsa2048.pkcs1.pem", k, false, timeouts[m]);
        pthread_t threads[THREADS];
        struct worker workers[THREADS];
        for (int t = 0; t < THREADS; t++) {
            workers[t] = (struct worker){.index = t};
            CHECK(pthread_create(&threads[t], NULL, worker, &workers[t]) == 0);
        }
        for (int t = 0; t < THREADS; t++) {
            CHECK(pthread_join(threads[t], NULL) == 0);
            CHECK(workers[t].ok == ROUNDS);
        }
        CHECK(atomic_load(&k->calls) == THREADS * ROUNDS);
        qcdn_signer_free(shared);
        EVP_PKEY_free(k->key);
        free(k);
    }
    for (int t = 0; t < THREADS; t++) {
        for (int r = 0; r < ROUNDS; r++) qcdn_string_free(expected[t][r]);
    }
    printf("%d threads x %d tokens on one external signer, inline and with a timeout\n", THREADS, ROUNDS);
}

/* ---- free_user_data ------------------------------------------------------------ */

static void test_free_user_data(void) {
    const char *file = "tests/keys/rsa2048.pkcs1.pem";
    int base = atomic_load(&freed);

    /* Once, when the signer is freed. */
    qcdn_signer *s = external("k", file, kms_new(file, KMS_OK), true, 0);
    CHECK(atomic_load(&freed) == base);
    qcdn_signer_free(s);
    CHECK(atomic_load(&freed) == base + 1);

    /* A cached signer shares the callback: once, after both are freed (either order). */
    struct kms *k = kms_new(file, KMS_OK);
    s = external("k", file, k, true, 0);
    qcdn_signer *cached = NULL;
    CHECK_STATUS(qcdn_signer_cached(s, 60, 0, false, &cached), QCDN_OK, NULL);
    qcdn_signer_free(s);
    CHECK(atomic_load(&freed) == base + 1);
    char *a = NULL, *b = NULL;
    CHECK_STATUS(qcdn_signer_sign(cached, "videos/a/", NULL, &a), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign(cached, "videos/a/", NULL, &b), QCDN_OK, NULL);
    CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
    CHECK(atomic_load(&k->calls) == 1); /* the second token came from the cache */
    qcdn_string_free(a);
    qcdn_string_free(b);
    qcdn_signer_free(cached);
    CHECK(atomic_load(&freed) == base + 2);

    s = external("k", file, kms_new(file, KMS_OK), true, 0);
    CHECK_STATUS(qcdn_signer_cached(s, 60, 0, false, &cached), QCDN_OK, NULL);
    qcdn_signer_free(cached);
    CHECK(atomic_load(&freed) == base + 2);
    qcdn_signer_free(s);
    CHECK(atomic_load(&freed) == base + 3);

    /* Not when the signer could not be made: user_data stays the caller's. */
    k = kms_new(NULL, KMS_OK);
    s = SENTINEL_SIGNER;
    CHECK_STATUS(qcdn_signer_new_external("k", (const uint8_t *)"not a key", 9, kms_sign, k, kms_free, 0, &s),
                 QCDN_ERR_INVALID_KEY, NULL);
    CHECK_STATUS(qcdn_signer_new_external("", (const uint8_t *)"not a key", 9, kms_sign, k, kms_free, 0, &s),
                 QCDN_ERR_INVALID_ARGUMENT, "empty");
    CHECK(s == SENTINEL_SIGNER);
    CHECK(atomic_load(&freed) == base + 3);
    CHECK(atomic_load(&k->calls) == 0);
    free(k);
}

/* ---- bad arguments ---------------------------------------------------------- */

static void test_bad_arguments(void) {
    char *pem = public_pem("tests/keys/rsa2048.pkcs1.pem");
    const uint8_t *key = (const uint8_t *)pem;
    size_t len = strlen(pem);
    struct kms *k = kms_new(NULL, KMS_OK);
    qcdn_signer *s = SENTINEL_SIGNER;
    CHECK_STATUS(qcdn_signer_new_external(NULL, key, len, kms_sign, k, kms_free, 0, &s), QCDN_ERR_INVALID_ARGUMENT,
                 "`key_id` is NULL");
    CHECK_STATUS(qcdn_signer_new_external(BAD_UTF8, key, len, kms_sign, k, kms_free, 0, &s),
                 QCDN_ERR_INVALID_ARGUMENT, "`key_id` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_new_external("k", NULL, len, kms_sign, k, kms_free, 0, &s), QCDN_ERR_INVALID_ARGUMENT,
                 "`public_key` is NULL");
    CHECK_STATUS(qcdn_signer_new_external("k", key, len, NULL, k, kms_free, 0, &s), QCDN_ERR_INVALID_ARGUMENT,
                 "`callback` is NULL");
    CHECK_STATUS(qcdn_signer_new_external("k", key, len, kms_sign, k, kms_free, 0, NULL), QCDN_ERR_INVALID_ARGUMENT,
                 "`out_signer`");
    CHECK(s == SENTINEL_SIGNER);
    CHECK(atomic_load(&k->calls) == 0);
    free(k);
    qcdn_string_free(pem);

    char *out = SENTINEL;
    CHECK_STATUS(qcdn_signer_prepare_json(NULL, "u", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer` is NULL");
    CHECK_STATUS(qcdn_signer_finish(NULL, "a.b", (const uint8_t *)"x", 1, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`signer` is NULL");
    CHECK(out == SENTINEL);
    CHECK_STATUS(qcdn_signer_from_pkcs11(NULL, "t", "k", "1234", "kid", &s), QCDN_ERR_INVALID_ARGUMENT,
                 "`module` is NULL");
    CHECK_STATUS(qcdn_signer_from_pkcs11("/no/such/module.so", "t", "k", NULL, "kid", &s), QCDN_ERR_INVALID_ARGUMENT,
                 "`pin` is NULL");
    CHECK_STATUS(qcdn_signer_from_pkcs11("/no/such/module.so", "t", BAD_UTF8, "1234", "kid", &s),
                 QCDN_ERR_INVALID_ARGUMENT, "`key_label` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_from_pkcs11("/no/such/module.so", "t", "k", "secret-pin-42", "kid", &s),
                 QCDN_ERR_INVALID_KEY, "cannot load the module");
    CHECK(strstr(last_error(), "secret-pin-42") == NULL);
    CHECK(s == SENTINEL_SIGNER);
}

/* ---- prepare / finish ----------------------------------------------------------- */

static void test_prepare_finish(void) {
    const char *file = "tests/keys/rsa2048.pkcs1.pem";
    size_t len = 0;
    unsigned char *key = read_repo_file(file, &len);
    qcdn_signer *local = NULL, *other = NULL;
    CHECK_STATUS(qcdn_signer_new("key-1", key, len, &local), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_new("other", key, len, &other), QCDN_OK, NULL);
    free(key);
    EVP_PKEY *openssl = load_openssl_key(file);
    EVP_PKEY *openssl_4096 = load_openssl_key("tests/keys/rsa4096.pkcs1.pem");
    const char *opts = "{\"now\":1700000000,\"expires_in\":600,\"claims\":{\"viewer\":\"u-42\"}}";

    char *input = NULL, *token = NULL, *want = NULL;
    CHECK_STATUS(qcdn_signer_prepare_json(local, "videos/a/", opts, &input), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign_json(local, "videos/a/", opts, &want), QCDN_OK, NULL);
    if (input == NULL || want == NULL) exit(2);
    CHECK(strncmp(want, input, strlen(input)) == 0 && want[strlen(input)] == '.');
    uint8_t sig[1024];
    size_t sig_len = sizeof sig;
    CHECK(openssl_rs256(openssl, (const uint8_t *)input, strlen(input), sig, &sig_len));
    CHECK_STATUS(qcdn_signer_finish(local, input, sig, sig_len, &token), QCDN_OK, NULL);
    CHECK_STR_EQ(token, want);
    qcdn_string_free(token);

    /* Wrong signatures: no token. */
    token = SENTINEL;
    uint8_t garbage[256];
    for (size_t i = 0; i < sizeof garbage; i++) garbage[i] = (uint8_t)i;
    CHECK_STATUS(qcdn_signer_finish(local, input, garbage, sizeof garbage, &token), QCDN_ERR_SIGNER_FAILED,
                 "does not verify");
    CHECK_STATUS(qcdn_signer_finish(local, input, sig, 100, &token), QCDN_ERR_SIGNER_FAILED, "100 bytes");
    uint8_t big[1024];
    size_t big_len = sizeof big;
    CHECK(openssl_rs256(openssl_4096, (const uint8_t *)input, strlen(input), big, &big_len));
    CHECK_STATUS(qcdn_signer_finish(local, input, big, big_len, &token), QCDN_ERR_SIGNER_FAILED, "512 bytes");
    /* A signature of another input. */
    char *input_b = NULL;
    CHECK_STATUS(qcdn_signer_prepare_json(local, "videos/b/", opts, &input_b), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_finish(local, input_b, sig, sig_len, &token), QCDN_ERR_SIGNER_FAILED, "does not verify");
    /* An input this signer did not prepare (another key id in the header). */
    CHECK_STATUS(qcdn_signer_finish(other, input, sig, sig_len, &token), QCDN_ERR_INVALID_ARGUMENT,
                 "not prepared by this signer");
    CHECK_STATUS(qcdn_signer_finish(local, "not.an.input", sig, sig_len, &token), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_signer_finish(local, input, NULL, 0, &token), QCDN_ERR_INVALID_ARGUMENT, "`sig` is NULL");
    CHECK_STATUS(qcdn_signer_finish(local, NULL, sig, sig_len, &token), QCDN_ERR_INVALID_ARGUMENT,
                 "`signing_input` is NULL");
    CHECK_STATUS(qcdn_signer_finish(local, BAD_UTF8, sig, sig_len, &token), QCDN_ERR_INVALID_ARGUMENT,
                 "`signing_input` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_finish(local, input, sig, sig_len, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_token`");
    CHECK(token == SENTINEL);
    qcdn_string_free(input_b);

    /* prepare applies the checks and the option rules of sign. */
    char *none = SENTINEL;
    CHECK_STATUS(qcdn_signer_prepare_json(local, "/videos/a/", NULL, &none), QCDN_ERR_INVALID_ARGUMENT, "starts with `/`");
    CHECK_STATUS(qcdn_signer_prepare_json(local, "videos/a/", "{\"expires_in\":null}", &none),
                 QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_signer_prepare_json(local, "videos/a/", "{not json", &none), QCDN_ERR_INVALID_ARGUMENT,
                 "not valid JSON");
    CHECK_STATUS(qcdn_signer_prepare_json(local, BAD_UTF8, NULL, &none), QCDN_ERR_INVALID_ARGUMENT,
                 "`uri` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_prepare_json(local, "videos/a/", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT,
                 "`out_signing_input`");
    CHECK(none == SENTINEL);

    /* An external signer prepares too; finish never calls its callback. */
    struct kms *k = kms_new(file, KMS_OK);
    qcdn_signer *ext = external("key-1", file, k, true, 0);
    char *ext_input = NULL;
    CHECK_STATUS(qcdn_signer_prepare_json(ext, "videos/a/", opts, &ext_input), QCDN_OK, NULL);
    CHECK_STR_EQ(ext_input, input);
    CHECK_STATUS(qcdn_signer_finish(ext, ext_input, sig, sig_len, &token), QCDN_OK, NULL);
    CHECK_STR_EQ(token, want);
    CHECK(atomic_load(&k->calls) == 0);
    qcdn_string_free(token);
    qcdn_string_free(ext_input);
    qcdn_signer_free(ext);

    qcdn_string_free(input);
    qcdn_string_free(want);
    EVP_PKEY_free(openssl);
    EVP_PKEY_free(openssl_4096);
    qcdn_signer_free(local);
    qcdn_signer_free(other);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    test_golden_tokens();
    test_broken_callbacks();
    test_timeout();
    test_threads();
    test_free_user_data();
    test_bad_arguments();
    test_prepare_finish();
    return test_summary("test_external");
}
