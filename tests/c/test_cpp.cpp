// The header-only C++17 wrapper (include/qencode_cdn.hpp): RAII handles,
// std::string results, exceptions carrying the status; external signers from
// a lambda (OpenSSL signs in it), the cache, batches, prepare/finish, key
// sets. Usage: test_cpp REPO_ROOT
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "emulator.h"
#include "qencode_cdn.hpp"

namespace q = qencode_cdn;

static int passed = 0;
static int failed = 0;
static std::string root = ".";

#define EXPECT(cond)                                                                      \
    do {                                                                                  \
        if (cond) {                                                                       \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            std::cerr << __FILE__ << ":" << __LINE__ << ": EXPECT failed: " #cond "\n"; \
        }                                                                                 \
    } while (0)

// Runs `f`, expects it to throw q::Error with `status`, returns the message.
template <typename F> static std::string expect_error(F &&f, qcdn_status status) {
    try {
        f();
    } catch (const q::Error &e) {
        EXPECT(e.status() == status);
        if (e.status() != status) std::cerr << "  got " << e.code_name() << ": " << e.what() << "\n";
        return e.what();
    }
    failed++;
    std::cerr << "expected a q::Error with status " << qcdn_status_str(status) << "\n";
    return std::string();
}

static std::string read(const std::string &rel) {
    std::ifstream f(root + "/" + rel, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

int main(int argc, char **argv) {
    if (argc > 1) root = argv[1];
    EXPECT(q::version() == qcdn_version());

    const std::string pem = read("tests/keys/rsa2048.pkcs1.pem");
    q::Signer signer = q::Signer::from_key("key-1", pem);
    EXPECT(signer.key_id() == "key-1");
    EXPECT(signer.public_key_pem().rfind("-----BEGIN PUBLIC KEY-----", 0) == 0);

    // Same bytes as the C API for the same options.
    const auto opts = q::SignOptions().now(1700000000).expires_in(600).claims_json(R"({"viewer":"u-42"})");
    const std::string token = signer.sign("videos/a/", opts);
    char *c_token = nullptr;
    EXPECT(qcdn_signer_sign(signer.get(), "videos/a/", opts.c_options(), &c_token) == QCDN_OK);
    EXPECT(c_token != nullptr && token == c_token);
    qcdn_string_free(c_token);

    const q::Verifier verifier = q::Verifier::from_signer(signer);
    q::VerifyOptions vo;
    vo.now = 1700000100;
    const std::string claims = verifier.verify(token, vo);
    EXPECT(claims.find("\"viewer\":\"u-42\"") != std::string::npos);
    EXPECT(claims.find("\"exp\":1700000600") != std::string::npos);
    EXPECT(verifier.covers(token, q::ResourceKind::Storage, "videos/a/x.mp4", vo));
    EXPECT(!verifier.covers(token, q::ResourceKind::Storage, "videos/b/x.mp4", vo));
    EXPECT(verifier.verify_resource(token, q::ResourceKind::Storage, "videos/a/x.mp4", vo).find("\"uri\":\"videos/a/\"") !=
           std::string::npos);
    std::string refused = expect_error(
        [&] { verifier.verify_resource(token, q::ResourceKind::Storage, "videos/b/x.mp4", vo); }, QCDN_ERR_URI_MISMATCH);
    EXPECT(refused.find("videos/b/x.mp4") != std::string::npos);

    // explain_token, decode, audit, key bits and JWK.
    const std::string verdict = verifier.explain_token(token, R"({"now":1700000100,"resource":{"kind":"live","playback_id":"x"}})");
    EXPECT(verdict.find("\"ok\":false") != std::string::npos && verdict.find("\"name\":\"resource\"") != std::string::npos);
    EXPECT(verifier.explain_token(token, R"({"now":1700000100})").find("\"ok\":true") != std::string::npos);
    EXPECT(q::decode_unverified(token).find("\"viewer\":\"u-42\"") != std::string::npos);
    EXPECT(q::audit(signer.sign("", q::SignOptions().now(1700000000)), 1700000000).find("WHOLE_BUCKET") != std::string::npos);
    EXPECT(signer.key_bits() == 2048);
    const q::Verifier from_jwk = q::Verifier::from_jwk(signer.public_key_jwk());
    EXPECT(from_jwk.verify(token, vo).find("\"kid\":\"key-1\"") != std::string::npos);
    try {
        verifier.explain_token(token, R"({"now":"soon"})");
        failed++;
    } catch (const q::Error &e) {
        EXPECT(e.status() == QCDN_ERR_INVALID_ARGUMENT);
        EXPECT(e.details_json().find("\"type_error\":true") != std::string::npos);
    }

    // from_file and from_env.
    EXPECT(q::Signer::from_file("key-1", root + "/tests/keys/rsa2048.pkcs8.der").sign("abc", opts) ==
           signer.sign("abc", opts));
    setenv("QENCODE_SIGNING_KEY", pem.c_str(), 1);
    setenv("QENCODE_SIGNING_KEY_ID", "env-key", 1);
    EXPECT(q::Signer::from_env().key_id() == "env-key");
    EXPECT(q::Signer::from_env(std::string("arg-key")).key_id() == "arg-key");
    unsetenv("QENCODE_SIGNING_KEY");
    expect_error([&] { q::Signer::from_env(); }, QCDN_ERR_INVALID_ARGUMENT);
    unsetenv("QENCODE_SIGNING_KEY_ID");
    expect_error([&] { q::Signer::from_file("key-1", "/no/such/key.pem"); }, QCDN_ERR_INVALID_ARGUMENT);

    // Exceptions carry the status and the message.
    vo.now = 1700000601;
    std::string msg = expect_error([&] { verifier.verify(token, vo); }, QCDN_ERR_TOKEN_EXPIRED);
    EXPECT(msg.find("TOKEN_EXPIRED: ") == 0);
    msg = expect_error([&] { q::Signer::from_key("k", read("tests/keys/rsa1024.pkcs1.pem")); }, QCDN_ERR_INVALID_KEY);
    EXPECT(msg.find("2048") != std::string::npos);
    expect_error([&] { q::Signer::from_key("k", ""); }, QCDN_ERR_INVALID_KEY);
    expect_error([&] { signer.sign("u", q::SignOptions().expires_in(-1)); }, QCDN_ERR_INVALID_ARGUMENT);
    try {
        q::storage_url("my-bucket", "mars", "k");
        failed++;
    } catch (const q::Error &e) {
        EXPECT(e.code_name() == "INVALID_ARGUMENT");
        EXPECT(std::string(e.what()).find("mars") != std::string::npos);
    }

    // never_expires: no exp.
    const std::string forever = signer.sign("abc", q::SignOptions().never_expires());
    EXPECT(verifier.verify(forever).find("\"exp\"") == std::string::npos);

    // URLs.
    EXPECT(q::live_playback_url("abc123") == "https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8");
    EXPECT(q::live_custom_domain_url("live.example.com", "abc123", std::string("h.p.s")) ==
           "https://live.example.com/abc123.m3u8?auth=h.p.s");
    EXPECT(q::storage_url("my-bucket", "us-west", "videos/a b.mp4") ==
           "https://my-bucket.media-storage.us-west.qencode.com/videos/a%20b.mp4");
    EXPECT(q::storage_custom_domain_url("media.example.com", "x.mp4") == "https://media.example.com/x.mp4");
    const std::string url = signer.signed_storage_url("my-bucket", "us-west", "videos/a/x.mp4");
    EXPECT(verifier.explain(url).find("\"ok\":true") != std::string::npos);
    EXPECT(verifier.explain(signer.signed_live_url("abc123")).find("\"ok\":true") != std::string::npos);
    EXPECT(verifier.explain(signer.signed_live_custom_domain_url("live.example.com", "abc123")).find("\"ok\":true") !=
           std::string::npos);
    EXPECT(verifier.explain(signer.signed_storage_custom_domain_url("media.example.com", "a/b.mp4")).find("\"ok\":true") !=
           std::string::npos);
    EXPECT(signer.sign_url("https://a.example.com/x.mp4", "x.mp4", opts) == "https://a.example.com/x.mp4?auth=" +
                                                                                  signer.sign("x.mp4", opts));

    // Cookie.
    q::CookieOptions co;
    co.domain = "example.com";
    co.same_site = q::SameSite::Strict;
    const std::string cookie = signer.signed_cookie("videos/a/", q::SignOptions().now(1700000000), co);
    EXPECT(cookie == "Qencode-Auth-Token=" + signer.sign("videos/a/", q::SignOptions().now(1700000000)) +
                         "; Domain=example.com; Path=/videos/a/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict");

    // A verifier from the public key, shared by threads.
    const q::Verifier from_pem = q::Verifier::from_public_key(read("tests/keys/rsa2048.spki.pem"));
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int i = 0; i < 4; i++) {
        threads.emplace_back([&, i] {
            for (int r = 0; r < 10; r++) {
                const std::string t = signer.sign("live-" + std::to_string(i));
                if (from_pem.covers(t, q::ResourceKind::Live, "live-" + std::to_string(i))) ok[i]++;
            }
        });
    }
    for (auto &t : threads) t.join();
    for (int i = 0; i < 4; i++) EXPECT(ok[i] == 10);

    // Handles move.
    q::Signer moved = std::move(signer);
    EXPECT(moved.key_id() == "key-1");

    // External signers: a lambda holding an OpenSSL key (a KMS stand-in).
    {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
        std::shared_ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
        EXPECT(key != nullptr);
        auto kms = [key](std::string_view input) {
            std::vector<std::uint8_t> sig(static_cast<std::size_t>(EVP_PKEY_get_size(key.get())));
            std::size_t len = sig.size();
            std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
            if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
                EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char *>(input.data()),
                               input.size()) != 1) {
                throw std::runtime_error("OpenSSL could not sign");
            }
            sig.resize(len);
            return sig;
        };
        const std::string public_pem = moved.public_key_pem();
        const q::SignOptions pinned = q::SignOptions().now(1700000000);
        const q::Signer ext = q::Signer::external("key-1", public_pem, kms);
        EXPECT(ext.sign("videos/a/", pinned) == moved.sign("videos/a/", pinned));
        EXPECT(q::Signer::external("key-1", public_pem, kms, 60000).sign("videos/a/", pinned) ==
               moved.sign("videos/a/", pinned));
        const q::Signer cached = ext.cached(86400);
        EXPECT(cached.sign("videos/c/") == cached.sign("videos/c/"));
        EXPECT(cached.cached_tokens() == 1 && ext.cached_tokens() == 0);
        std::string msg = expect_error(
            [&] {
                q::Signer::external("k", public_pem, [](std::string_view) -> std::vector<std::uint8_t> {
                    throw std::runtime_error("KMS is down");
                }).sign("a/");
            },
            QCDN_ERR_SIGNER_FAILED);
        EXPECT(msg.find("KMS is down") != std::string::npos);
        msg = expect_error(
            [&] {
                q::Signer::external("k", public_pem, [](std::string_view) { return std::vector<std::uint8_t>(5000, 1); })
                    .sign("a/");
            },
            QCDN_ERR_SIGNER_FAILED);
        EXPECT(msg.find("more than the buffer") != std::string::npos);
        // Not made: the wrapper keeps (and deletes) its function; the sanitizers watch.
        expect_error([&] { q::Signer::external("k", "not a key", kms); }, QCDN_ERR_INVALID_KEY);

        // Two-phase signing: the signature made outside, the token assembled after.
        const std::string input = moved.prepare("abc", R"({"now":1700000000})");
        EXPECT(moved.finish(input, kms(input)) == moved.sign("abc", pinned));
        expect_error([&] { moved.finish(input, std::vector<std::uint8_t>(256, 7)); }, QCDN_ERR_SIGNER_FAILED);

        // A batch, and key sets with their export.
        const std::string batch = ext.sign_many_json(R"([{"uri":"a/","options":{"now":1700000000}},{"uri":"/b"}])", 2);
        EXPECT(batch.find("\"token\":\"" + moved.sign("a/", pinned) + "\"") != std::string::npos);
        EXPECT(batch.find("\"code\":\"INVALID_ARGUMENT\"") != std::string::npos);
        const q::Verifier set = q::Verifier::from_jwks("{\"keys\":[" + moved.public_key_jwk() + "]}");
        EXPECT(set.verify(ext.sign("videos/a/")).find("\"kid\":\"key-1\"") != std::string::npos);
        EXPECT(q::Verifier::from_jwks(set.jwks()).jwks() == set.jwks());
        std::string escaped; // the PEM as a JSON string's content
        for (char c : public_pem) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
        const q::Verifier pairs = q::Verifier::from_keys_json(R"([{"kid":"key-old","key":")" + escaped + "\"}]");
        expect_error([&] { pairs.verify(ext.sign("videos/a/")); }, QCDN_ERR_UNKNOWN_KEY_ID);
        EXPECT(pairs.verify(q::Signer::from_key("key-old", pem).sign("videos/a/")).find("key-old") != std::string::npos);
        expect_error([&] { q::Verifier::from_keys_json("[]"); }, QCDN_ERR_INVALID_ARGUMENT);
    }

    // The client against the emulator.
    if (start_emulator() == 0) {
        q::ClientOptions co2;
        co2.api_url = emulator_url;
        co2.auth_url = emulator_url;
        co2.no_retries = true;
        co2.deadline_ms = 20000;
        const q::Client client(API_KEY, co2);
        const std::string domain = client.create_domain("cpp.example.com", q::DomainType::Storage);
        EXPECT(domain.find("\"domain_name\":\"cpp.example.com\"") != std::string::npos);
        EXPECT(client.list_domains(q::DomainType::Storage).find("cpp.example.com") != std::string::npos);
        EXPECT(client.list_domains(q::DomainType::Live) == "[]");
        EXPECT(client.set_bucket_policy("my-bucket", q::BucketPolicy::Authenticated) == "{\"status\":\"ok\"}");
        EXPECT(client.set_bucket_cors("my-bucket", R"({"Access-Control-Allow-Origin":"*"})") == "{\"status\":\"ok\"}");
        EXPECT(client.get_bucket_cors("my-bucket") == R"({"Access-Control-Allow-Origin":"*"})");
        const std::string key = client.create_signing_key(q::SigningKeyTarget::Bucket, "my-bucket");
        EXPECT(key.find("PRIVATE KEY") != std::string::npos);
        EXPECT(client.list_signing_keys().find("my-bucket") != std::string::npos);
        try {
            client.get_domain("no-such-domain");
            failed++;
        } catch (const q::Error &e) {
            EXPECT(e.status() == QCDN_ERR_NOT_FOUND);
            EXPECT(e.details_json().find("\"http_status\":404") != std::string::npos);
        }
        expect_error([&] { q::Client("wrong-key", co2).list_domains(); }, QCDN_ERR_UNAUTHORIZED);
        expect_error([&] { q::Client(""); }, QCDN_ERR_INVALID_ARGUMENT);
    } else {
        failed++;
        std::cerr << "cannot start the emulator (QCDN_EMULATOR_BIN)\n";
    }
    stop_emulator();

    std::printf("test_cpp: %d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
