/* Generated from include/qencode_cdn.h by tools/gen-ffi-header.php for PHP's FFI parser;
 * do not edit. Read the original for the documentation of every declaration.
 * QCDN_VERSION 0.1.0 */
enum qcdn_status
 {
    QCDN_OK = 0,
    QCDN_ERR_INVALID_ARGUMENT = 1,
    QCDN_ERR_INVALID_KEY = 2,
    QCDN_ERR_MALFORMED_TOKEN = 3,
    QCDN_ERR_INVALID_SIGNATURE = 4,
    QCDN_ERR_TOKEN_EXPIRED = 5,
    QCDN_ERR_TOKEN_NOT_YET_VALID = 6,
    QCDN_ERR_URI_MISMATCH = 7,
    QCDN_ERR_UNKNOWN_KEY_ID = 8,
    QCDN_ERR_UNAUTHORIZED = 9,
    QCDN_ERR_NOT_FOUND = 10,
    QCDN_ERR_RATE_LIMITED = 11,
    QCDN_ERR_API_ERROR = 12,
    QCDN_ERR_TRANSPORT = 13,
    QCDN_ERR_TIMEOUT = 14,
    QCDN_ERR_DECODE = 15,
    QCDN_ERR_INTERNAL = 16,
    QCDN_ERR_SIGNER_FAILED = 17,
};
typedef uint32_t qcdn_status;
enum qcdn_resource_kind
 {
    QCDN_RESOURCE_LIVE = 0,
    QCDN_RESOURCE_STORAGE = 1,
};
typedef uint32_t qcdn_resource_kind;
enum qcdn_same_site
 {
    QCDN_SAME_SITE_LAX = 0,
    QCDN_SAME_SITE_STRICT = 1,
    QCDN_SAME_SITE_NONE = 2,
};
typedef uint32_t qcdn_same_site;
enum qcdn_domain_type
 {
    QCDN_DOMAIN_TYPE_ANY = 0,
    QCDN_DOMAIN_TYPE_LIVE = 1,
    QCDN_DOMAIN_TYPE_STORAGE = 2,
};
typedef uint32_t qcdn_domain_type;
enum qcdn_signing_key_target
 {
    QCDN_SIGNING_KEY_TARGET_STREAM = 0,
    QCDN_SIGNING_KEY_TARGET_DOMAIN = 1,
    QCDN_SIGNING_KEY_TARGET_BUCKET = 2,
};
typedef uint32_t qcdn_signing_key_target;
enum qcdn_bucket_policy
 {
    QCDN_BUCKET_POLICY_PUBLIC = 0,
    QCDN_BUCKET_POLICY_AUTHENTICATED = 1,
};
typedef uint32_t qcdn_bucket_policy;
typedef struct qcdn_client qcdn_client;
typedef struct qcdn_signer qcdn_signer;
typedef struct qcdn_verifier qcdn_verifier;
typedef struct qcdn_client_options {
    const char *api_url;
    const char *auth_url;
    uint32_t connect_timeout_ms;
    uint32_t timeout_ms;
    uint32_t max_retries;
    bool no_retries;
    uint32_t deadline_ms;
} qcdn_client_options;
typedef struct qcdn_sign_options {
    int64_t expires_in;
    int64_t expires_at;
    int64_t not_before;
    bool has_not_before;
    bool never_expires;
    const char *claims_json;
    int64_t now;
} qcdn_sign_options;
typedef int32_t (*qcdn_sign_callback)(void *user_data,
                                      const uint8_t *input,
                                      size_t input_len,
                                      uint8_t *sig,
                                      size_t sig_cap,
                                      size_t *sig_len,
                                      char *error,
                                      size_t error_cap);
typedef struct qcdn_cookie_options {
    const char *domain;
    const char *path;
    uint32_t same_site;
    bool insecure;
    bool script_readable;
} qcdn_cookie_options;
typedef struct qcdn_verify_options {
    const char *key_id;
    uint32_t leeway_secs;
    int64_t now;
} qcdn_verify_options;
const char *qcdn_version(void);
void qcdn_string_free(char *s);
qcdn_status qcdn_client_new(const char *api_key,
                            const struct qcdn_client_options *options,
                            struct qcdn_client **out_client);
