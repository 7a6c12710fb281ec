/* The C runner of the conformance cases (tests/conformance/README.md): every
 * case of the tests/conformance JSON files through the C API, as a C user calls it.
 *
 * The table is generated at build time by tests/c/gen_conformance.py (into the
 * build directory): inputs converted to C values — the option structs where
 * they can say the case, the `_json` functions of the same call where they
 * cannot — and each case's `expect` as JSON text. At run time every result
 * the library produces (a token, a URL, a JSON document, an error status with
 * the details of qcdn_last_error_json) is compared with `expect` by the rules
 * of the README (json_match.h, on cJSON).
 *
 * Prints the README's summary line, then one line per skipped case.
 * Usage: QCDN_EMULATOR_BIN=… test_conformance REPO_ROOT   (tests/suites/20-c.sh) */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emulator.h"
#include "json_match.h"
#include "qencode_cdn.h"

/* ---- the generated table's types --------------------------------------- */

struct conf_key {
    const char *path;  /* a file below the repository root, or NULL */
    const char *bytes; /* inline bytes (may hold NUL) when path is NULL */
    size_t len;
};
struct conf_signer {
    const char *kid;
    struct conf_key key;
};
struct conf_kid_key { /* one entry of a key-list verifier */
    const char *kid;
    struct conf_key key;
};
struct conf_item { /* one {uri, options} of a batch or of a cached_sign case */
    const char *uri;
    int mode; /* MODE_STRUCT: `sign`; MODE_JSON: `options_json` */
    qcdn_sign_options sign;
    const char *options_json;
};
struct conf_env {
    const char *name;
    const char *value; /* NULL with file NULL: unset the variable */
    const char *file;  /* the variable holds this file's text */
};
struct conf_call {
    const char *call; /* a DESIGN §4 method name */
    const char *a;
    const char *b;
    uint32_t kind; /* domain type, key target or bucket policy */
};
enum { MODE_NONE = 0, MODE_STRUCT = 1, MODE_JSON = 2 };
enum { VERIFIER_NONE = 0, VERIFIER_PUBLIC_KEY, VERIFIER_JWK, VERIFIER_SIGNER, VERIFIER_JWKS, VERIFIER_KEYS };

struct conf_case {
    const char *name, *op;
    const char *skip;          /* the case's skip reason for c */
    const char *unexpressible; /* not skipped, but the generator could not convert it: FAILED */
    const char *expect;        /* JSON text */
    int signer;                /* index into SIGNERS */
    int verifier_kind;
    struct conf_key key; /* load_key, and verifier public_key */
    const char *kid, *jwk; /* jwk: the JWK, or the JWK Set of VERIFIER_JWKS */
    const struct conf_kid_key *keys; /* VERIFIER_KEYS */
    size_t key_count;
    const struct conf_item *items; /* sign_many items, cached_sign requests */
    size_t item_count;
    int batch_mode;  /* sign_many: MODE_STRUCT (qcdn_signer_sign_many) or MODE_JSON (…_json) */
    uint32_t threads; /* sign_many: 0 = every core */
    uint32_t window;  /* cached_sign */
    uint64_t capacity; /* cached_sign: 0 = the default */
    const char *uri, *token, *url;
    const char *text; /* stream_coverage: the manifest text (url: the manifest URL) */
    const char *form, *arg1, *arg2, *arg3;
    int sign_mode;
    qcdn_sign_options sign;
    int cookie_mode;
    qcdn_cookie_options cookie;
    int verify_mode;
    qcdn_verify_options verify;
    uint32_t resource_kind;
    const char *resource;     /* NULL: no resource check */
    const char *options_json; /* the options as JSON text for the _json functions */
    const struct conf_env *env;
    size_t env_count;
    const char *key_id;
    struct conf_call call;
    const struct conf_call *setup;
    size_t setup_count;
    const char *const *faults;
    size_t fault_count;
    int client_mode;
    qcdn_client_options client;
    int64_t now;
};

#include "conformance_cases.inc"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *root = ".";

/* ---- what a case produced ----------------------------------------------- */

struct produced {
    bool ok;
    cJSON *value;   /* success: the document compared with `expect` */
    char code[32];  /* failure: the code string */
    cJSON *details; /* failure: qcdn_last_error_json's document */
};

/* A failed library call: the status's name and the error details. */
static void fail_from_library(struct produced *p, qcdn_status st) {
    p->ok = false;
    snprintf(p->code, sizeof p->code, "%s", qcdn_status_str(st));
    char *json = NULL;
    if (qcdn_last_error_json(&json) == QCDN_OK) p->details = cJSON_Parse(json);
    qcdn_string_free(json);
}

/* A failure that did not come from the library (the emulator refused a fault). */
static void fail_with(struct produced *p, const char *code, const char *message) {
    p->ok = false;
    snprintf(p->code, sizeof p->code, "%s", code);
    p->details = cJSON_CreateObject();
    cJSON_AddStringToObject(p->details, "message", message);
    cJSON_AddNullToObject(p->details, "http_status");
    cJSON_AddNullToObject(p->details, "retry_after");
    cJSON_AddFalseToObject(p->details, "type_error");
}

static void succeed(struct produced *p, cJSON *value) {
    p->ok = true;
    p->value = value;
}

/* `{"<name>": "<s>"}` from a library string, which is freed. */
static cJSON *string_doc(const char *name, char *s) {
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, name, s);
    qcdn_string_free(s);
    return doc;
}

/* A library JSON document, parsed and freed. NULL when it is not JSON. */
static cJSON *parse_library_json(char *s) {
    cJSON *doc = s != NULL ? cJSON_Parse(s) : NULL;
    qcdn_string_free(s);
    return doc;
}

