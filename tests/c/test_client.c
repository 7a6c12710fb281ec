/* The management-API client through the C ABI, against the emulator started
 * as a process on port 0: every method, the JSON documents, the error
 * statuses (NOT_FOUND, UNAUTHORIZED, RATE_LIMITED, API_ERROR, DECODE,
 * TIMEOUT, TRANSPORT, INVALID_ARGUMENT), a new signing key used to sign, and
 * one client shared by several threads.
 * Usage: QCDN_EMULATOR_BIN=path/to/qencode-cdn-emulator test_client REPO_ROOT */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "emulator.h"
#include "test_util.h"

/* A sentinel that out-parameters must still hold after a failed call. */
static char sentinel_byte;
#define SENTINEL_JSON ((char *)&sentinel_byte)

/* Copies the string value of `"name":"…"` (raw, escapes kept) into buf. */
static bool json_string(const char *json, const char *name, char *buf, size_t len) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", name);
    const char *p = json ? strstr(json, pat) : NULL;
    if (p == NULL) return false;
    p += strlen(pat);
    size_t i = 0;
    while (p[i] != 0 && p[i] != '"' && i + 1 < len) {
        if (p[i] == '\\' && p[i + 1] != 0) {
            buf[i] = p[i];
            i++;
        }
        buf[i] = p[i];
        i++;
    }
    buf[i] = 0;
    return p[i] == '"';
}

static bool contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

static qcdn_client *new_client(const char *key, uint32_t timeout_ms, bool no_retries) {
    qcdn_client_options o = {0};
    o.api_url = emulator_url;
    o.auth_url = emulator_url;
    o.timeout_ms = timeout_ms;
    o.no_retries = no_retries;
    qcdn_client *c = NULL;
    CHECK_STATUS(qcdn_client_new(key, &o, &c), QCDN_OK, NULL);
    return c;
}

static void test_domains_and_tls(qcdn_client *c, char *domain_id, size_t id_len) {
    char *json = NULL;
    CHECK_STATUS(qcdn_client_create_domain(c, "cdn.example.com", QCDN_DOMAIN_TYPE_LIVE, &json), QCDN_OK, NULL);
    CHECK(contains(json, "\"domain_name\":\"cdn.example.com\""));
    CHECK(contains(json, "\"type\":\"live\""));
    CHECK(json_string(json, "id", domain_id, id_len));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_create_domain(c, "media.example.com", QCDN_DOMAIN_TYPE_STORAGE, NULL), QCDN_OK, NULL);

    CHECK_STATUS(qcdn_client_get_domain(c, domain_id, &json), QCDN_OK, NULL);
    CHECK(contains(json, domain_id));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_list_domains(c, QCDN_DOMAIN_TYPE_ANY, &json), QCDN_OK, NULL);
    CHECK(json != NULL && json[0] == '[' && contains(json, "cdn.example.com") && contains(json, "media.example.com"));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_list_domains(c, QCDN_DOMAIN_TYPE_STORAGE, &json), QCDN_OK, NULL);
    CHECK(contains(json, "media.example.com") && !contains(json, "cdn.example.com"));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_list_domains(c, QCDN_DOMAIN_TYPE_LIVE, NULL), QCDN_OK, NULL);

    char tls_id[128];
    CHECK_STATUS(qcdn_client_create_tls_subscription(c, domain_id, &json), QCDN_OK, NULL);
    CHECK(contains(json, "\"status\":\"pending\""));
    CHECK(json_string(json, "id", tls_id, sizeof tls_id));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_get_tls_subscription(c, tls_id, &json), QCDN_OK, NULL);
    CHECK(contains(json, domain_id));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_list_tls_subscriptions(c, &json), QCDN_OK, NULL);
    CHECK(contains(json, tls_id));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_delete_tls_subscription(c, tls_id, &json), QCDN_OK, NULL);
    CHECK_STR_EQ(json, "{\"status\":\"ok\"}");
    qcdn_string_free(json);
    json = SENTINEL_JSON;
    CHECK_STATUS(qcdn_client_get_tls_subscription(c, tls_id, &json), QCDN_ERR_NOT_FOUND, "HTTP 404");
    CHECK(json == SENTINEL_JSON);
}

