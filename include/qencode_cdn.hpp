// qencode_cdn.hpp — header-only C++17 wrapper of qencode_cdn.h.
//
// RAII handles (Signer, Verifier, Client; movable, not copyable), std::string
// results, and exceptions: every failure throws qencode_cdn::Error, which
// carries the qcdn_status code (status()), its name (code_name(), e.g.
// "INVALID_KEY"), the library's message (what()) and the details of
// qcdn_last_error_json (details_json(): HTTP status, Retry-After, body …).
// Handles may be shared between threads exactly as the C handles may (const
// methods only).
//
//   #include <qencode_cdn.hpp>
//   auto signer = qencode_cdn::Signer::from_key("key-id", pem);   // or from_env(), from_file(id, path)
//   std::string url = signer.signed_storage_url("my-bucket", "us-west", "videos/a.mp4",
//                                               qencode_cdn::SignOptions().expires_in(600));
//
// Link exactly as for C (-lqencode_cdn, pkg-config qencode_cdn).
#ifndef QENCODE_CDN_HPP
#define QENCODE_CDN_HPP

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qencode_cdn.h"

namespace qencode_cdn {

/// A failed call: the status code, the library's message and its details.
class Error : public std::runtime_error {
  public:
    Error(qcdn_status status, const std::string &message, std::string details_json = std::string())
        : std::runtime_error(message), status_(status), details_(std::move(details_json)) {}
    /// The C status (QCDN_ERR_*).
    qcdn_status status() const noexcept { return status_; }
    /// The code string shared by every language, e.g. "TOKEN_EXPIRED".
    std::string code_name() const { return qcdn_status_str(status_); }
    /// The error's details as qcdn_last_error_json gave them when it was thrown:
    /// {"code","status_code","message","http_status","retry_after","body","request_id","type_error"}.
    const std::string &details_json() const noexcept { return details_; }

  private:
    qcdn_status status_;
    std::string details_;
};

namespace detail {

/// The last error message of this thread, whatever its length.
inline std::string last_error_message() {
    std::size_t needed = 0;
    if (qcdn_last_error_message(nullptr, 0, &needed) != QCDN_OK || needed == 0) return std::string();
    std::vector<char> buf(needed);
    if (qcdn_last_error_message(buf.data(), buf.size(), &needed) != QCDN_OK) return std::string();
    return std::string(buf.data());
}

/// The details of the last error of this thread (qcdn_last_error_json).
inline std::string last_error_json() {
    char *json = nullptr;
    if (qcdn_last_error_json(&json) != QCDN_OK) return std::string();
    std::string out(json != nullptr ? json : "");
    qcdn_string_free(json);
    return out;
}

/// Throws Error unless `status` is QCDN_OK.
inline void check(qcdn_status status) {
    if (status != QCDN_OK) throw Error(status, last_error_message(), last_error_json());
}

struct StringDeleter {
    void operator()(char *s) const noexcept { qcdn_string_free(s); }
};

/// Runs `call(&out)`, throws on failure, and returns the library string as a std::string.
template <typename F> std::string take_string(F &&call) {
    char *out = nullptr;
    check(call(&out));
    std::unique_ptr<char, StringDeleter> guard(out);
    return std::string(out != nullptr ? out : "");
}

/// NULL for an empty optional, else the string's C pointer.
inline const char *opt(const std::optional<std::string> &s) { return s ? s->c_str() : nullptr; }

}  // namespace detail

/// The library's version string, e.g. "0.1.0".
inline std::string version() { return qcdn_version(); }

/// Options of one signature; the default expires in 3600 s. "Never expires"
/// must be asked for with never_expires().
class SignOptions {
  public:
    SignOptions() : o_(qcdn_sign_options_default()) {}
    /// exp = signing time + seconds (must be positive).
    SignOptions &expires_in(std::int64_t seconds) {
        o_.expires_in = seconds;
        return *this;
    }
    /// exp = this Unix time (wins over expires_in).
    SignOptions &expires_at(std::int64_t unix_seconds) {
        o_.expires_at = unix_seconds;
        return *this;
    }
    /// nbf = this Unix time.
    SignOptions &not_before(std::int64_t unix_seconds) {
        o_.has_not_before = true;
        o_.not_before = unix_seconds;
        return *this;
    }
    /// No exp claim at all. Only on purpose.
    SignOptions &never_expires() {
        o_.never_expires = true;
        o_.expires_in = 0;
        o_.expires_at = 0;
        return *this;
    }
    /// Custom claims as a JSON object text.
    SignOptions &claims_json(std::string json) {
        claims_ = std::move(json);
        return *this;
    }
    /// Pins the signing time (tests, reproducible tokens).
    SignOptions &now(std::int64_t unix_seconds) {
        o_.now = unix_seconds;
        return *this;
    }
    /// The C struct, valid while this object lives and is not modified.
    const qcdn_sign_options *c_options() const {
        c_ = o_;
        c_.claims_json = detail::opt(claims_);
        return &c_;
    }