/* ---- inputs -------------------------------------------------------------- */

/* The bytes of a key spec; *owned is set when the caller must free() them. */
static const unsigned char *key_bytes(const struct conf_key *k, size_t *len, unsigned char **owned) {
    *owned = NULL;
    if (k->path != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", root, k->path);
        FILE *f = fopen(path, "rb");
        if (f == NULL) {
            fprintf(stderr, "cannot open %s\n", path);
            exit(2);
        }
        size_t cap = 1 << 16;
        *owned = malloc(cap);
        if (*owned == NULL) exit(2);
        *len = fread(*owned, 1, cap, f);
        fclose(f);
        return *owned;
    }
    *len = k->len;
    return (const unsigned char *)k->bytes;
}

/* Reads a whole text file below the root (for env values); free() it. */
static char *read_text(const char *rel) {
    size_t len = 0;
    unsigned char *owned = NULL;
    struct conf_key k = {.path = rel};
    key_bytes(&k, &len, &owned);
    char *text = malloc(len + 1);
    if (text == NULL) exit(2);
    memcpy(text, owned, len);
    text[len] = 0;
    free(owned);
    return text;
}

/* Signers are loaded once per spec (RSA-4096 keys are slow to load under
 * valgrind); a spec that fails to load is retried by every case, so that
 * each reports the library's own error. */
static qcdn_signer *signer_cache[COUNT(SIGNERS)];

static qcdn_status get_signer(int index, qcdn_signer **out) {
    if (signer_cache[index] != NULL) {
        *out = signer_cache[index];
        return QCDN_OK;
    }
    const struct conf_signer *s = &SIGNERS[index];
    size_t len = 0;
    unsigned char *owned = NULL;
    const unsigned char *bytes = key_bytes(&s->key, &len, &owned);
    qcdn_status st = qcdn_signer_new(s->kid, bytes, len, &signer_cache[index]);
    free(owned);
    if (st == QCDN_OK) *out = signer_cache[index];
    return st;
}

/* Standard base64 of bytes (free() it): how a key-list entry carries a DER key. */
static char *base64(const unsigned char *data, size_t len) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out == NULL) exit(2);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len) v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len) v |= data[i + 2];
        out[o++] = abc[(v >> 18) & 63];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = i + 1 < len ? abc[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? abc[v & 63] : '=';
    }
    out[o] = 0;
    return out;
}

/* Whether key bytes are text (PEM, JWK) a JSON string carries as is. */
static bool is_text(const unsigned char *data, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if ((data[i] < 0x20 && data[i] != '\n' && data[i] != '\r' && data[i] != '\t') || data[i] >= 0x7f) return false;
    }
    return true;
}

/* A key-list verifier as a C user builds one: the keys_json document of
 * qcdn_verifier_new_keys_json, PEM files as text, DER files as base64. */
static qcdn_status key_list_verifier(const struct conf_case *c, qcdn_verifier **out) {
    cJSON *list = cJSON_CreateArray();
    for (size_t i = 0; i < c->key_count; i++) {
        size_t len = 0;
        unsigned char *owned = NULL;
        const unsigned char *bytes = key_bytes(&c->keys[i].key, &len, &owned);
        cJSON *entry = cJSON_CreateObject();
        cJSON_AddStringToObject(entry, "kid", c->keys[i].kid);
        if (is_text(bytes, len)) {
            char *text = malloc(len + 1);
            if (text == NULL) exit(2);
            memcpy(text, bytes, len);
            text[len] = 0;
            cJSON_AddStringToObject(entry, "key", text);
            free(text);
        } else {
            char *b64 = base64(bytes, len);
            cJSON_AddStringToObject(entry, "key", b64);
            free(b64);
        }
        free(owned);
        cJSON_AddItemToArray(list, entry);
    }
    char *json = cJSON_PrintUnformatted(list);
    cJSON_Delete(list);
    qcdn_status st = qcdn_verifier_new_keys_json(json, out);
    cJSON_free(json);
    return st;
}

static qcdn_status get_verifier(const struct conf_case *c, qcdn_verifier **out) {
    switch (c->verifier_kind) {
    case VERIFIER_JWKS:
        return qcdn_verifier_new_jwks(c->jwk, out);
    case VERIFIER_KEYS:
        return key_list_verifier(c, out);
    case VERIFIER_PUBLIC_KEY: {
        size_t len = 0;
        unsigned char *owned = NULL;
        const unsigned char *bytes = key_bytes(&c->key, &len, &owned);
        qcdn_status st = qcdn_verifier_new(bytes, len, out);
        free(owned);
        return st;
    }
    case VERIFIER_JWK:
        return qcdn_verifier_new_jwk(c->jwk, out);
    case VERIFIER_SIGNER: {
        qcdn_signer *s = NULL;
        qcdn_status st = get_signer(c->signer, &s);
        return st != QCDN_OK ? st : qcdn_verifier_from_signer(s, out);
    }
    default:
        fprintf(stderr, "%s: no verifier in the table\n", c->name);
        exit(2);
    }
}

static const qcdn_sign_options *sign_opts(const struct conf_case *c) {
    return c->sign_mode == MODE_STRUCT ? &c->sign : NULL;
}
static const qcdn_verify_options *verify_opts(const struct conf_case *c) {
    return c->verify_mode == MODE_STRUCT ? &c->verify : NULL;
}

/* ---- environment --------------------------------------------------------- */

struct saved_env {
    char *old[16];
    bool had[16];
};

