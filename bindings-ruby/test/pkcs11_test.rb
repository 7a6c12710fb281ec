# frozen_string_literal: true

# Signer.from_pkcs11 against a real HSM implementation, SoftHSM2 (Debian's
# `softhsm2`, installed by tests/suites/65-ruby.sh): tokens initialised in a
# temporary SOFTHSM2_CONF of this process (never the system's). The HSM signs
# every golden token byte for byte; a wrong PIN, a missing key, token or
# module are InvalidKeyError without the PIN; a token removed while in use
# makes signing fail with SignerFailedError; one HSM signer serves threads,
# batches (on the library's threads) and a cache.

require_relative "test_helper"
require "pathname"

class Pkcs11Test < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn
  MODULE = SOFTHSM_MODULE
  PIN = SOFTHSM_PIN
  TOKEN = "qcdn-test"
  LOCKED = "locked" # never logged into here (PKCS#11 logs in per token and process)
  REMOVABLE = "removable"

  def setup
    softhsm_conf
  end

  def test_the_hsm_signs_every_golden_token_byte_for_byte
    signers = {}
    checked = 0
    golden_sign_cases.each do |name, kid, file, uri, options, token|
      label = { "tests/keys/rsa2048." => "video-key", "tests/keys/rsa4096." => "video-key-4096" }[file[0, 19]]
      flunk "#{name}: no HSM key for #{file} (import it in TestHelper#make_softhsm)" unless label
      s = signers[[label, kid]] ||= CDN::Signer.from_pkcs11(MODULE, TOKEN, label, PIN, kid)
      assert s.external?
      assert_equal token, s.sign(uri, **options), name
      checked += 1
    end
    assert_operator checked, :>=, 30
    assert_equal 4096, signers.find { |(label, _), _| label == "video-key-4096" }[1].key_bits
  end

  def test_one_hsm_signer_serves_threads_batches_and_a_cache
    hsm = CDN::Signer.from_pkcs11(Pathname.new(MODULE), TOKEN, "video-key", PIN, KID)
    threads = Array.new(4) { |i| Thread.new { Array.new(3) { |j| hsm.sign("videos/#{i}/#{j}/", now: NOW) } } }
    threads.each_with_index do |t, i|
      t.value.each_with_index { |token, j| assert_equal signer.sign("videos/#{i}/#{j}/", now: NOW), token }
    end
    results = hsm.sign_many(Array.new(10) { |i| { uri: "v/#{i}", now: NOW } } + ["/bad"], threads: 4)
    assert_equal ([true] * 10) + [false], results.map(&:ok?)
    assert_equal signer.sign("v/9", now: NOW), results[9].token
    cached = hsm.cached(60)
    assert_equal cached.sign("abc123"), cached.sign("abc123")
    assert cached.external?
    assert_equal "#<Qencode::Cdn::Signer key_id=#{KID.inspect} bits=2048 external>", hsm.inspect
  end

  def test_a_wrong_pin_a_missing_key_token_or_module_are_invalid_key
    [
      [[MODULE, LOCKED, "k", "0000", "k"], "PIN"],
      [[MODULE, TOKEN, "no-such-key", PIN, "k"], "no-such-key"],
      [[MODULE, "no-such-token", "video-key", PIN, "k"], "no-such-token"],
      [["/no/such/module.so", TOKEN, "video-key", PIN, "k"], "/no/such/module.so"]
    ].each do |args, words|
      err = assert_raises(CDN::InvalidKeyError) { CDN::Signer.from_pkcs11(*args) }
      assert_includes err.message, words
      refute_includes err.message, "0000"
      refute_includes err.message, PIN
    end
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Signer.from_pkcs11(MODULE, TOKEN, "video-key", 1234, "k") }
    assert_raises(CDN::InvalidArgumentError) { CDN::Signer.from_pkcs11(MODULE, TOKEN, "video-key", PIN, "") }
  end

  def test_a_token_removed_while_in_use_fails_signing_with_signer_failed
    s = CDN::Signer.from_pkcs11(MODULE, REMOVABLE, "k", PIN, "key-1")
    s.sign("abc")
    softhsm(softhsm_conf, "--delete-token", "--token", REMOVABLE)
    err = assert_raises(CDN::SignerFailedError) { s.sign("abc") }
    assert_nil err.cause
    refute_includes err.message, PIN
  end
end
