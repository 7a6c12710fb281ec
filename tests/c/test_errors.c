/* Every bad input through the C ABI returns the right status and message,
 * never crashes, and leaves out-parameters untouched: NULL pointers, invalid
 * UTF-8, bad keys, small buffers, out-of-range enum values, bad options.
 * Usage: test_errors REPO_ROOT */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "test_util.h"

/* The ABI's sizes and field offsets on 64-bit targets; bindings-c/src/layout.rs
 * asserts the same numbers for the Rust definitions. */
_Static_assert(sizeof(qcdn_status) == 4, "qcdn_status is a uint32_t");
#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(qcdn_sign_options) == 48, "qcdn_sign_options size");
_Static_assert(offsetof(qcdn_sign_options, expires_at) == 8, "expires_at");
_Static_assert(offsetof(qcdn_sign_options, not_before) == 16, "not_before");
_Static_assert(offsetof(qcdn_sign_options, has_not_before) == 24, "has_not_before");
_Static_assert(offsetof(qcdn_sign_options, never_expires) == 25, "never_expires");
_Static_assert(offsetof(qcdn_sign_options, claims_json) == 32, "claims_json");
_Static_assert(offsetof(qcdn_sign_options, now) == 40, "now");
_Static_assert(sizeof(qcdn_verify_options) == 24, "qcdn_verify_options size");
_Static_assert(offsetof(qcdn_verify_options, leeway_secs) == 8, "leeway_secs");
_Static_assert(offsetof(qcdn_verify_options, now) == 16, "verify now");
_Static_assert(sizeof(qcdn_cookie_options) == 24, "qcdn_cookie_options size");
_Static_assert(offsetof(qcdn_cookie_options, same_site) == 16, "same_site");
_Static_assert(offsetof(qcdn_cookie_options, insecure) == 20, "insecure");
_Static_assert(offsetof(qcdn_cookie_options, script_readable) == 21, "script_readable");
_Static_assert(sizeof(qcdn_client_options) == 40, "qcdn_client_options size");
_Static_assert(offsetof(qcdn_client_options, connect_timeout_ms) == 16, "connect_timeout_ms");
_Static_assert(offsetof(qcdn_client_options, max_retries) == 24, "max_retries");
_Static_assert(offsetof(qcdn_client_options, no_retries) == 28, "no_retries");
_Static_assert(offsetof(qcdn_client_options, deadline_ms) == 32, "deadline_ms");
#endif

/* A sentinel that out-parameters must still hold after a failed call. */
static char sentinel_byte;
#define SENTINEL ((char *)&sentinel_byte)

static const char BAD_UTF8[] = {'a', (char)0xff, (char)0xfe, 'b', 0};

static unsigned char *key_2048;
static size_t key_2048_len;

static void test_status_names(void) {
    static const char *names[] = {"OK",
                                  "INVALID_ARGUMENT",
                                  "INVALID_KEY",
                                  "MALFORMED_TOKEN",
                                  "INVALID_SIGNATURE",
                                  "TOKEN_EXPIRED",
                                  "TOKEN_NOT_YET_VALID",
                                  "URI_MISMATCH",
                                  "UNKNOWN_KEY_ID",
                                  "UNAUTHORIZED",
                                  "NOT_FOUND",
                                  "RATE_LIMITED",
                                  "API_ERROR",
                                  "TRANSPORT",
                                  "TIMEOUT",
                                  "DECODE",
                                  "INTERNAL",
                                  "SIGNER_FAILED"};
    for (uint32_t i = 0; i < sizeof names / sizeof names[0]; i++) CHECK_STR_EQ(qcdn_status_str(i), names[i]);
    /* The fixed numbers of the header. */
    CHECK(QCDN_OK == 0);
    CHECK(QCDN_ERR_INVALID_ARGUMENT == 1);
    CHECK(QCDN_ERR_INVALID_KEY == 2);
    CHECK(QCDN_ERR_UNKNOWN_KEY_ID == 8);
    CHECK(QCDN_ERR_UNAUTHORIZED == 9);
    CHECK(QCDN_ERR_INTERNAL == 16);
    CHECK(QCDN_ERR_SIGNER_FAILED == 17);
    CHECK_STR_EQ(qcdn_status_str(18), "UNKNOWN");
    CHECK_STR_EQ(qcdn_status_str(UINT32_MAX), "UNKNOWN");
}

