# frozen_string_literal: true

# Signer: keyword options as a Ruby user writes them (Time, durations, nil,
# symbols), key inputs, from_env/from_file, strings, threads.

require_relative "test_helper"
require "openssl"
require "pathname"
require "tempfile"

class SignerTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn

  # What ActiveSupport::Duration looks like to this gem: not an Integer,
  # but a Numeric (it answers is_a?(Numeric) through its value) with to_r.
  class FakeDuration
    def initialize(seconds)
      @seconds = seconds
    end

    def is_a?(klass)
      klass == FakeDuration || @seconds.is_a?(klass)
    end
    alias kind_of? is_a?

    def to_r
      @seconds.to_r
    end

    def to_i
      @seconds.to_i
    end
  end

  def claims_of(token)
    CDN.decode_unverified(token)[:claims]
  end

  def test_default_lifetime_is_one_hour
    assert_equal({ "uri" => "abc123", "exp" => NOW + 3600 }, claims_of(signer.sign("abc123", now: NOW)))
  end

  def test_time_and_integer_give_the_same_token
    t = Time.at(NOW + 86_400)
    a = signer.sign("v/", expires_at: t, not_before: Time.at(NOW), now: Time.at(NOW))
    b = signer.sign("v/", expires_at: NOW + 86_400, not_before: NOW, now: NOW)
    assert_equal b, a
  end

  def test_time_fraction_is_dropped
    token = signer.sign("v/", expires_at: Time.at(NOW + 60, 999_999, :usec), now: Time.at(NOW, 500, :millisecond))
    assert_equal({ "uri" => "v/", "exp" => NOW + 60 }, claims_of(token))
  end

  def test_duration_like_numerics_are_seconds
    token = signer.sign("v/", expires_in: FakeDuration.new(600), now: NOW)
    assert_equal NOW + 600, claims_of(token)["exp"]
    assert_equal NOW + 90, claims_of(signer.sign("v/", expires_in: Rational(180, 2), now: NOW))["exp"]
    err = assert_raises(CDN::InvalidArgumentError) { signer.sign("v/", expires_in: FakeDuration.new(1.5), now: NOW) }
    refute err.type_error?, "a fraction is a bad value, not a bad type"
  end

  def test_nil_lifetime_is_an_error_never_forever
    %i[expires_in expires_at never_expires].each do |name|
      err = assert_raises(CDN::InvalidArgumentTypeError, name) { signer.sign("v/", name => nil, now: NOW) }
      assert_equal "INVALID_ARGUMENT", err.code
      assert err.type_error?
    end
  end

  def test_nil_not_before_and_claims_mean_none
    assert_equal signer.sign("v/", now: NOW), signer.sign("v/", not_before: nil, claims: nil, now: NOW)
  end

  def test_never_expires_only_by_name
    assert_equal({ "uri" => "v/" }, claims_of(signer.sign("v/", never_expires: true, now: NOW)))
    assert_raises(CDN::InvalidArgumentError) { signer.sign("v/", expires_in: 0, now: NOW) }
  end

  def test_wrong_types_reach_the_core
    err = assert_raises(CDN::InvalidArgumentTypeError) { signer.sign("v/", expires_in: "600", now: NOW) }
    assert_includes err.message, "expires_in"
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign("v/", claims: [1, 2], now: NOW) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign("v/", never_expires: "yes", now: NOW) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign("v/", not_before: Object.new, now: NOW) }
  end

  def test_milliseconds_refused_with_a_hint
    err = assert_raises(CDN::InvalidArgumentError) { signer.sign("v/", expires_at: (Time.now.to_f * 1000).to_i) }
    assert_includes err.message, "milliseconds"
  end

  def test_unknown_keyword_is_rubys_own_argument_error
    err = assert_raises(ArgumentError) { signer.sign("v/", expires: 600) }
    assert_match(/unknown keyword: :expires/, err.message)
  end

  def test_claims_with_symbol_keys
    a = signer.sign("v/", claims: { viewer: "u-42", tier: 3 }, now: NOW)
    b = signer.sign("v/", claims: { "tier" => 3, "viewer" => "u-42" }, now: NOW)
    assert_equal b, a
    assert_equal "u-42", claims_of(a)["viewer"]
  end

  def test_claims_that_are_not_json_are_invalid_argument
    assert_raises(CDN::InvalidArgumentError) { signer.sign("v/", claims: { x: Float::NAN }, now: NOW) }
    assert_raises(CDN::InvalidArgumentError) { signer.sign("v/", claims: { x: "\xff".b.force_encoding("UTF-8") }) }
  end

  def test_reserved_claims_refused
    %w[uri exp nbf].each do |name|
      assert_raises(CDN::InvalidArgumentError) { signer.sign("v/", claims: { name => 1 }, now: NOW) }
    end
  end

  def test_strings_in_other_encodings_are_converted_to_utf8
    utf8 = signer.sign("vidéos/a/", now: NOW)
    assert_equal utf8, signer.sign("vidéos/a/".encode("ISO-8859-1"), now: NOW)
    assert_equal utf8, signer.sign("vidéos/a/".encode("UTF-16LE"), now: NOW)
    assert_equal Encoding::UTF_8, utf8.encoding
  end

  def test_nul_and_invalid_utf8_are_invalid_argument
    assert_raises(CDN::InvalidArgumentError) { signer.sign("a\0b", now: NOW) }
    assert_raises(CDN::InvalidArgumentError) { signer.sign("\xff\xfe".b, now: NOW) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign(42, now: NOW) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign(nil, now: NOW) }
  end

  def test_the_callers_strings_are_left_as_they_were
    uri = +"videos/a/"
    pem = +pem2048
    CDN::Signer.new(KID, pem).sign(uri, now: NOW)
    refute uri.frozen?
    refute pem.frozen?
    uri << "x"
    assert_equal "videos/a/x", uri
  end

  def test_signed_urls_carry_the_token
    token = signer.sign("videos/intro.mp4", now: NOW)
    assert_equal CDN.storage_url("my-bucket", "us-west", "videos/intro.mp4", token:),
                 signer.signed_storage_url("my-bucket", "us-west", "/videos/intro.mp4", now: NOW)
    assert_equal CDN.live_playback_url("abc123", token: signer.sign("abc123", now: NOW)),
                 signer.signed_live_url("abc123", now: NOW)
    assert_equal CDN.live_custom_domain_url("live.example.com", "abc123", token: signer.sign("abc123", now: NOW)),
                 signer.signed_live_custom_domain_url("live.example.com", "abc123", now: NOW)
    assert_equal CDN.storage_custom_domain_url("media.example.com", "a/b.mp4", token: signer.sign("a/b.mp4", now: NOW)),
                 signer.signed_storage_custom_domain_url("media.example.com", "a/b.mp4", now: NOW)
  end

  def test_sign_url_adds_auth_to_any_url
    url = signer.sign_url("https://cdn.example.com/v/a.mp4?x=1&auth=old#t", "v/", now: NOW)
    assert_equal "https://cdn.example.com/v/a.mp4?x=1&auth=#{signer.sign('v/', now: NOW)}#t", url
  end

  def test_signed_cookie_header_and_fields_agree
    header = signer.signed_cookie("videos/a/", domain: "example.com", same_site: :strict, expires_in: 600, now: NOW)
    fields = signer.signed_cookie_fields("videos/a/", domain: "example.com", same_site: :strict, expires_in: 600,
                                                      now: NOW)
    assert_equal "Qencode-Auth-Token", fields.name
    assert_equal signer.sign("videos/a/", expires_in: 600, now: NOW), fields.value
    assert_equal ["example.com", "/videos/a/", 600, true, true, "Strict"],
                 [fields.domain, fields.path, fields.max_age, fields.secure, fields.http_only, fields.same_site]
    assert header.start_with?("Qencode-Auth-Token=#{fields.value}; ")
    assert_includes header, "SameSite=Strict"
    assert_nil signer.signed_cookie_fields("videos/a/", never_expires: true).max_age
  end

  def test_signed_cookie_refuses_a_single_file
    err = assert_raises(CDN::InvalidArgumentError) { signer.signed_cookie("videos/a/master.m3u8") }
    assert_includes err.message, "videos/a/"
  end

  def test_key_forms
    der = File.binread(key_path("rsa2048.pkcs1.der"))
    assert_equal 2048, CDN::Signer.new("k", der).key_bits
    assert_equal 2048, CDN::Signer.new("k", OpenSSL::PKey::RSA.new(pem2048)).key_bits
    assert_equal 4096, CDN::Signer.new("k", read_key("rsa4096.pkcs8.pem")).key_bits
    assert_equal signer.sign("v/", now: NOW),
                 CDN::Signer.new(KID, OpenSSL::PKey::RSA.new(pem2048)).sign("v/", now: NOW)
  end

  def test_bad_keys
    assert_raises(CDN::InvalidKeyError) { CDN::Signer.new("k", "not a key") }
    assert_raises(CDN::InvalidKeyError) { CDN::Signer.new("k", read_key("ec-p256.pkcs8.pem")) }
    assert_raises(CDN::InvalidKeyError) { CDN::Signer.new("k", OpenSSL::PKey::EC.generate("prime256v1")) }
    err = assert_raises(CDN::InvalidKeyError) { CDN::Signer.new("k", read_key("rsa1024.pkcs1.pem")) }
    assert_includes err.message, "1024"
    assert_raises(CDN::InvalidArgumentError) { CDN::Signer.new("", pem2048) }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Signer.new("k", 42) }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Signer.new("k", nil) }
  end

  def test_from_file_with_string_and_pathname
    a = CDN::Signer.from_file("key-1", key_path("rsa2048.pkcs8.pem"))
    b = CDN::Signer.from_file("key-1", Pathname.new(key_path("rsa2048.pkcs1.der")))
    assert_equal a.sign("v/", now: NOW), b.sign("v/", now: NOW)
    err = assert_raises(CDN::InvalidArgumentError) { CDN::Signer.from_file("key-1", "/no/such/key.pem") }
    assert_includes err.message, "/no/such/key.pem"
  end

  def test_from_env
    saved = ENV.to_h.slice("QENCODE_SIGNING_KEY", "QENCODE_SIGNING_KEY_ID")
    ENV["QENCODE_SIGNING_KEY"] = pem2048.gsub("\n", "\\n")
    ENV["QENCODE_SIGNING_KEY_ID"] = " key-env \n"
    assert_equal "key-env", CDN::Signer.from_env.key_id
    assert_equal "arg", CDN::Signer.from_env(key_id: "arg").key_id
    ENV.delete("QENCODE_SIGNING_KEY")
    err = assert_raises(CDN::InvalidArgumentError) { CDN::Signer.from_env }
    assert_includes err.message, "QENCODE_SIGNING_KEY"
  ensure
    %w[QENCODE_SIGNING_KEY QENCODE_SIGNING_KEY_ID].each { |k| ENV[k] = saved[k] }
  end

  def test_public_key_forms
    assert signer.public_key_pem.start_with?("-----BEGIN PUBLIC KEY-----\n")
    assert_equal OpenSSL::PKey::RSA.new(pem2048).public_key.to_pem, signer.public_key_pem
    jwk = JSON.parse(signer.public_key_jwk)
    assert_equal %w[RSA RS256 sig], jwk.values_at("kty", "alg", "use")
    assert_equal KID, jwk["kid"]
    assert_equal KID, signer.key_id
    assert signer.key_id.frozen?
  end

  def test_many_threads_share_one_signer
    want = (0...40).map { |i| signer.sign("v/#{i}/", now: NOW) }
    got = Array.new(40)
    threads = (0...4).map do |t|
      Thread.new { (t...40).step(4) { |i| got[i] = signer.sign("v/#{i}/", now: NOW) } }
    end
    threads.each(&:join)
    assert_equal want, got
  end
end
