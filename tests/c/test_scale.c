/* Issuance at scale through the C ABI: batches (qcdn_signer_sign_many_json
 * and the struct form qcdn_signer_sign_many) with per-item results and error
 * details, the same tokens as one-by-one signing on any number of threads;
 * the cached signer (one token per window, a new one after it, pinned-clock
 * calls cached only when asked, the capacity bound, every signing path
 * through the cache, the original left uncached). Bad arguments leave the
 * out-parameters untouched. Usage: test_scale REPO_ROOT */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "test_util.h"

static char sentinel_byte;
#define SENTINEL ((char *)&sentinel_byte)
#define SENTINEL_SIGNER ((qcdn_signer *)&sentinel_byte)

static const char BAD_UTF8[] = {'a', (char)0xff, (char)0xfe, 'b', 0};

static const char *str_of(const cJSON *o, const char *name) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static char *sign_one(qcdn_signer *s, const char *uri, const char *options_json) {
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign_json(s, uri, options_json, &token), QCDN_OK, NULL);
    return token;
}

/* ---- sign_many_json --------------------------------------------------------- */

static void test_sign_many_json(qcdn_signer *s) {
    /* A failure first: the batch must leave this thread's last error alone. */
    char *url = SENTINEL;
    CHECK_STATUS(qcdn_live_playback_url("bad id", NULL, &url), QCDN_ERR_INVALID_ARGUMENT, NULL);
    char before[1024];
    snprintf(before, sizeof before, "%s", last_error());

    const char *items = "[{\"uri\":\"videos/0/\",\"options\":{\"now\":1700000000,\"expires_in\":600}},"
                        "{\"uri\":\"/bad\",\"options\":{\"now\":1700000000}},"
                        "{\"uri\":\"videos/2/\",\"options\":{\"expires_in\":null}},"
                        "{\"uri\":\"videos/3/\",\"options\":{\"now\":1700000000,\"claims\":{\"viewer\":\"u-1\"}}},"
                        "{\"uri\":\"videos/4/\"}]";
    char *json = NULL;
    CHECK_STATUS(qcdn_signer_sign_many_json(s, items, 0, &json), QCDN_OK, NULL);
    CHECK_STR_EQ(last_error(), before);
    cJSON *doc = cJSON_Parse(json);
    CHECK(cJSON_GetArraySize(doc) == 5);
    char *t0 = sign_one(s, "videos/0/", "{\"now\":1700000000,\"expires_in\":600}");
    char *t3 = sign_one(s, "videos/3/", "{\"now\":1700000000,\"claims\":{\"viewer\":\"u-1\"}}");
    CHECK_STR_EQ(str_of(cJSON_GetArrayItem(doc, 0), "token"), t0);
    CHECK_STR_EQ(str_of(cJSON_GetArrayItem(doc, 3), "token"), t3);
    CHECK(str_of(cJSON_GetArrayItem(doc, 4), "token") != NULL); /* defaults: system clock, 3600 s */
    CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(doc, 4), "error") == NULL);
    /* Failed items carry the details of qcdn_last_error_json. */
    const cJSON *e1 = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(doc, 1), "error");
    CHECK_STR_EQ(str_of(e1, "code"), "INVALID_ARGUMENT");
    CHECK(cJSON_GetObjectItemCaseSensitive(e1, "status_code")->valuedouble == QCDN_ERR_INVALID_ARGUMENT);
    CHECK(str_of(e1, "message") != NULL && strstr(str_of(e1, "message"), "starts with `/`") != NULL);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e1, "http_status")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(e1, "retry_after")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e1, "type_error")));
    CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(doc, 1), "token") == NULL);
    const cJSON *e2 = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(doc, 2), "error");
    CHECK_STR_EQ(str_of(e2, "code"), "INVALID_ARGUMENT");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e2, "type_error"))); /* a null lifetime */
    cJSON_Delete(doc);
    qcdn_string_free(json);
    qcdn_string_free(t0);
    qcdn_string_free(t3);

    /* Any number of threads: the same tokens, in the order of the input. */
    char big[8192];
    size_t n = 0;
    n += (size_t)snprintf(big + n, sizeof big - n, "[");
    for (int i = 0; i < 12; i++) {
        n += (size_t)snprintf(big + n, sizeof big - n, "%s{\"uri\":\"videos/%d/\",\"options\":{\"now\":1700000000}}",
                              i ? "," : "", i);
    }
    snprintf(big + n, sizeof big - n, "]");
    char *one = NULL, *two = NULL, *all = NULL, *many = NULL;
    CHECK_STATUS(qcdn_signer_sign_many_json(s, big, 1, &one), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign_many_json(s, big, 2, &two), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign_many_json(s, big, 0, &all), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign_many_json(s, big, 1000, &many), QCDN_OK, NULL);
    CHECK_STR_EQ(one, two);
    CHECK_STR_EQ(one, all);
    CHECK_STR_EQ(one, many);
    doc = cJSON_Parse(one);
    char *t11 = sign_one(s, "videos/11/", "{\"now\":1700000000}");
    CHECK_STR_EQ(str_of(cJSON_GetArrayItem(doc, 11), "token"), t11);
    cJSON_Delete(doc);
    qcdn_string_free(t11);
    qcdn_string_free(one);
    qcdn_string_free(two);
    qcdn_string_free(all);
    qcdn_string_free(many);

    char *empty = NULL;
    CHECK_STATUS(qcdn_signer_sign_many_json(s, "[]", 0, &empty), QCDN_OK, NULL);
    CHECK_STR_EQ(empty, "[]");
    qcdn_string_free(empty);

    /* A malformed batch fails the whole call; nothing is written. */
    char *out = SENTINEL;
    CHECK_STATUS(qcdn_signer_sign_many_json(s, "{not json", 0, &out), QCDN_ERR_INVALID_ARGUMENT, "not valid JSON");
    CHECK_STATUS(qcdn_signer_sign_many_json(s, "{\"uri\":\"a\"}", 0, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "must be a JSON array");
    CHECK_STATUS(qcdn_signer_sign_many_json(s, "[{\"uri\":\"a\"},7]", 0, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`items_json[1]` is not an object");
    CHECK_STATUS(qcdn_signer_sign_many_json(s, "[{\"options\":{}}]", 0, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`items_json[0]` has no string `uri`");
    CHECK_STATUS(qcdn_signer_sign_many_json(s, "[{\"uri\":null}]", 0, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "no string `uri`");
    CHECK_STATUS(qcdn_signer_sign_many_json(s, "[{\"uri\":\"a\",\"opts\":{}}]", 0, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "unknown member `opts`");
    CHECK_STATUS(qcdn_signer_sign_many_json(s, NULL, 0, &out), QCDN_ERR_INVALID_ARGUMENT, "`items_json` is NULL");
    CHECK_STATUS(qcdn_signer_sign_many_json(s, BAD_UTF8, 0, &out), QCDN_ERR_INVALID_ARGUMENT, "not valid UTF-8");
    CHECK_STATUS(qcdn_signer_sign_many_json(NULL, "[]", 0, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer` is NULL");
    CHECK_STATUS(qcdn_signer_sign_many_json(s, "[]", 0, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_json`");
    CHECK(out == SENTINEL);
}

/* ---- sign_many (structs) ------------------------------------------------------ */

static void test_sign_many_structs(qcdn_signer *s) {
    const char *uris[] = {"videos/a/", NULL, "/bad", BAD_UTF8, "videos/e/", "videos/f/"};
    qcdn_sign_options opts[6] = {{0}};
    for (int i = 0; i < 6; i++) opts[i].now = 1700000000;
    opts[4].expires_in = 600;
    opts[5].expires_in = -5; /* negative: that item's INVALID_ARGUMENT */
    char *tokens[6];
    qcdn_status statuses[6];
    for (int i = 0; i < 6; i++) {
        tokens[i] = SENTINEL;
        statuses[i] = (qcdn_status)12345;
    }
    CHECK_STATUS(qcdn_signer_sign_many(s, uris, opts, 6, 0, tokens, statuses), QCDN_OK, NULL);
    CHECK(statuses[0] == QCDN_OK && statuses[4] == QCDN_OK);
    CHECK(statuses[1] == QCDN_ERR_INVALID_ARGUMENT && tokens[1] == NULL); /* NULL uri */
    CHECK(statuses[2] == QCDN_ERR_INVALID_ARGUMENT && tokens[2] == NULL); /* leading slash */
    CHECK(statuses[3] == QCDN_ERR_INVALID_ARGUMENT && tokens[3] == NULL); /* invalid UTF-8 */
    CHECK(statuses[5] == QCDN_ERR_INVALID_ARGUMENT && tokens[5] == NULL); /* negative expires_in */
    char *a = NULL, *e = NULL;
    CHECK_STATUS(qcdn_signer_sign(s, "videos/a/", &opts[0], &a), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign(s, "videos/e/", &opts[4], &e), QCDN_OK, NULL);
    CHECK_STR_EQ(tokens[0], a);
    CHECK_STR_EQ(tokens[4], e);
    qcdn_string_free(a);
    qcdn_string_free(e);
    for (int i = 0; i < 6; i++) qcdn_string_free(tokens[i]);

    /* NULL options: the defaults for every item; one thread or several: the same. */
    const char *same[] = {"x/", "y/", "z/"};
    char *t1[3], *t2[3];
    qcdn_status s1[3], s2[3];
    CHECK_STATUS(qcdn_signer_sign_many(s, same, NULL, 3, 1, t1, s1), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign_many(s, same, NULL, 3, 3, t2, s2), QCDN_OK, NULL);
    for (int i = 0; i < 3; i++) {
        CHECK(s1[i] == QCDN_OK && s2[i] == QCDN_OK);
        qcdn_string_free(t1[i]);
        qcdn_string_free(t2[i]);
    }

    /* count 0: the arrays may be NULL. */
    CHECK_STATUS(qcdn_signer_sign_many(s, NULL, NULL, 0, 0, NULL, NULL), QCDN_OK, NULL);

    /* Errors of the call itself: nothing written. */
    char *untouched[2] = {SENTINEL, SENTINEL};
    qcdn_status unset[2] = {(qcdn_status)777, (qcdn_status)777};
    CHECK_STATUS(qcdn_signer_sign_many(s, NULL, NULL, 2, 0, untouched, unset), QCDN_ERR_INVALID_ARGUMENT,
                 "`uris` is NULL");
    CHECK_STATUS(qcdn_signer_sign_many(NULL, same, NULL, 2, 0, untouched, unset), QCDN_ERR_INVALID_ARGUMENT,
                 "`signer` is NULL");
    CHECK_STATUS(qcdn_signer_sign_many(s, same, NULL, 2, 0, NULL, unset), QCDN_ERR_INVALID_ARGUMENT, "`out_tokens`");
    CHECK_STATUS(qcdn_signer_sign_many(s, same, NULL, 2, 0, untouched, NULL), QCDN_ERR_INVALID_ARGUMENT,
                 "`out_statuses`");
    CHECK(untouched[0] == SENTINEL && untouched[1] == SENTINEL && unset[0] == 777 && unset[1] == 777);
}

/* ---- the cached signer ---------------------------------------------------------- */

static uint64_t cached_count(qcdn_signer *s) {
    uint64_t n = 999;
    CHECK_STATUS(qcdn_signer_cached_tokens(s, &n), QCDN_OK, NULL);
    return n;
}

static void test_cached(qcdn_signer *s) {
    qcdn_signer *cached = NULL;
    CHECK_STATUS(qcdn_signer_cached(s, 300, 0, true, &cached), QCDN_OK, NULL);
    if (cached == NULL) return;
    CHECK(cached_count(cached) == 0);
    char *a = sign_one(cached, "videos/a/", "{\"now\":1700000000}");
    char *b = sign_one(cached, "videos/a/", "{\"now\":1700000050}");
    char *c = sign_one(cached, "videos/a/", "{\"now\":1700000101}"); /* asked exp 1700003701: the next window */
    CHECK_STR_EQ(a, b);
    CHECK(a != NULL && c != NULL && strcmp(a, c) != 0);
    CHECK(cached_count(cached) == 2);
    /* exp is rounded up to the window: 1700000000 + 3600 -> 1700003700. */
    char *claims = NULL;
    CHECK_STATUS(qcdn_decode_unverified(a, &claims), QCDN_OK, NULL);
    CHECK(claims != NULL && strstr(claims, "\"exp\":1700003700") != NULL);
    qcdn_string_free(claims);

    /* Every signing path goes through the cache. */
    char *url = NULL;
    qcdn_sign_options o = {0};
    o.now = 1700000010;
    CHECK_STATUS(qcdn_signer_signed_storage_url(cached, "my-bucket", "us-west", "videos/a/", &o, &url), QCDN_OK, NULL);
    CHECK(url != NULL && a != NULL && strstr(url, a) != NULL);
    qcdn_string_free(url);
    const char *uris[] = {"videos/a/", "videos/b/"};
    char *tokens[2];
    qcdn_status statuses[2];
    qcdn_sign_options both[2] = {o, o};
    CHECK_STATUS(qcdn_signer_sign_many(cached, uris, both, 2, 0, tokens, statuses), QCDN_OK, NULL);
    CHECK_STR_EQ(tokens[0], a);
    CHECK(cached_count(cached) == 3);
    qcdn_string_free(tokens[0]);
    qcdn_string_free(tokens[1]);

    /* The original is left uncached and usable. */
    char *plain1 = sign_one(s, "videos/a/", "{\"now\":1700000000}");
    CHECK(cached_count(s) == 0);
    CHECK(plain1 != NULL && a != NULL && strcmp(plain1, a) != 0); /* exp 1700003600: not rounded */
    qcdn_string_free(plain1);

    /* A cached signer made from a cached one has only its own, new cache. */
    qcdn_signer *again = NULL;
    CHECK_STATUS(qcdn_signer_cached(cached, 60, 0, true, &again), QCDN_OK, NULL);
    CHECK(cached_count(again) == 0);
    qcdn_signer_free(again);
    qcdn_string_free(a);
    qcdn_string_free(b);
    qcdn_string_free(c);
    qcdn_signer_free(cached);

    /* Without cache_pinned_clock, pinned-clock calls are signed afresh. */
    CHECK_STATUS(qcdn_signer_cached(s, 300, 0, false, &cached), QCDN_OK, NULL);
    char *p = sign_one(cached, "videos/a/", "{\"now\":1700000000}");
    CHECK(cached_count(cached) == 0);
    char *plain = sign_one(s, "videos/a/", "{\"now\":1700000000}");
    CHECK_STR_EQ(p, plain); /* not rounded either */
    qcdn_string_free(p);
    qcdn_string_free(plain);
    /* The system clock is cached (a window of a day: two calls share one). */
    qcdn_signer_free(cached);
    CHECK_STATUS(qcdn_signer_cached(s, 86400, 0, false, &cached), QCDN_OK, NULL);
    char *x = sign_one(cached, "videos/x/", NULL);
    char *y = sign_one(cached, "videos/x/", NULL);
    CHECK_STR_EQ(x, y);
    CHECK(cached_count(cached) == 1);
    qcdn_string_free(x);
    qcdn_string_free(y);
    /* Tokens that never expire are never cached. */
    char *forever = sign_one(cached, "videos/x/", "{\"never_expires\":true}");
    CHECK(cached_count(cached) == 1);
    qcdn_string_free(forever);
    qcdn_signer_free(cached);

    /* The capacity bounds the cache. */
    CHECK_STATUS(qcdn_signer_cached(s, 60, 10, true, &cached), QCDN_OK, NULL);
    for (int i = 0; i < 20; i++) {
        char uri[32];
        snprintf(uri, sizeof uri, "videos/%d/", i);
        char *t = sign_one(cached, uri, "{\"now\":1700000000}");
        qcdn_string_free(t);
    }
    uint64_t held = cached_count(cached);
    CHECK(held > 0 && held <= 10);
    qcdn_signer_free(cached);

    /* Bad settings and arguments. */
    qcdn_signer *out = SENTINEL_SIGNER;
    CHECK_STATUS(qcdn_signer_cached(s, 0, 0, false, &out), QCDN_ERR_INVALID_ARGUMENT, "window");
    CHECK_STATUS(qcdn_signer_cached(s, 86401, 0, false, &out), QCDN_ERR_INVALID_ARGUMENT, "86400");
    CHECK_STATUS(qcdn_signer_cached(NULL, 60, 0, false, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer` is NULL");
    CHECK_STATUS(qcdn_signer_cached(s, 60, 0, false, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_signer`");
    CHECK(out == SENTINEL_SIGNER);
    uint64_t n = 4242;
    CHECK_STATUS(qcdn_signer_cached_tokens(NULL, &n), QCDN_ERR_INVALID_ARGUMENT, "`signer` is NULL");
    CHECK_STATUS(qcdn_signer_cached_tokens(s, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_count`");
    CHECK(n == 4242);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    size_t len = 0;
    unsigned char *key = read_repo_file("tests/keys/rsa2048.pkcs1.pem", &len);
    qcdn_signer *s = NULL;
    CHECK_STATUS(qcdn_signer_new("key-1", key, len, &s), QCDN_OK, NULL);
    free(key);
    if (s == NULL) return test_summary("test_scale");
    test_sign_many_json(s);
    test_sign_many_structs(s);
    test_cached(s);
    qcdn_signer_free(s);
    return test_summary("test_scale");
}