static void test_last_error_buffer(void) {
    qcdn_signer *out = NULL;
    CHECK_STATUS(qcdn_signer_new(NULL, key_2048, key_2048_len, &out), QCDN_ERR_INVALID_ARGUMENT, "`key_id` is NULL");
    const char *want = "INVALID_ARGUMENT: `key_id` is NULL but a string is required";
    size_t needed = 0;
    /* Size query. */
    CHECK_STATUS(qcdn_last_error_message(NULL, 0, &needed), QCDN_OK, NULL);
    CHECK(needed == strlen(want) + 1);
    /* Too small by one: refused, buffer untouched, size reported. */
    char small[256];
    memset(small, 'X', sizeof small);
    needed = 0;
    CHECK(qcdn_last_error_message(small, strlen(want), &needed) == QCDN_ERR_INVALID_ARGUMENT);
    CHECK(needed == strlen(want) + 1);
    CHECK(small[0] == 'X' && small[strlen(want) - 1] == 'X');
    /* NULL buffer with a length. */
    CHECK(qcdn_last_error_message(NULL, 10, NULL) == QCDN_ERR_INVALID_ARGUMENT);
    /* Exactly enough. */
    CHECK(qcdn_last_error_message(small, strlen(want) + 1, NULL) == QCDN_OK);
    CHECK_STR_EQ(small, want);
    /* Reading the message does not change it, and a later success keeps it. */
    char *url = NULL;
    CHECK(qcdn_live_playback_url("abc", NULL, &url) == QCDN_OK);
    qcdn_string_free(url);
    CHECK_STR_EQ(last_error(), want);
}

