/* Streams through the C ABI (DESIGN §12): qcdn_stream_coverage on manifest
 * text (no I/O) and qcdn_stream_check against the emulator process, whose
 * live stream (POST /_emulator/media-streams) serves real HLS: a query token
 * covers the master playlist only (query_token_not_propagated), and with
 * propagate_token every request is served. NULL arguments, bad JSON and
 * unknown option keys are QCDN_ERR_INVALID_ARGUMENT with the out-parameter
 * untouched.
 * Usage: QCDN_EMULATOR_BIN=path/to/qencode-cdn-emulator test_stream REPO_ROOT */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "emulator.h"
#include "test_util.h"

static char sentinel_byte;
#define SENTINEL ((char *)&sentinel_byte)

static const char MASTER[] =
    "#EXTM3U\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=165000\n"
    "media_0.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=66000\n"
    "media_1.m3u8\n";

/* The report's findings, joined by commas ("" for none), into buf. */
static void findings_of(const cJSON *doc, char *buf, size_t len) {
    buf[0] = 0;
    const cJSON *f = NULL;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(doc, "findings")) {
        if (buf[0]) strncat(buf, ",", len - strlen(buf) - 1);
        strncat(buf, cJSON_GetStringValue(f), len - strlen(buf) - 1);
    }
}

static void test_coverage(void) {
    /* A token for the folder, in the master playlist's query. */
    qcdn_signer *signer = NULL;
    char key_path[1024];
    snprintf(key_path, sizeof key_path, "%s/tests/keys/rsa2048.pkcs1.pem", test_root);
    CHECK_STATUS(qcdn_signer_from_file("key-1", key_path, &signer), QCDN_OK, NULL);
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign_json(signer, "videos/intro/", NULL, &token), QCDN_OK, NULL);
    qcdn_signer_free(signer);
    char url[2048];
    snprintf(url, sizeof url, "https://my-bucket.media-storage.us-west.qencode.com/videos/intro/master.m3u8?auth=%s",
             token ? token : "");
    qcdn_string_free(token);
    char *json = NULL;
    CHECK_STATUS(qcdn_stream_coverage(url, MASTER, NULL, &json), QCDN_OK, NULL);
    cJSON *doc = cJSON_Parse(json);
    qcdn_string_free(json);
    CHECK(doc != NULL);
    char findings[256];
    findings_of(doc, findings, sizeof findings);
    CHECK_STR_EQ(findings, "query_token_not_propagated");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "ok")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "fetched")));
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "format")), "hls_master");
    const cJSON *requests = cJSON_GetObjectItemCaseSensitive(doc, "requests");
    CHECK(cJSON_GetArraySize(requests) == 3);
    const cJSON *master = cJSON_GetArrayItem(requests, 0);
    const cJSON *variant = cJSON_GetArrayItem(requests, 1);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(master, "covered")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(variant, "covered")));
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(variant, "url")),
                 "https://my-bucket.media-storage.us-west.qencode.com/videos/intro/media_0.m3u8");
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(variant, "status")));
    cJSON_Delete(doc);

    /* The options are the core's: snake_case keys, unknown ones refused. */
    CHECK_STATUS(qcdn_stream_coverage(url, MASTER, "{\"segments\": 2, \"stream\": \"storage\"}", &json), QCDN_OK, NULL);
    qcdn_string_free(json);
    json = SENTINEL;
    CHECK_STATUS(qcdn_stream_coverage(url, MASTER, "{\"segment\": 2}", &json), QCDN_ERR_INVALID_ARGUMENT, "segment");
    CHECK(json == SENTINEL);
    CHECK_STATUS(qcdn_stream_coverage(url, MASTER, "{\"segments\": \"2\"}", &json), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_stream_coverage(url, MASTER, "{\"stream\": \"vod\"}", &json), QCDN_ERR_INVALID_ARGUMENT, "stream");
    CHECK_STATUS(qcdn_stream_coverage(url, MASTER, "not json", &json), QCDN_ERR_INVALID_ARGUMENT, "not valid JSON");
    CHECK_STATUS(qcdn_stream_coverage(url, "<html></html>", NULL, &json), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_stream_coverage(NULL, MASTER, NULL, &json), QCDN_ERR_INVALID_ARGUMENT, "`manifest_url` is NULL");
    CHECK_STATUS(qcdn_stream_coverage(url, NULL, NULL, &json), QCDN_ERR_INVALID_ARGUMENT, "`manifest_text` is NULL");
    CHECK(json == SENTINEL);
    CHECK_STATUS(qcdn_stream_coverage(url, MASTER, NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "out_json");
}