  private:
    qcdn_sign_options o_;
    std::optional<std::string> claims_;
    mutable qcdn_sign_options c_{};
};

/// The cookie's SameSite attribute.
enum class SameSite : std::uint32_t { Lax = QCDN_SAME_SITE_LAX, Strict = QCDN_SAME_SITE_STRICT, None = QCDN_SAME_SITE_NONE };

/// Attributes of the signed cookie; the defaults are host-only, Path from the
/// token's uri, Secure, HttpOnly, SameSite=Lax.
struct CookieOptions {
    std::optional<std::string> domain;
    std::optional<std::string> path;
    SameSite same_site = SameSite::Lax;
    bool secure = true;
    bool http_only = true;

    /// The C struct, valid while this object lives and is not modified.
    qcdn_cookie_options c_options() const {
        qcdn_cookie_options o{};
        o.domain = detail::opt(domain);
        o.path = detail::opt(path);
        o.same_site = static_cast<std::uint32_t>(same_site);
        o.insecure = !secure;
        o.script_readable = !http_only;
        return o;
    }
};

/// Options of one verification.
struct VerifyOptions {
    /// Expected kid; empty = the verifier's own.
    std::optional<std::string> key_id;
    /// Seconds of clock skew tolerated.
    std::uint32_t leeway_secs = 0;
    /// Verify as if the time were this Unix second; 0 = the system clock.
    std::int64_t now = 0;

    qcdn_verify_options c_options() const {
        qcdn_verify_options o{};
        o.key_id = detail::opt(key_id);
        o.leeway_secs = leeway_secs;
        o.now = now;
        return o;
    }
};

/// What a token is checked against in Verifier::verify_resource.
enum class ResourceKind : std::uint32_t { Live = QCDN_RESOURCE_LIVE, Storage = QCDN_RESOURCE_STORAGE };

/// A signing key loaded once; sign many times, from many threads.
class Signer {
  public:
    /// Loads a private key in any accepted form (PEM, DER, env-mangled PEM, base64).
    static Signer from_key(const std::string &key_id, std::string_view key) {
        qcdn_signer *s = nullptr;
        detail::check(qcdn_signer_new(key_id.c_str(), reinterpret_cast<const std::uint8_t *>(key.data()), key.size(), &s));
        return Signer(s);
    }

    /// Loads the key from QENCODE_SIGNING_KEY and, without `key_id`, the key id
    /// from QENCODE_SIGNING_KEY_ID (the same rules as every language's from_env).
    static Signer from_env(const std::optional<std::string> &key_id = std::nullopt) {
        qcdn_signer *s = nullptr;
        detail::check(qcdn_signer_from_env(detail::opt(key_id), &s));
        return Signer(s);
    }
    /// Loads the key from a file (any accepted form).
    static Signer from_file(const std::string &key_id, const std::string &path) {
        qcdn_signer *s = nullptr;
        detail::check(qcdn_signer_from_file(key_id.c_str(), path.c_str(), &s));
        return Signer(s);
    }

