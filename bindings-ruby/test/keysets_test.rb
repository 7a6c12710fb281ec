# frozen_string_literal: true

# Key sets for a rotation: Verifier.from_keys (a Hash or pairs, keys in
# every form a Ruby user holds), Verifier.from_jwks (text or a Hash),
# #jwks published and read back, #key_ids, and the errors of a set.

require_relative "test_helper"
require "openssl"

class KeysetsTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn

  def old_signer
    @old_signer ||= CDN::Signer.new("key-2024", pem2048)
  end

  def new_signer
    @new_signer ||= CDN::Signer.new("key-2025", read_key("rsa4096.pkcs1.pem"))
  end

  def test_a_set_checks_each_token_with_the_key_its_kid_names
    set = CDN::Verifier.from_keys("key-2024" => old_signer.public_key_pem, "key-2025" => new_signer.public_key_pem)
    assert_equal %w[key-2024 key-2025], set.key_ids
    [old_signer, new_signer].each do |s|
      assert_equal "videos/a/", set.verify(s.sign("videos/a/", now: NOW), now: NOW)["uri"]
    end
    retired = CDN::Signer.new("key-2023", pem2048)
    err = assert_raises(CDN::UnknownKeyIdError) { set.verify(retired.sign("videos/a/", now: NOW), now: NOW) }
    %w[key-2023 key-2024 key-2025].each { |kid| assert_includes err.message, kid }
    # key_id: narrows the set to one key.
    assert_raises(CDN::UnknownKeyIdError) { set.verify(old_signer.sign("a", now: NOW), now: NOW, key_id: "key-2025") }
    explained = set.explain_token(retired.sign("a", now: NOW), now: NOW)
    refute explained.ok?
  end

  def test_keys_in_every_form
    rsa = OpenSSL::PKey::RSA.new(pem2048)
    token = old_signer.sign("v/", now: NOW)
    [
      old_signer.public_key_pem,
      File.binread(key_path("rsa2048.spki.der")), # DER bytes (a binary String)
      File.binread(key_path("rsa2048.spki.pem")), # PEM read as binary
      read_key("rsa2048.pkcs1-public.pem"),
      rsa, # an OpenSSL::PKey (its public half)
      rsa.public_key,
      old_signer.public_key_jwk, # a JWK's text
      JSON.parse(old_signer.public_key_jwk) # a JWK as a Hash
    ].each_with_index do |key, n|
      set = CDN::Verifier.from_keys([["key-2024", key], ["key-2025", new_signer.public_key_pem]])
      assert_equal "v/", set.verify(token, now: NOW)["uri"], "key form #{n}"
    end
    assert_equal %w[a b], CDN::Verifier.from_keys(a: old_signer.public_key_pem, b: new_signer.public_key_pem).key_ids
  end

  def test_jwks_is_published_and_read_back
    set = CDN::Verifier.from_keys([["key-2024", old_signer.public_key_pem], ["key-2025", new_signer.public_key_pem]])
    doc = set.jwks
    assert_equal(%w[key-2024 key-2025], doc["keys"].map { |k| k["kid"] })
    doc["keys"].each { |k| assert_equal %w[RSA RS256 sig], [k["kty"], k["alg"], k["use"]] }
    [CDN::Verifier.from_jwks(doc), CDN::Verifier.from_jwks(JSON.generate(doc)), CDN::Verifier.new(JSON.generate(doc))]
      .each do |back|
        assert_equal doc, back.jwks
        assert_equal %w[key-2024 key-2025], back.key_ids
        assert_equal "a", back.verify(new_signer.sign("a", now: NOW), now: NOW)["uri"]
      end
    # Every signer's JWK makes a set.
    from_jwks = CDN::Verifier.from_jwks({ "keys" => [old_signer, new_signer].map { |s| JSON.parse(s.public_key_jwk) } })
    assert_equal %w[key-2024 key-2025], from_jwks.key_ids
    # A single-key verifier publishes its key, with its kid when it has one.
    assert_equal [KID], verifier.key_ids
    assert_equal JSON.parse(signer.public_key_jwk), verifier.jwks["keys"][0]
    assert_equal [], CDN::Verifier.new(signer.public_key_pem).key_ids
  end

  def test_errors_of_a_set
    pem = old_signer.public_key_pem
    assert_raises(CDN::InvalidKeyError) { CDN::Verifier.from_keys([["a", pem], ["a", new_signer.public_key_pem]]) }
    assert_raises(CDN::InvalidKeyError) { CDN::Verifier.from_keys([["a", pem], ["b", "not a key"]]) }
    assert_raises(CDN::InvalidArgumentError) { CDN::Verifier.from_keys({}) }
    assert_raises(CDN::InvalidArgumentError) { CDN::Verifier.from_keys([["a", nil]]) }
    assert_raises(CDN::InvalidArgumentError) { CDN::Verifier.from_keys([[5, pem]]) }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Verifier.from_keys("a") }
    assert_raises(CDN::InvalidArgumentError) { CDN::Verifier.from_jwks({ "keys" => [] }) }
    assert_raises(CDN::InvalidKeyError) { CDN::Verifier.from_jwks("keys: []") }
    assert_raises(CDN::InvalidKeyError) { CDN::Verifier.from_jwks(old_signer.public_key_jwk) } # one JWK, not a set
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Verifier.from_jwks(nil) }
    ec = OpenSSL::PKey::EC.generate("prime256v1")
    err = assert_raises(CDN::InvalidKeyError) { CDN::Verifier.from_keys([["a", pem], ["ec", ec]]) }
    assert_includes err.message, "ec"
  end
end
