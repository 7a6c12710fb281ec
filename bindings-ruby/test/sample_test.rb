# frozen_string_literal: true

# The reference's Ruby sample, fixed (DESIGN §8, §10): as written it fails
# the way it fails today ("The given key is a String"), with a real key as
# much as with its placeholders; the package's two-line replacement signs a
# token that our verifier, ruby-jwt and the emulated edge accept. The sample
# is the fixture test/fixtures/reference_sample.rb (a verbatim copy).

require_relative "test_helper"
require "jwt"
require "open3"
require "openssl"
require "rbconfig"

class SampleTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn
  SAMPLE = File.join(__dir__, "fixtures", "reference_sample.rb")
  PLACEHOLDERS = ["'your_signing_key_id'", "'your_signing_key_private_key'", "'your_stream_playback_id'"].freeze

  # The sample's text with its placeholders replaced by real values.
  def sample_with(key_id, private_key, playback_id)
    text = File.read(SAMPLE)
    PLACEHOLDERS.each { |p| assert_includes text, p }
    text.sub(PLACEHOLDERS[0], key_id.inspect).sub(PLACEHOLDERS[1], private_key.inspect)
        .sub(PLACEHOLDERS[2], playback_id.inspect)
  end

  def run_ruby(source, *args)
    Open3.capture3(RbConfig.ruby, *args, stdin_data: source)
  end

  def test_the_sample_as_written_fails_as_it_does_today
    _out, err, status = Open3.capture3(RbConfig.ruby, SAMPLE)
    refute status.success?
    assert_includes err, "The given key is a String. It has to be an OpenSSL::PKey::RSA instance."
    assert_includes err, "JWT::EncodeError"
  end

  def test_the_sample_fails_with_a_real_key_too
    _out, err, status = run_ruby(sample_with(KID, pem2048, "abc123"))
    refute status.success?
    assert_includes err, "The given key is a String"
  end

  def test_the_two_line_replacement_is_accepted_by_the_edge
    emu = TestHelper.emulator
    emu.reset
    emu.add_stream("stream-1", "abc123")
    client = emu.client
    created = client.create_signing_key(stream: "stream-1") # what the sample's comment says to use
    signing_key = { "id" => created.id, "private_key" => created.private_key }
    stream_playback_id = "abc123"

    # The sample's generate_signed_token, replaced by two lines:
    signer = Qencode::Cdn::Signer.new(signing_key["id"], signing_key["private_key"])
    token = signer.sign(stream_playback_id)

    claims = CDN::Verifier.from_signer(signer).verify(token, resource: { kind: "live", playback_id: "abc123" })
    assert_equal "abc123", claims["uri"]
    assert_in_delta Time.now.to_i + 3600, claims["exp"], 5
    payload, header = JWT.decode(token, OpenSSL::PKey::RSA.new(signer.public_key_pem), true, algorithm: "RS256")
    assert_equal [created.id, "abc123"], [header["kid"], payload["uri"]]
    assert_equal 200, emu.fetch(CDN.live_playback_url(stream_playback_id, token:)).status

    _out, err, status = run_ruby(sample_with(signing_key["id"], signing_key["private_key"], stream_playback_id))
    refute status.success?, "the sample as written still fails with the API's key"
    assert_includes err, "The given key is a String"
    client.close
  end

  def test_the_sample_fixed_by_hand_gives_the_same_bytes
    fixed = sample_with(KID, pem2048, "abc123")
            .sub("JWT.encode payload, private_key,", "JWT.encode payload, OpenSSL::PKey::RSA.new(private_key),")
    clock = "require 'time'\ndef Time.now = Time.at(#{NOW})\n"
    out, err, status = run_ruby(clock + fixed)
    assert status.success?, err
    assert_equal signer.sign("abc123", now: NOW), out.strip
  end
end