    /// A token for `uri`.
    std::string sign(const std::string &uri, const SignOptions &options = SignOptions()) const {
        return detail::take_string([&](char **out) { return qcdn_signer_sign(get(), uri.c_str(), options.c_options(), out); });
    }
    /// The public key as SPKI PEM.
    std::string public_key_pem() const {
        return detail::take_string([&](char **out) { return qcdn_signer_public_key_pem(get(), out); });
    }
    /// The key id (kid).
    std::string key_id() const {
        return detail::take_string([&](char **out) { return qcdn_signer_key_id(get(), out); });
    }
    /// The RSA modulus size in bits.
    std::uint32_t key_bits() const {
        std::uint32_t bits = 0;
        detail::check(qcdn_signer_key_bits(get(), &bits));
        return bits;
    }
    /// The public key as a JWK JSON object text (with kid, alg, use).
    std::string public_key_jwk() const {
        return detail::take_string([&](char **out) { return qcdn_signer_public_key_jwk(get(), out); });
    }
    /// Signed live playback URL on the default host.
    std::string signed_live_url(const std::string &playback_id, const SignOptions &options = SignOptions()) const {
        return detail::take_string(
            [&](char **out) { return qcdn_signer_signed_live_url(get(), playback_id.c_str(), options.c_options(), out); });
    }
    /// Signed live playback URL on a custom domain.
    std::string signed_live_custom_domain_url(const std::string &domain, const std::string &playback_id,
                                              const SignOptions &options = SignOptions()) const {
        return detail::take_string([&](char **out) {
            return qcdn_signer_signed_live_custom_domain_url(get(), domain.c_str(), playback_id.c_str(), options.c_options(),
                                                             out);
        });
    }
    /// Signed storage URL on the default host.
    std::string signed_storage_url(const std::string &bucket, const std::string &region, const std::string &key,
                                   const SignOptions &options = SignOptions()) const {
        return detail::take_string([&](char **out) {
            return qcdn_signer_signed_storage_url(get(), bucket.c_str(), region.c_str(), key.c_str(), options.c_options(),
                                                  out);
        });
    }
    /// Signed storage URL on a custom domain.
    std::string signed_storage_custom_domain_url(const std::string &domain, const std::string &key,
                                                 const SignOptions &options = SignOptions()) const {
        return detail::take_string([&](char **out) {
            return qcdn_signer_signed_storage_custom_domain_url(get(), domain.c_str(), key.c_str(), options.c_options(),
                                                                out);
        });
    }
    /// Signs `uri` and sets it as the `auth` parameter of any URL.
    std::string sign_url(const std::string &url, const std::string &uri, const SignOptions &options = SignOptions()) const {
        return detail::take_string(
            [&](char **out) { return qcdn_signer_sign_url(get(), url.c_str(), uri.c_str(), options.c_options(), out); });
    }
    /// The value of a Set-Cookie header carrying a token for `uri`.
    std::string signed_cookie(const std::string &uri, const SignOptions &options = SignOptions(),
                              const CookieOptions &cookie = CookieOptions()) const {
        qcdn_cookie_options co = cookie.c_options();
        return detail::take_string(
            [&](char **out) { return qcdn_signer_signed_cookie(get(), uri.c_str(), options.c_options(), &co, out); });
    }

    /// The C handle (still owned by this object).
    const qcdn_signer *get() const noexcept { return handle_.get(); }