static void env_apply(const struct conf_case *c, struct saved_env *saved) {
    if (c->env_count > 16) {
        fprintf(stderr, "%s: too many env variables\n", c->name);
        exit(2);
    }
    for (size_t i = 0; i < c->env_count; i++) {
        const struct conf_env *e = &c->env[i];
        const char *old = getenv(e->name);
        saved->had[i] = old != NULL;
        saved->old[i] = old != NULL ? strdup(old) : NULL;
        if (e->file != NULL) {
            char *text = read_text(e->file);
            setenv(e->name, text, 1);
            free(text);
        } else if (e->value != NULL) {
            setenv(e->name, e->value, 1);
        } else {
            unsetenv(e->name);
        }
    }
}

static void env_restore(const struct conf_case *c, struct saved_env *saved) {
    for (size_t i = 0; i < c->env_count; i++) {
        if (saved->had[i]) {
            setenv(c->env[i].name, saved->old[i], 1);
        } else {
            unsetenv(c->env[i].name);
        }
        free(saved->old[i]);
    }
}

/* ---- the operations ------------------------------------------------------ */

static void op_load_key(const struct conf_case *c, struct produced *p) {
    size_t len = 0;
    unsigned char *owned = NULL;
    const unsigned char *bytes = key_bytes(&c->key, &len, &owned);
    qcdn_signer *s = NULL;
    qcdn_status st = qcdn_signer_new(c->kid, bytes, len, &s);
    free(owned);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    uint32_t bits = 0;
    char *pem = NULL, *jwk = NULL;
    if ((st = qcdn_signer_key_bits(s, &bits)) != QCDN_OK || (st = qcdn_signer_public_key_pem(s, &pem)) != QCDN_OK ||
        (st = qcdn_signer_public_key_jwk(s, &jwk)) != QCDN_OK) {
        qcdn_string_free(pem);
        qcdn_signer_free(s);
        { fail_from_library(p, st); return; }
    }
    qcdn_signer_free(s);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "bits", bits);
    cJSON_AddStringToObject(doc, "public_key_pem", pem);
    cJSON_AddItemToObject(doc, "public_key_jwk", parse_library_json(jwk));
    qcdn_string_free(pem);
    succeed(p, doc);
}

static void op_sign(const struct conf_case *c, struct produced *p) {
    qcdn_signer *s = NULL;
    qcdn_status st = get_signer(c->signer, &s);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    char *token = NULL;
    st = c->sign_mode == MODE_JSON ? qcdn_signer_sign_json(s, c->uri, c->options_json, &token)
                                   : qcdn_signer_sign(s, c->uri, sign_opts(c), &token);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    succeed(p, string_doc("token", token));
}

static void op_signed_url(const struct conf_case *c, struct produced *p) {
    qcdn_signer *s = NULL;
    qcdn_status st = get_signer(c->signer, &s);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    char *url = NULL;
    bool json = c->sign_mode == MODE_JSON;
    const char *oj = c->options_json;
    const qcdn_sign_options *o = sign_opts(c);
    if (strcmp(c->form, "live") == 0) {
        st = json ? qcdn_signer_signed_live_url_json(s, c->arg1, oj, &url) : qcdn_signer_signed_live_url(s, c->arg1, o, &url);
    } else if (strcmp(c->form, "live_custom_domain") == 0) {
        st = json ? qcdn_signer_signed_live_custom_domain_url_json(s, c->arg1, c->arg2, oj, &url)
                  : qcdn_signer_signed_live_custom_domain_url(s, c->arg1, c->arg2, o, &url);
    } else if (strcmp(c->form, "storage") == 0) {
        st = json ? qcdn_signer_signed_storage_url_json(s, c->arg1, c->arg2, c->arg3, oj, &url)
                  : qcdn_signer_signed_storage_url(s, c->arg1, c->arg2, c->arg3, o, &url);
    } else {
        st = json ? qcdn_signer_signed_storage_custom_domain_url_json(s, c->arg1, c->arg2, oj, &url)
                  : qcdn_signer_signed_storage_custom_domain_url(s, c->arg1, c->arg2, o, &url);
    }
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    succeed(p, string_doc("url", url));
}

static void op_url(const struct conf_case *c, struct produced *p) {
    char *url = NULL;
    qcdn_status st;
    if (strcmp(c->form, "live") == 0) {
        st = qcdn_live_playback_url(c->arg1, c->token, &url);
    } else if (strcmp(c->form, "live_custom_domain") == 0) {
        st = qcdn_live_custom_domain_url(c->arg1, c->arg2, c->token, &url);
    } else if (strcmp(c->form, "storage") == 0) {
        st = qcdn_storage_url(c->arg1, c->arg2, c->arg3, c->token, &url);
    } else {
        st = qcdn_storage_custom_domain_url(c->arg1, c->arg2, c->token, &url);
    }
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    succeed(p, string_doc("url", url));
}

static void op_cookie(const struct conf_case *c, struct produced *p) {
    qcdn_signer *s = NULL;
    qcdn_status st = get_signer(c->signer, &s);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    char *cookie = NULL;
    if (c->sign_mode == MODE_JSON) {
        st = qcdn_signer_signed_cookie_json(s, c->uri, c->options_json, &cookie);
    } else {
        st = qcdn_signer_signed_cookie(s, c->uri, sign_opts(c), c->cookie_mode == MODE_STRUCT ? &c->cookie : NULL,
                                       &cookie);
    }
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    succeed(p, string_doc("set_cookie", cookie));
}

