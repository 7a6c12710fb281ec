/* Signing, verifying, URLs and cookies through the C ABI: every function's
 * success path and the struct conventions (zero = default, never_expires by
 * name). The exact token bytes are the `sign` cases of tests/conformance, run
 * by test_conformance.c. Usage: test_sign REPO_ROOT   (built by tests/suites/20-c.sh) */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "test_util.h"

#ifndef EXPECTED_VERSION
#error "build with -DEXPECTED_VERSION=\"x.y.z\" taken from Cargo.toml"
#endif

static qcdn_signer *load_signer(const char *kid, const char *key_file, qcdn_status *status) {
    size_t len = 0;
    unsigned char *key = read_repo_file(key_file, &len);
    qcdn_signer *signer = NULL;
    *status = qcdn_signer_new(kid, key, len, &signer);
    free(key);
    return signer;
}

static void test_version(void) {
    char macros[64];
    snprintf(macros, sizeof macros, "%d.%d.%d", QCDN_VERSION_MAJOR, QCDN_VERSION_MINOR, QCDN_VERSION_PATCH);
    CHECK_STR_EQ(qcdn_version(), macros);
    CHECK_STR_EQ(qcdn_version(), EXPECTED_VERSION);
}

/* Returns the integer after `"name":` in a JSON text, or -1. */
static long long json_int(const char *json, const char *name) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", name);
    const char *p = json ? strstr(json, pat) : NULL;
    return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static void test_defaults_and_expiry(qcdn_signer *signer, qcdn_verifier *verifier) {
    /* A zero-initialised struct, qcdn_sign_options_default() and NULL all
     * mean "expires in 3600 s". */
    qcdn_sign_options zero = {0};
    zero.now = 1700000000;
    qcdn_sign_options def = qcdn_sign_options_default();
    CHECK(def.expires_in == 3600);
    CHECK(!def.never_expires);
    def.now = 1700000000;
    char *a = NULL, *b = NULL, *c = NULL, *claims = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "abc", &zero, &a), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign(signer, "abc", &def, &b), QCDN_OK, NULL);
    CHECK_STR_EQ(a, b);
    qcdn_verify_options vo = {0};
    vo.now = 1700000000;
    CHECK_STATUS(qcdn_verifier_verify(verifier, a, &vo, &claims), QCDN_OK, NULL);
    CHECK(json_int(claims, "exp") == 1700003600);
    qcdn_string_free(claims);
    claims = NULL;

    CHECK_STATUS(qcdn_signer_sign(signer, "abc", NULL, &c), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_verifier_verify(verifier, c, NULL, &claims), QCDN_OK, NULL);
    long long exp = json_int(claims, "exp");
    CHECK(exp > 1700000000); /* the system clock plus 3600 s */
    qcdn_string_free(claims);
    claims = NULL;

    /* never_expires: no exp at all, only when asked. */
    qcdn_sign_options never = {0};
    never.never_expires = true;
    char *forever = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "abc", &never, &forever), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_verifier_verify(verifier, forever, NULL, &claims), QCDN_OK, NULL);
    CHECK(claims != NULL && strstr(claims, "\"exp\"") == NULL);
    CHECK(claims != NULL && strstr(claims, "\"uri\":\"abc\"") != NULL);
    qcdn_string_free(claims);
    qcdn_string_free(forever);
    qcdn_string_free(a);
    qcdn_string_free(b);
    qcdn_string_free(c);
}