  private:
    struct Deleter {
        void operator()(qcdn_signer *s) const noexcept { qcdn_signer_free(s); }
    };
    explicit Signer(qcdn_signer *s) : handle_(s) {}
    std::unique_ptr<qcdn_signer, Deleter> handle_;
};

/// Checks tokens against one public key, from many threads.
class Verifier {
  public:
    /// From a public key (SPKI/PKCS#1 PEM or DER, base64, JWK) or a private key.
    static Verifier from_public_key(std::string_view key) {
        qcdn_verifier *v = nullptr;
        detail::check(qcdn_verifier_new(reinterpret_cast<const std::uint8_t *>(key.data()), key.size(), &v));
        return Verifier(v);
    }
    /// From a JWK JSON text; its kid, when present, is the expected key id.
    static Verifier from_jwk(const std::string &jwk) {
        qcdn_verifier *v = nullptr;
        detail::check(qcdn_verifier_new_jwk(jwk.c_str(), &v));
        return Verifier(v);
    }
    /// The verifier of a signer's own tokens (expects its kid).
    static Verifier from_signer(const Signer &signer) {
        qcdn_verifier *v = nullptr;
        detail::check(qcdn_verifier_from_signer(signer.get(), &v));
        return Verifier(v);
    }
    /// Verifies and returns `{"kid":…,"claims":{…}}`; throws Error with the verification status.
    std::string verify(const std::string &token, const VerifyOptions &options = VerifyOptions()) const {
        qcdn_verify_options o = options.c_options();
        return detail::take_string([&](char **out) { return qcdn_verifier_verify(get(), token.c_str(), &o, out); });
    }
    /// Verifies the token and requires that it grants the resource (a playback
    /// id, or an object key): returns `{"kid":…,"claims":{…}}`, throws Error
    /// with QCDN_ERR_URI_MISMATCH for a valid token that does not cover it. The
    /// call for an authorisation decision.
    std::string verify_resource(const std::string &token, ResourceKind kind, const std::string &resource,
                                const VerifyOptions &options = VerifyOptions()) const {
        qcdn_verify_options o = options.c_options();
        return detail::take_string([&](char **out) {
            return qcdn_verifier_verify_resource(get(), token.c_str(), static_cast<std::uint32_t>(kind), resource.c_str(),
                                                 &o, out);
        });
    }
    /// Verifies, then tells whether the token grants the resource: false for a
    /// valid token that does not cover it; other failures throw Error.
    bool covers(const std::string &token, ResourceKind kind, const std::string &resource,
                const VerifyOptions &options = VerifyOptions()) const {
        qcdn_verify_options o = options.c_options();
        const qcdn_status st = qcdn_verifier_verify_resource(get(), token.c_str(), static_cast<std::uint32_t>(kind),
                                                             resource.c_str(), &o, nullptr);
        if (st == QCDN_ERR_URI_MISMATCH) return false;
        detail::check(st);
        return true;
    }
    /// Why a signed URL would be accepted or refused, as JSON (`"ok"`, `"checks"`).
    std::string explain(const std::string &url, const VerifyOptions &options = VerifyOptions()) const {
        qcdn_verify_options o = options.c_options();
        return detail::take_string([&](char **out) { return qcdn_verifier_explain(get(), url.c_str(), &o, out); });
    }
    /// Every check of a verification of a bare token, as JSON (`"ok"`, `"checks"`,
    /// `"warnings"`). `options_json`: the verify options as a JSON object with the
    /// keys key_id, leeway, now, resource (`{"kind":"live","playback_id":…}` or
    /// `{"kind":"storage","key":…}`); empty = none.
    std::string explain_token(const std::string &token, const std::string &options_json = std::string()) const {
        return detail::take_string([&](char **out) {
            return qcdn_verifier_explain_token(get(), token.c_str(),
                                               options_json.empty() ? nullptr : options_json.c_str(), out);
        });
    }

    /// The C handle (still owned by this object).
    const qcdn_verifier *get() const noexcept { return handle_.get(); }