static void op_verify(const struct conf_case *c, struct produced *p) {
    qcdn_verifier *v = NULL;
    qcdn_status st = get_verifier(c, &v);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    char *json = NULL;
    if (c->verify_mode == MODE_JSON) {
        st = qcdn_verifier_verify_json(v, c->token, c->options_json, &json);
    } else if (c->resource != NULL) {
        st = qcdn_verifier_verify_resource(v, c->token, c->resource_kind, c->resource, verify_opts(c), &json);
    } else {
        st = qcdn_verifier_verify(v, c->token, verify_opts(c), &json);
    }
    qcdn_verifier_free(v);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    succeed(p, parse_library_json(json));
}

/* An explanation as the cases write it: ok, checks ("name:ok"), details, warnings. */
static cJSON *explanation(char *json) {
    cJSON *e = parse_library_json(json);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "ok", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, "ok"), true));
    cJSON *checks = cJSON_AddArrayToObject(doc, "checks");
    cJSON *details = cJSON_AddObjectToObject(doc, "details");
    const cJSON *check = NULL;
    cJSON_ArrayForEach(check, cJSON_GetObjectItemCaseSensitive(e, "checks")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(check, "name"));
        bool passed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(check, "passed"));
        char line[128];
        snprintf(line, sizeof line, "%s:%s", name ? name : "?", passed ? "ok" : "FAIL");
        cJSON_AddItemToArray(checks, cJSON_CreateString(line));
        const char *detail = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(check, "detail"));
        if (name != NULL) cJSON_AddStringToObject(details, name, detail ? detail : "");
    }
    cJSON *warnings = cJSON_AddArrayToObject(doc, "warnings");
    const cJSON *w = NULL;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(e, "warnings")) {
        cJSON_AddItemToArray(warnings, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(w, "code"), true));
    }
    cJSON_Delete(e);
    return doc;
}

static void op_explain(const struct conf_case *c, struct produced *p) {
    qcdn_verifier *v = NULL;
    qcdn_status st = get_verifier(c, &v);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    char *json = NULL;
    if (strcmp(c->op, "explain_token") == 0) {
        st = qcdn_verifier_explain_token(v, c->token, c->options_json, &json);
    } else if (c->verify_mode == MODE_JSON) {
        st = qcdn_verifier_explain_json(v, c->url, c->options_json, &json);
    } else {
        st = qcdn_verifier_explain(v, c->url, verify_opts(c), &json);
    }
    qcdn_verifier_free(v);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    succeed(p, explanation(json));
}

static void op_decode(const struct conf_case *c, struct produced *p) {
    char *json = NULL;
    qcdn_status st = qcdn_decode_unverified(c->token, &json);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    succeed(p, parse_library_json(json));
}

static void op_audit(const struct conf_case *c, struct produced *p) {
    char *json = NULL;
    qcdn_status st = qcdn_audit(c->token, c->now, &json);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    cJSON *doc = parse_library_json(json);
    cJSON *out = cJSON_CreateObject();
    cJSON *codes = cJSON_AddArrayToObject(out, "warnings");
    const cJSON *w = NULL;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(doc, "warnings")) {
        cJSON_AddItemToArray(codes, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(w, "code"), true));
    }
    cJSON_Delete(doc);
    succeed(p, out);
}

/* The report as the cases write it: ok, format, findings, and
 * [kind, carrier, covered, finding] per request. */
static void op_stream_coverage(const struct conf_case *c, struct produced *p) {
    char *json = NULL;
    qcdn_status st = qcdn_stream_coverage(c->url, c->text, c->options_json, &json);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    cJSON *doc = parse_library_json(json);
    cJSON *out = cJSON_CreateObject();
    const char *copied[] = {"ok", "format", "findings"};
    for (size_t k = 0; k < sizeof copied / sizeof copied[0]; k++) {
        cJSON_AddItemToObject(out, copied[k], cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, copied[k]), true));
    }
    cJSON *requests = cJSON_AddArrayToObject(out, "requests");
    const cJSON *r = NULL;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(doc, "requests")) {
        cJSON *row = cJSON_CreateArray();
        const char *fields[] = {"kind", "carrier", "covered", "finding"};
        for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
            cJSON_AddItemToArray(row, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, fields[k]), true));
        }
        cJSON_AddItemToArray(requests, row);
    }
    cJSON_Delete(doc);
    succeed(p, out);
}

static void op_from_env(const struct conf_case *c, struct produced *p) {
    struct saved_env saved;
    env_apply(c, &saved);
    qcdn_signer *s = NULL;
    qcdn_status st = qcdn_signer_from_env(c->key_id, &s);
    if (st != QCDN_OK) {
        fail_from_library(p, st);
    } else {
        char *kid = NULL;
        uint32_t bits = 0;
        if ((st = qcdn_signer_key_id(s, &kid)) != QCDN_OK || (st = qcdn_signer_key_bits(s, &bits)) != QCDN_OK) {
            fail_from_library(p, st);
        } else {
            cJSON *doc = string_doc("kid", kid);
            kid = NULL;
            cJSON_AddNumberToObject(doc, "bits", bits);
            succeed(p, doc);
        }
        qcdn_string_free(kid);
        qcdn_signer_free(s);
    }
    env_restore(c, &saved);
}

static void op_client_from_env(const struct conf_case *c, struct produced *p) {
    struct saved_env saved;
    env_apply(c, &saved);
    qcdn_client *client = NULL;
    qcdn_status st = qcdn_client_new_json(NULL, NULL, NULL, &client);
    if (st != QCDN_OK) {
        fail_from_library(p, st);
    } else {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddTrueToObject(doc, "ok");
        succeed(p, doc);
    }
    qcdn_client_free(client);
    env_restore(c, &saved);
}

