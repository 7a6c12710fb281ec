# frozen_string_literal: true

# Verifier: key forms, options as keywords, resources, explanations, and the
# module functions decode_unverified and audit.

require_relative "test_helper"
require "openssl"

class VerifierTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn

  def test_verify_returns_the_claims
    token = signer.sign("videos/a/", claims: { viewer: "u-42" }, now: NOW)
    assert_equal({ "uri" => "videos/a/", "exp" => NOW + 3600, "viewer" => "u-42" }, verifier.verify(token, now: NOW))
  end

  def test_key_forms
    token = signer.sign("v/", now: NOW)
    [
      CDN::Verifier.new(read_key("rsa2048.spki.pem")),
      CDN::Verifier.new(File.binread(key_path("rsa2048.spki.der"))),
      CDN::Verifier.new(OpenSSL::PKey::RSA.new(pem2048).public_key),
      CDN::Verifier.new(OpenSSL::PKey::RSA.new(pem2048)),
      CDN::Verifier.from_jwk(signer.public_key_jwk),
      CDN::Verifier.from_jwk(JSON.parse(signer.public_key_jwk))
    ].each { |v| assert_equal "v/", v.verify(token, now: NOW)["uri"] }
    assert_raises(CDN::InvalidKeyError) { CDN::Verifier.new("garbage") }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Verifier.from_signer("not a signer") }
  end

  def test_each_refusal_has_its_class
    token = signer.sign("videos/a/", expires_in: 60, not_before: NOW + 10, now: NOW)
    assert_raises(CDN::TokenNotYetValidError) { verifier.verify(token, now: NOW) }
    assert_raises(CDN::TokenExpiredError) { verifier.verify(token, now: NOW + 61) }
    assert_equal "videos/a/", verifier.verify(token, now: NOW + 65, leeway: 5)["uri"]
    assert_raises(CDN::UnknownKeyIdError) { verifier.verify(token, now: NOW + 20, key_id: "other") }
    assert_raises(CDN::MalformedTokenError) { verifier.verify("a.b", now: NOW) }
    other = CDN::Signer.new(KID, read_key("rsa4096.pkcs1.pem"))
    assert_raises(CDN::InvalidSignatureError) { verifier.verify(other.sign("v/", now: NOW), now: NOW) }
    [CDN::TokenNotYetValidError, CDN::TokenExpiredError, CDN::UnknownKeyIdError, CDN::MalformedTokenError,
     CDN::InvalidSignatureError, CDN::UriMismatchError].each { |k| assert_operator k, :<, CDN::TokenError }
  end

  def test_resource
    token = signer.sign("videos/a/", now: NOW)
    assert_equal "videos/a/",
                 verifier.verify(token, now: NOW, resource: { kind: "storage", key: "videos/a/1.ts" })["uri"]
    assert_raises(CDN::UriMismatchError) do
      verifier.verify(token, now: NOW, resource: { kind: "storage", key: "videos/a/../secret.mp4" })
    end
    assert_raises(CDN::UriMismatchError) do
      verifier.verify(token, now: NOW, resource: { kind: :live, playback_id: "videos" })
    end
    assert_raises(CDN::InvalidArgumentError) { verifier.verify(token, now: NOW, resource: { kind: "tape" }) }
  end

  def test_leeway_as_duration_and_errors
    token = signer.sign("v/", expires_in: 60, now: NOW)
    assert_equal "v/", verifier.verify(token, now: Time.at(NOW + 65), leeway: Rational(10))["uri"]
    assert_raises(CDN::InvalidArgumentError) { verifier.verify(token, now: NOW, leeway: -1) }
    assert_raises(CDN::InvalidArgumentTypeError) { verifier.verify(token, now: NOW, leeway: "5") }
    assert_raises(ArgumentError) { verifier.verify(token, kid: "x") }
  end

  def test_explain_a_signed_url
    url = signer.signed_storage_url("my-bucket", "us-west", "videos/a/x.mp4", expires_in: 60, now: NOW)
    e = verifier.explain(url, now: NOW + 180)
    refute e.ok?
    assert_equal "expiry", e.first_failure.name
    assert_includes e.first_failure.detail, "expired 2 minutes ago"
    assert_equal({ kind: "storage", key: "videos/a/x.mp4" }, e.resource.slice(:kind, :key))
    assert_equal url, e.url
    assert verifier.explain(url, now: NOW).ok?
    assert_nil verifier.explain(url, now: NOW).first_failure
  end

  def test_explain_token_with_warnings
    e = verifier.explain_token(signer.sign("", never_expires: true, now: NOW), now: NOW)
    assert e.ok?
    assert_equal %w[WHOLE_BUCKET NEVER_EXPIRES], e.warnings.map(&:code)
    assert(e.warnings.all? { |w| w.message.is_a?(String) && !w.message.empty? })
    e = verifier.explain_token(signer.sign("abc", now: NOW), now: NOW, resource: { kind: "live", playback_id: "xyz" })
    assert_equal "resource", e.first_failure.name
  end

  def test_decode_unverified_and_audit
    token = signer.sign("videos/a", now: NOW)
    d = CDN.decode_unverified(token)
    assert_equal({ "alg" => "RS256", "typ" => "JWT", "kid" => KID }, d[:header])
    assert_equal({ "uri" => "videos/a", "exp" => NOW + 3600 }, d[:claims])
    assert_equal ["PREFIX_COVERS_SIBLINGS"], CDN.audit(token, now: NOW).map(&:code)
    assert_equal ["PREFIX_COVERS_SIBLINGS"], CDN.audit(token, now: Time.at(NOW)).map(&:code)
    assert_raises(CDN::MalformedTokenError) { CDN.decode_unverified("a.b") }
    assert_raises(CDN::MalformedTokenError) { CDN.audit("a.b") }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN.audit(token, now: "today") }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN.audit(token, now: 1.5) }
    assert_raises(CDN::InvalidArgumentError) { CDN.audit(token, now: 2**70) }
  end
end
