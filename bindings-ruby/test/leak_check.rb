# frozen_string_literal: true

# Drives every path of the binding that holds native memory — handles
# created and collected, library strings on success, error details on
# failure, client calls against the emulator — in a loop, for
# `valgrind --leak-check=full` (tests/suites/65-ruby.sh runs it and fails on
# any leak or memory error whose stack passes through libqencode_cdn; Ruby's
# own allocations are not ours to judge).
#
#   ruby test/leak_check.rb [ROUNDS]           # the check
#   QCDN_LEAK_CANARY=1 ruby test/leak_check.rb # also leaks one token on purpose:
#                                              # valgrind must see it (proof the check works)
#
# With QCDN_LEAK_PKCS11="MODULE:TOKEN:LABEL:PIN" (tests/suites/65-ruby.sh
# sets it, with SOFTHSM2_CONF) each round also signs on a PKCS#11 token.
# External signers (a Ruby block called by the library: the callback path,
# its failures, a cached signer and a batch sharing the block) are freed
# explicitly, and at the end every block must have been released.

require "qencode/cdn"
require "qencode/cdn/testing"
require "openssl"

CDN = Qencode::Cdn
root = ENV.fetch("QCDN_ROOT") { File.expand_path("../..", __dir__) }
pem = File.read(File.join(root, "tests", "keys", "rsa2048.pkcs1.pem"))
rounds = Integer(ARGV.fetch(0, "20"))
now = 1_700_000_000

def expect_error(klass)
  yield
  raise "expected #{klass}"
rescue klass
  nil
end

rsa = OpenSSL::PKey::RSA.new(pem)
external = CDN.const_get(:External)
pkcs11 = ENV.fetch("QCDN_LEAK_PKCS11", "").split(":", 4)
keys = [["key-1", File.read(File.join(root, "tests", "keys", "rsa2048.spki.pem"))],
        ["key-4", File.binread(File.join(root, "tests", "keys", "rsa2048.spki.der"))]]