qcdn_status qcdn_client_new_json(const char *api_key,
                                 const char *options_json,
                                 const char *binding,
                                 struct qcdn_client **out_client);
void qcdn_client_free(struct qcdn_client *client);
qcdn_status qcdn_domain_type_parse(const char *name, uint32_t *out_domain_type);
qcdn_status qcdn_bucket_policy_parse(const char *name, uint32_t *out_policy);
qcdn_status qcdn_client_create_domain(const struct qcdn_client *client,
                                      const char *name,
                                      uint32_t domain_type,
                                      char **out_json);
qcdn_status qcdn_client_get_domain(const struct qcdn_client *client, const char *id, char **out_json);
qcdn_status qcdn_client_list_domains(const struct qcdn_client *client, uint32_t domain_type, char **out_json);
qcdn_status qcdn_client_delete_domain(const struct qcdn_client *client, const char *id, char **out_json);
qcdn_status qcdn_client_create_tls_subscription(const struct qcdn_client *client,
                                                const char *domain_id,
                                                char **out_json);
qcdn_status qcdn_client_get_tls_subscription(const struct qcdn_client *client,
                                             const char *id,
                                             char **out_json);
qcdn_status qcdn_client_list_tls_subscriptions(const struct qcdn_client *client, char **out_json);
qcdn_status qcdn_client_delete_tls_subscription(const struct qcdn_client *client,
                                                const char *id,
                                                char **out_json);
qcdn_status qcdn_client_create_signing_key(const struct qcdn_client *client,
                                           uint32_t target_kind,
                                           const char *target,
                                           char **out_json);
qcdn_status qcdn_client_get_signing_key(const struct qcdn_client *client, const char *id, char **out_json);
qcdn_status qcdn_client_list_signing_keys(const struct qcdn_client *client, char **out_json);
qcdn_status qcdn_client_rename_signing_key(const struct qcdn_client *client,
                                           const char *id,
                                           const char *name,
                                           char **out_json);
qcdn_status qcdn_client_delete_signing_key(const struct qcdn_client *client, const char *id, char **out_json);
qcdn_status qcdn_client_set_bucket_policy(const struct qcdn_client *client,
                                          const char *bucket,
                                          uint32_t policy,
                                          char **out_json);
qcdn_status qcdn_client_set_bucket_cors(const struct qcdn_client *client,
                                        const char *bucket,
                                        const char *cors_json,
                                        char **out_json);
qcdn_status qcdn_client_get_bucket_cors(const struct qcdn_client *client,
                                        const char *bucket,
                                        char **out_json);
qcdn_status qcdn_client_delete_bucket_cors(const struct qcdn_client *client,
                                           const char *bucket,
                                           char **out_json);
qcdn_status qcdn_client_delete_bucket_cors_header(const struct qcdn_client *client,
                                                  const char *bucket,
                                                  const char *header,
                                                  char **out_json);
qcdn_status qcdn_client_purge_bucket_cache(const struct qcdn_client *client,
                                           const char *bucket,
                                           char **out_json);
qcdn_status qcdn_client_purge_object_cache(const struct qcdn_client *client,
                                           const char *bucket,
                                           const char *path,
                                           char **out_json);
const char *qcdn_status_str(uint32_t status);
qcdn_status qcdn_last_error_message(char *buf, size_t len, size_t *out_needed);
qcdn_status qcdn_last_error_json(char **out_json);
struct qcdn_sign_options qcdn_sign_options_default(void);
qcdn_status qcdn_signer_new(const char *key_id,
                            const uint8_t *key,
                            size_t key_len,
                            struct qcdn_signer **out_signer);
qcdn_status qcdn_signer_from_env(const char *key_id, struct qcdn_signer **out_signer);
qcdn_status qcdn_signer_from_file(const char *key_id, const char *path, struct qcdn_signer **out_signer);
qcdn_status qcdn_signer_sign(const struct qcdn_signer *signer,
                             const char *uri,
                             const struct qcdn_sign_options *options,
                             char **out_token);