static void op_jwks(const struct conf_case *c, struct produced *p) {
    qcdn_verifier *v = NULL;
    qcdn_status st = get_verifier(c, &v);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    char *jwks = NULL;
    st = qcdn_verifier_jwks(v, &jwks);
    qcdn_verifier_free(v);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "jwks", parse_library_json(jwks));
    succeed(p, doc);
}

/* The results of a batch as the cases write them: `tokens` (a token or
 * null), `errors` (null or the item's code) and `exps` (each token's exp,
 * null for none or for an error). */
struct batch {
    cJSON *doc, *tokens, *errors, *exps;
};

static struct batch batch_new(void) {
    struct batch b;
    b.doc = cJSON_CreateObject();
    b.tokens = cJSON_AddArrayToObject(b.doc, "tokens");
    b.errors = cJSON_AddArrayToObject(b.doc, "errors");
    b.exps = cJSON_AddArrayToObject(b.doc, "exps");
    return b;
}

static void batch_token(struct batch *b, const char *token) {
    cJSON_AddItemToArray(b->tokens, cJSON_CreateString(token));
    cJSON_AddItemToArray(b->errors, cJSON_CreateNull());
    char *json = NULL;
    cJSON *exp = NULL;
    if (qcdn_decode_unverified(token, &json) == QCDN_OK) {
        cJSON *decoded = parse_library_json(json);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(decoded, "claims"), "exp");
        if (cJSON_IsNumber(e)) exp = cJSON_CreateNumber(e->valuedouble);
        cJSON_Delete(decoded);
    }
    cJSON_AddItemToArray(b->exps, exp != NULL ? exp : cJSON_CreateNull());
}

static void batch_error(struct batch *b, const char *code) {
    cJSON_AddItemToArray(b->tokens, cJSON_CreateNull());
    cJSON_AddItemToArray(b->errors, cJSON_CreateString(code));
    cJSON_AddItemToArray(b->exps, cJSON_CreateNull());
}

static void op_sign_many(const struct conf_case *c, struct produced *p) {
    qcdn_signer *s = NULL;
    qcdn_status st = get_signer(c->signer, &s);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    struct batch b = batch_new();
    if (c->batch_mode == MODE_JSON) {
        char *json = NULL;
        st = qcdn_signer_sign_many_json(s, c->options_json, c->threads, &json);
        if (st != QCDN_OK) { cJSON_Delete(b.doc); fail_from_library(p, st); return; }
        cJSON *results = parse_library_json(json);
        const cJSON *r = NULL;
        cJSON_ArrayForEach(r, results) {
            const char *token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "token"));
            const cJSON *err = cJSON_GetObjectItemCaseSensitive(r, "error");
            if (token != NULL) {
                batch_token(&b, token);
            } else {
                const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(err, "code"));
                batch_error(&b, code != NULL ? code : "(an element with neither token nor error code)");
            }
        }
        cJSON_Delete(results);
    } else {
        /* As a C user calls it: arrays of URIs and option structs. */
        size_t n = c->item_count;
        const char **uris = n > 0 ? calloc(n, sizeof *uris) : NULL;
        qcdn_sign_options *opts = n > 0 ? calloc(n, sizeof *opts) : NULL;
        char **tokens = n > 0 ? calloc(n, sizeof *tokens) : NULL;
        qcdn_status *statuses = n > 0 ? calloc(n, sizeof *statuses) : NULL;
        if (n > 0 && (uris == NULL || opts == NULL || tokens == NULL || statuses == NULL)) exit(2);
        for (size_t i = 0; i < n; i++) {
            uris[i] = c->items[i].uri;
            opts[i] = c->items[i].sign;
        }
        st = qcdn_signer_sign_many(s, uris, opts, n, c->threads, tokens, statuses);
        if (st == QCDN_OK) {
            for (size_t i = 0; i < n; i++) {
                if (statuses[i] == QCDN_OK && tokens[i] != NULL) {
                    batch_token(&b, tokens[i]);
                } else {
                    batch_error(&b, statuses[i] == QCDN_OK ? "(QCDN_OK without a token)" : qcdn_status_str(statuses[i]));
                }
                qcdn_string_free(tokens[i]);
            }
        }
        free(uris);
        free(opts);
        free(tokens);
        free(statuses);
        if (st != QCDN_OK) { cJSON_Delete(b.doc); fail_from_library(p, st); return; }
    }
    succeed(p, b.doc);
}

static void op_cached_sign(const struct conf_case *c, struct produced *p) {
    qcdn_signer *s = NULL;
    qcdn_status st = get_signer(c->signer, &s);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    /* Pinned-clock calls cached: every request of the cases pins `now`. */
    qcdn_signer *cached = NULL;
    st = qcdn_signer_cached(s, c->window, c->capacity, true, &cached);
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    struct batch b = batch_new();
    for (size_t i = 0; i < c->item_count; i++) {
        const struct conf_item *r = &c->items[i];
        char *token = NULL;
        st = r->mode == MODE_JSON ? qcdn_signer_sign_json(cached, r->uri, r->options_json, &token)
                                  : qcdn_signer_sign(cached, r->uri, &r->sign, &token);
        if (st == QCDN_OK) {
            batch_token(&b, token);
        } else {
            batch_error(&b, qcdn_status_str(st));
        }
        qcdn_string_free(token);
    }
    uint64_t count = 0;
    st = qcdn_signer_cached_tokens(cached, &count);
    qcdn_signer_free(cached);
    if (st != QCDN_OK) { cJSON_Delete(b.doc); fail_from_library(p, st); return; }
    cJSON_AddNumberToObject(b.doc, "cached_tokens", (double)count);
    succeed(p, b.doc);
}