static void test_verifier(qcdn_signer *signer, qcdn_verifier *verifier) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    o.expires_in = 600;
    o.has_not_before = true;
    o.not_before = 1700000100;
    o.claims_json = "{\"viewer\":\"u-42\"}";
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "videos/a/", &o, &token), QCDN_OK, NULL);

    qcdn_verify_options vo = {0};
    vo.now = 1700000200;
    char *claims = NULL;
    CHECK_STATUS(qcdn_verifier_verify(verifier, token, &vo, &claims), QCDN_OK, NULL);
    CHECK(claims != NULL && strstr(claims, "\"kid\":\"key-1\"") != NULL);
    CHECK(claims != NULL && strstr(claims, "\"viewer\":\"u-42\"") != NULL);
    CHECK(json_int(claims, "nbf") == 1700000100);
    qcdn_string_free(claims);

    /* Time checks, with and without leeway. */
    vo.now = 1700000050;
    CHECK_STATUS(qcdn_verifier_verify(verifier, token, &vo, NULL), QCDN_ERR_TOKEN_NOT_YET_VALID, "not valid until");
    vo.leeway_secs = 60;
    CHECK_STATUS(qcdn_verifier_verify(verifier, token, &vo, NULL), QCDN_OK, NULL);
    vo.leeway_secs = 0;
    vo.now = 1700000601;
    CHECK_STATUS(qcdn_verifier_verify(verifier, token, &vo, NULL), QCDN_ERR_TOKEN_EXPIRED, "expired");
    vo.now = 1700000200;

    /* Key id. */
    vo.key_id = "another-key";
    CHECK_STATUS(qcdn_verifier_verify(verifier, token, &vo, NULL), QCDN_ERR_UNKNOWN_KEY_ID, "another-key");
    vo.key_id = NULL;

    /* The resource: a storage prefix, live equality. verify_resource returns
     * QCDN_OK only when the token covers it. */
    char *covered = NULL;
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, token, QCDN_RESOURCE_STORAGE, "videos/a/x.mp4", &vo, &covered),
                 QCDN_OK, NULL);
    CHECK(covered != NULL && strstr(covered, "\"uri\":\"videos/a/\"") != NULL);
    qcdn_string_free(covered);
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, token, QCDN_RESOURCE_STORAGE, "/videos/a/x.mp4", &vo, NULL),
                 QCDN_OK, NULL);
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, token, QCDN_RESOURCE_STORAGE, "/videos/b/x.mp4", &vo, NULL),
                 QCDN_ERR_URI_MISMATCH, "videos/b/x.mp4");
    CHECK_STATUS(qcdn_verifier_verify_resource(verifier, token, QCDN_RESOURCE_LIVE, "videos", &vo, NULL),
                 QCDN_ERR_URI_MISMATCH, NULL);
    /* The deprecated qcdn_verifier_covers keeps its old answers. */
    bool covers = false;
    CHECK_STATUS(qcdn_verifier_covers(verifier, token, QCDN_RESOURCE_STORAGE, "videos/a/x.mp4", &vo, &covers),
                 QCDN_OK, NULL);
    CHECK(covers);
    covers = true;
    CHECK_STATUS(qcdn_verifier_covers(verifier, token, QCDN_RESOURCE_STORAGE, "/videos/b/x.mp4", &vo, &covers),
                 QCDN_OK, NULL);
    CHECK(!covers);

    /* Tampering and garbage. */
    size_t n = strlen(token);
    char *tampered = malloc(n + 1);
    memcpy(tampered, token, n + 1);
    tampered[n - 3] = tampered[n - 3] == 'A' ? 'B' : 'A';
    CHECK_STATUS(qcdn_verifier_verify(verifier, tampered, &vo, NULL), QCDN_ERR_INVALID_SIGNATURE, "signature");
    free(tampered);
    CHECK_STATUS(qcdn_verifier_verify(verifier, "not-a-token", &vo, NULL), QCDN_ERR_MALFORMED_TOKEN, "three parts");
    CHECK_STATUS(qcdn_verifier_verify(verifier, "", &vo, NULL), QCDN_ERR_MALFORMED_TOKEN, "empty");

    /* A verifier from the public key file, and one from the wrong key. */
    size_t len = 0;
    unsigned char *pub = read_repo_file("tests/keys/rsa2048.spki.pem", &len);
    qcdn_verifier *from_pem = NULL;
    CHECK_STATUS(qcdn_verifier_new(pub, len, &from_pem), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_verifier_verify(from_pem, token, &vo, NULL), QCDN_OK, NULL);
    vo.key_id = "key-1";
    CHECK_STATUS(qcdn_verifier_verify(from_pem, token, &vo, NULL), QCDN_OK, NULL);
    vo.key_id = NULL;
    qcdn_verifier_free(from_pem);
    free(pub);
    unsigned char *der = read_repo_file("tests/keys/rsa2048.spki.der", &len);
    qcdn_verifier *from_der = NULL;
    CHECK_STATUS(qcdn_verifier_new(der, len, &from_der), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_verifier_verify(from_der, token, &vo, NULL), QCDN_OK, NULL);
    qcdn_verifier_free(from_der);
    free(der);
    unsigned char *other = read_repo_file("tests/keys/rsa4096-b.spki.pem", &len);
    qcdn_verifier *wrong = NULL;
    CHECK_STATUS(qcdn_verifier_new(other, len, &wrong), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_verifier_verify(wrong, token, &vo, NULL), QCDN_ERR_INVALID_SIGNATURE, "does not match");
    qcdn_verifier_free(wrong);
    free(other);

    /* The public key PEM round-trips to the SPKI file. */
    char *pem = NULL;
    CHECK_STATUS(qcdn_signer_public_key_pem(signer, &pem), QCDN_OK, NULL);
    unsigned char *spki = read_repo_file("tests/keys/rsa2048.spki.pem", &len);
    CHECK(pem != NULL && strncmp(pem, (const char *)spki, strlen(pem) < len ? strlen(pem) : len) == 0);
    CHECK(pem != NULL && strncmp(pem, "-----BEGIN PUBLIC KEY-----", 26) == 0);
    free(spki);
    qcdn_string_free(pem);
    char *kid = NULL;
    CHECK_STATUS(qcdn_signer_key_id(signer, &kid), QCDN_OK, NULL);
    CHECK_STR_EQ(kid, "key-1");
    qcdn_string_free(kid);
    qcdn_string_free(token);
}