qcdn_status qcdn_signer_sign_json(const struct qcdn_signer *signer,
                                  const char *uri,
                                  const char *options_json,
                                  char **out_token);
qcdn_status qcdn_signer_public_key_pem(const struct qcdn_signer *signer, char **out_pem);
qcdn_status qcdn_signer_key_id(const struct qcdn_signer *signer, char **out_key_id);
qcdn_status qcdn_signer_key_bits(const struct qcdn_signer *signer, uint32_t *out_bits);
qcdn_status qcdn_signer_public_key_jwk(const struct qcdn_signer *signer, char **out_jwk);
void qcdn_signer_free(struct qcdn_signer *signer);
qcdn_status qcdn_signer_new_external(const char *key_id,
                                     const uint8_t *public_key,
                                     size_t public_key_len,
                                     qcdn_sign_callback callback,
                                     void *user_data,
                                     void (*free_user_data)(void*),
                                     uint32_t timeout_ms,
                                     struct qcdn_signer **out_signer);
qcdn_status qcdn_signer_from_pkcs11(const char *module,
                                    const char *token_label,
                                    const char *key_label,
                                    const char *pin,
                                    const char *key_id,
                                    struct qcdn_signer **out_signer);
qcdn_status qcdn_signer_prepare_json(const struct qcdn_signer *signer,
                                     const char *uri,
                                     const char *options_json,
                                     char **out_signing_input);
qcdn_status qcdn_signer_finish(const struct qcdn_signer *signer,
                               const char *signing_input,
                               const uint8_t *sig,
                               size_t sig_len,
                               char **out_token);
qcdn_status qcdn_signer_sign_many_json(const struct qcdn_signer *signer,
                                       const char *items_json,
                                       uint32_t threads,
                                       char **out_json);
qcdn_status qcdn_signer_sign_many(const struct qcdn_signer *signer,
                                  const char *const *uris,
                                  const struct qcdn_sign_options *options,
                                  size_t count,
                                  uint32_t threads,
                                  char **out_tokens,
                                  qcdn_status *out_statuses);
qcdn_status qcdn_signer_cached(const struct qcdn_signer *signer,
                               uint32_t window_secs,
                               uint64_t capacity,
                               bool cache_pinned_clock,
                               struct qcdn_signer **out_signer);
qcdn_status qcdn_signer_cached_tokens(const struct qcdn_signer *signer, uint64_t *out_count);
qcdn_status qcdn_live_playback_url(const char *playback_id, const char *token, char **out_url);
qcdn_status qcdn_live_custom_domain_url(const char *domain,
                                        const char *playback_id,
                                        const char *token,
                                        char **out_url);
qcdn_status qcdn_storage_url(const char *bucket,
                             const char *region,
                             const char *key,
                             const char *token,
                             char **out_url);
qcdn_status qcdn_storage_custom_domain_url(const char *domain,
                                           const char *key,
                                           const char *token,
                                           char **out_url);
qcdn_status qcdn_signer_signed_live_url(const struct qcdn_signer *signer,
                                        const char *playback_id,
                                        const struct qcdn_sign_options *options,
                                        char **out_url);
qcdn_status qcdn_signer_signed_live_custom_domain_url(const struct qcdn_signer *signer,
                                                      const char *domain,
                                                      const char *playback_id,
                                                      const struct qcdn_sign_options *options,
                                                      char **out_url);
qcdn_status qcdn_signer_signed_storage_url(const struct qcdn_signer *signer,
                                           const char *bucket,
                                           const char *region,
                                           const char *key,
                                           const struct qcdn_sign_options *options,
                                           char **out_url);
qcdn_status qcdn_signer_signed_storage_custom_domain_url(const struct qcdn_signer *signer,
                                                         const char *domain,
                                                         const char *key,
                                                         const struct qcdn_sign_options *options,
                                                         char **out_url);
qcdn_status qcdn_signer_sign_url(const struct qcdn_signer *signer,
                                 const char *url,
                                 const char *uri,
                                 const struct qcdn_sign_options *options,
                                 char **out_url);
qcdn_status qcdn_signer_signed_live_url_json(const struct qcdn_signer *signer,
                                             const char *playback_id,
                                             const char *options_json,
                                             char **out_url);