/* One client method by its DESIGN §4 name with the case's arguments. */
static qcdn_status client_call(const qcdn_client *cl, const struct conf_call *k, char **out) {
    const char *n = k->call;
    if (strcmp(n, "create_domain") == 0) return qcdn_client_create_domain(cl, k->a, k->kind, out);
    if (strcmp(n, "get_domain") == 0) return qcdn_client_get_domain(cl, k->a, out);
    if (strcmp(n, "list_domains") == 0) return qcdn_client_list_domains(cl, k->kind, out);
    if (strcmp(n, "delete_domain") == 0) return qcdn_client_delete_domain(cl, k->a, out);
    if (strcmp(n, "create_tls_subscription") == 0) return qcdn_client_create_tls_subscription(cl, k->a, out);
    if (strcmp(n, "get_tls_subscription") == 0) return qcdn_client_get_tls_subscription(cl, k->a, out);
    if (strcmp(n, "list_tls_subscriptions") == 0) return qcdn_client_list_tls_subscriptions(cl, out);
    if (strcmp(n, "delete_tls_subscription") == 0) return qcdn_client_delete_tls_subscription(cl, k->a, out);
    if (strcmp(n, "create_signing_key") == 0) return qcdn_client_create_signing_key(cl, k->kind, k->a, out);
    if (strcmp(n, "get_signing_key") == 0) return qcdn_client_get_signing_key(cl, k->a, out);
    if (strcmp(n, "list_signing_keys") == 0) return qcdn_client_list_signing_keys(cl, out);
    if (strcmp(n, "rename_signing_key") == 0) return qcdn_client_rename_signing_key(cl, k->a, k->b, out);
    if (strcmp(n, "delete_signing_key") == 0) return qcdn_client_delete_signing_key(cl, k->a, out);
    if (strcmp(n, "set_bucket_policy") == 0) return qcdn_client_set_bucket_policy(cl, k->a, k->kind, out);
    if (strcmp(n, "set_bucket_cors") == 0) return qcdn_client_set_bucket_cors(cl, k->a, k->b, out);
    if (strcmp(n, "get_bucket_cors") == 0) return qcdn_client_get_bucket_cors(cl, k->a, out);
    if (strcmp(n, "delete_bucket_cors") == 0) return qcdn_client_delete_bucket_cors(cl, k->a, out);
    if (strcmp(n, "delete_bucket_cors_header") == 0) return qcdn_client_delete_bucket_cors_header(cl, k->a, k->b, out);
    if (strcmp(n, "purge_bucket_cache") == 0) return qcdn_client_purge_bucket_cache(cl, k->a, out);
    if (strcmp(n, "purge_object_cache") == 0) return qcdn_client_purge_object_cache(cl, k->a, k->b, out);
    fprintf(stderr, "unknown client call %s (tests/c/gen_conformance.py let it through)\n", n);
    exit(2);
}

static int emulator_state; /* 0 not started, 1 running, -1 failed to start */

static void op_client(const struct conf_case *c, struct produced *p) {
    if (emulator_state == 0) emulator_state = start_emulator() == 0 ? 1 : -1;
    if (emulator_state != 1) { fail_with(p, "INTERNAL", "the emulator did not start (QCDN_EMULATOR_BIN)"); return; }
    char resp[4096];
    if (admin_request("POST", "/_emulator/reset", NULL, resp, sizeof resp) != 200) {
        { fail_with(p, "INTERNAL", "the emulator's reset failed"); return; }
    }
    for (size_t i = 0; i < c->fault_count; i++) {
        int status = admin_request("POST", "/_emulator/faults", c->faults[i], resp, sizeof resp);
        if (status == 400) {
            /* The emulator's one fault parser refused it: INVALID_ARGUMENT. */
            cJSON *body = cJSON_Parse(resp);
            const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "error"));
            fail_with(p, "INVALID_ARGUMENT", msg != NULL ? msg : resp);
            cJSON_Delete(body);
            return;
        }
        if (status != 200) { fail_with(p, "INTERNAL", "the emulator did not take a fault"); return; }
    }
    qcdn_client *cl = NULL;
    qcdn_status st;
    if (c->client_mode == MODE_JSON) {
        cJSON *opts = cJSON_Parse(c->options_json);
        if (cJSON_IsObject(opts)) {
            if (!cJSON_HasObjectItem(opts, "api_url")) cJSON_AddStringToObject(opts, "api_url", emulator_url);
            if (!cJSON_HasObjectItem(opts, "auth_url")) cJSON_AddStringToObject(opts, "auth_url", emulator_url);
        }
        char *text = cJSON_PrintUnformatted(opts);
        st = qcdn_client_new_json(API_KEY, text, NULL, &cl);
        cJSON_free(text);
        cJSON_Delete(opts);
    } else {
        qcdn_client_options o = c->client;
        o.api_url = emulator_url;
        o.auth_url = emulator_url;
        st = qcdn_client_new(API_KEY, &o, &cl);
    }
    if (st != QCDN_OK) { fail_from_library(p, st); return; }
    for (size_t i = 0; i < c->setup_count && st == QCDN_OK; i++) {
        char *ignored = NULL;
        st = client_call(cl, &c->setup[i], &ignored);
        qcdn_string_free(ignored);
    }
    char *json = NULL;
    if (st == QCDN_OK) st = client_call(cl, &c->call, &json);
    if (st != QCDN_OK) {
        fail_from_library(p, st);
    } else {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "result", parse_library_json(json));
        succeed(p, doc);
    }
    qcdn_client_free(cl);
}

/* ---- comparison ------------------------------------------------------------ */

static char why[8192];

