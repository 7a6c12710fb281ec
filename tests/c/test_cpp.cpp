// The header-only C++17 wrapper (include/qencode_cdn.hpp): RAII handles,
// std::string results, exceptions carrying the status. Usage: test_cpp REPO_ROOT
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
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

    // The client against the emulator.
    if (start_emulator() == 0) {
        q::ClientOptions co2;
        co2.api_url = emulator_url;
        co2.auth_url = emulator_url;
        co2.no_retries = true;
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