static void test_null_arguments(qcdn_signer *signer, qcdn_verifier *verifier) {
    char *out = SENTINEL;
    qcdn_signer *s_out = (qcdn_signer *)SENTINEL;
    qcdn_verifier *v_out = (qcdn_verifier *)SENTINEL;
    bool covers = true;

    CHECK_STATUS(qcdn_signer_new("k", key_2048, key_2048_len, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_signer`");
    CHECK_STATUS(qcdn_signer_new("k", NULL, 10, &s_out), QCDN_ERR_INVALID_ARGUMENT, "`key` is NULL");
    /* An empty buffer reaches the key parser: INVALID_KEY, as in every language
     * (conformance case keys/empty); only a NULL pointer is a C-level mistake. */
    CHECK_STATUS(qcdn_signer_new("k", key_2048, 0, &s_out), QCDN_ERR_INVALID_KEY, "INVALID_KEY: ");
    CHECK_STATUS(qcdn_signer_new("k", NULL, 0, &s_out), QCDN_ERR_INVALID_ARGUMENT, "`key` is NULL");
    CHECK(s_out == (qcdn_signer *)SENTINEL);

    CHECK_STATUS(qcdn_signer_sign(NULL, "u", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer` is NULL");
    CHECK_STATUS(qcdn_signer_sign(signer, NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`uri` is NULL");
    CHECK_STATUS(qcdn_signer_sign(signer, "u", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_token`");
    CHECK_STATUS(qcdn_signer_public_key_pem(NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer`");
    CHECK_STATUS(qcdn_signer_public_key_pem(signer, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_pem`");
    CHECK_STATUS(qcdn_signer_key_id(NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer`");
    CHECK_STATUS(qcdn_signer_key_id(signer, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_key_id`");

    CHECK_STATUS(qcdn_verifier_new(NULL, 5, &v_out), QCDN_ERR_INVALID_ARGUMENT, "`key` is NULL");
    CHECK_STATUS(qcdn_verifier_new(key_2048, key_2048_len, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_verifier`");
    CHECK_STATUS(qcdn_verifier_from_signer(NULL, &v_out), QCDN_ERR_INVALID_ARGUMENT, "`signer`");
    CHECK_STATUS(qcdn_verifier_from_signer(signer, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_verifier`");
    CHECK(v_out == (qcdn_verifier *)SENTINEL);
    CHECK_STATUS(qcdn_verifier_verify(NULL, "t", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`verifier`");
    CHECK_STATUS(qcdn_verifier_verify(verifier, NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`token`");
    CHECK_STATUS(qcdn_verifier_covers(NULL, "t", QCDN_RESOURCE_LIVE, "r", NULL, &covers), QCDN_ERR_INVALID_ARGUMENT,
                 "`verifier`");
    CHECK_STATUS(qcdn_verifier_covers(verifier, NULL, QCDN_RESOURCE_LIVE, "r", NULL, &covers),
                 QCDN_ERR_INVALID_ARGUMENT, "`token`");
    CHECK_STATUS(qcdn_verifier_covers(verifier, "t", QCDN_RESOURCE_LIVE, NULL, NULL, &covers),
                 QCDN_ERR_INVALID_ARGUMENT, "`resource`");
    CHECK_STATUS(qcdn_verifier_covers(verifier, "t", QCDN_RESOURCE_LIVE, "r", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT,
                 "`out_covers`");
    CHECK_STATUS(qcdn_verifier_explain(NULL, "u", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`verifier`");
    CHECK_STATUS(qcdn_verifier_explain(verifier, NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`url`");
    CHECK_STATUS(qcdn_verifier_explain(verifier, "u", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_json`");

    CHECK_STATUS(qcdn_live_playback_url(NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`playback_id`");
    CHECK_STATUS(qcdn_live_playback_url("abc", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_url`");
    CHECK_STATUS(qcdn_live_custom_domain_url(NULL, "abc", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`domain`");
    CHECK_STATUS(qcdn_live_custom_domain_url("a.example.com", NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`playback_id`");
    CHECK_STATUS(qcdn_storage_url(NULL, "us-west", "k", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`bucket`");
    CHECK_STATUS(qcdn_storage_url("b-1", NULL, "k", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`region`");
    CHECK_STATUS(qcdn_storage_url("b-1", "us-west", NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`key`");
    CHECK_STATUS(qcdn_storage_url("b-1", "us-west", "k", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_url`");
    CHECK_STATUS(qcdn_storage_custom_domain_url(NULL, "k", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`domain`");
    CHECK_STATUS(qcdn_storage_custom_domain_url("a.example.com", NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`key`");

    CHECK_STATUS(qcdn_signer_signed_live_url(NULL, "abc", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer`");
    CHECK_STATUS(qcdn_signer_signed_live_url(signer, NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`playback_id`");
    CHECK_STATUS(qcdn_signer_signed_live_url(signer, "abc", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_url`");
    CHECK_STATUS(qcdn_signer_signed_live_custom_domain_url(signer, NULL, "abc", NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`domain`");
    CHECK_STATUS(qcdn_signer_signed_storage_url(signer, "b-1", "us-west", NULL, NULL, &out),
                 QCDN_ERR_INVALID_ARGUMENT, "`key`");
    CHECK_STATUS(qcdn_signer_signed_storage_custom_domain_url(signer, "a.example.com", NULL, NULL, &out),
                 QCDN_ERR_INVALID_ARGUMENT, "`key`");
    CHECK_STATUS(qcdn_signer_sign_url(signer, NULL, "u", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`url`");
    CHECK_STATUS(qcdn_signer_sign_url(signer, "https://a.example.com/", NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`uri`");
    CHECK_STATUS(qcdn_signer_signed_cookie(NULL, "u", NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer`");
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, NULL, NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`uri`");
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "u", NULL, NULL, NULL), QCDN_ERR_INVALID_ARGUMENT,
                 "`out_set_cookie`");
    CHECK(out == SENTINEL);
    CHECK(covers);

    /* Every free function accepts NULL. */
    qcdn_signer_free(NULL);
    qcdn_verifier_free(NULL);
    qcdn_string_free(NULL);
    test_passed++;
}

static void test_bad_utf8(qcdn_signer *signer, qcdn_verifier *verifier) {
    char *out = SENTINEL;
    qcdn_signer *s_out = (qcdn_signer *)SENTINEL;
    bool covers = true;
    CHECK_STATUS(qcdn_signer_new(BAD_UTF8, key_2048, key_2048_len, &s_out), QCDN_ERR_INVALID_ARGUMENT,
                 "`key_id` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_sign(signer, BAD_UTF8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`uri` is not valid UTF-8");
    qcdn_sign_options o = {0};
    o.claims_json = BAD_UTF8;
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`options->claims_json` is not valid UTF-8");
    CHECK_STATUS(qcdn_verifier_verify(verifier, BAD_UTF8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`token` is not valid UTF-8");
    qcdn_verify_options vo = {0};
    vo.key_id = BAD_UTF8;
    CHECK_STATUS(qcdn_verifier_verify(verifier, "a.b.c", &vo, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`options->key_id` is not valid UTF-8");
    CHECK_STATUS(qcdn_verifier_covers(verifier, "a.b.c", QCDN_RESOURCE_STORAGE, BAD_UTF8, NULL, &covers),
                 QCDN_ERR_INVALID_ARGUMENT, "`resource` is not valid UTF-8");
    CHECK_STATUS(qcdn_verifier_explain(verifier, BAD_UTF8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`url` is not valid UTF-8");
    CHECK_STATUS(qcdn_live_playback_url(BAD_UTF8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`playback_id`");
    CHECK_STATUS(qcdn_live_playback_url("abc", BAD_UTF8, &out), QCDN_ERR_INVALID_ARGUMENT, "`token`");
    CHECK_STATUS(qcdn_live_custom_domain_url(BAD_UTF8, "abc", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`domain`");
    CHECK_STATUS(qcdn_storage_url("b-1", BAD_UTF8, "k", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`region`");
    CHECK_STATUS(qcdn_storage_custom_domain_url("a.example.com", BAD_UTF8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`key` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_signed_storage_url(signer, BAD_UTF8, "us-west", "k", NULL, &out),
                 QCDN_ERR_INVALID_ARGUMENT, "`bucket`");
    CHECK_STATUS(qcdn_signer_sign_url(signer, BAD_UTF8, "u", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`url`");
    qcdn_cookie_options co = {0};
    co.domain = BAD_UTF8;
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "u", NULL, &co, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`cookie_options->domain` is not valid UTF-8");
    co.domain = NULL;
    co.path = BAD_UTF8;
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "u", NULL, &co, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`cookie_options->path` is not valid UTF-8");
    /* Key bytes that are not UTF-8 and no DER either: the key parser's INVALID_KEY
     * (the bytes of qcdn_verifier_new are key material, not a C string). The JWK
     * text of qcdn_verifier_new_jwk is a string: bad UTF-8 there is test_json.c's. */
    const unsigned char jwk[] = {'{', '"', 0xff, '"', '}'};
    qcdn_verifier *v_out = (qcdn_verifier *)SENTINEL;
    CHECK_STATUS(qcdn_verifier_new(jwk, sizeof jwk, &v_out), QCDN_ERR_INVALID_KEY, "INVALID_KEY: ");
    CHECK(out == SENTINEL && s_out == (qcdn_signer *)SENTINEL && v_out == (qcdn_verifier *)SENTINEL && covers);
}

static void check_key_refused(const char *file, qcdn_status want, const char *fragment) {
    size_t len = 0;
    unsigned char *key = read_repo_file(file, &len);
    qcdn_signer *s = (qcdn_signer *)SENTINEL;
    CHECK_STATUS(qcdn_signer_new("k", key, len, &s), want, fragment);
    CHECK(s == (qcdn_signer *)SENTINEL);
    free(key);
}

static void test_bad_keys(void) {
    check_key_refused("tests/keys/rsa1024.pkcs1.pem", QCDN_ERR_INVALID_KEY, "INVALID_KEY: ");
    check_key_refused("tests/keys/ec-p256.pkcs8.pem", QCDN_ERR_INVALID_KEY, "INVALID_KEY: ");
    check_key_refused("tests/keys/ed25519.pem", QCDN_ERR_INVALID_KEY, "INVALID_KEY: ");
    check_key_refused("tests/keys/rsa2048.encrypted.pem", QCDN_ERR_INVALID_KEY, "INVALID_KEY: ");
    /* A public key is not a signing key. */
    check_key_refused("tests/keys/rsa2048.spki.pem", QCDN_ERR_INVALID_KEY, "INVALID_KEY: ");

    /* Garbage shaped like a PEM: the message never repeats the key bytes. */
    const char *garbage = "-----BEGIN RSA PRIVATE KEY-----\nU2VjcmV0S2V5Qnl0ZXNOb3RUb0JlRWNob2Vk\n"
                          "-----END RSA PRIVATE KEY-----\n";
    qcdn_signer *s = (qcdn_signer *)SENTINEL;
    CHECK_STATUS(qcdn_signer_new("k", (const uint8_t *)garbage, strlen(garbage), &s), QCDN_ERR_INVALID_KEY,
                 "INVALID_KEY: ");
    CHECK(strstr(last_error(), "U2VjcmV0S2V5") == NULL);
    /* A truncated real key: the message never contains a line of it. */
    size_t len = 0;
    unsigned char *key = read_repo_file("tests/keys/rsa2048.pkcs1.pem", &len);
    CHECK_STATUS(qcdn_signer_new("k", key, len / 2, &s), QCDN_ERR_INVALID_KEY, "INVALID_KEY: ");
    char line[40];
    memcpy(line, key + 40, 32);
    line[32] = 0;
    CHECK(strstr(last_error(), line) == NULL);
    free(key);
    /* Bytes that are no key at all. */
    const unsigned char zeros[64] = {0};
    CHECK_STATUS(qcdn_signer_new("k", zeros, sizeof zeros, &s), QCDN_ERR_INVALID_KEY, NULL);
    CHECK(s == (qcdn_signer *)SENTINEL);
    qcdn_verifier *v = (qcdn_verifier *)SENTINEL;
    CHECK_STATUS(qcdn_verifier_new(zeros, sizeof zeros, &v), QCDN_ERR_INVALID_KEY, NULL);
    CHECK(v == (qcdn_verifier *)SENTINEL);
    /* An empty key id. */
    CHECK_STATUS(qcdn_signer_new("", key_2048, key_2048_len, &s), QCDN_ERR_INVALID_ARGUMENT, "key id");
}

static void test_enum_ranges(qcdn_signer *signer, qcdn_verifier *verifier) {
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "abc", NULL, &token), QCDN_OK, NULL);
    bool covers = true;
    CHECK_STATUS(qcdn_verifier_covers(verifier, token, 2, "abc", NULL, &covers), QCDN_ERR_INVALID_ARGUMENT,
                 "`resource_kind` has the value 2, which is not one of 0, 1");
    CHECK_STATUS(qcdn_verifier_covers(verifier, token, UINT32_MAX, "abc", NULL, &covers), QCDN_ERR_INVALID_ARGUMENT,
                 "`resource_kind` has the value 4294967295");
    CHECK(covers);
    qcdn_cookie_options co = {0};
    co.same_site = 3;
    char *cookie = SENTINEL;
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "abc", NULL, &co, &cookie), QCDN_ERR_INVALID_ARGUMENT,
                 "`cookie_options->same_site` has the value 3");
    co.same_site = UINT32_MAX;
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "abc", NULL, &co, &cookie), QCDN_ERR_INVALID_ARGUMENT,
                 "same_site");
    CHECK(cookie == SENTINEL);
    qcdn_string_free(token);
}

static void test_bad_options(qcdn_signer *signer) {
    char *out = SENTINEL;
    qcdn_sign_options o = {0};
    o.expires_in = -5;
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "expires_in");
    o.expires_in = 0;
    o.expires_at = -1;
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "expires_at");
    o.expires_at = 0;
    o.never_expires = true;
    o.expires_in = 60;
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "never_expires");
    o = (qcdn_sign_options){0};
    o.now = 1700000000;
    o.expires_at = 1700000100;
    o.has_not_before = true;
    o.not_before = 1700000100;
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "before it becomes valid");
    o = (qcdn_sign_options){0};
    o.claims_json = "[1,2]";
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "must be a JSON object");
    o.claims_json = "{\"a\":";
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "not valid JSON");
    o.claims_json = "{\"exp\":1}";
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "`exp` cannot be a custom claim");
    o.claims_json = NULL;
    o.now = -1; /* the signer's rule, as in every language */
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "now must not be negative");
    o.now = 1700000000000LL; /* milliseconds */
    CHECK_STATUS(qcdn_signer_sign(signer, "u", &o, &out), QCDN_ERR_INVALID_ARGUMENT, "milliseconds");
    /* Cookie: SameSite=None without Secure, and a path with a `;`. */
    qcdn_cookie_options co = {0};
    co.same_site = QCDN_SAME_SITE_NONE;
    co.insecure = true;
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "u", NULL, &co, &out), QCDN_ERR_INVALID_ARGUMENT, "Secure");
    co = (qcdn_cookie_options){0};
    co.path = "/a;b";
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "u", NULL, &co, &out), QCDN_ERR_INVALID_ARGUMENT, "cookie path");
    co.path = NULL;
    co.domain = "not a domain";
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "u", NULL, &co, &out), QCDN_ERR_INVALID_ARGUMENT, "domain");
    CHECK(out == SENTINEL);
}

static void test_bad_url_parts(qcdn_signer *signer) {
    char *out = SENTINEL;
    CHECK_STATUS(qcdn_live_playback_url("", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "playback id");
    CHECK_STATUS(qcdn_live_playback_url("a/b", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "playback id");
    CHECK_STATUS(qcdn_live_playback_url("abc", "bad token&x=1", &out), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_live_custom_domain_url("localhost", "abc", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "two labels");
    CHECK_STATUS(qcdn_storage_url("my-bucket", "mars-1", "k", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "mars-1");
    CHECK_STATUS(qcdn_storage_url("Bad_Bucket!", "us-west", "k", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_storage_custom_domain_url("-bad-.example.com", "k", NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "domain");
    CHECK_STATUS(qcdn_signer_signed_live_url(signer, "a b", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "playback id");
    CHECK_STATUS(qcdn_signer_signed_storage_url(signer, "my-bucket", "us-east", "k", NULL, &out),
                 QCDN_ERR_INVALID_ARGUMENT, "us-east");
    CHECK(out == SENTINEL);
}

/* Random bytes (fixed seed; every other input printable ASCII, to get past the
 * UTF-8 check into the parsers) as keys, tokens, URLs and host parts: every
 * call returns a known status, never crashes (ASan/valgrind watch), and
 * writes its out-parameter only on QCDN_OK. */
static int random_failures;
static void check_random_result(qcdn_status st, char **out, int input) {
    if (st > QCDN_ERR_SIGNER_FAILED || (st != QCDN_OK && *out != SENTINEL) || (st == QCDN_OK && *out == SENTINEL)) {
        fprintf(stderr, "random input %d: status %u, out %s\n", input, (unsigned)st,
                *out == SENTINEL ? "untouched" : "written");
        random_failures++;
    }
    if (st == QCDN_OK) qcdn_string_free(*out);
    *out = SENTINEL;
}

static void test_random_inputs(qcdn_signer *signer, qcdn_verifier *verifier) {
    uint32_t state = 12345;
    for (int i = 0; i < 300; i++) {
        char buf[96];
        size_t n = 1 + (size_t)(i % 90);
        for (size_t j = 0; j < n; j++) {
            state = state * 1103515245u + 12345u;
            unsigned char c = (unsigned char)(state >> 16);
            if (i % 2 == 0) c = (unsigned char)(0x20 + c % 0x5f);
            buf[j] = c == 0 ? '.' : (char)c;
        }
        buf[n] = 0;
        if (i % 3 == 0 && n > 3) memcpy(buf, "eyJ", 3); /* looks like a token */
        if (i % 5 == 0 && n > 10) memcpy(buf, "https://", 8);
        char *out = SENTINEL;
        check_random_result(qcdn_verifier_verify(verifier, buf, NULL, &out), &out, i);
        check_random_result(qcdn_verifier_explain(verifier, buf, NULL, &out), &out, i);
        check_random_result(qcdn_storage_url(buf, "us-west", buf, NULL, &out), &out, i);
        check_random_result(qcdn_live_custom_domain_url(buf, buf, buf, &out), &out, i);
        check_random_result(qcdn_signer_sign_url(signer, buf, buf, NULL, &out), &out, i);
        qcdn_sign_options o = {0};
        o.claims_json = buf;
        check_random_result(qcdn_signer_sign(signer, "u", &o, &out), &out, i);
        qcdn_signer *s = (qcdn_signer *)SENTINEL;
        qcdn_status st = qcdn_signer_new("k", (const uint8_t *)buf, n, &s);
        if (st == QCDN_OK || s != (qcdn_signer *)SENTINEL) random_failures++;
        bool covers = true;
        st = qcdn_verifier_covers(verifier, buf, QCDN_RESOURCE_LIVE, buf, NULL, &covers);
        if (st == QCDN_OK || !covers) random_failures++;
    }
    CHECK(random_failures == 0);
}

/* Domain types and bucket policies as users write them, read by the core. */
static void test_enum_names(void) {
    uint32_t v = 99;
    CHECK_STATUS(qcdn_domain_type_parse("live", &v), QCDN_OK, NULL);
    CHECK(v == QCDN_DOMAIN_TYPE_LIVE);
    CHECK_STATUS(qcdn_domain_type_parse("STORAGE", &v), QCDN_OK, NULL);
    CHECK(v == QCDN_DOMAIN_TYPE_STORAGE);
    v = 99;
    CHECK_STATUS(qcdn_domain_type_parse("tape", &v), QCDN_ERR_INVALID_ARGUMENT, "live");
    CHECK_STATUS(qcdn_domain_type_parse(NULL, &v), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_domain_type_parse("live", NULL), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK(v == 99);
    CHECK_STATUS(qcdn_bucket_policy_parse("Authenticated", &v), QCDN_OK, NULL);
    CHECK(v == QCDN_BUCKET_POLICY_AUTHENTICATED);
    CHECK_STATUS(qcdn_bucket_policy_parse("public", &v), QCDN_OK, NULL);
    CHECK(v == QCDN_BUCKET_POLICY_PUBLIC);
    CHECK_STATUS(qcdn_bucket_policy_parse("private", &v), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK(v == QCDN_BUCKET_POLICY_PUBLIC);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    key_2048 = read_repo_file("tests/keys/rsa2048.pkcs1.pem", &key_2048_len);
    /* No failure yet on this thread: the message is empty. */
    size_t needed = 99;
    CHECK(qcdn_last_error_message(NULL, 0, &needed) == QCDN_OK && needed == 1);

    qcdn_signer *signer = NULL;
    CHECK_STATUS(qcdn_signer_new("key-1", key_2048, key_2048_len, &signer), QCDN_OK, NULL);
    qcdn_verifier *verifier = NULL;
    CHECK_STATUS(qcdn_verifier_from_signer(signer, &verifier), QCDN_OK, NULL);
    if (signer == NULL || verifier == NULL) return test_summary("test_errors");

    test_status_names();
    test_last_error_buffer();
    test_null_arguments(signer, verifier);
    test_bad_utf8(signer, verifier);
    test_bad_keys();
    test_enum_ranges(signer, verifier);
    test_enum_names();
    test_bad_options(signer);
    test_bad_url_parts(signer);
    test_random_inputs(signer, verifier);

    qcdn_verifier_free(verifier);
    qcdn_signer_free(signer);
    free(key_2048);
    return test_summary("test_errors");
}