static bool check_error(const cJSON *want, const struct produced *p) {
    const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(want, "error"));
    const cJSON *d = p->details;
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(d, "message"));
    if (p->ok) {
        char *text = cJSON_PrintUnformatted(p->value);
        snprintf(why, sizeof why, "expected error %s, got success %s", code, text ? text : "?");
        cJSON_free(text);
        return false;
    }
    if (d == NULL) {
        snprintf(why, sizeof why, "qcdn_last_error_json gave no document for %s", p->code);
        return false;
    }
    if (strcmp(code, p->code) != 0) {
        snprintf(why, sizeof why, "expected error %s, got %s: %s", code, p->code, msg ? msg : "");
        return false;
    }
    const cJSON *doc_code = cJSON_GetObjectItemCaseSensitive(d, "code");
    if (doc_code != NULL && strcmp(cJSON_GetStringValue(doc_code), p->code) != 0) {
        snprintf(why, sizeof why, "qcdn_last_error_json says %s for status %s", cJSON_GetStringValue(doc_code), p->code);
        return false;
    }
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(want, "status");
    if (status != NULL && !json_equal(cJSON_GetObjectItemCaseSensitive(d, "http_status"), status)) {
        char *got = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(d, "http_status"));
        char *exp = cJSON_PrintUnformatted(status);
        snprintf(why, sizeof why, "expected status %s, got %s", exp ? exp : "?", got ? got : "(absent)");
        cJSON_free(got);
        cJSON_free(exp);
        return false;
    }
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(want, "retry_after");
    if (after != NULL) {
        const cJSON *got = cJSON_GetObjectItemCaseSensitive(d, "retry_after");
        /* Whole seconds, as the Rust runner compares them. */
        bool same = cJSON_IsNull(after) ? cJSON_IsNull(got)
                                        : cJSON_IsNumber(got) && trunc(got->valuedouble) == after->valuedouble;
        if (!same) {
            snprintf(why, sizeof why, "expected retry_after %g, got %g", after->valuedouble,
                     cJSON_IsNumber(got) ? got->valuedouble : -1.0);
            return false;
        }
    }
    const cJSON *type_error = cJSON_GetObjectItemCaseSensitive(want, "type_error");
    if (cJSON_IsBool(type_error) &&
        cJSON_IsTrue(type_error) != cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "type_error"))) {
        snprintf(why, sizeof why, "expected type_error %s: %s", cJSON_IsTrue(type_error) ? "true" : "false",
                 msg ? msg : "");
        return false;
    }
    const cJSON *fragment = NULL;
    cJSON_ArrayForEach(fragment, cJSON_GetObjectItemCaseSensitive(want, "message_contains")) {
        const char *s = cJSON_GetStringValue(fragment);
        if (s == NULL || msg == NULL || strstr(msg, s) == NULL) {
            snprintf(why, sizeof why, "the message does not contain `%s`: %s", s ? s : "?", msg ? msg : "");
            return false;
        }
    }
    return true;
}

static bool check_success(const cJSON *want, const struct produced *p) {
    if (!p->ok) {
        const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p->details, "message"));
        snprintf(why, sizeof why, "expected success, got %s: %s", p->code, msg ? msg : "");
        return false;
    }
    const cJSON *w = NULL;
    cJSON_ArrayForEach(w, want) {
        const cJSON *got = cJSON_GetObjectItemCaseSensitive(p->value, w->string);
        if (strcmp(w->string, "detail_contains") == 0) {
            const cJSON *details = cJSON_GetObjectItemCaseSensitive(p->value, "details");
            const cJSON *text = NULL;
            cJSON_ArrayForEach(text, w) {
                const char *detail = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(details, text->string));
                if (detail == NULL || strstr(detail, cJSON_GetStringValue(text)) == NULL) {
                    snprintf(why, sizeof why, "detail of `%s` is `%s`, which lacks `%s`", text->string,
                             detail ? detail : "(none)", cJSON_GetStringValue(text));
                    return false;
                }
            }
            continue;
        }
        if (strcmp(w->string, "same") == 0) {
            /* One label per request: equal labels <=> equal tokens. */
            const cJSON *tokens = cJSON_GetObjectItemCaseSensitive(p->value, "tokens");
            int n = cJSON_GetArraySize(w);
            if (cJSON_GetArraySize(tokens) != n) {
                snprintf(why, sizeof why, "`same` has %d labels for %d tokens", n, cJSON_GetArraySize(tokens));
                return false;
            }
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    bool labels = strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(w, a)),
                                         cJSON_GetStringValue(cJSON_GetArrayItem(w, b))) == 0;
                    bool equal = json_equal(cJSON_GetArrayItem(tokens, a), cJSON_GetArrayItem(tokens, b));
                    if (labels != equal) {
                        snprintf(why, sizeof why, "requests %d and %d: labels %s and %s but tokens %s", a, b,
                                 cJSON_GetStringValue(cJSON_GetArrayItem(w, a)),
                                 cJSON_GetStringValue(cJSON_GetArrayItem(w, b)), equal ? "equal" : "differ");
                        return false;
                    }
                }
            }
            continue;
        }
        if (strcmp(w->string, "cached_at_most") == 0) {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(p->value, "cached_tokens");
            if (!cJSON_IsNumber(n) || n->valuedouble > w->valuedouble) {
                snprintf(why, sizeof why, "the cache holds %g tokens, more than %g", cJSON_IsNumber(n) ? n->valuedouble : -1.0,
                         w->valuedouble);
                return false;
            }
            continue;
        }
        bool same = strcmp(w->string, "result") == 0 ? json_contains(got, w) : json_equal(got, w);
        if (!same) {
            char *g = got ? cJSON_PrintUnformatted(got) : NULL;
            char *e = cJSON_PrintUnformatted(w);
            snprintf(why, sizeof why, "`%s`: expected %s%s, got %s", w->string,
                     strcmp(w->string, "result") == 0 ? "a value containing " : "", e ? e : "?",
                     g ? g : "(not produced)");
            cJSON_free(g);
            cJSON_free(e);
            return false;
        }
    }
    return true;
}

