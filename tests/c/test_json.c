/* The functions other bindings (Java, C#, PHP, Ruby) build on, in real C:
 * signers from the environment and from files, key size and JWK, the
 * options-as-JSON variants of signing, URLs, cookies, verification and
 * explanations, verify_resource (the call for an authorisation decision),
 * decode, audit and the error details of qcdn_last_error_json — with NULL
 * arguments, invalid UTF-8, bad JSON options (unknown key, wrong type, null
 * lifetime: type_error), out-parameters untouched on failure, and threads.
 * Usage: test_json REPO_ROOT */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "test_util.h"

static char sentinel_byte;
#define SENTINEL ((char *)&sentinel_byte)
#define SENTINEL_SIGNER ((qcdn_signer *)&sentinel_byte)
#define SENTINEL_VERIFIER ((qcdn_verifier *)&sentinel_byte)
#define SENTINEL_CLIENT ((qcdn_client *)&sentinel_byte)

static const char BAD_UTF8[] = {'a', (char)0xff, (char)0xfe, 'b', 0};

/* This thread's qcdn_last_error_json, parsed (cJSON_Delete it). */
static cJSON *last_error_doc(void) {
    char *json = NULL;
    if (qcdn_last_error_json(&json) != QCDN_OK) return NULL;
    cJSON *doc = cJSON_Parse(json);
    qcdn_string_free(json);
    return doc;
}

static const char *doc_str(const cJSON *doc, const char *name) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, name));
}

/* Checks that the last failure is INVALID_ARGUMENT with this type_error flag. */
#define CHECK_TYPE_ERROR(want) check_type_error_at(__LINE__, (want))
static void check_type_error_at(int line, bool want) {
    cJSON *doc = last_error_doc();
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "type_error");
    if (doc != NULL && cJSON_IsBool(t) && cJSON_IsTrue(t) == want &&
        strcmp(doc_str(doc, "code"), "INVALID_ARGUMENT") == 0) {
        test_passed++;
    } else {
        test_failed++;
        fprintf(stderr, "%s:%d: type_error is not %s in the last error (%s)\n", __FILE__, line,
                want ? "true" : "false", last_error());
    }
    cJSON_Delete(doc);
}

static unsigned char *key_2048;
static size_t key_2048_len;

/* ---- qcdn_last_error_json ------------------------------------------------ */

static void *fresh_thread_error(void *arg) {
    cJSON **out = arg;
    *out = last_error_doc();
    return NULL;
}

static void test_last_error_json(void) {
    /* A thread where nothing failed yet: "OK". */
    cJSON *fresh = NULL;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, fresh_thread_error, &fresh) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_STR_EQ(doc_str(fresh, "code"), "OK");
    CHECK(cJSON_GetObjectItemCaseSensitive(fresh, "status_code") != NULL &&
          cJSON_GetObjectItemCaseSensitive(fresh, "status_code")->valuedouble == 0);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(fresh, "http_status")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(fresh, "type_error")));
    cJSON_Delete(fresh);

    /* After a failure: the code, its number, the message without the prefix. */
    qcdn_signer *s = SENTINEL_SIGNER;
    CHECK_STATUS(qcdn_signer_new("k", (const uint8_t *)"not a key", 9, &s), QCDN_ERR_INVALID_KEY, NULL);
    cJSON *doc = last_error_doc();
    CHECK_STR_EQ(doc_str(doc, "code"), "INVALID_KEY");
    CHECK(cJSON_GetObjectItemCaseSensitive(doc, "status_code")->valuedouble == QCDN_ERR_INVALID_KEY);
    char full[1024];
    snprintf(full, sizeof full, "INVALID_KEY: %s", doc_str(doc, "message") ? doc_str(doc, "message") : "");
    CHECK_STR_EQ(last_error(), full); /* "CODE: " + message == qcdn_last_error_message */
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "http_status")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "retry_after")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "body")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "request_id")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "type_error")));
    cJSON_Delete(doc);
    CHECK(s == SENTINEL_SIGNER);

    /* A NULL out-pointer is refused and does not replace the last error. */
    CHECK(qcdn_last_error_json(NULL) == QCDN_ERR_INVALID_ARGUMENT);
    CHECK_STR_EQ(last_error(), full);
    doc = last_error_doc();
    CHECK_STR_EQ(doc_str(doc, "code"), "INVALID_KEY");
    cJSON_Delete(doc);
}

/* ---- signers: environment, file, bits, JWK ------------------------------- */

static void test_signer_from_env(void) {
    qcdn_signer *s = SENTINEL_SIGNER;
    unsetenv("QENCODE_SIGNING_KEY");
    unsetenv("QENCODE_SIGNING_KEY_ID");
    CHECK_STATUS(qcdn_signer_from_env("key-1", &s), QCDN_ERR_INVALID_ARGUMENT, "QENCODE_SIGNING_KEY");
    CHECK(s == SENTINEL_SIGNER);
    setenv("QENCODE_SIGNING_KEY", (const char *)key_2048, 1);
    CHECK_STATUS(qcdn_signer_from_env(NULL, &s), QCDN_ERR_INVALID_ARGUMENT, "QENCODE_SIGNING_KEY_ID");
    CHECK(s == SENTINEL_SIGNER);
    /* The message names the variable, never the key. */
    CHECK(strstr(last_error(), "MII") == NULL);
    setenv("QENCODE_SIGNING_KEY_ID", " env-key \n", 1);
    s = NULL;
    CHECK_STATUS(qcdn_signer_from_env(NULL, &s), QCDN_OK, NULL);
    char *kid = NULL;
    CHECK_STATUS(qcdn_signer_key_id(s, &kid), QCDN_OK, NULL);
    CHECK_STR_EQ(kid, "env-key");
    qcdn_string_free(kid);
    qcdn_signer_free(s);
    s = NULL;
    CHECK_STATUS(qcdn_signer_from_env("arg-key", &s), QCDN_OK, NULL);
    kid = NULL;
    CHECK_STATUS(qcdn_signer_key_id(s, &kid), QCDN_OK, NULL);
    CHECK_STR_EQ(kid, "arg-key");
    qcdn_string_free(kid);
    qcdn_signer_free(s);
    s = SENTINEL_SIGNER;
    CHECK_STATUS(qcdn_signer_from_env(BAD_UTF8, &s), QCDN_ERR_INVALID_ARGUMENT, "`key_id` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_from_env(NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_signer`");
    setenv("QENCODE_SIGNING_KEY", "not a key", 1);
    CHECK_STATUS(qcdn_signer_from_env(NULL, &s), QCDN_ERR_INVALID_KEY, NULL);
    CHECK(strstr(last_error(), "not a key") == NULL);
    CHECK(s == SENTINEL_SIGNER);
    unsetenv("QENCODE_SIGNING_KEY");
    unsetenv("QENCODE_SIGNING_KEY_ID");
}

