/* Key sets through the C ABI, as a key rotation uses them: a verifier over
 * the old and the new key (qcdn_verifier_new_keys_json with PEM text and
 * base64 DER, qcdn_verifier_new_jwks with the signers' JWKs) accepts tokens
 * of both, refuses an unknown key id naming the known ones, exports its keys
 * as a JWK Set (qcdn_verifier_jwks) that reads back; malformed key lists and
 * sets are refused with their codes, out-parameters untouched.
 * Usage: test_keysets REPO_ROOT */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "test_util.h"

static char sentinel_byte;
#define SENTINEL ((char *)&sentinel_byte)
#define SENTINEL_VERIFIER ((qcdn_verifier *)&sentinel_byte)

static const char BAD_UTF8[] = {'a', (char)0xff, (char)0xfe, 'b', 0};

static qcdn_signer *load(const char *kid, const char *file) {
    size_t len = 0;
    unsigned char *key = read_repo_file(file, &len);
    qcdn_signer *s = NULL;
    CHECK_STATUS(qcdn_signer_new(kid, key, len, &s), QCDN_OK, NULL);
    free(key);
    if (s == NULL) exit(2);
    return s;
}

static char *sign(qcdn_signer *s, const char *uri) {
    qcdn_sign_options o = {0};
    o.now = 1700000000;
    char *token = NULL;
    CHECK_STATUS(qcdn_signer_sign(s, uri, &o, &token), QCDN_OK, NULL);
    return token;
}

/* Checks that `v` accepts `token` and reports `kid`. */
static void check_accepts(const qcdn_verifier *v, const char *token, const char *kid) {
    qcdn_verify_options o = {0};
    o.now = 1700000000;
    char *claims = NULL;
    CHECK_STATUS(qcdn_verifier_verify_resource(v, token, QCDN_RESOURCE_STORAGE, "videos/a/seg-1.ts", &o, &claims),
                 QCDN_OK, NULL);
    char want[64];
    snprintf(want, sizeof want, "\"kid\":\"%s\"", kid);
    CHECK(claims != NULL && strstr(claims, want) != NULL);
    qcdn_string_free(claims);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64(const unsigned char *d, size_t n) {
    char *out = malloc(4 * ((n + 2) / 3) + 1);
    if (out == NULL) exit(2);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) | (i + 2 < n ? d[i + 2] : 0);
        out[o++] = B64[v >> 18 & 63];
        out[o++] = B64[v >> 12 & 63];
        out[o++] = i + 1 < n ? B64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? B64[v & 63] : '=';
    }
    out[o] = 0;
    return out;
}

