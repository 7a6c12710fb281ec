# frozen_string_literal: true

# Interop with ruby-jwt and Ruby's OpenSSL: ruby-jwt verifies our tokens
# (every token the conformance cases expect, and fresh ones), produces the
# golden tokens byte for byte from a loaded key, and we verify its tokens.

require_relative "test_helper"
require "jwt"
require "openssl"
require "uri"

class InteropTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn

  def rsa(path)
    OpenSSL::PKey::RSA.new(File.read(File.join(ROOT, path)))
  end

  # Every token a success case of the conformance files expects, with the key that signed it.
  def expected_tokens
    Dir[File.join(ROOT, "tests", "conformance", "*.json")].flat_map do |f|
      JSON.parse(File.read(f))["cases"].filter_map do |c|
        e = c["expect"]
        token = e["token"] || e["url"]&.then { |u| URI.decode_www_form(URI.parse(u).query.to_s).to_h["auth"] } ||
                e["set_cookie"]&.then { |s| s[/\AQencode-Auth-Token=([^;]+)/, 1] }
        next unless token && c["input"]["signer"]

        [c["name"], token, c["input"]["signer"]]
      end
    end
  end

  def test_ruby_jwt_verifies_every_expected_token
    tokens = expected_tokens
    assert_operator tokens.size, :>=, 50
    tokens.each do |name, token, spec|
      key = spec["key"].is_a?(String) ? rsa(spec["key"]) : nil
      next if key.nil?

      payload, header = JWT.decode(token, key.public_key, true, algorithm: "RS256", verify_expiration: false,
                                                                verify_not_before: false)
      assert_equal [spec["kid"], "RS256", "JWT"], header.values_at("kid", "alg", "typ"), name
      assert payload.key?("uri"), name
    end
  end

  def test_ruby_jwt_verifies_a_fresh_token_with_every_check
    token = signer.sign("abc123", expires_in: 600, not_before: Time.now - 5, claims: { viewer: "u-42" })
    payload, header = JWT.decode(token, OpenSSL::PKey::RSA.new(pem2048).public_key, true, algorithm: "RS256")
    assert_equal ["abc123", "u-42", KID], [payload["uri"], payload["viewer"], header["kid"]]
  end

  def test_openssl_verifies_a_signed_url
    url = signer.signed_live_url("abc123", expires_in: 600)
    token = URI.decode_www_form(URI.parse(url).query).to_h.fetch("auth")
    head, body, sig = token.split(".")
    key = OpenSSL::PKey::RSA.new(signer.public_key_pem)
    assert key.verify("SHA256", Base64.urlsafe_decode64(sig), "#{head}.#{body}")
    refute key.verify("SHA256", Base64.urlsafe_decode64(sig), "#{head}.#{body}x")
  end

  # A JSON value with every object's keys sorted (our custom claims are written sorted, nested too).
  def sorted(value)
    case value
    when Hash then value.sort.to_h.transform_values { |v| sorted(v) }
    when Array then value.map { |v| sorted(v) }
    else value
    end
  end

  # The golden tokens: every sign case of tests/conformance/sign.json that expects a token.
  def golden_cases
    JSON.parse(File.read(File.join(ROOT, "tests", "conformance", "sign.json")))["cases"].select do |c|
      c["op"] == "sign" && c["expect"]["token"] && c["input"]["signer"]["key"].is_a?(String)
    end
  end

  def test_ruby_jwt_produces_the_golden_tokens_byte_for_byte
    cases = golden_cases
    assert_operator cases.size, :>=, 30
    cases.each do |c|
      i = c["input"]
      o = i["options"]
      payload = { "uri" => i["uri"] }
      payload["exp"] = o["expires_at"] || (o["now"] + (o["expires_in"] || 3600).to_i) unless o["never_expires"]
      payload["nbf"] = o["not_before"] unless o["not_before"].nil?
      payload.merge!(sorted(o["claims"] || {}))
      header = { "alg" => "RS256", "typ" => "JWT", "kid" => i["signer"]["kid"] }
      theirs = JWT.encode(payload, rsa(i["signer"]["key"]), "RS256", header)
      assert_equal c["expect"]["token"], theirs, c["name"]
    end
  end

  def test_we_verify_ruby_jwt_tokens
    key = OpenSSL::PKey::RSA.new(pem2048)
    now = Time.now.to_i
    theirs = JWT.encode({ "uri" => "videos/a/", "exp" => now + 60, "sid" => 7 }, key, "RS256", { "kid" => KID })
    assert_equal({ "uri" => "videos/a/", "exp" => now + 60, "sid" => 7 }, verifier.verify(theirs))
    expired = JWT.encode({ "uri" => "v/", "exp" => now - 60 }, key, "RS256", { "kid" => KID })
    assert_raises(CDN::TokenExpiredError) { verifier.verify(expired) }
    assert_raises(CDN::InvalidSignatureError) do
      verifier.verify(JWT.encode({ "uri" => "v/", "exp" => now + 60 }, key, "RS512", { "kid" => KID }))
    end
    # HS256 with the PEM text as the secret, as the reference's C# and Java samples sign.
    hs256 = JWT.encode({ "uri" => "v/", "exp" => now + 60 }, pem2048, "HS256", { "kid" => KID })
    assert_raises(CDN::InvalidSignatureError) { verifier.verify(hs256) }
    e = verifier.explain_token(hs256)
    assert_equal "algorithm", e.first_failure.name
    assert_includes e.first_failure.detail, "HS256"
  end
end