static void test_urls(void) {
    char *url = NULL;
    CHECK_STATUS(qcdn_live_playback_url("abc123", NULL, &url), QCDN_OK, NULL);
    CHECK_STR_EQ(url, "https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8");
    qcdn_string_free(url);
    CHECK_STATUS(qcdn_live_playback_url("abc123", "h.p.s", &url), QCDN_OK, NULL);
    CHECK_STR_EQ(url, "https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=h.p.s");
    qcdn_string_free(url);
    CHECK_STATUS(qcdn_live_custom_domain_url("live.example.com", "abc123", NULL, &url), QCDN_OK, NULL);
    CHECK_STR_EQ(url, "https://live.example.com/abc123.m3u8");
    qcdn_string_free(url);
    CHECK_STATUS(qcdn_storage_url("my-bucket", "us-west", "videos/a b.mp4", NULL, &url), QCDN_OK, NULL);
    CHECK_STR_EQ(url, "https://my-bucket.media-storage.us-west.qencode.com/videos/a%20b.mp4");
    qcdn_string_free(url);
    CHECK_STATUS(qcdn_storage_url("my-bucket", "eu-central", "x.mp4", "h.p.s", &url), QCDN_OK, NULL);
    CHECK_STR_EQ(url, "https://my-bucket.media-storage.eu-central.qencode.com/x.mp4?auth=h.p.s");
    qcdn_string_free(url);
    CHECK_STATUS(qcdn_storage_custom_domain_url("media.example.com", "/a/\xc3\xbc.mp4", NULL, &url), QCDN_OK, NULL);
    CHECK_STR_EQ(url, "https://media.example.com/a/%C3%BC.mp4");
    qcdn_string_free(url);
}

static void check_explained_ok(qcdn_verifier *verifier, const char *url) {
    char *json = NULL;
    CHECK_STATUS(qcdn_verifier_explain(verifier, url, NULL, &json), QCDN_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"ok\":true") != NULL);
    if (json != NULL && strstr(json, "\"ok\":true") == NULL) fprintf(stderr, "explain: %s\n", json);
    qcdn_string_free(json);
}

static void test_signed_urls(qcdn_signer *signer, qcdn_verifier *verifier) {
    char *url = NULL;
    CHECK_STATUS(qcdn_signer_signed_live_url(signer, "abc123", NULL, &url), QCDN_OK, NULL);
    CHECK(url != NULL && strncmp(url, "https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=ey", 64) == 0);
    check_explained_ok(verifier, url);
    qcdn_string_free(url);
    CHECK_STATUS(qcdn_signer_signed_live_custom_domain_url(signer, "live.example.com", "abc123", NULL, &url), QCDN_OK,
                 NULL);
    CHECK(url != NULL && strncmp(url, "https://live.example.com/abc123.m3u8?auth=ey", 44) == 0);
    check_explained_ok(verifier, url);
    qcdn_string_free(url);
    CHECK_STATUS(qcdn_signer_signed_storage_url(signer, "my-bucket", "us-west", "videos/a/x.mp4", NULL, &url), QCDN_OK,
                 NULL);
    check_explained_ok(verifier, url);

    /* A tampered URL is refused, and the verdict says why. */
    char *tampered = malloc(strlen(url) + 1);
    strcpy(tampered, url);
    char *p = strstr(tampered, "videos/a/");
    if (p != NULL) p[7] = 'b';
    char *json = NULL;
    CHECK_STATUS(qcdn_verifier_explain(verifier, tampered, NULL, &json), QCDN_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"ok\":false") != NULL);
    CHECK(json != NULL && strstr(json, "token covers `videos/a/x.mp4` but the URL asks for `videos/b/x.mp4`") != NULL);
    qcdn_string_free(json);
    free(tampered);
    qcdn_string_free(url);

    CHECK_STATUS(qcdn_signer_signed_storage_custom_domain_url(signer, "media.example.com", "videos/a/x.mp4", NULL, &url),
                 QCDN_OK, NULL);
    CHECK(url != NULL && strncmp(url, "https://media.example.com/videos/a/x.mp4?auth=ey", 48) == 0);
    check_explained_ok(verifier, url);
    qcdn_string_free(url);

    /* sign_url keeps the query and fragment, and replaces an old auth. */
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "x.mp4", &o, &token), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_sign_url(signer, "https://a.example.com/x.mp4?download=1&auth=old#t=10", "x.mp4", &o, &url),
                 QCDN_OK, NULL);
    char want[4096];
    snprintf(want, sizeof want, "https://a.example.com/x.mp4?download=1&auth=%s#t=10", token ? token : "");
    CHECK_STR_EQ(url, want);
    qcdn_string_free(url);
    qcdn_string_free(token);
}