  private:
    struct Deleter {
        void operator()(qcdn_verifier *v) const noexcept { qcdn_verifier_free(v); }
    };
    explicit Verifier(qcdn_verifier *v) : handle_(v) {}
    std::unique_ptr<qcdn_verifier, Deleter> handle_;
};

/// The domain type of Client::create_domain / list_domains.
enum class DomainType : std::uint32_t {
    Any = QCDN_DOMAIN_TYPE_ANY,
    Live = QCDN_DOMAIN_TYPE_LIVE,
    Storage = QCDN_DOMAIN_TYPE_STORAGE
};
/// What a new signing key is for.
enum class SigningKeyTarget : std::uint32_t {
    Stream = QCDN_SIGNING_KEY_TARGET_STREAM,
    Domain = QCDN_SIGNING_KEY_TARGET_DOMAIN,
    Bucket = QCDN_SIGNING_KEY_TARGET_BUCKET
};
/// A bucket's access policy.
enum class BucketPolicy : std::uint32_t {
    Public = QCDN_BUCKET_POLICY_PUBLIC,
    Authenticated = QCDN_BUCKET_POLICY_AUTHENTICATED
};

/// Settings of a Client; zero values are the defaults.
struct ClientOptions {
    std::optional<std::string> api_url;
    std::optional<std::string> auth_url;
    std::uint32_t connect_timeout_ms = 0;
    std::uint32_t timeout_ms = 0;
    std::uint32_t max_retries = 0;
    bool no_retries = false;
};

/// The blocking management-API client; every method returns the API's JSON
/// document and throws Error on failure. Usable from many threads.
class Client {
  public:
    explicit Client(const std::string &api_key, const ClientOptions &options = ClientOptions()) {
        qcdn_client_options o{};
        o.api_url = detail::opt(options.api_url);
        o.auth_url = detail::opt(options.auth_url);
        o.connect_timeout_ms = options.connect_timeout_ms;
        o.timeout_ms = options.timeout_ms;
        o.max_retries = options.max_retries;
        o.no_retries = options.no_retries;
        qcdn_client *c = nullptr;
        detail::check(qcdn_client_new(api_key.c_str(), &o, &c));
        handle_.reset(c);
    }

    std::string create_domain(const std::string &name, DomainType type) const {
        return call([&](char **out) { return qcdn_client_create_domain(get(), name.c_str(), static_cast<std::uint32_t>(type), out); });
    }
    std::string get_domain(const std::string &id) const {
        return call([&](char **out) { return qcdn_client_get_domain(get(), id.c_str(), out); });
    }
    std::string list_domains(DomainType type = DomainType::Any) const {
        return call([&](char **out) { return qcdn_client_list_domains(get(), static_cast<std::uint32_t>(type), out); });
    }
    std::string delete_domain(const std::string &id) const {
        return call([&](char **out) { return qcdn_client_delete_domain(get(), id.c_str(), out); });
    }
    std::string create_tls_subscription(const std::string &domain_id) const {
        return call([&](char **out) { return qcdn_client_create_tls_subscription(get(), domain_id.c_str(), out); });
    }
    std::string get_tls_subscription(const std::string &id) const {
        return call([&](char **out) { return qcdn_client_get_tls_subscription(get(), id.c_str(), out); });
    }
    std::string list_tls_subscriptions() const {
        return call([&](char **out) { return qcdn_client_list_tls_subscriptions(get(), out); });
    }
    std::string delete_tls_subscription(const std::string &id) const {
        return call([&](char **out) { return qcdn_client_delete_tls_subscription(get(), id.c_str(), out); });
    }
    /// The document holds the private key ("private_key"), returned only this once.
    std::string create_signing_key(SigningKeyTarget kind, const std::string &target) const {
        return call([&](char **out) {
            return qcdn_client_create_signing_key(get(), static_cast<std::uint32_t>(kind), target.c_str(), out);
        });
    }
    std::string get_signing_key(const std::string &id) const {
        return call([&](char **out) { return qcdn_client_get_signing_key(get(), id.c_str(), out); });
    }
    std::string list_signing_keys() const {
        return call([&](char **out) { return qcdn_client_list_signing_keys(get(), out); });
    }
    std::string rename_signing_key(const std::string &id, const std::string &name) const {
        return call([&](char **out) { return qcdn_client_rename_signing_key(get(), id.c_str(), name.c_str(), out); });
    }
    std::string delete_signing_key(const std::string &id) const {
        return call([&](char **out) { return qcdn_client_delete_signing_key(get(), id.c_str(), out); });
    }
    std::string set_bucket_policy(const std::string &bucket, BucketPolicy policy) const {
        return call([&](char **out) {
            return qcdn_client_set_bucket_policy(get(), bucket.c_str(), static_cast<std::uint32_t>(policy), out);
        });
    }
    /// `cors_json`: a JSON object of header name to string value.
    std::string set_bucket_cors(const std::string &bucket, const std::string &cors_json) const {
        return call([&](char **out) { return qcdn_client_set_bucket_cors(get(), bucket.c_str(), cors_json.c_str(), out); });
    }
    std::string get_bucket_cors(const std::string &bucket) const {
        return call([&](char **out) { return qcdn_client_get_bucket_cors(get(), bucket.c_str(), out); });
    }
    std::string delete_bucket_cors(const std::string &bucket) const {
        return call([&](char **out) { return qcdn_client_delete_bucket_cors(get(), bucket.c_str(), out); });
    }
    std::string delete_bucket_cors_header(const std::string &bucket, const std::string &header) const {
        return call([&](char **out) {
            return qcdn_client_delete_bucket_cors_header(get(), bucket.c_str(), header.c_str(), out);
        });
    }
    std::string purge_bucket_cache(const std::string &bucket) const {
        return call([&](char **out) { return qcdn_client_purge_bucket_cache(get(), bucket.c_str(), out); });
    }
    std::string purge_object_cache(const std::string &bucket, const std::string &path) const {
        return call([&](char **out) { return qcdn_client_purge_object_cache(get(), bucket.c_str(), path.c_str(), out); });
    }