qcdn_status qcdn_signer_signed_live_custom_domain_url_json(const struct qcdn_signer *signer,
                                                           const char *domain,
                                                           const char *playback_id,
                                                           const char *options_json,
                                                           char **out_url);
qcdn_status qcdn_signer_signed_storage_url_json(const struct qcdn_signer *signer,
                                                const char *bucket,
                                                const char *region,
                                                const char *key,
                                                const char *options_json,
                                                char **out_url);
qcdn_status qcdn_signer_signed_storage_custom_domain_url_json(const struct qcdn_signer *signer,
                                                              const char *domain,
                                                              const char *key,
                                                              const char *options_json,
                                                              char **out_url);
qcdn_status qcdn_signer_sign_url_json(const struct qcdn_signer *signer,
                                      const char *url,
                                      const char *uri,
                                      const char *options_json,
                                      char **out_url);
qcdn_status qcdn_signer_signed_cookie(const struct qcdn_signer *signer,
                                      const char *uri,
                                      const struct qcdn_sign_options *options,
                                      const struct qcdn_cookie_options *cookie_options,
                                      char **out_set_cookie);
qcdn_status qcdn_signer_signed_cookie_json(const struct qcdn_signer *signer,
                                           const char *uri,
                                           const char *options_json,
                                           char **out_set_cookie);
qcdn_status qcdn_signer_signed_cookie_fields_json(const struct qcdn_signer *signer,
                                                  const char *uri,
                                                  const char *options_json,
                                                  char **out_json);
qcdn_status qcdn_verifier_new(const uint8_t *key, size_t key_len, struct qcdn_verifier **out_verifier);
qcdn_status qcdn_verifier_new_jwk(const char *jwk, struct qcdn_verifier **out_verifier);
qcdn_status qcdn_verifier_new_jwks(const char *jwks_json, struct qcdn_verifier **out_verifier);
qcdn_status qcdn_verifier_new_keys_json(const char *keys_json, struct qcdn_verifier **out_verifier);
qcdn_status qcdn_verifier_jwks(const struct qcdn_verifier *verifier, char **out_jwks);
qcdn_status qcdn_verifier_from_signer(const struct qcdn_signer *signer, struct qcdn_verifier **out_verifier);
qcdn_status qcdn_verifier_verify(const struct qcdn_verifier *verifier,
                                 const char *token,
                                 const struct qcdn_verify_options *options,
                                 char **out_claims_json);
qcdn_status qcdn_verifier_verify_json(const struct qcdn_verifier *verifier,
                                      const char *token,
                                      const char *options_json,
                                      char **out_json);
qcdn_status qcdn_verifier_verify_resource(const struct qcdn_verifier *verifier,
                                          const char *token,
                                          uint32_t resource_kind,
                                          const char *resource,
                                          const struct qcdn_verify_options *options,
                                          char **out_claims_json);
qcdn_status qcdn_verifier_covers(const struct qcdn_verifier *verifier,
                                 const char *token,
                                 uint32_t resource_kind,
                                 const char *resource,
                                 const struct qcdn_verify_options *options,
                                 bool *out_covers);
qcdn_status qcdn_verifier_explain(const struct qcdn_verifier *verifier,
                                  const char *url,
                                  const struct qcdn_verify_options *options,
                                  char **out_json);
qcdn_status qcdn_verifier_explain_json(const struct qcdn_verifier *verifier,
                                       const char *url,
                                       const char *options_json,
                                       char **out_json);
qcdn_status qcdn_verifier_explain_token(const struct qcdn_verifier *verifier,
                                        const char *token,
                                        const char *options_json,
                                        char **out_json);
qcdn_status qcdn_decode_unverified(const char *token, char **out_json);
qcdn_status qcdn_audit(const char *token, int64_t now, char **out_json);
void qcdn_verifier_free(struct qcdn_verifier *verifier);
qcdn_status qcdn_stream_coverage(const char *manifest_url,
                                 const char *manifest_text,
                                 const char *options_json,
                                 char **out_json);
qcdn_status qcdn_stream_check(const char *url, const char *options_json, char **out_json);