static void test_cookie(qcdn_signer *signer) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    char *token = NULL, *cookie = NULL;
    CHECK_STATUS(qcdn_signer_sign(signer, "videos/a/", &o, &token), QCDN_OK, NULL);
    qcdn_cookie_options co = {0};
    co.domain = "example.com";
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "videos/a/", &o, &co, &cookie), QCDN_OK, NULL);
    char want[4096];
    snprintf(want, sizeof want,
             "Qencode-Auth-Token=%s; Domain=example.com; Path=/videos/a/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax",
             token ? token : "");
    CHECK_STR_EQ(cookie, want);
    qcdn_string_free(cookie);

    cookie = NULL;

    /* NULL cookie options: host-only, derived path. */
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "videos/a/", &o, NULL, &cookie), QCDN_OK, NULL);
    CHECK(cookie != NULL && strstr(cookie, "; Path=/videos/a/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax") != NULL);
    CHECK(cookie != NULL && strstr(cookie, "Domain=") == NULL);
    qcdn_string_free(cookie);
    cookie = NULL;
    /* A token for one file would load the playlist and 403 every segment: refused. */
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "videos/a/master.m3u8", &o, NULL, &cookie), QCDN_ERR_INVALID_ARGUMENT,
                 "sign the folder `videos/a/`");
    CHECK(cookie == NULL);

    /* Every attribute switched. */
    qcdn_cookie_options all = {0};
    all.path = "/";
    all.same_site = QCDN_SAME_SITE_STRICT;
    all.insecure = true;
    all.script_readable = true;
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "videos/a/", &o, &all, &cookie), QCDN_OK, NULL);
    CHECK(cookie != NULL && strstr(cookie, "; Path=/; Max-Age=3600; SameSite=Strict") != NULL);
    qcdn_string_free(cookie);
    cookie = NULL;

    /* A never-expiring token gives a session cookie (no Max-Age). */
    qcdn_sign_options never = {0};
    never.never_expires = true;
    co.same_site = QCDN_SAME_SITE_NONE;
    CHECK_STATUS(qcdn_signer_signed_cookie(signer, "videos/a/", &never, &co, &cookie), QCDN_OK, NULL);
    CHECK(cookie != NULL && strstr(cookie, "Max-Age") == NULL);
    CHECK(cookie != NULL && strstr(cookie, "SameSite=None") != NULL);
    qcdn_string_free(cookie);
    qcdn_string_free(token);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
#if defined(__SANITIZE_ADDRESS__)
    printf("built with AddressSanitizer\n");
#endif
    test_version();

    qcdn_status st;
    qcdn_signer *signer = load_signer("key-1", "tests/keys/rsa2048.pkcs1.pem", &st);
    CHECK_STATUS(st, QCDN_OK, NULL);
    qcdn_verifier *verifier = NULL;
    CHECK_STATUS(qcdn_verifier_from_signer(signer, &verifier), QCDN_OK, NULL);
    if (signer != NULL && verifier != NULL) {
        test_defaults_and_expiry(signer, verifier);
        test_verifier(signer, verifier);
        test_signed_urls(signer, verifier);
        test_cookie(signer);
    }
    test_urls();
    qcdn_verifier_free(verifier);
    qcdn_signer_free(signer);
    return test_summary("test_sign");
}
