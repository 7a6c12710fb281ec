# frozen_string_literal: true

# No secret (private key, API key, access token) in any message, inspect,
# to_s or pp output.

require_relative "test_helper"
require "pp" # rubocop:disable Lint/RedundantRequireStatement -- PP itself is not autoloaded
require "stringio"

class SecretsTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn

  # Every way Ruby shows an object to people.
  def shown(obj)
    out = StringIO.new
    PP.pp(obj, out)
    [obj.inspect, obj.to_s, out.string, [obj].inspect, { k: obj }.inspect]
  end

  # Lines of a PEM body: none may appear anywhere.
  def body_lines(pem)
    pem.lines.map(&:strip).reject { |l| l.start_with?("-----") || l.size < 16 }
  end

  def refute_leaks(texts, secrets)
    texts.each do |text|
      secrets.each { |s| refute_includes text, s, "a secret is shown in: #{text[0, 120]}…" }
    end
  end

  def test_signer_shows_its_key_id_and_size_only
    texts = shown(signer)
    assert_equal "#<Qencode::Cdn::Signer key_id=#{KID.inspect} bits=2048>", texts.first
    refute_leaks(texts, body_lines(pem2048) + ["PRIVATE KEY"])
    refute_leaks(shown(CDN::Verifier.from_signer(signer)), body_lines(pem2048))
  end

  def test_key_errors_never_show_the_key
    broken = pem2048.sub(pem2048.lines[5], pem2048.lines[5].reverse)
    corrupted = [broken, pem2048[0, 400], pem2048.tr("\n", " ")[0, 900],
                 "-----BEGIN RSA PRIVATE KEY-----\n#{body_lines(pem2048).join("\n")}"]
    corrupted.each do |text|
      err = assert_raises(CDN::Error) { CDN::Signer.new("k", text) }
      refute_leaks([err.message, err.inspect, err.full_message], body_lines(pem2048).map { |l| l[0, 24] })
    end
    ENV["QENCODE_SIGNING_KEY"] = broken
    err = assert_raises(CDN::InvalidKeyError) { CDN::Signer.from_env(key_id: "k") }
    refute_leaks([err.message, err.full_message], body_lines(pem2048).map { |l| l[0, 24] })
  ensure
    ENV.delete("QENCODE_SIGNING_KEY")
  end

  def test_client_never_shows_its_api_key
    secret = "api-key-that-must-not-leak"
    c = CDN::Client.new(secret, api_url: "http://127.0.0.1:9", auth_url: "http://127.0.0.1:9", max_retries: 0,
                                connect_timeout: 1)
    refute_leaks(shown(c), [secret])
    err = assert_raises(CDN::TransportError) { c.list_domains }
    refute_leaks([err.message, err.inspect, err.full_message], [secret])
    c.close
    refute_leaks(shown(c), [secret])
    err = assert_raises(CDN::InvalidArgumentError) { CDN::Client.new(secret, api_url: "not a url") }
    refute_leaks([err.message, err.full_message], [secret])
  end

  def test_new_signing_key_redacts_its_private_key
    emu = TestHelper.emulator
    emu.reset
    c = emu.client
    key = c.create_signing_key(bucket: "my-bucket")
    texts = shown(key)
    assert_includes texts.first, "private_key=[REDACTED]"
    assert_includes texts.first, key.id
    everywhere = texts + shown([key]) + [JSON.generate(key), key.to_s, "key: #{key}"]
    refute_leaks(everywhere, body_lines(key.private_key) + ["PRIVATE KEY"])
    assert_includes key.private_key, "PRIVATE KEY"
    c.close
  end

  def test_access_tokens_never_shown
    emu = TestHelper.emulator
    emu.reset
    c = emu.client(max_retries: 0)
    c.list_domains
    emu.inject_fault("GET /v1/domains", "status", status: 500)
    err = assert_raises(CDN::ApiError) { c.list_domains }
    # The emulator's access tokens are JWTs ("eyJ…"): none in the error or the client.
    refute_match(/eyJ[\w-]{10,}/, [err.message, err.inspect, err.body.to_s, c.inspect].join("\n"))
    c.close
  end
end