static void test_rotation(void) {
    qcdn_signer *old_key = load("key-old", "tests/keys/rsa2048.pkcs1.pem");
    qcdn_signer *new_key = load("key-new", "tests/keys/rsa4096.pkcs1.pem");
    qcdn_signer *gone = load("key-gone", "tests/keys/rsa2048.pkcs1.pem");
    char *t_old = sign(old_key, "videos/a/");
    char *t_new = sign(new_key, "videos/a/");
    char *t_gone = sign(gone, "videos/a/");

    /* A key list: the old key as PEM text, the new one as base64 of its DER. */
    char *old_pem = NULL;
    CHECK_STATUS(qcdn_signer_public_key_pem(old_key, &old_pem), QCDN_OK, NULL);
    cJSON *list = cJSON_CreateArray();
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "kid", "key-old");
    cJSON_AddStringToObject(e, "key", old_pem);
    cJSON_AddItemToArray(list, e);
    size_t der_len = 0;
    unsigned char *der = read_repo_file("tests/keys/rsa2048.spki.der", &der_len);
    char *b64 = base64(der, der_len);
    free(der);
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "kid", "key-der");
    cJSON_AddStringToObject(e, "key", b64);
    cJSON_AddItemToArray(list, e);
    char *new_pem = NULL;
    CHECK_STATUS(qcdn_signer_public_key_pem(new_key, &new_pem), QCDN_OK, NULL);
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "kid", "key-new");
    cJSON_AddStringToObject(e, "key", new_pem);
    cJSON_AddItemToArray(list, e);
    char *keys_json = cJSON_PrintUnformatted(list);
    cJSON_Delete(list);
    free(b64);

    qcdn_verifier *set = NULL;
    CHECK_STATUS(qcdn_verifier_new_keys_json(keys_json, &set), QCDN_OK, NULL);
    if (set == NULL) exit(2);
    check_accepts(set, t_old, "key-old");
    check_accepts(set, t_new, "key-new");
    qcdn_verify_options o = {0};
    o.now = 1700000000;
    CHECK_STATUS(qcdn_verifier_verify(set, t_gone, &o, NULL), QCDN_ERR_UNKNOWN_KEY_ID, "key-gone");
    CHECK(strstr(last_error(), "key-old") != NULL && strstr(last_error(), "key-new") != NULL);
    /* An expected key id narrows the set to that key. */
    o.key_id = "key-new";
    CHECK_STATUS(qcdn_verifier_verify(set, t_old, &o, NULL), QCDN_ERR_UNKNOWN_KEY_ID, NULL);
    o.key_id = NULL;
    char *why = NULL;
    CHECK_STATUS(qcdn_verifier_explain_token(set, t_gone, "{\"now\":1700000000}", &why), QCDN_OK, NULL);
    CHECK(why != NULL && strstr(why, "\"ok\":false") != NULL && strstr(why, "key-old") != NULL);
    qcdn_string_free(why);

    /* Export: a JWK Set of the three keys that reads back into the same set. */
    char *jwks = NULL;
    CHECK_STATUS(qcdn_verifier_jwks(set, &jwks), QCDN_OK, NULL);
    cJSON *doc = cJSON_Parse(jwks);
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(doc, "keys");
    CHECK(cJSON_GetArraySize(keys) == 3);
    const char *kids[] = {"key-old", "key-der", "key-new"};
    for (int i = 0; i < 3; i++) {
        const cJSON *k = cJSON_GetArrayItem(keys, i);
        CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "kid")), kids[i]);
        CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "alg")), "RS256");
        CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(k, "kty")), "RSA");
    }
    cJSON_Delete(doc);
    qcdn_verifier *back = NULL;
    CHECK_STATUS(qcdn_verifier_new_jwks(jwks, &back), QCDN_OK, NULL);
    check_accepts(back, t_old, "key-old");
    check_accepts(back, t_new, "key-new");
    char *jwks_again = NULL;
    CHECK_STATUS(qcdn_verifier_jwks(back, &jwks_again), QCDN_OK, NULL);
    CHECK_STR_EQ(jwks_again, jwks);
    qcdn_string_free(jwks_again);
    qcdn_verifier_free(back);
    qcdn_string_free(jwks);

    /* A JWK Set from the signers' own JWKs (what a JWKS endpoint serves). */
    char *jwk_old = NULL, *jwk_new = NULL;
    CHECK_STATUS(qcdn_signer_public_key_jwk(old_key, &jwk_old), QCDN_OK, NULL);
    CHECK_STATUS(qcdn_signer_public_key_jwk(new_key, &jwk_new), QCDN_OK, NULL);
    size_t n = strlen(jwk_old) + strlen(jwk_new) + 32;
    char *set_text = malloc(n);
    if (set_text == NULL) exit(2);
    snprintf(set_text, n, "{\"keys\":[%s,%s]}", jwk_old, jwk_new);
    qcdn_verifier *from_jwks = NULL;
    CHECK_STATUS(qcdn_verifier_new_jwks(set_text, &from_jwks), QCDN_OK, NULL);
    check_accepts(from_jwks, t_old, "key-old");
    check_accepts(from_jwks, t_new, "key-new");
    CHECK_STATUS(qcdn_verifier_verify(from_jwks, t_gone, &o, NULL), QCDN_ERR_UNKNOWN_KEY_ID, "key-gone");
    qcdn_verifier_free(from_jwks);
    free(set_text);
    qcdn_string_free(jwk_old);
    qcdn_string_free(jwk_new);

    /* The JWK Set of a one-key verifier (from a signer: with its kid). */
    qcdn_verifier *one = NULL;
    CHECK_STATUS(qcdn_verifier_from_signer(old_key, &one), QCDN_OK, NULL);
    char *one_jwks = NULL;
    CHECK_STATUS(qcdn_verifier_jwks(one, &one_jwks), QCDN_OK, NULL);
    CHECK(one_jwks != NULL && strstr(one_jwks, "\"kid\":\"key-old\"") != NULL);
    qcdn_string_free(one_jwks);
    qcdn_verifier_free(one);

    qcdn_verifier_free(set);
    cJSON_free(keys_json);
    qcdn_string_free(old_pem);
    qcdn_string_free(new_pem);
    qcdn_string_free(t_old);
    qcdn_string_free(t_new);
    qcdn_string_free(t_gone);
    qcdn_signer_free(old_key);
    qcdn_signer_free(new_key);
    qcdn_signer_free(gone);
}