static void test_signer_from_file(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/keys/rsa2048.pkcs8.der", test_root);
    qcdn_signer *s = NULL;
    CHECK_STATUS(qcdn_signer_from_file("key-1", path, &s), QCDN_OK, NULL);
    uint32_t bits = 0;
    CHECK_STATUS(qcdn_signer_key_bits(s, &bits), QCDN_OK, NULL);
    CHECK(bits == 2048);
    /* The same key as the PKCS#1 PEM: the same token. */
    qcdn_signer *pem = NULL;
    CHECK_STATUS(qcdn_signer_new("key-1", key_2048, key_2048_len, &pem), QCDN_OK, NULL);
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    char *a = NULL, *b = NULL;
    CHECK_STATUS(qcdn_signer_sign(s, "abc", &o, &a), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign(pem, "abc", &o, &b), QCDN_OK, NULL);
    CHECK_STR_EQ(a, b);
    qcdn_string_free(a);
    qcdn_string_free(b);
    qcdn_signer_free(pem);
    qcdn_signer_free(s);

    snprintf(path, sizeof path, "%s/tests/keys/rsa4096.pkcs1.pem", test_root);
    s = NULL;
    CHECK_STATUS(qcdn_signer_from_file("key-4", path, &s), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_key_bits(s, &bits), QCDN_OK, NULL);
    CHECK(bits == 4096);
    qcdn_signer_free(s);

    /* A file name that is not UTF-8 is still a file name on POSIX. */
    char odd[256];
    snprintf(odd, sizeof odd, "/tmp/qcdn-key-%ld-\xff.pem", (long)getpid());
    FILE *f = fopen(odd, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fwrite(key_2048, 1, key_2048_len, f);
        fclose(f);
        s = NULL;
        CHECK_STATUS(qcdn_signer_from_file("key-1", odd, &s), QCDN_OK, NULL);
        qcdn_signer_free(s);
        remove(odd);
    }

    s = SENTINEL_SIGNER;
    CHECK_STATUS(qcdn_signer_from_file("key-1", "/no/such/key.pem", &s), QCDN_ERR_INVALID_ARGUMENT,
                 "/no/such/key.pem");
    snprintf(path, sizeof path, "%s/tests/keys/ec-p256.pkcs8.pem", test_root);
    CHECK_STATUS(qcdn_signer_from_file("key-1", path, &s), QCDN_ERR_INVALID_KEY, NULL);
    CHECK_STATUS(qcdn_signer_from_file(NULL, path, &s), QCDN_ERR_INVALID_ARGUMENT, "`key_id` is NULL");
    CHECK_STATUS(qcdn_signer_from_file("key-1", NULL, &s), QCDN_ERR_INVALID_ARGUMENT, "`path` is NULL");
    CHECK_STATUS(qcdn_signer_from_file("", path, &s), QCDN_ERR_INVALID_ARGUMENT, "key id");
    CHECK_STATUS(qcdn_signer_from_file("key-1", path, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_signer`");
    CHECK(s == SENTINEL_SIGNER);
}

static void test_bits_and_jwk(qcdn_signer *signer) {
    uint32_t bits = 7;
    CHECK_STATUS(qcdn_signer_key_bits(NULL, &bits), QCDN_ERR_INVALID_ARGUMENT, "`signer`");
    CHECK_STATUS(qcdn_signer_key_bits(signer, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_bits`");
    CHECK(bits == 7);
    char *jwk = SENTINEL;
    CHECK_STATUS(qcdn_signer_public_key_jwk(NULL, &jwk), QCDN_ERR_INVALID_ARGUMENT, "`signer`");
    CHECK_STATUS(qcdn_signer_public_key_jwk(signer, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_jwk`");
    CHECK(jwk == SENTINEL);
    jwk = NULL;
    CHECK_STATUS(qcdn_signer_public_key_jwk(signer, &jwk), QCDN_OK, NULL);
    cJSON *doc = cJSON_Parse(jwk);
    CHECK_STR_EQ(doc_str(doc, "kty"), "RSA");
    CHECK_STR_EQ(doc_str(doc, "kid"), "key-1");
    CHECK_STR_EQ(doc_str(doc, "alg"), "RS256");
    CHECK(doc_str(doc, "n") != NULL && doc_str(doc, "e") != NULL);
    CHECK(cJSON_GetObjectItemCaseSensitive(doc, "d") == NULL); /* public only */

    /* qcdn_verifier_new_jwk: its kid is the expected key id. */
    qcdn_verifier *v = NULL;
    CHECK_STATUS(qcdn_verifier_new_jwk(jwk, &v), QCDN_OK, NULL);
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "abc", &o, &token), QCDN_OK, NULL);
    qcdn_verify_options vo = {0};
    vo.now = 1700000000;
    CHECK_STATUS(qcdn_verifier_verify(v, token, &vo, NULL), QCDN_OK, NULL);
    qcdn_verifier_free(v);
    /* The same JWK with another kid refuses the token; qcdn_verifier_new
     * given the same text follows the same rule. */
    cJSON_ReplaceItemInObject(doc, "kid", cJSON_CreateString("other-key"));
    char *other = cJSON_PrintUnformatted(doc);
    v = NULL;
    CHECK_STATUS(qcdn_verifier_new_jwk(other, &v), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_verifier_verify(v, token, &vo, NULL), QCDN_ERR_UNKNOWN_KEY_ID, "other-key");
    qcdn_verifier_free(v);
    v = NULL;
    CHECK_STATUS(qcdn_verifier_new((const uint8_t *)other, strlen(other), &v), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_verifier_verify(v, token, &vo, NULL), QCDN_ERR_UNKNOWN_KEY_ID, "other-key");
    qcdn_verifier_free(v);
    cJSON_free(other);
    cJSON_Delete(doc);

    v = SENTINEL_VERIFIER;
    CHECK_STATUS(qcdn_verifier_new_jwk(NULL, &v), QCDN_ERR_INVALID_ARGUMENT, "`jwk` is NULL");
    CHECK_STATUS(qcdn_verifier_new_jwk(BAD_UTF8, &v), QCDN_ERR_INVALID_ARGUMENT, "`jwk` is not valid UTF-8");
    CHECK_STATUS(qcdn_verifier_new_jwk("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":\"AA\"}", &v),
                 QCDN_ERR_INVALID_KEY, NULL);
    CHECK_STATUS(qcdn_verifier_new_jwk(jwk, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_verifier`");
    CHECK(v == SENTINEL_VERIFIER);
    qcdn_string_free(jwk);
    qcdn_string_free(token);
}

/* ---- options as JSON ------------------------------------------------------ */

static void test_sign_json(qcdn_signer *signer) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    o.expires_in = 600;
    o.has_not_before = true;
    o.not_before = 1700000010;
    o.claims_json = "{\"viewer\":\"u-42\"}";
    char *from_struct = NULL, *from_json = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "videos/a/", &o, &from_struct), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "videos/a/",
                                       "{\"now\":1700000000,\"expires_in\":600,\"not_before\":1700000010,"
                                       "\"claims\":{\"viewer\":\"u-42\"}}",
                                       &from_json),
                 QCDN_OK, NULL);
    CHECK_STR_EQ(from_json, from_struct);
    qcdn_string_free(from_json);
    qcdn_string_free(from_struct);

    /* NULL options, "{}" and JSON null are the defaults (3600 s). */
    qcdn_sign_options d = {0};
    d.now = 1700000000;
    char *want = NULL, *got = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "abc", &d, &want), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"now\":1700000000}", &got), QCDN_OK, NULL);
    CHECK_STR_EQ(got, want);
    qcdn_string_free(got);
    got = NULL;
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", NULL, &got), QCDN_OK, NULL);
    CHECK(got != NULL && strncmp(got, "eyJ", 3) == 0);
    qcdn_string_free(got);
    got = NULL;
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "null", &got), QCDN_OK, NULL);
    qcdn_string_free(got);
    qcdn_string_free(want);
    /* never_expires by name. */
    got = NULL;
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"never_expires\":true}", &got), QCDN_OK, NULL);
    char *decoded = NULL;
    CHECK_STATUS(qcdn_decode_unverified(got, &decoded), QCDN_OK, NULL);
    CHECK(decoded != NULL && strstr(decoded, "\"exp\"") == NULL);
    qcdn_string_free(decoded);
    qcdn_string_free(got);

    /* The core decides every mistake; out_token is never written. */
    char *out = SENTINEL;
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"expires_inn\":600}", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "unknown sign option `expires_inn`");
    CHECK_TYPE_ERROR(false);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"expires_in\":\"600\"}", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "expires_in");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"expires_in\":null}", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "never_expires");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"expires_at\":null}", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "expires_at is null");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"expires_in\":0}", &out), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"expires_in\":60.5}", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "whole number");
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "[600]", &out), QCDN_ERR_INVALID_ARGUMENT, "object");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"expires_in\":", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`options_json` is not valid JSON");
    CHECK_TYPE_ERROR(false);
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", BAD_UTF8, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`options_json` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", "{\"expires_at\":1796144641000,\"now\":1700000000}", &out),
                 QCDN_ERR_INVALID_ARGUMENT, "milliseconds");
    CHECK_STATUS(qcdn_signer_sign_json(NULL, "abc", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`signer`");
    CHECK_STATUS(qcdn_signer_sign_json(signer, NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`uri`");
    CHECK_STATUS(qcdn_signer_sign_json(signer, BAD_UTF8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`uri`");
    CHECK_STATUS(qcdn_signer_sign_json(signer, "abc", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_token`");
    CHECK(out == SENTINEL);
}

static void test_urls_json(qcdn_signer *signer) {
    const char *opts_json = "{\"now\":1700000000,\"expires_in\":900}";
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    o.expires_in = 900;
    char *a = NULL, *b = NULL;
#define SAME_URL(struct_call, json_call)              \
    do {                                              \
        a = NULL;                                     \
        b = NULL;                                     \
        CHECK_STATUS(struct_call, QCDN_OK, NULL);     \
        CHECK_STATUS(json_call, QCDN_OK, NULL);       \
        CHECK_STR_EQ(b, a);                           \
        qcdn_string_free(a);                          \
        qcdn_string_free(b);                          \
    } while (0)
    SAME_URL(qcdn_signer_signed_live_url(signer, "abc123", &o, &a),
             qcdn_signer_signed_live_url_json(signer, "abc123", opts_json, &b));
    SAME_URL(qcdn_signer_signed_live_custom_domain_url(signer, "live.example.com", "abc123", &o, &a),
             qcdn_signer_signed_live_custom_domain_url_json(signer, "live.example.com", "abc123", opts_json, &b));
    SAME_URL(qcdn_signer_signed_storage_url(signer, "my-bucket", "us-west", "videos/a b.mp4", &o, &a),
             qcdn_signer_signed_storage_url_json(signer, "my-bucket", "us-west", "videos/a b.mp4", opts_json, &b));
    SAME_URL(qcdn_signer_signed_storage_custom_domain_url(signer, "media.example.com", "x.mp4", &o, &a),
             qcdn_signer_signed_storage_custom_domain_url_json(signer, "media.example.com", "x.mp4", opts_json, &b));
    SAME_URL(qcdn_signer_sign_url(signer, "https://a.example.com/x.mp4?q=1", "x.mp4", &o, &a),
             qcdn_signer_sign_url_json(signer, "https://a.example.com/x.mp4?q=1", "x.mp4", opts_json, &b));
#undef SAME_URL
    char *out = SENTINEL;
    CHECK_STATUS(qcdn_signer_signed_live_url_json(signer, "abc123", "{\"expiresIn\":600}", &out),
                 QCDN_ERR_INVALID_ARGUMENT, "unknown sign option `expiresIn`");
    CHECK_STATUS(qcdn_signer_signed_live_url_json(signer, "a b", NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "playback id");
    CHECK_STATUS(qcdn_signer_signed_live_custom_domain_url_json(signer, NULL, "abc", NULL, &out),
                 QCDN_ERR_INVALID_ARGUMENT, "`domain`");
    CHECK_STATUS(qcdn_signer_signed_storage_url_json(signer, "my-bucket", "mars", "k", NULL, &out),
                 QCDN_ERR_INVALID_ARGUMENT, "mars");
    CHECK_STATUS(qcdn_signer_signed_storage_url_json(signer, "my-bucket", "us-west", "k", "{\"now\":null,\"expires_in\":null}",
                                                     &out),
                 QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_signer_signed_storage_custom_domain_url_json(signer, "media.example.com", BAD_UTF8, NULL, &out),
                 QCDN_ERR_INVALID_ARGUMENT, "`key` is not valid UTF-8");
    CHECK_STATUS(qcdn_signer_sign_url_json(signer, "https://a.example.com/", "u", "{\"claims\":[1]}", &out),
                 QCDN_ERR_INVALID_ARGUMENT, "claims");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_signer_sign_url_json(signer, "https://a.example.com/", "u", NULL, NULL),
                 QCDN_ERR_INVALID_ARGUMENT, "`out_url`");
    CHECK(out == SENTINEL);
}

static void test_cookie_json(qcdn_signer *signer) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    qcdn_cookie_options co = {0};
    co.domain = "example.com";
    co.same_site = QCDN_SAME_SITE_STRICT;
    char *want = NULL, *got = NULL;
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "videos/a/", &o, &co, &want), QCDN_OK, NULL);
    const char *all = "{\"now\":1700000000,\"domain\":\"example.com\",\"same_site\":\"strict\"}";
    CHECK_STATUS(qcdn_signer_signed_cookie_json(signer, "videos/a/", all, &got), QCDN_OK, NULL);
    CHECK_STR_EQ(got, want);
    qcdn_string_free(got);

    char *fields = NULL;
    CHECK_STATUS(qcdn_signer_signed_cookie_fields_json(signer, "videos/a/", all, &fields), QCDN_OK, NULL);
    cJSON *doc = cJSON_Parse(fields);
    CHECK_STR_EQ(doc_str(doc, "name"), "Qencode-Auth-Token");
    CHECK_STR_EQ(doc_str(doc, "domain"), "example.com");
    CHECK_STR_EQ(doc_str(doc, "path"), "/videos/a/");
    CHECK_STR_EQ(doc_str(doc, "same_site"), "Strict");
    CHECK(cJSON_GetObjectItemCaseSensitive(doc, "max_age") != NULL &&
          cJSON_GetObjectItemCaseSensitive(doc, "max_age")->valuedouble == 3600);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "secure")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "http_only")));
    /* The header value is name=value plus the attributes of the fields. */
    char header_start[2048];
    snprintf(header_start, sizeof header_start, "Qencode-Auth-Token=%s; Domain=example.com; Path=/videos/a/",
             doc_str(doc, "value") ? doc_str(doc, "value") : "");
    CHECK(want != NULL && strncmp(want, header_start, strlen(header_start)) == 0);
    cJSON_Delete(doc);
    qcdn_string_free(fields);
    qcdn_string_free(want);

    /* A never-expiring token: a session cookie (max_age null). */
    fields = NULL;
    CHECK_STATUS(qcdn_signer_signed_cookie_fields_json(signer, "videos/a/", "{\"never_expires\":true,\"secure\":false}",
                                                       &fields),
                 QCDN_OK, NULL);
    doc = cJSON_Parse(fields);
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "max_age")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "domain")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "secure")));
    cJSON_Delete(doc);
    qcdn_string_free(fields);

    char *out = SENTINEL;
    CHECK_STATUS(qcdn_signer_signed_cookie_json(signer, "videos/a/", "{\"same_site\":\"sometimes\"}", &out),
                 QCDN_ERR_INVALID_ARGUMENT, "same_site");
    CHECK_STATUS(qcdn_signer_signed_cookie_json(signer, "videos/a/", "{\"secure\":\"yes\"}", &out),
                 QCDN_ERR_INVALID_ARGUMENT, "secure");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_signer_signed_cookie_json(signer, "videos/a/", "{\"domian\":\"example.com\"}", &out),
                 QCDN_ERR_INVALID_ARGUMENT, "domian");
    CHECK_TYPE_ERROR(false);
    CHECK_STATUS(qcdn_signer_signed_cookie_json(signer, "videos/a/", "{\"expires_in\":null}", &out),
                 QCDN_ERR_INVALID_ARGUMENT, "never_expires");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_signer_signed_cookie_json(signer, "videos/a/master.m3u8", NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "videos/a/");
    CHECK_STATUS(qcdn_signer_signed_cookie_json(signer, NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`uri`");
    CHECK_STATUS(qcdn_signer_signed_cookie_json(signer, "videos/a/", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT,
                 "`out_set_cookie`");
    CHECK_STATUS(qcdn_signer_signed_cookie_fields_json(NULL, "videos/a/", NULL, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`signer`");
    CHECK_STATUS(qcdn_signer_signed_cookie_fields_json(signer, "videos/a/", "{", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "not valid JSON");
    CHECK_STATUS(qcdn_signer_signed_cookie_fields_json(signer, "videos/a/", NULL, NULL), QCDN_ERR_INVALID_ARGUMENT,
                 "`out_json`");
    CHECK(out == SENTINEL);
}

/* ---- verification -------------------------------------------------------- */

/* The authorisation footgun of issue 11: a C caller that checks `== QCDN_OK`
 * must be refused for a resource its valid token does not cover. */
static bool may_serve(const qcdn_verifier *v, const char *token, uint32_t kind, const char *resource) {
    qcdn_verify_options vo = {0};
    vo.now = 1700000100;
    return qcdn_verifier_verify_resource(v, token, kind, resource, &vo, NULL) == QCDN_OK;
}

static void test_verify_resource(qcdn_signer *signer, qcdn_verifier *verifier) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    char *folder = NULL, *live = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "videos/a/", &o, &folder), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign(signer, "abc123", &o, &live), QCDN_OK, NULL);

    CHECK(may_serve(verifier, folder, QCDN_RESOURCE_STORAGE, "videos/a/seg-1.ts"));
    CHECK(!may_serve(verifier, folder, QCDN_RESOURCE_STORAGE, "videos/b/seg-1.ts"));
    CHECK(!may_serve(verifier, folder, QCDN_RESOURCE_STORAGE, "videos/"));
    CHECK(!may_serve(verifier, folder, QCDN_RESOURCE_STORAGE, "videos/a/../secret.mp4"));
    CHECK(!may_serve(verifier, folder, QCDN_RESOURCE_LIVE, "videos"));
    CHECK(may_serve(verifier, live, QCDN_RESOURCE_LIVE, "abc123"));
    CHECK(!may_serve(verifier, live, QCDN_RESOURCE_LIVE, "abc1234"));
    CHECK(!may_serve(verifier, "not-a-token", QCDN_RESOURCE_LIVE, "abc123"));

    /* The refusal is URI_MISMATCH with the reason, and out_claims_json is untouched. */
    qcdn_verify_options vo = {0};
    vo.now = 1700000100;
    char *claims = SENTINEL;
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, folder, QCDN_RESOURCE_STORAGE, "videos/b/x.mp4", &vo, &claims),
                 QCDN_ERR_URI_MISMATCH, "token covers `videos/a/` but the URL asks for `videos/b/x.mp4`");
    CHECK(claims == SENTINEL);
    claims = NULL;
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, folder, QCDN_RESOURCE_STORAGE, "videos/a/x.mp4", &vo, &claims),
                 QCDN_OK, NULL);
    CHECK(claims != NULL && strstr(claims, "\"uri\":\"videos/a/\"") != NULL);
    qcdn_string_free(claims);
    /* Verification failures come first. */
    vo.now = 1700003601;
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, folder, QCDN_RESOURCE_STORAGE, "videos/a/x.mp4", &vo, NULL),
                 QCDN_ERR_TOKEN_EXPIRED, NULL);
    vo.now = 1700000100;
    claims = SENTINEL;
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, folder, 2, "videos/a/x.mp4", &vo, &claims),
                 QCDN_ERR_INVALID_ARGUMENT, "`resource_kind` has the value 2");
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, folder, UINT32_MAX, "videos/a/x.mp4", &vo, &claims),
                 QCDN_ERR_INVALID_ARGUMENT, "`resource_kind`");
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, folder, QCDN_RESOURCE_STORAGE, NULL, &vo, &claims),
                 QCDN_ERR_INVALID_ARGUMENT, "`resource` is NULL");
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, folder, QCDN_RESOURCE_STORAGE, BAD_UTF8, &vo, &claims),
                 QCDN_ERR_INVALID_ARGUMENT, "`resource` is not valid UTF-8");
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, NULL, QCDN_RESOURCE_STORAGE, "k", &vo, &claims),
                 QCDN_ERR_INVALID_ARGUMENT, "`token`");
    CHECK_STATUS(qcdn_verifier_verify_resource(NULL, folder, QCDN_RESOURCE_STORAGE, "k", &vo, &claims),
                 QCDN_ERR_INVALID_ARGUMENT, "`verifier`");
    CHECK(claims == SENTINEL);
    qcdn_string_free(folder);
    qcdn_string_free(live);
}

static void test_verify_json(qcdn_signer *signer, qcdn_verifier *verifier) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    o.claims_json = "{\"tier\":3}";
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "videos/a/", &o, &token), QCDN_OK, NULL);
    char *json = NULL;
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, "{\"now\":1700000100}", &json), QCDN_OK, NULL);
    cJSON *doc = cJSON_Parse(json);
    CHECK_STR_EQ(doc_str(doc, "kid"), "key-1");
    const cJSON *claims = cJSON_GetObjectItemCaseSensitive(doc, "claims");
    CHECK_STR_EQ(doc_str(claims, "uri"), "videos/a/");
    CHECK(cJSON_GetObjectItemCaseSensitive(claims, "exp")->valuedouble == 1700003600);
    CHECK(cJSON_GetObjectItemCaseSensitive(claims, "tier")->valuedouble == 3);
    cJSON_Delete(doc);
    qcdn_string_free(json);

    json = NULL;
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token,
                                           "{\"now\":1700000100,\"resource\":{\"kind\":\"storage\",\"key\":\"videos/a/x\"}}",
                                           &json),
                 QCDN_OK, NULL);
    qcdn_string_free(json);
    char *out = SENTINEL;
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token,
                                           "{\"now\":1700000100,\"resource\":{\"kind\":\"storage\",\"key\":\"videos/b/x\"}}",
                                           &out),
                 QCDN_ERR_URI_MISMATCH, "videos/b/x");
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, "{\"now\":1700003601,\"leeway\":5}", &out),
                 QCDN_OK, NULL);
    qcdn_string_free(out);
    out = SENTINEL;
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, "{\"now\":1700003601}", &out), QCDN_ERR_TOKEN_EXPIRED,
                 NULL);
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, "{\"key_id\":\"key-2\",\"now\":1700000100}", &out),
                 QCDN_ERR_UNKNOWN_KEY_ID, "key-2");
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, "{\"leway\":5}", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "unknown verify option `leway`");
    CHECK_TYPE_ERROR(false);
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, "{\"leeway\":\"5\"}", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "leeway");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, "{\"resource\":{\"kind\":\"tape\"}}", &out),
                 QCDN_ERR_INVALID_ARGUMENT, "resource");
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, "{\"now\":", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "not valid JSON");
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, BAD_UTF8, &out), QCDN_ERR_INVALID_ARGUMENT,
                 "`options_json` is not valid UTF-8");
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, BAD_UTF8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`token`");
    CHECK_STATUS(qcdn_verifier_verify_json(NULL, token, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`verifier`");
    CHECK_STATUS(qcdn_verifier_verify_json(verifier, token, NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_json`");
    CHECK(out == SENTINEL);
    qcdn_string_free(token);
}

static void test_explain_json(qcdn_signer *signer, qcdn_verifier *verifier) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    char *url = NULL, *token = NULL;
    CHECK_STATUS(qcdn_signer_signed_storage_url(signer, "my-bucket", "us-west", "videos/a", &o, &url), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign(signer, "", &o, &token), QCDN_OK, NULL);
    char *json = NULL;
    CHECK_STATUS(qcdn_verifier_explain_json(verifier, url, "{\"now\":1700000100}", &json), QCDN_OK, NULL);
    cJSON *doc = cJSON_Parse(json);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "ok")));
    /* `videos/a` is a plain prefix: the audit warns in the explanation. */
    const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "warnings"), 0);
    CHECK_STR_EQ(doc_str(w, "code"), "PREFIX_COVERS_SIBLINGS");
    cJSON_Delete(doc);
    qcdn_string_free(json);
    json = NULL;
    CHECK_STATUS(qcdn_verifier_explain_json(verifier, url, "{\"now\":1700007200}", &json), QCDN_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"ok\":false") != NULL && strstr(json, "expired") != NULL);
    qcdn_string_free(json);

    json = NULL;
    CHECK_STATUS(qcdn_verifier_explain_token(verifier, token, "{\"now\":1700000100}", &json), QCDN_OK, NULL);
    doc = cJSON_Parse(json);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "ok")));
    CHECK_STR_EQ(doc_str(doc, "url"), "");
    CHECK_STR_EQ(doc_str(doc, "key_id"), "key-1");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "checks")) == 6);
    w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "warnings"), 0);
    CHECK_STR_EQ(doc_str(w, "code"), "WHOLE_BUCKET");
    cJSON_Delete(doc);
    qcdn_string_free(json);
    json = NULL;
    CHECK_STATUS(qcdn_verifier_explain_token(verifier, token,
                                             "{\"now\":1700000100,\"resource\":{\"kind\":\"live\",\"playback_id\":\"x\"}}",
                                             &json),
                 QCDN_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"ok\":false") != NULL && strstr(json, "\"name\":\"resource\"") != NULL);
    qcdn_string_free(json);
    json = NULL;
    CHECK_STATUS(qcdn_verifier_explain_token(verifier, "garbage", NULL, &json), QCDN_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"ok\":false") != NULL);
    qcdn_string_free(json);

    char *out = SENTINEL;
    CHECK_STATUS(qcdn_verifier_explain_json(verifier, url, "{\"nowww\":1}", &out), QCDN_ERR_INVALID_ARGUMENT, "nowww");
    CHECK_STATUS(qcdn_verifier_explain_token(verifier, token, "{\"now\":\"soon\"}", &out), QCDN_ERR_INVALID_ARGUMENT,
                 "now");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_verifier_explain_token(verifier, NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`token`");
    CHECK_STATUS(qcdn_verifier_explain_token(NULL, token, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`verifier`");
    CHECK_STATUS(qcdn_verifier_explain_token(verifier, token, NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_json`");
    CHECK_STATUS(qcdn_verifier_explain_json(verifier, BAD_UTF8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`url`");
    CHECK_STATUS(qcdn_verifier_explain_json(verifier, url, NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_json`");
    CHECK(out == SENTINEL);
    qcdn_string_free(url);
    qcdn_string_free(token);
}

static void test_decode_and_audit(qcdn_signer *signer) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    o.never_expires = true;
    o.claims_json = "{\"viewer\":\"u-1\"}";
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "", &o, &token), QCDN_OK, NULL);
    char *json = NULL;
    CHECK_STATUS(qcdn_decode_unverified(token, &json), QCDN_OK, NULL);
    cJSON *doc = cJSON_Parse(json);
    const cJSON *header = cJSON_GetObjectItemCaseSensitive(doc, "header");
    CHECK_STR_EQ(doc_str(header, "alg"), "RS256");
    CHECK_STR_EQ(doc_str(header, "kid"), "key-1");
    CHECK_STR_EQ(doc_str(cJSON_GetObjectItemCaseSensitive(doc, "claims"), "viewer"), "u-1");
    cJSON_Delete(doc);
    qcdn_string_free(json);

    json = NULL;
    CHECK_STATUS(qcdn_audit(token, 1700000000, &json), QCDN_OK, NULL);
    doc = cJSON_Parse(json);
    const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(doc, "warnings");
    CHECK(cJSON_GetArraySize(warnings) == 2);
    CHECK_STR_EQ(doc_str(cJSON_GetArrayItem(warnings, 0), "code"), "WHOLE_BUCKET");
    CHECK_STR_EQ(doc_str(cJSON_GetArrayItem(warnings, 1), "code"), "NEVER_EXPIRES");
    CHECK(doc_str(cJSON_GetArrayItem(warnings, 0), "message") != NULL);
    cJSON_Delete(doc);
    qcdn_string_free(json);
    json = NULL;
    CHECK_STATUS(qcdn_audit(token, 0, &json), QCDN_OK, NULL); /* the system clock */
    qcdn_string_free(json);

    char *out = SENTINEL;
    CHECK_STATUS(qcdn_decode_unverified("a.b", &out), QCDN_ERR_MALFORMED_TOKEN, "three parts");
    CHECK_STATUS(qcdn_decode_unverified(NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`token` is NULL");
    CHECK_STATUS(qcdn_decode_unverified(BAD_UTF8, &out), QCDN_ERR_INVALID_ARGUMENT, "`token` is not valid UTF-8");
    CHECK_STATUS(qcdn_decode_unverified(token, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_json`");
    CHECK_STATUS(qcdn_audit("a.b", 1700000000, &out), QCDN_ERR_MALFORMED_TOKEN, NULL);
    CHECK_STATUS(qcdn_audit(NULL, 1700000000, &out), QCDN_ERR_INVALID_ARGUMENT, "`token`");
    CHECK_STATUS(qcdn_audit(token, 1700000000, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_json`");
    CHECK(out == SENTINEL);
    qcdn_string_free(token);
}

/* ---- client construction (no I/O; the calls are in test_client.c) --------- */

static void test_client_new_json(void) {
    qcdn_client *c = SENTINEL_CLIENT;
    unsetenv("QENCODE_API_KEY");
    CHECK_STATUS(qcdn_client_new_json(NULL, NULL, NULL, &c), QCDN_ERR_INVALID_ARGUMENT, "QENCODE_API_KEY");
    CHECK(c == SENTINEL_CLIENT);
    setenv("QENCODE_API_KEY", " secret-env-key\n", 1);
    c = NULL;
    CHECK_STATUS(qcdn_client_new_json(NULL, NULL, NULL, &c), QCDN_OK, NULL);
    qcdn_client_free(c);
    c = NULL;
    CHECK_STATUS(qcdn_client_new_json(NULL, "{\"timeout\":2.5,\"max_retries\":0,\"api_url\":\"http://127.0.0.1:9\"}",
                                      "java", &c),
                 QCDN_OK, NULL);
    qcdn_client_free(c);
    unsetenv("QENCODE_API_KEY");

    c = SENTINEL_CLIENT;
    CHECK_STATUS(qcdn_client_new_json("k", "{\"timeuot\":1}", NULL, &c), QCDN_ERR_INVALID_ARGUMENT,
                 "unknown client option `timeuot`");
    CHECK_TYPE_ERROR(false);
    CHECK_STATUS(qcdn_client_new_json("k", "{\"timeout\":\"5\"}", NULL, &c), QCDN_ERR_INVALID_ARGUMENT, "timeout");
    CHECK_TYPE_ERROR(true);
    CHECK_STATUS(qcdn_client_new_json("k", "{\"timeout\":0}", NULL, &c), QCDN_ERR_INVALID_ARGUMENT, "timeout");
    CHECK_STATUS(qcdn_client_new_json("k", "{\"max_retries\":-1}", NULL, &c), QCDN_ERR_INVALID_ARGUMENT,
                 "max_retries");
    CHECK_STATUS(qcdn_client_new_json("k", "{\"max_retries\":11}", NULL, &c), QCDN_ERR_INVALID_ARGUMENT,
                 "max_retries");
    CHECK_STATUS(qcdn_client_new_json("k", "{\"api_url\":\"not a url\"}", NULL, &c), QCDN_ERR_INVALID_ARGUMENT,
                 "api_url");
    CHECK_STATUS(qcdn_client_new_json("k", "{", NULL, &c), QCDN_ERR_INVALID_ARGUMENT, "not valid JSON");
    CHECK_STATUS(qcdn_client_new_json("k", NULL, "a(b)", &c), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_client_new_json("k", NULL, BAD_UTF8, &c), QCDN_ERR_INVALID_ARGUMENT, "`binding`");
    CHECK_STATUS(qcdn_client_new_json(BAD_UTF8, NULL, NULL, &c), QCDN_ERR_INVALID_ARGUMENT, "`api_key`");
    CHECK_STATUS(qcdn_client_new_json("", NULL, NULL, &c), QCDN_ERR_INVALID_ARGUMENT, "empty");
    CHECK_STATUS(qcdn_client_new_json("secret-api-key with space", NULL, NULL, &c), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK(strstr(last_error(), "secret-api-key") == NULL);
    CHECK_STATUS(qcdn_client_new_json("k", NULL, NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_client`");
    CHECK(c == SENTINEL_CLIENT);
}

/* ---- every string parameter of the new functions: NULL and invalid UTF-8 -- */

static void test_null_and_bad_utf8(qcdn_signer *signer, qcdn_verifier *verifier) {
    char *out = SENTINEL;
    qcdn_signer *s = SENTINEL_SIGNER;
    qcdn_client *c = SENTINEL_CLIENT;
    const qcdn_status bad = QCDN_ERR_INVALID_ARGUMENT;
#define BAD(call, fragment) CHECK_STATUS(call, bad, fragment)
    BAD(qcdn_signer_from_file(BAD_UTF8, "/tmp/k.pem", &s), "`key_id` is not valid UTF-8");
    BAD(qcdn_signer_signed_live_url_json(signer, BAD_UTF8, NULL, &out), "`playback_id` is not valid UTF-8");
    BAD(qcdn_signer_signed_live_url_json(NULL, "abc", NULL, &out), "`signer` is NULL");
    BAD(qcdn_signer_signed_live_url_json(signer, "abc", BAD_UTF8, &out), "`options_json` is not valid UTF-8");
    BAD(qcdn_signer_signed_live_url_json(signer, "abc", NULL, NULL), "`out_url`");
    BAD(qcdn_signer_signed_live_custom_domain_url_json(signer, "a.example.com", BAD_UTF8, NULL, &out),
        "`playback_id` is not valid UTF-8");
    BAD(qcdn_signer_signed_live_custom_domain_url_json(signer, BAD_UTF8, "abc", NULL, &out),
        "`domain` is not valid UTF-8");
    BAD(qcdn_signer_signed_storage_url_json(signer, BAD_UTF8, "us-west", "k", NULL, &out), "`bucket` is not valid UTF-8");
    BAD(qcdn_signer_signed_storage_url_json(signer, "b-1", BAD_UTF8, "k", NULL, &out), "`region` is not valid UTF-8");
    BAD(qcdn_signer_signed_storage_url_json(signer, "b-1", "us-west", NULL, NULL, &out), "`key` is NULL");
    BAD(qcdn_signer_signed_storage_custom_domain_url_json(signer, NULL, "k", NULL, &out), "`domain` is NULL");
    BAD(qcdn_signer_sign_url_json(signer, BAD_UTF8, "u", NULL, &out), "`url` is not valid UTF-8");
    BAD(qcdn_signer_sign_url_json(signer, "https://a.example.com/", BAD_UTF8, NULL, &out), "`uri` is not valid UTF-8");
    BAD(qcdn_signer_signed_cookie_json(signer, BAD_UTF8, NULL, &out), "`uri` is not valid UTF-8");
    BAD(qcdn_signer_signed_cookie_json(signer, "videos/a/", BAD_UTF8, &out), "`options_json` is not valid UTF-8");
    BAD(qcdn_signer_signed_cookie_fields_json(signer, BAD_UTF8, NULL, &out), "`uri` is not valid UTF-8");
    BAD(qcdn_verifier_explain_json(NULL, "https://a.example.com/", NULL, &out), "`verifier` is NULL");
    BAD(qcdn_verifier_explain_json(verifier, "https://a.example.com/", BAD_UTF8, &out),
        "`options_json` is not valid UTF-8");
    BAD(qcdn_verifier_explain_token(verifier, BAD_UTF8, NULL, &out), "`token` is not valid UTF-8");
    BAD(qcdn_verifier_explain_token(verifier, "a.b.c", BAD_UTF8, &out), "`options_json` is not valid UTF-8");
    BAD(qcdn_audit(BAD_UTF8, 1700000000, &out), "`token` is not valid UTF-8");
    BAD(qcdn_client_new_json("k", BAD_UTF8, NULL, &c), "`options_json` is not valid UTF-8");
#undef BAD
    CHECK(out == SENTINEL && s == SENTINEL_SIGNER && c == SENTINEL_CLIENT);
}

/* ---- threads --------------------------------------------------------------- */

#define THREADS 6
#define ROUNDS 20
static qcdn_signer *shared_signer;
static qcdn_verifier *shared_verifier;

struct worker {
    int index;
    int failed;
};

/* Each thread signs and verifies through the JSON functions and makes its own
 * typed mistake; its qcdn_last_error_json names that mistake only. */
static void *worker(void *arg) {
    struct worker *w = arg;
    char opts[128], uri[64], bad[128];
    snprintf(uri, sizeof uri, "videos/t%d/", w->index);
    snprintf(opts, sizeof opts, "{\"now\":1700000000,\"expires_in\":%d}", 600 + w->index);
    snprintf(bad, sizeof bad, "{\"expires_in\":\"thread-%d\"}", w->index);
    for (int r = 0; r < ROUNDS; r++) {
        char *token = NULL, *claims = NULL, *out = SENTINEL;
        if (qcdn_signer_sign_json(shared_signer, uri, opts, &token) != QCDN_OK) w->failed++;
        if (qcdn_verifier_verify_json(shared_verifier, token,
                                      "{\"now\":1700000001,\"resource\":{\"kind\":\"storage\",\"key\":\"videos/\"}}",
                                      &claims) != QCDN_ERR_URI_MISMATCH)
            w->failed++;
        char seg[96];
        snprintf(seg, sizeof seg, "%sseg-%d.ts", uri, r);
        qcdn_verify_options vo = {0};
        vo.now = 1700000001;
        if (qcdn_verifier_verify_resource(shared_verifier, token, QCDN_RESOURCE_STORAGE, seg, &vo, &claims) != QCDN_OK)
            w->failed++;
        qcdn_string_free(claims);
        qcdn_string_free(token);
        if (qcdn_signer_sign_json(shared_signer, uri, bad, &out) != QCDN_ERR_INVALID_ARGUMENT || out != SENTINEL)
            w->failed++;
        cJSON *doc = last_error_doc();
        const char *msg = doc_str(doc, "message");
        /* The message names the option, not the value; this thread's mistake
         * is its own: the type error, not the other threads' URI_MISMATCH. */
        if (doc == NULL || strcmp(doc_str(doc, "code"), "INVALID_ARGUMENT") != 0 ||
            !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "type_error")) || msg == NULL ||
            strstr(msg, "expires_in") == NULL)
            w->failed++;
        cJSON_Delete(doc);
    }
    return NULL;
}

static void test_threads(qcdn_signer *signer, qcdn_verifier *verifier) {
    shared_signer = signer;
    shared_verifier = verifier;
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.index = i};
        CHECK(pthread_create(&t[i], NULL, worker, &w[i]) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_join(t[i], NULL) == 0);
        CHECK(w[i].failed == 0);
    }
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    key_2048 = read_repo_file("tests/keys/rsa2048.pkcs1.pem", &key_2048_len);
    qcdn_signer *signer = NULL;
    CHECK_STATUS(qcdn_signer_new("key-1", key_2048, key_2048_len, &signer), QCDN_OK, NULL);
    qcdn_verifier *verifier = NULL;
    CHECK_STATUS(qcdn_verifier_from_signer(signer, &verifier), QCDN_OK, NULL);
    if (signer == NULL || verifier == NULL) return test_summary("test_json");

    test_last_error_json();
    test_signer_from_env();
    test_signer_from_file();
    test_bits_and_jwk(signer);
    test_sign_json(signer);
    test_urls_json(signer);
    test_cookie_json(signer);
    test_verify_resource(signer, verifier);
    test_verify_json(signer, verifier);
    test_explain_json(signer, verifier);
    test_decode_and_audit(signer);
    test_client_new_json();
    test_null_and_bad_utf8(signer, verifier);
    test_threads(signer, verifier);

    qcdn_verifier_free(verifier);
    qcdn_signer_free(signer);
    free(key_2048);
    return test_summary("test_json");
}