static void test_signing_keys(qcdn_client *c, const char *domain_id) {
    char *json = NULL;
    char key_id[128];
    static char pem[8192];
    CHECK_STATUS(qcdn_client_create_signing_key(c, QCDN_SIGNING_KEY_TARGET_STREAM, "stream-1", &json), QCDN_OK, NULL);
    CHECK(contains(json, "\"stream_id\":\"stream-1\""));
    CHECK(json_string(json, "id", key_id, sizeof key_id));
    CHECK(json_string(json, "private_key", pem, sizeof pem));
    qcdn_string_free(json);

    /* The new key signs at once: its PEM arrives with JSON-escaped newlines
     * (literal \n), which the signer accepts as is. */
    qcdn_signer *signer = NULL;
    CHECK_STATUS(qcdn_signer_new(key_id, (const uint8_t *)pem, strlen(pem), &signer), QCDN_OK, NULL);
    char *url = NULL;
    CHECK_STATUS(qcdn_signer_signed_live_url(signer, "playback-1", NULL, &url), QCDN_OK, NULL);
    qcdn_verifier *verifier = NULL;
    CHECK_STATUS(qcdn_verifier_from_signer(signer, &verifier), QCDN_OK, NULL);
    char *verdict = NULL;
    CHECK_STATUS(qcdn_verifier_explain(verifier, url, NULL, &verdict), QCDN_OK, NULL);
    CHECK(contains(verdict, "\"ok\":true"));
    qcdn_string_free(verdict);
    qcdn_string_free(url);
    qcdn_verifier_free(verifier);
    qcdn_signer_free(signer);

    CHECK_STATUS(qcdn_client_get_signing_key(c, key_id, &json), QCDN_OK, NULL);
    CHECK(contains(json, key_id) && !contains(json, "private_key") && !contains(json, "PRIVATE KEY"));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_list_signing_keys(c, &json), QCDN_OK, NULL);
    CHECK(json != NULL && json[0] == '[' && contains(json, key_id) && !contains(json, "PRIVATE KEY"));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_rename_signing_key(c, key_id, "renamed key", &json), QCDN_OK, NULL);
    CHECK(contains(json, "\"name\":\"renamed key\""));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_delete_signing_key(c, key_id, &json), QCDN_OK, NULL);
    CHECK_STR_EQ(json, "{\"status\":\"ok\"}");
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_get_signing_key(c, key_id, NULL), QCDN_ERR_NOT_FOUND, "HTTP 404");

    CHECK_STATUS(qcdn_client_create_signing_key(c, QCDN_SIGNING_KEY_TARGET_DOMAIN, domain_id, &json), QCDN_OK, NULL);
    CHECK(contains(json, domain_id));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_create_signing_key(c, QCDN_SIGNING_KEY_TARGET_BUCKET, "my-bucket", &json), QCDN_OK, NULL);
    CHECK(contains(json, "my-bucket"));
    qcdn_string_free(json);
    json = NULL;
    CHECK_STATUS(qcdn_client_create_signing_key(c, QCDN_SIGNING_KEY_TARGET_DOMAIN, "no-such-domain", &json),
                 QCDN_ERR_NOT_FOUND, NULL);
    CHECK(json == NULL);
}

/* The number in the emulator's request counters for `route` (0 when absent). */
static double request_count(const char *route) {
    static char body[16384];
    if (admin_request("GET", "/_emulator/counters", NULL, body, sizeof body) != 200) return -1;
    cJSON *doc = cJSON_Parse(body);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "requests"), route);
    double count = cJSON_IsNumber(n) ? n->valuedouble : 0;
    cJSON_Delete(doc);
    return count;
}

/* Issue 11 item 9: the private key of a new signing key is returned once, so
 * a NULL out_json is refused before any request: no key is created. */
static void test_signing_key_needs_its_output(qcdn_client *c) {
    char *json = NULL;
    CHECK_STATUS(qcdn_client_list_signing_keys(c, &json), QCDN_OK, NULL);
    cJSON *before = cJSON_Parse(json);
    qcdn_string_free(json);
    double posts = request_count("POST /v1/signing-keys");
    CHECK(posts >= 1); /* test_signing_keys created some: the counter is the right one */
    CHECK_STATUS(qcdn_client_create_signing_key(c, QCDN_SIGNING_KEY_TARGET_BUCKET, "my-bucket", NULL),
                 QCDN_ERR_INVALID_ARGUMENT, "`out_json` is NULL");
    CHECK(strstr(last_error(), "no key was created") != NULL);
    CHECK_STATUS(qcdn_client_create_signing_key(c, QCDN_SIGNING_KEY_TARGET_STREAM, "stream-9", NULL),
                 QCDN_ERR_INVALID_ARGUMENT, "`out_json` is NULL");
    CHECK(request_count("POST /v1/signing-keys") == posts);
    json = NULL;
    CHECK_STATUS(qcdn_client_list_signing_keys(c, &json), QCDN_OK, NULL);
    cJSON *after = cJSON_Parse(json);
    qcdn_string_free(json);
    CHECK(before != NULL && after != NULL && cJSON_Compare(before, after, true));
    cJSON_Delete(before);
    cJSON_Delete(after);
}