static void test_refused(void) {
    qcdn_verifier *v = SENTINEL_VERIFIER;
    /* Key lists: the shape is checked here, the keys by the core. */
    CHECK_STATUS(qcdn_verifier_new_keys_json("{not json", &v), QCDN_ERR_INVALID_ARGUMENT, "not valid JSON");
    CHECK_STATUS(qcdn_verifier_new_keys_json("{\"kid\":\"a\"}", &v), QCDN_ERR_INVALID_ARGUMENT, "JSON array");
    CHECK_STATUS(qcdn_verifier_new_keys_json("[\"key\"]", &v), QCDN_ERR_INVALID_ARGUMENT, "`keys_json[0]` is not an object");
    CHECK_STATUS(qcdn_verifier_new_keys_json("[{\"key\":\"x\"}]", &v), QCDN_ERR_INVALID_ARGUMENT, "no string `kid`");
    CHECK_STATUS(qcdn_verifier_new_keys_json("[{\"kid\":\"a\",\"key\":{}}]", &v), QCDN_ERR_INVALID_ARGUMENT,
                 "no string `key`");
    CHECK_STATUS(qcdn_verifier_new_keys_json("[{\"kid\":\"a\",\"key\":\"x\",\"alg\":\"RS256\"}]", &v),
                 QCDN_ERR_INVALID_ARGUMENT, "unknown member `alg`");
    CHECK_STATUS(qcdn_verifier_new_keys_json("[]", &v), QCDN_ERR_INVALID_ARGUMENT, "at least one key");
    CHECK_STATUS(qcdn_verifier_new_keys_json("[{\"kid\":\"key-2\",\"key\":\"not a key\"}]", &v), QCDN_ERR_INVALID_KEY,
                 "key-2");
    CHECK_STATUS(qcdn_verifier_new_keys_json(NULL, &v), QCDN_ERR_INVALID_ARGUMENT, "`keys_json` is NULL");
    CHECK_STATUS(qcdn_verifier_new_keys_json(BAD_UTF8, &v), QCDN_ERR_INVALID_ARGUMENT, "not valid UTF-8");
    CHECK_STATUS(qcdn_verifier_new_keys_json("[]", NULL), QCDN_ERR_INVALID_ARGUMENT, "`out_verifier`");
    /* JWK Sets. */
    CHECK_STATUS(qcdn_verifier_new_jwks("{\"keys\":[]}", &v), QCDN_ERR_INVALID_ARGUMENT, NULL);
    CHECK_STATUS(qcdn_verifier_new_jwks("keys: []", &v), QCDN_ERR_INVALID_KEY, NULL);
    CHECK_STATUS(qcdn_verifier_new_jwks("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec-1\"}]}", &v),
                 QCDN_ERR_INVALID_KEY, "EC");
    CHECK_STATUS(qcdn_verifier_new_jwks(NULL, &v), QCDN_ERR_INVALID_ARGUMENT, "`jwks_json` is NULL");
    CHECK_STATUS(qcdn_verifier_new_jwks(BAD_UTF8, &v), QCDN_ERR_INVALID_ARGUMENT, "not valid UTF-8");
    CHECK(v == SENTINEL_VERIFIER);
    char *out = SENTINEL;
    CHECK_STATUS(qcdn_verifier_jwks(NULL, &out), QCDN_ERR_INVALID_ARGUMENT, "`verifier` is NULL");
    CHECK(out == SENTINEL);
}

int main(int argc, char **argv) {
    test_init(argc, argv);
    test_rotation();
    test_refused();
    return test_summary("test_keysets");
}