emu = CDN::Testing::Emulator.start
client = emu.client(max_retries: 0, timeout: 5)
rounds.times do |i|
  signer = CDN::Signer.new("key-1", pem)
  verifier = CDN::Verifier.from_signer(signer)
  token = signer.sign("videos/#{i}/", now: now, claims: { n: i })
  signer.signed_live_url("abc123", expires_in: 60, now: now)
  signer.signed_live_custom_domain_url("live.example.com", "abc123", now: now)
  signer.signed_storage_url("my-bucket", "us-west", "videos/#{i}/a.mp4", now: now)
  signer.signed_storage_custom_domain_url("media.example.com", "a.mp4", now: now)
  signer.sign_url("https://x.example.com/a?b=1", "a", now: now)
  signer.signed_cookie("videos/", domain: "example.com", now: now)
  signer.signed_cookie_fields("videos/", now: now)
  signer.public_key_pem
  signer.public_key_jwk
  verifier.verify(token, now: now)
  verifier.explain(signer.signed_live_url("abc123", now: now), now: now)
  verifier.explain_token(token, now: now, resource: { kind: "storage", key: "videos/#{i}/x" })
  CDN::Verifier.new(signer.public_key_pem)
  CDN::Verifier.from_jwk(signer.public_key_jwk)
  CDN.decode_unverified(token)
  CDN.audit(token, now: now)
  CDN.live_playback_url("abc123", token: token)
  CDN.storage_url("my-bucket", "eu-central", "a b/ü.mp4")
  # Key sets.
  set = CDN::Verifier.from_keys(keys)
  set.verify(token, now: now)
  CDN::Verifier.from_jwks(set.jwks).explain_token(token, now: now)
  expect_error(CDN::UnknownKeyIdError) { set.verify(CDN::Signer.new("key-9", pem).sign("a", now: now), now: now) }
  expect_error(CDN::InvalidKeyError) { CDN::Verifier.from_jwks('{"keys":[{"kty":"EC"}]}') }
  # Batches, the cache, two-phase signing.
  signer.sign_many([{ uri: "videos/#{i}/", now: now }, "/bad", { uri: "v/", expires_in: nil }], threads: 2)
  cached = signer.cached(60)
  cached.sign("videos/a/")
  cached.signed_live_url("abc123")
  cached.cached_tokens
  prepared = signer.prepare("videos/#{i}/", now: now)
  prepared.finish(rsa.sign("SHA256", prepared.signing_input))
  expect_error(CDN::SignerFailedError) { prepared.finish("x" * 256) }
  # External signers: the callback path, its failures, sharing with a cached signer.
  ext = CDN::Signer.external("key-1", rsa) { |input| rsa.sign("SHA256", input) }
  ext.sign("videos/#{i}/", now: now)
  ext.signed_cookie("videos/", now: now)
  ext.sign_many([{ uri: "a/", now: now }, "/bad"])
  ext_cached = ext.cached(60)
  ext_cached.sign("videos/a/")
  broken = CDN::Signer.external("key-1", rsa) { |_| raise IOError, "kms down" }
  expect_error(CDN::SignerFailedError) { broken.sign("a") }
  broken.sign_many(%w[a b])
  too_long = CDN::Signer.external("key-1", rsa) { |_| "x" * 2000 }
  expect_error(CDN::SignerFailedError) { too_long.sign("a") }
  not_bytes = CDN::Signer.external("key-1", rsa) { |_| 5 }
  expect_error(CDN::SignerFailedError) { not_bytes.sign("a") }
  expect_error(CDN::InvalidKeyError) { CDN::Signer.external("key-1", "not a key") { |_| "" } }
  [ext, ext_cached, broken, too_long, not_bytes].each { |s| s.send(:handle).free }
  unless pkcs11.empty?
    hsm = CDN::Signer.from_pkcs11(pkcs11[0], pkcs11[1], pkcs11[2], pkcs11[3], "key-1")
    hsm.sign("videos/#{i}/", now: now)
    hsm.sign_many(%w[a b c], threads: 2)
    expect_error(CDN::InvalidKeyError) { CDN::Signer.from_pkcs11(pkcs11[0], pkcs11[1], "no-such-key", pkcs11[3], "k") }
  end
  # Failures: the error details are library strings too.
  expect_error(CDN::InvalidArgumentTypeError) { signer.sign("x", expires_in: nil) }
  expect_error(CDN::InvalidKeyError) { CDN::Signer.new("k", "not a key") }
  expect_error(CDN::TokenExpiredError) { verifier.verify(token, now: now + 7200) }
  expect_error(CDN::MalformedTokenError) { CDN.decode_unverified("a.b") }
  expect_error(CDN::InvalidArgumentError) { CDN.live_playback_url("a.b") }
  # The client: documents, a private key, API errors.
  domain = client.create_domain("d#{i}.example.com", "live")
  client.get_domain(domain.id)
  client.list_domains
  key = client.create_signing_key(bucket: "my-bucket")
  client.delete_signing_key(key.id)
  client.delete_domain(domain.id)
  expect_error(CDN::NotFoundError) { client.get_domain(domain.id) }
  CDN::Client.new("k").close
  GC.start if (i % 5).zero?
end

if ENV["QCDN_LEAK_CANARY"] == "1"
  native = CDN.const_get(:Native)
  out = FFI::MemoryPointer.new(:pointer)
  native.qcdn_live_playback_url("canary", nil, out) # the URL is never freed
end
client.close
emu.stop
GC.start
GC.start
# Every block of an external signer was released (free_user_data) once its
# signers were freed: those freed above and those the collector freed.
raise "leak_check: #{external.held_count} external signer block(s) never released" unless external.held_count.zero?

puts "leak_check: #{rounds} rounds done#{pkcs11.empty? ? '' : ' (with PKCS#11)'}"