static bool check(const struct conf_case *c, const struct produced *p) {
    cJSON *want = cJSON_Parse(c->expect);
    if (!cJSON_IsObject(want)) {
        snprintf(why, sizeof why, "the case's expect is not a JSON object");
        cJSON_Delete(want);
        return false;
    }
    bool ok = cJSON_HasObjectItem(want, "error") ? check_error(want, p) : check_success(want, p);
    cJSON_Delete(want);
    return ok;
}

/* The comparison itself must be able to fail (a runner that always passes is a bug). */
static void self_test(void) {
    const char *pairs[][3] = {
        /* got, want, contains? */
        {"{\"a\":1,\"b\":[1,{\"c\":2,\"d\":3}]}", "{\"b\":[1,{\"c\":2}]}", "1"},
        {"{\"a\":1}", "{\"a\":2}", "0"},
        {"[1,2]", "[1]", "0"},
        {"{\"a\":null}", "{\"a\":false}", "0"},
        {"{\"a\":\"x\"}", "{\"b\":\"x\"}", "0"},
    };
    for (size_t i = 0; i < COUNT(pairs); i++) {
        cJSON *g = cJSON_Parse(pairs[i][0]), *w = cJSON_Parse(pairs[i][1]);
        if (json_contains(g, w) != (pairs[i][2][0] == '1')) {
            fprintf(stderr, "json_contains self-test %zu is wrong\n", i);
            exit(2);
        }
        cJSON_Delete(g);
        cJSON_Delete(w);
    }
    cJSON *a = cJSON_Parse("{\"x\":[1,2],\"y\":\"z\"}"), *b = cJSON_Parse("{\"y\":\"z\",\"x\":[1,2]}");
    cJSON *c = cJSON_Parse("{\"y\":\"z\",\"x\":[2,1]}"), *d = cJSON_Parse("{\"y\":\"z\",\"x\":[1,2],\"w\":0}");
    if (!json_equal(a, b) || json_equal(a, c) || json_equal(a, d) || json_equal(d, a)) {
        fprintf(stderr, "json_equal self-test is wrong\n");
        exit(2);
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(c);
    cJSON_Delete(d);
}

int main(int argc, char **argv) {
    if (argc > 1) root = argv[1];
    self_test();
    int passed = 0, skipped = 0, failed = 0, through_json = 0;
    for (size_t i = 0; i < COUNT(CASES); i++) {
        const struct conf_case *c = &CASES[i];
        if (c->skip != NULL) {
            skipped++;
            continue;
        }
        if (c->unexpressible != NULL) {
            fprintf(stderr, "FAILED %s: the C runner cannot run it: %s\n", c->name, c->unexpressible);
            failed++;
            continue;
        }
        struct produced p = {0};
        const char *op = c->op;
        if (strcmp(op, "load_key") == 0) op_load_key(c, &p);
        else if (strcmp(op, "sign") == 0) op_sign(c, &p);
        else if (strcmp(op, "signed_url") == 0) op_signed_url(c, &p);
        else if (strcmp(op, "url") == 0) op_url(c, &p);
        else if (strcmp(op, "cookie") == 0) op_cookie(c, &p);
        else if (strcmp(op, "verify") == 0) op_verify(c, &p);
        else if (strcmp(op, "explain") == 0 || strcmp(op, "explain_token") == 0) op_explain(c, &p);
        else if (strcmp(op, "decode") == 0) op_decode(c, &p);
        else if (strcmp(op, "audit") == 0) op_audit(c, &p);
        else if (strcmp(op, "stream_coverage") == 0) op_stream_coverage(c, &p);
        else if (strcmp(op, "from_env") == 0) op_from_env(c, &p);
        else if (strcmp(op, "client_from_env") == 0) op_client_from_env(c, &p);
        else if (strcmp(op, "client") == 0) op_client(c, &p);
        else if (strcmp(op, "jwks") == 0) op_jwks(c, &p);
        else if (strcmp(op, "sign_many") == 0) op_sign_many(c, &p);
        else if (strcmp(op, "cached_sign") == 0) op_cached_sign(c, &p);
        else {
            fprintf(stderr, "%s: unknown op %s (gen_conformance.py let it through)\n", c->name, op);
            exit(2);
        }
        bool json = c->sign_mode == MODE_JSON || c->verify_mode == MODE_JSON || c->client_mode == MODE_JSON ||
                    c->batch_mode == MODE_JSON;
        for (size_t k = 0; k < c->item_count; k++) json = json || c->items[k].mode == MODE_JSON;
        if (json) through_json++;
        if (check(c, &p)) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAILED %s: %s\n", c->name, why);
        }
        cJSON_Delete(p.value);
        cJSON_Delete(p.details);
    }
    for (size_t i = 0; i < COUNT(signer_cache); i++) qcdn_signer_free(signer_cache[i]);
    stop_emulator();
    printf("conformance: c: %zu cases, %d passed, %d skipped, %d failed\n", COUNT(CASES), passed, skipped, failed);
    for (size_t i = 0; i < COUNT(CASES); i++) {
        if (CASES[i].skip != NULL) printf("  skipped %s: %s\n", CASES[i].name, CASES[i].skip);
    }
    printf("(%d cases ran through the _json functions: options the C structs cannot express)\n", through_json);
    return failed == 0 ? 0 : 1;
}