/* This thread's qcdn_last_error_json, parsed. */
static cJSON *last_error_doc(void) {
    char *json = NULL;
    if (qcdn_last_error_json(&json) != QCDN_OK) return NULL;
    cJSON *doc = cJSON_Parse(json);
    qcdn_string_free(json);
    return doc;
}

/* A client made from JSON options, and the HTTP details of its errors. */
static void test_client_json_and_error_details(void) {
    char opts[256];
    snprintf(opts, sizeof opts, "{\"api_url\":\"%s\",\"auth_url\":\"%s\",\"max_retries\":0,\"timeout\":5}",
             emulator_url, emulator_url);
    qcdn_client *c = NULL;
    CHECK_STATUS(qcdn_client_new_json(API_KEY, opts, "java", &c), QCDN_OK, NULL);
    char *json = NULL;
    CHECK_STATUS(qcdn_client_create_domain(c, "json.example.com", QCDN_DOMAIN_TYPE_LIVE, &json), QCDN_OK, NULL);
    CHECK(contains(json, "\"domain_name\":\"json.example.com\""));
    qcdn_string_free(json);

    CHECK_STATUS(qcdn_client_get_domain(c, "no-such-domain", NULL), QCDN_ERR_NOT_FOUND, "HTTP 404");
    cJSON *doc = last_error_doc();
    CHECK(doc != NULL && strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "code")), "NOT_FOUND") == 0);
    CHECK(cJSON_GetObjectItemCaseSensitive(doc, "status_code")->valuedouble == QCDN_ERR_NOT_FOUND);
    CHECK(cJSON_GetObjectItemCaseSensitive(doc, "http_status")->valuedouble == 404);
    CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "body")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "retry_after")));
    CHECK(!contains(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "message")), API_KEY));
    cJSON_Delete(doc);

    CHECK(admin_post("/_emulator/faults", "{\"route\":\"GET /v1/domains\",\"times\":1,\"kind\":\"status\","
                                          "\"status\":429,\"retry_after\":2}") == 0);
    CHECK_STATUS(qcdn_client_list_domains(c, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_ERR_RATE_LIMITED, "HTTP 429");
    doc = last_error_doc();
    CHECK(cJSON_GetObjectItemCaseSensitive(doc, "http_status")->valuedouble == 429);
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "retry_after")) &&
          cJSON_GetObjectItemCaseSensitive(doc, "retry_after")->valuedouble == 2.0);
    cJSON_Delete(doc);

    /* A wrong key: UNAUTHORIZED, and neither the message nor the body holds it. */
    qcdn_client *wrong = NULL;
    CHECK_STATUS(qcdn_client_new_json("wrong-secret-api-key", opts, NULL, &wrong), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_client_list_domains(wrong, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_ERR_UNAUTHORIZED, NULL);
    json = NULL;
    CHECK(qcdn_last_error_json(&json) == QCDN_OK);
    CHECK(json != NULL && !contains(json, "wrong-secret-api-key"));
    qcdn_string_free(json);
    qcdn_client_free(wrong);
    qcdn_client_free(c);
}

static void test_buckets(qcdn_client *c) {
    char *json = NULL;
    CHECK_STATUS(qcdn_client_set_bucket_policy(c, "my-bucket", QCDN_BUCKET_POLICY_AUTHENTICATED, &json), QCDN_OK, NULL);
    CHECK_STR_EQ(json, "{\"status\":\"ok\"}");
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_set_bucket_policy(c, "my-bucket", QCDN_BUCKET_POLICY_PUBLIC, NULL), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_client_set_bucket_cors(
                     c, "my-bucket", "{\"Access-Control-Allow-Origin\":\"*\",\"Access-Control-Max-Age\":\"600\"}", NULL),
                 QCDN_OK, NULL);
    CHECK_STATUS(qcdn_client_get_bucket_cors(c, "my-bucket", &json), QCDN_OK, NULL);
    CHECK(contains(json, "\"Access-Control-Allow-Origin\":\"*\"") && contains(json, "Access-Control-Max-Age"));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_delete_bucket_cors_header(c, "my-bucket", "Access-Control-Max-Age", &json), QCDN_OK,
                 NULL);
    CHECK_STR_EQ(json, "{\"status\":\"ok\"}");
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_get_bucket_cors(c, "my-bucket", &json), QCDN_OK, NULL);
    CHECK(contains(json, "Access-Control-Allow-Origin") && !contains(json, "Access-Control-Max-Age"));
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_delete_bucket_cors(c, "my-bucket", &json), QCDN_OK, NULL);
    CHECK_STR_EQ(json, "{\"status\":\"ok\"}");
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_purge_bucket_cache(c, "my-bucket", &json), QCDN_OK, NULL);
    CHECK_STR_EQ(json, "{\"status\":\"ok\"}");
    qcdn_string_free(json);
    CHECK_STATUS(qcdn_client_purge_object_cache(c, "my-bucket", "videos/a.mp4", &json), QCDN_OK, NULL);
    CHECK_STR_EQ(json, "{\"status\":\"ok\"}");
    qcdn_string_free(json);
}

