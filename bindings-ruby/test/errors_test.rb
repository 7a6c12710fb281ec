# frozen_string_literal: true

# Every error code of the table (DESIGN §5): the gem maps every code the
# native library knows, each reachable code is raised by a real call with
# its class, status and details, and the classes form the documented tree.

require_relative "test_helper"

class ErrorsTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn
  NATIVE = CDN.const_get(:Native)

  # Every status number the library names, up to the first it does not know.
  def library_codes
    (1..64).map { |n| [NATIVE.qcdn_status_str(n), n] }.take_while { |code, _| code != "UNKNOWN" }.to_h
  end

  def test_every_library_code_is_mapped
    codes = library_codes
    assert_operator codes.size, :>=, 16
    assert_equal "OK", NATIVE.qcdn_status_str(0)
    assert_empty codes.keys - CDN::ERROR_CLASSES.keys, "codes of the library this gem does not map"
    # SIGNER_FAILED is mapped ahead of a library that has it (external signers).
    assert_empty CDN::ERROR_CLASSES.keys - codes.keys - ["SIGNER_FAILED"]
    CDN::ERROR_CLASSES.each { |code, klass| assert_equal code, klass::CODE, klass.name }
    assert_equal CDN::ERROR_CLASSES.size, CDN::ERROR_CLASSES.values.uniq.size
  end

  def test_class_tree
    CDN::ERROR_CLASSES.each_value { |k| assert_operator k, :<, CDN::Error }
    assert_operator CDN::Error, :<, StandardError
    assert_operator CDN::InvalidArgumentTypeError, :<, CDN::InvalidArgumentError
    %w[MALFORMED_TOKEN INVALID_SIGNATURE TOKEN_EXPIRED TOKEN_NOT_YET_VALID URI_MISMATCH UNKNOWN_KEY_ID].each do |c|
      assert_operator CDN::ERROR_CLASSES[c], :<, CDN::TokenError
    end
    %w[UNAUTHORIZED NOT_FOUND RATE_LIMITED].each { |c| assert_operator CDN::ERROR_CLASSES[c], :<, CDN::ApiError }
  end

  def expect_error(code, klass = CDN::ERROR_CLASSES.fetch(code), &)
    err = assert_raises(CDN::Error, &)
    assert_equal code, err.code, err.message
    assert_instance_of klass, err
    assert_equal library_codes.fetch(code), err.status_code
    assert err.message.start_with?("#{code}: "), err.message
    err
  end

  def token(**opts)
    signer.sign("videos/a/", now: NOW, **opts)
  end

  def test_every_signing_and_verification_code_from_a_real_call
    expect_error("INVALID_ARGUMENT") { CDN.live_playback_url("a.b") }
    assert_nil expect_error("INVALID_ARGUMENT", CDN::InvalidArgumentTypeError) {
                 signer.sign("x", expires_in: nil)
               }.status
    expect_error("INVALID_KEY") { CDN::Signer.new("k", "not a key") }
    expect_error("MALFORMED_TOKEN") { verifier.verify("a.b") }
    expect_error("INVALID_SIGNATURE") { verifier.verify(token.sub(/.\z/) { |c| c == "A" ? "B" : "A" }, now: NOW) }
    expect_error("TOKEN_EXPIRED") { verifier.verify(token, now: NOW + 3601) }
    expect_error("TOKEN_NOT_YET_VALID") { verifier.verify(token(not_before: NOW + 60), now: NOW) }
    expect_error("URI_MISMATCH") { verifier.verify(token, now: NOW, resource: { kind: "storage", key: "videos/b" }) }
    expect_error("UNKNOWN_KEY_ID") { verifier.verify(token, now: NOW, key_id: "other") }
  end

  def test_every_api_code_from_a_real_call
    emu = TestHelper.emulator
    emu.reset
    c = emu.client(max_retries: 0, timeout: 1)
    expect_error("NOT_FOUND") { c.get_domain("nope") }
    emu.inject_fault("GET /v1/domains", "status", status: 429, retry_after: 3)
    err = expect_error("RATE_LIMITED") { c.list_domains }
    assert_equal [429, 3], [err.status, err.retry_after]
    emu.inject_fault("GET /v1/domains", "status", status: 500)
    err = expect_error("API_ERROR") { c.list_domains }
    assert_equal 500, err.status
    refute_nil err.body
    emu.inject_fault("GET /v1/domains", "drop")
    assert_nil expect_error("TRANSPORT") { c.list_domains }.status
    emu.inject_fault("GET /v1/domains", "delay", delay_ms: 3000)
    expect_error("TIMEOUT") { c.list_domains }
    emu.inject_fault("GET /v1/domains", "not_json")
    expect_error("DECODE") { c.list_domains }
    c.close
    bad = emu.client(api_key: "not-an-api-key", max_retries: 0)
    assert_equal 401, expect_error("UNAUTHORIZED") { bad.list_domains }.status
    bad.close
  end

  # INTERNAL (a caught panic) and SIGNER_FAILED (external signers) cannot be
  # caused from outside the library here: the mapping is exercised with the
  # details document qcdn_last_error_json gives for them.
  def test_internal_and_signer_failed_from_their_details
    { "INTERNAL" => 16, "SIGNER_FAILED" => 17 }.each do |code, number|
      err = CDN.error_from_native(number, { "code" => code, "status_code" => number, "message" => "boom",
                                            "http_status" => nil, "retry_after" => nil, "type_error" => false })
      assert_instance_of CDN::ERROR_CLASSES.fetch(code), err
      assert_equal ["#{code}: boom", code, nil], [err.message, err.code, err.status]
    end
  end

  def test_a_code_newer_than_the_gem_keeps_its_code
    err = CDN.error_from_native(99, { "code" => "FUTURE_CODE", "message" => "new" })
    assert_instance_of CDN::InternalError, err
    assert_equal "FUTURE_CODE", err.code
  end

  def test_errors_raised_by_users
    err = assert_raises(CDN::NotFoundError) { raise CDN::NotFoundError }
    assert_equal ["NOT_FOUND", "NOT_FOUND", nil], [err.message, err.code, err.status]
    err = assert_raises(CDN::InvalidArgumentError) { raise CDN::InvalidArgumentError, "bad" }
    assert_equal "INVALID_ARGUMENT: bad", err.message
    assert CDN::InvalidArgumentTypeError.new("t").type_error?
  end
end