    /// The C handle (still owned by this object).
    const qcdn_client *get() const noexcept { return handle_.get(); }

  private:
    template <typename F> static std::string call(F &&f) { return detail::take_string(std::forward<F>(f)); }
    struct Deleter {
        void operator()(qcdn_client *c) const noexcept { qcdn_client_free(c); }
    };
    std::unique_ptr<qcdn_client, Deleter> handle_;
};

/// A token's header and claims, NOT verified (display and debugging only):
/// `{"header":{…},"claims":{…}}`.
inline std::string decode_unverified(const std::string &token) {
    return detail::take_string([&](char **out) { return qcdn_decode_unverified(token.c_str(), out); });
}

/// What a token grants that may be more than meant: `{"warnings":[{"code","message"}]}`.
/// `now` in Unix seconds; 0 = the system clock.
inline std::string audit(const std::string &token, std::int64_t now = 0) {
    return detail::take_string([&](char **out) { return qcdn_audit(token.c_str(), now, out); });
}

/// `https://play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8[?auth=token]`
inline std::string live_playback_url(const std::string &playback_id, const std::optional<std::string> &token = std::nullopt) {
    return detail::take_string([&](char **out) { return qcdn_live_playback_url(playback_id.c_str(), detail::opt(token), out); });
}
/// `https://{domain}/{playback_id}.m3u8[?auth=token]`
inline std::string live_custom_domain_url(const std::string &domain, const std::string &playback_id,
                                          const std::optional<std::string> &token = std::nullopt) {
    return detail::take_string([&](char **out) {
        return qcdn_live_custom_domain_url(domain.c_str(), playback_id.c_str(), detail::opt(token), out);
    });
}
/// `https://{bucket}.media-storage.{region}.qencode.com/{key}[?auth=token]`
inline std::string storage_url(const std::string &bucket, const std::string &region, const std::string &key,
                               const std::optional<std::string> &token = std::nullopt) {
    return detail::take_string([&](char **out) {
        return qcdn_storage_url(bucket.c_str(), region.c_str(), key.c_str(), detail::opt(token), out);
    });
}
/// `https://{domain}/{key}[?auth=token]`
inline std::string storage_custom_domain_url(const std::string &domain, const std::string &key,
                                             const std::optional<std::string> &token = std::nullopt) {
    return detail::take_string([&](char **out) {
        return qcdn_storage_custom_domain_url(domain.c_str(), key.c_str(), detail::opt(token), out);
    });
}

}  // namespace qencode_cdn

#endif  // QENCODE_CDN_HPP