static void test_check(void) {
    /* A live stream with media, and a signing key of the stream. */
    CHECK(admin_post("/_emulator/media-streams", "{\"stream_id\":\"stream-c\",\"playback_id\":\"pid-c\"}") == 0);
    qcdn_client_options o = {0};
    o.api_url = emulator_url;
    o.auth_url = emulator_url;
    o.timeout_ms = 10000;
    qcdn_client *client = NULL;
    CHECK_STATUS(qcdn_client_new(API_KEY, &o, &client), QCDN_OK, NULL);
    char *key = NULL;
    CHECK_STATUS(qcdn_client_create_signing_key(client, QCDN_SIGNING_KEY_TARGET_STREAM, "stream-c", &key), QCDN_OK, NULL);
    cJSON *key_doc = cJSON_Parse(key);
    qcdn_string_free(key);
    qcdn_client_free(client);
    const char *key_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(key_doc, "id"));
    const char *pem = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(key_doc, "private_key"));
    CHECK(key_id != NULL && pem != NULL);
    if (key_id == NULL || pem == NULL) {
        cJSON_Delete(key_doc);
        return;
    }
    qcdn_signer *signer = NULL;
    CHECK_STATUS(qcdn_signer_new(key_id, (const uint8_t *)pem, strlen(pem), &signer), QCDN_OK, NULL);
    cJSON_Delete(key_doc);
    char *signed_url = NULL;
    CHECK_STATUS(qcdn_signer_signed_live_url(signer, "pid-c", NULL, &signed_url), QCDN_OK, NULL);
    qcdn_signer_free(signer);
    /* The emulator's plain port: the same URL over http. */
    char url[2048];
    CHECK(signed_url != NULL && strncmp(signed_url, "https://", 8) == 0);
    snprintf(url, sizeof url, "http://%s", signed_url + 8);
    qcdn_string_free(signed_url);

    char options[256];
    snprintf(options, sizeof options, "{\"connect_to\": \"127.0.0.1:%d\", \"segments\": 1, \"timeout\": 10}",
             emulator_port);
    char *json = NULL;
    CHECK_STATUS(qcdn_stream_check(url, options, &json), QCDN_OK, NULL);
    cJSON *doc = cJSON_Parse(json);
    qcdn_string_free(json);
    char findings[256];
    findings_of(doc, findings, sizeof findings);
    CHECK_STR_EQ(findings, "query_token_not_propagated");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(doc, "ok")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "fetched")));
    const cJSON *requests = cJSON_GetObjectItemCaseSensitive(doc, "requests");
    CHECK(cJSON_GetArraySize(requests) == 3);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(requests, 0), "status")) == 200);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(requests, 1), "status")) == 403);
    cJSON_Delete(doc);

    /* The request modifier of docs/streaming.md: every request carries the token. */
    snprintf(options, sizeof options,
             "{\"connect_to\": \"127.0.0.1:%d\", \"segments\": 1, \"propagate_token\": true}", emulator_port);
    CHECK_STATUS(qcdn_stream_check(url, options, &json), QCDN_OK, NULL);
    doc = cJSON_Parse(json);
    qcdn_string_free(json);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(doc, "ok")));
    const cJSON *r = NULL;
    int segments = 0;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "requests")) {
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "status")) == 200);
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "kind")), "media_segment") == 0) segments++;
    }
    CHECK(segments == 2);
    cJSON_Delete(doc);

    /* No answer at all for the manifest: an error, not a report. */
    json = SENTINEL;
    CHECK_STATUS(qcdn_stream_check(url, "{\"connect_to\": \"127.0.0.1:1\", \"timeout\": 5}", &json),
                 QCDN_ERR_TRANSPORT, NULL);
    CHECK(json == SENTINEL);
    CHECK_STATUS(qcdn_stream_check(url, "{\"timeout\": 0}", &json), QCDN_ERR_INVALID_ARGUMENT, "timeout");
    CHECK_STATUS(qcdn_stream_check(url, "{\"connect\": \"x\"}", &json), QCDN_ERR_INVALID_ARGUMENT, "connect");
    CHECK_STATUS(qcdn_stream_check("not a url", NULL, &json), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_stream_check(NULL, NULL, &json), QCDN_ERR_INVALID_ARGUMENT, "`url` is NULL");
    CHECK(json == SENTINEL);
    CHECK_STATUS(qcdn_stream_check(url, NULL, NULL), QCDN_ERR_INVALID_ARGUMENT, "out_json");
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    test_coverage();
    if (start_emulator() != 0) {
        stop_emulator();
        fprintf(stderr, "cannot start the emulator\n");
        return 1;
    }
    test_check();
    stop_emulator();
    return test_summary("test_stream");
}