static void test_bad_arguments(qcdn_client *c) {
    char *json = SENTINEL_JSON;
    qcdn_client *out = NULL;
    CHECK_STATUS(qcdn_client_new(NULL, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`api_key` is NULL");
    CHECK_STATUS(qcdn_client_new(API_KEY, NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_client`");
    CHECK_STATUS(qcdn_client_new("", NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "empty");
    qcdn_client_options o = {0};
    o.api_url = "not a url";
    CHECK_STATUS(qcdn_client_new(API_KEY, &o, &out), QCDN_ERR_INVALID_ARGUMENT, "api_url");
    o.api_url = NULL;
    o.max_retries = 1000;
    CHECK_STATUS(qcdn_client_new(API_KEY, &o, &out), QCDN_ERR_INVALID_ARGUMENT, "max_retries");
    CHECK(out == NULL);
    const char bad_utf8[] = {'k', (char)0xc3, 0};
    CHECK_STATUS(qcdn_client_new(bad_utf8, NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`api_key` is not valid UTF-8");

    CHECK_STATUS(qcdn_client_get_domain(NULL, "x", &json), QCDN_ERR_INVALID_ARGUMENT, "`client` is NULL");
    CHECK_STATUS(qcdn_client_get_domain(c, NULL, &json), QCDN_ERR_INVALID_ARGUMENT, "`id` is NULL");
    CHECK_STATUS(qcdn_client_list_tls_subscriptions(NULL, &json), QCDN_ERR_INVALID_ARGUMENT, "`client`");
    CHECK_STATUS(qcdn_client_create_domain(c, "a.example.com", 3, &json), QCDN_ERR_INVALID_ARGUMENT,
                 "`domain_type` has the value 3");
    CHECK_STATUS(qcdn_client_create_domain(c, "a.example.com", QCDN_DOMAIN_TYPE_ANY, &json), QCDN_ERR_INVALID_ARGUMENT,
                 "QCDN_DOMAIN_TYPE_LIVE");
    CHECK_STATUS(qcdn_client_list_domains(c, UINT32_MAX, &json), QCDN_ERR_INVALID_ARGUMENT, "`domain_type`");
    CHECK_STATUS(qcdn_client_create_signing_key(c, 3, "s", &json), QCDN_ERR_INVALID_ARGUMENT, "`target_kind`");
    CHECK_STATUS(qcdn_client_create_signing_key(c, QCDN_SIGNING_KEY_TARGET_STREAM, NULL, &json),
                 QCDN_ERR_INVALID_ARGUMENT, "`target`");
    CHECK_STATUS(qcdn_client_set_bucket_policy(c, "my-bucket", 2, &json), QCDN_ERR_INVALID_ARGUMENT, "`policy`");
    CHECK_STATUS(qcdn_client_set_bucket_cors(c, "my-bucket", "{\"Access-Control-Max-Age\":600}", &json),
                 QCDN_ERR_INVALID_ARGUMENT, "`cors_json`");
    CHECK_STATUS(qcdn_client_set_bucket_cors(c, "my-bucket", NULL, &json), QCDN_ERR_INVALID_ARGUMENT, "`cors_json`");
    CHECK_STATUS(qcdn_client_rename_signing_key(c, "id", NULL, &json), QCDN_ERR_INVALID_ARGUMENT, "`name`");
    CHECK_STATUS(qcdn_client_purge_object_cache(c, "my-bucket", bad_utf8, &json), QCDN_ERR_INVALID_ARGUMENT,
                 "`path` is not valid UTF-8");
    CHECK(json == SENTINEL_JSON);
    qcdn_client_free(NULL);
    test_passed++;
}

static void test_http_errors(qcdn_client *c) {
    /* A wrong API key: UNAUTHORIZED, and the key is never in the message. */
    qcdn_client *wrong = new_client("wrong-secret-api-key", 0, true);
    CHECK_STATUS(qcdn_client_list_domains(wrong, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_ERR_UNAUTHORIZED, "HTTP 401");
    CHECK(!contains(last_error(), "wrong-secret-api-key"));
    qcdn_client_free(wrong);

    qcdn_client *once = new_client(API_KEY, 500, true);
    CHECK_STATUS(qcdn_client_list_domains(once, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_OK, NULL); /* caches the token */
    CHECK(admin_post("/_emulator/faults", "{\"route\":\"GET /v1/domains\",\"times\":1,\"kind\":\"status\","
                                          "\"status\":429,\"retry_after\":1}") == 0);
    CHECK_STATUS(qcdn_client_list_domains(once, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_ERR_RATE_LIMITED, "HTTP 429");
    CHECK(admin_post("/_emulator/faults", "{\"route\":\"GET /v1/domains\",\"times\":1,\"kind\":\"status\","
                                          "\"status\":500}") == 0);
    CHECK_STATUS(qcdn_client_list_domains(once, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_ERR_API_ERROR, "HTTP 500");
    CHECK(admin_post("/_emulator/faults", "{\"route\":\"GET /v1/domains\",\"times\":1,\"kind\":\"not_json\"}") == 0);
    CHECK_STATUS(qcdn_client_list_domains(once, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_ERR_DECODE, NULL);
    CHECK(admin_post("/_emulator/faults",
                     "{\"route\":\"GET /v1/domains\",\"times\":1,\"kind\":\"delay\",\"delay_ms\":3000}") == 0);
    CHECK_STATUS(qcdn_client_list_domains(once, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_ERR_TIMEOUT, NULL);
    qcdn_client_free(once);

    /* Retries absorb one 503 with the default settings. */
    CHECK(admin_post("/_emulator/faults", "{\"route\":\"GET /v1/tls/subscriptions\",\"times\":1,\"kind\":\"status\","
                                          "\"status\":503}") == 0);
    CHECK_STATUS(qcdn_client_list_tls_subscriptions(c, NULL), QCDN_OK, NULL);

    /* Nothing listening: TRANSPORT. */
    qcdn_client_options o = {0};
    o.api_url = "http://127.0.0.1:9";
    o.auth_url = "http://127.0.0.1:9";
    o.no_retries = true;
    qcdn_client *nowhere = NULL;
    CHECK_STATUS(qcdn_client_new(API_KEY, &o, &nowhere), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_client_list_domains(nowhere, QCDN_DOMAIN_TYPE_ANY, NULL), QCDN_ERR_TRANSPORT, NULL);
    qcdn_client_free(nowhere);
}

static qcdn_client *shared_client;
static void *list_worker(void *arg) {
    int *ok = arg;
    for (int i = 0; i < 5; i++) {
        char *json = NULL;
        if (qcdn_client_list_domains(shared_client, QCDN_DOMAIN_TYPE_ANY, &json) == QCDN_OK &&
            contains(json, "cdn.example.com"))
            (*ok)++;
        qcdn_string_free(json);
    }
    return NULL;
}

static void test_threads(qcdn_client *c) {
    shared_client = c;
    pthread_t t[4];
    int ok[4] = {0};
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&t[i], NULL, list_worker, &ok[i]) == 0);
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_join(t[i], NULL) == 0);
        CHECK(ok[i] == 5);
    }
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    if (start_emulator() != 0) {
        stop_emulator();
        fprintf(stderr, "cannot start the emulator\n");
        return 1;
    }
    qcdn_client *c = new_client(API_KEY, 10000, false);
    if (c != NULL) {
        char domain_id[128] = {0};
        test_domains_and_tls(c, domain_id, sizeof domain_id);
        test_signing_keys(c, domain_id);
        test_signing_key_needs_its_output(c);
        test_client_json_and_error_details();
        test_buckets(c);
        test_threads(c);
        test_bad_arguments(c);
        test_http_errors(c);
        char *json = NULL;
        CHECK_STATUS(qcdn_client_delete_domain(c, domain_id, &json), QCDN_OK, NULL);
        CHECK_STR_EQ(json, "{\"status\":\"ok\"}");
        qcdn_string_free(json);
        CHECK_STATUS(qcdn_client_get_domain(c, domain_id, NULL), QCDN_ERR_NOT_FOUND, "HTTP 404");
    }
    qcdn_client_free(c);
    stop_emulator();
    return test_summary("test_client");
}
