# frozen_string_literal: true

# Signer.external with Ruby blocks: Ruby's OpenSSL as the "KMS" gives the
# golden tokens byte for byte; every broken block gives SIGNER_FAILED (its
# exception kept as the cause), never a token or a crash; non-local exits,
# Thread#raise and Thread#kill never unwind through the library; threads
# share one signer (the block runs on each caller's thread, with the GVL);
# the block is released exactly once, when the last signer sharing it is
# freed. Also the two-phase prepare/finish.

require_relative "test_helper"
require "openssl"

class ExternalTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn
  EXTERNAL = CDN.const_get(:External) # the gem's registry of blocks (white box, for the lifetime tests)

  # Not a StandardError: such exceptions are raised again, unchanged.
  class Halt < Exception # rubocop:disable Lint/InheritException
  end

  # Counts External.release per user_data number.
  module CountReleases
    def release(id)
      ExternalTest.releases[id] += 1
      super
    end
  end
  EXTERNAL.singleton_class.prepend(CountReleases)

  def self.releases
    @releases ||= Hash.new(0)
  end

  def rsa
    @rsa ||= OpenSSL::PKey::RSA.new(pem2048)
  end

  def kms(key = rsa)
    ->(input) { key.sign("SHA256", input) }
  end

  def external(callable = kms, kid: KID, public_key: rsa, &block)
    block ? CDN::Signer.external(kid, public_key, &block) : CDN::Signer.external(kid, public_key, callable)
  end

  def callback_id(signer)
    signer.instance_variable_get(:@callback_id)
  end

  def refused(signer, uri = "videos/a/")
    err = assert_raises(CDN::SignerFailedError) { signer.sign(uri, now: NOW) }
    assert_equal "SIGNER_FAILED", err.code
    assert_equal 17, err.status_code
    err
  end

  def test_golden_tokens_from_ruby_openssl
    cases = golden_sign_cases
    assert_operator cases.size, :>=, 30
    keys = Hash.new { |h, file| h[file] = OpenSSL::PKey::RSA.new(File.read(File.join(ROOT, file))) }
    cases.each do |name, kid, file, uri, options, token|
      key = keys[file]
      signer = CDN::Signer.external(kid, key) { |input| key.sign("SHA256", input) }
      assert signer.external?
      assert_equal token, signer.sign(uri, **options), name
    end
  end

  def test_every_signing_method_goes_through_the_block
    calls = 0
    ext = external { |input| (calls += 1) && rsa.sign("SHA256", input) }
    local = signer
    %i[sign signed_live_url signed_cookie].each do |m|
      assert_equal local.public_send(m, "abc123", now: NOW), ext.public_send(m, "abc123", now: NOW)
    end
    assert_equal local.signed_storage_url("my-bucket", "us-west", "a.mp4", now: NOW),
                 ext.signed_storage_url("my-bucket", "us-west", "a.mp4", now: NOW)
    assert_equal local.sign_url("https://x.example.com/v?a=1", "v", now: NOW),
                 ext.sign_url("https://x.example.com/v?a=1", "v", now: NOW)
    assert_equal local.signed_cookie_fields("videos/", now: NOW), ext.signed_cookie_fields("videos/", now: NOW)
    assert_equal 6, calls
    assert_equal 2048, ext.key_bits
    assert_equal local.public_key_pem, ext.public_key_pem
    assert_equal({ "uri" => "abc123", "exp" => NOW + 3600 },
                 CDN::Verifier.from_signer(ext).verify(ext.sign("abc123", now: NOW), now: NOW))
  end

  def test_callables_of_every_kind
    object = Object.new
    key = rsa
    object.define_singleton_method(:call) { |input| key.sign("SHA256", input) }
    want = signer.sign("a", now: NOW)
    [kms, object, kms.method(:call), proc { |input| key.sign("SHA256", input) }].each do |callable|
      assert_equal want, external(callable).sign("a", now: NOW)
    end
    assert_equal want, external { |input| key.sign("SHA256", input) }.sign("a", now: NOW)
    assert_equal want, CDN::Signer.external(KID, signer.public_key_pem, kms).sign("a", now: NOW) # PEM text
    assert_equal want, CDN::Signer.external(KID, rsa.public_to_der, kms).sign("a", now: NOW) # DER, as KMS gives it
    assert_equal want, CDN::Signer.external(KID, signer.public_key_jwk, kms).sign("a", now: NOW) # a JWK
  end

  def test_a_signer_needs_one_callable_and_a_public_key
    held = EXTERNAL.held_count
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Signer.external(KID, rsa) }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Signer.external(KID, rsa, "not callable") }
    assert_raises(CDN::InvalidArgumentError) { CDN::Signer.external(KID, rsa, kms) { |i| i } }
    assert_raises(CDN::InvalidKeyError) { CDN::Signer.external(KID, "not a key", kms) }
    assert_raises(CDN::InvalidArgumentError) { CDN::Signer.external("", rsa, kms) }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Signer.external(nil, rsa, kms) }
    assert_equal held, EXTERNAL.held_count, "a signer that was not made keeps no block"
  end

  def test_a_raising_block_is_signer_failed_with_the_exception_as_cause
    boom = IOError.new("kms.eu-west-1.amazonaws.com: connection refused")
    ext = external { |_| raise boom }
    err = refused(ext)
    assert_same boom, err.cause
    assert_includes err.message, "IOError: kms.eu-west-1.amazonaws.com: connection refused"
    err = assert_raises(CDN::SignerFailedError) { ext.signed_live_url("abc123") }
    assert_same boom, err.cause
    assert_same boom, assert_raises(CDN::SignerFailedError) { ext.signed_cookie_fields("v/") }.cause
    # The signer works again once the block does.
    ok = true
    flaky = external { |input| ok ? rsa.sign("SHA256", input) : raise(ArgumentError, "throttled") }
    assert_equal signer.sign("a", now: NOW), flaky.sign("a", now: NOW)
    ok = false
    assert_kind_of ArgumentError, refused(flaky).cause
    ok = true
    assert_equal signer.sign("a", now: NOW), flaky.sign("a", now: NOW)
  end

  def test_a_long_message_is_cut
    err = refused(external { |_| raise "x" * 10_000 })
    assert_includes err.message, "RuntimeError: xxxx"
    assert_operator err.message.size, :<, 1000
    assert_equal 10_000, err.cause.message.size
    err = refused(external { |_| raise "é" * 2000 }) # cut at a character
    assert err.message.valid_encoding?
  end

  def test_broken_signatures_never_give_a_token
    other = OpenSSL::PKey::RSA.new(2048)
    pss = ->(input) { rsa.sign_pss("SHA256", input, salt_length: :digest, mgf1_hash: "SHA256") }
    {
      "nil" => ->(_) {},
      "an Integer" => ->(_) { 5 },
      "empty" => ->(_) { "" },
      "one byte short" => ->(input) { rsa.sign("SHA256", input)[0, 255] },
      "garbage of the right length" => ->(_) { Random.new(1).bytes(256) },
      "another key's signature" => ->(input) { other.sign("SHA256", input) },
      "RSA-PSS instead of PKCS#1 v1.5" => pss,
      "SHA-512" => ->(input) { rsa.sign("SHA512", input) },
      "the signature of another input" => ->(_) { rsa.sign("SHA256", "something else") },
      "longer than the buffer" => ->(_) { "x" * 5000 }
    }.each do |what, callable|
      err = refused(external(callable))
      assert_nil err.cause, what
      refute_includes err.message, "eyJ", what
    end
    err = refused(external(->(_) { 5 }))
    assert_includes err.message, "the block returned Integer, not a String of signature bytes"
  end

  def test_exceptions_that_are_not_standard_errors_are_raised_again
    halt = Halt.new("stop")
    ext = external { |_| raise halt }
    assert_same halt, assert_raises(Halt) { ext.sign("a") }
    assert_same halt, assert_raises(Halt) { ext.sign_many(%w[a b c]) }
    calls = 0
    stop_second = external do |input|
      calls += 1
      raise Halt if calls == 2

      rsa.sign("SHA256", input)
    end
    assert_raises(Halt) { stop_second.sign_many(%w[a b c d]) }
    assert_equal 2, calls, "a batch stops calling the block once it was interrupted"
  end

  def test_non_local_exits_are_stopped_before_the_library
    thrown = catch(:out) do
      ext = external { |_| throw :out, :escaped }
      refused(ext).message
    end
    assert_includes thrown, "the block did not return"
    assert_kind_of LocalJumpError, refused(external { |_| break }).cause # the method that made the block returned
    assert_includes returning_signer_message, "the block did not return"
  end

  def returning_signer_message
    ext = CDN::Signer.external(KID, rsa) { |_| return :escaped }
    refused(ext).message
  end

  def test_thread_raise_interrupts_a_waiting_block
    waiting = Queue.new
    ext = external do |_|
      waiting << Thread.current
      Queue.new.pop # a KMS that never answers
    end
    t = Thread.new do
      ext.sign("a")
    rescue CDN::SignerFailedError => e
      e
    end
    assert_equal t, waiting.pop
    t.raise(IOError, "given up")
    err = t.value
    assert_kind_of CDN::SignerFailedError, err
    assert_kind_of IOError, err.cause
  end

  def test_timeout_around_the_call_stops_a_hung_block
    require "timeout"
    hung = external { |_| Queue.new.pop }
    if Gem::Version.new(Timeout::VERSION) < Gem::Version.new("0.3")
      # Ruby 3.1's Timeout throws out of the block: stopped before the library.
      err = assert_raises(CDN::SignerFailedError) { Timeout.timeout(0.05) { hung.sign("a") } }
      assert_includes err.message, "Timeout.timeout"
    else
      # Newer ones raise an exception that is not a StandardError: raised again.
      assert_raises(Timeout::Error) { Timeout.timeout(0.05) { hung.sign("a") } }
    end
    assert_equal signer.sign("a", now: NOW), external.sign("a", now: NOW)
  end

  def test_thread_kill_waits_until_the_library_returned
    waiting = Queue.new
    go = Queue.new
    finished = []
    ext = external do |input|
      waiting << :in_block
      go.pop
      finished << :block
      rsa.sign("SHA256", input)
    end
    t = Thread.new do
      ext.sign("a")
      finished << :after_sign # never: the kill lands as soon as the library has returned
    ensure
      finished << :ensure
    end
    waiting.pop
    t.kill
    go << :answer
    t.join
    assert_equal %i[block ensure], finished
    go << :again # the signer still works
    assert_equal signer.sign("a", now: NOW), ext.sign("a", now: NOW)
  end

  def test_threads_share_one_signer_and_call_the_block_on_their_own_thread
    seen = Queue.new
    ext = external do |input|
      seen << Thread.current
      Thread.pass
      rsa.sign("SHA256", input)
    end
    threads = Array.new(4) do |i|
      Thread.new { Array.new(5) { |j| [Thread.current, ext.sign("videos/#{i}/#{j}/", now: NOW)] } }
    end
    results = threads.flat_map(&:value)
    assert_equal 20, seen.size
    callers = Array.new(20) { seen.pop }
    assert_equal threads.sort_by(&:object_id), callers.uniq.sort_by(&:object_id)
    results.each_with_index do |(_, token), n|
      assert_equal signer.sign("videos/#{n / 5}/#{n % 5}/", now: NOW), token
    end
  end

  def test_other_threads_run_while_a_block_waits
    # The block waits for this (main) thread, which can only answer if the
    # signing thread gave up the GVL while in the library and the block.
    started = Queue.new
    go = Queue.new
    ext = external do |input|
      started << Thread.current
      go.pop
      rsa.sign("SHA256", input)
    end
    t = Thread.new { ext.sign("a", now: NOW) }
    assert_equal t, started.pop
    go << true
    assert_equal signer.sign("a", now: NOW), t.value
    batch = Thread.new { ext.sign_many([{ uri: "a", now: NOW }, { uri: "b", now: NOW }], threads: 4) }
    2.times do
      assert_equal batch, started.pop, "a batch calls the block on its own thread"
      go << true
    end
    assert_equal [signer.sign("a", now: NOW), signer.sign("b", now: NOW)], batch.value.map(&:token)
  end

  def test_sign_many_gives_each_failed_item_its_own_cause
    ext = external do |input|
      uri = JSON.parse(Base64.urlsafe_decode64(input.split(".")[1]))["uri"]
      raise KeyError, "no signature for #{uri}" if uri.start_with?("bad")

      rsa.sign("SHA256", input)
    end
    results = ext.sign_many([{ uri: "ok/1/", now: NOW }, { uri: "bad/2/", now: NOW }, { uri: "/x", now: NOW },
                             { uri: "bad/4/", now: NOW }, { uri: "ok/5/", now: NOW }])
    assert_equal [true, false, false, false, true], results.map(&:ok?)
    assert_equal signer.sign("ok/5/", now: NOW), results[4].token
    cause = results[1].error.cause
    assert_equal "KeyError: no signature for bad/2/", "#{cause.class}: #{cause.message}"
    assert_equal "no signature for bad/4/", results[3].error.cause.message
    assert_equal "INVALID_ARGUMENT", results[2].error.code
    assert_nil results[2].error.cause
    assert_same results[1].error, assert_raises(CDN::SignerFailedError) { results[1].token }
  end

  def test_a_cached_external_signer_calls_the_block_once_per_window
    calls = 0
    ext = external do |input|
      calls += 1
      rsa.sign("SHA256", input)
    end
    cached = ext.cached(300)
    a = cached.sign("videos/a/", expires_in: 3600)
    assert_equal a, cached.sign("videos/a/", expires_in: 3600)
    assert_equal 1, calls
    assert_equal 1, cached.cached_tokens
    assert cached.external?
    assert_equal [a, a], cached.sign_many([{ uri: "videos/a/", expires_in: 3600 }] * 2).map(&:token)
    assert_equal 1, calls
  end

  def test_the_block_is_released_once_when_the_last_signer_sharing_it_is_freed
    [%i[source cached], %i[cached source]].each do |order|
      ext = external
      id = callback_id(ext)
      signers = { source: ext, cached: ext.cached(60) }
      assert EXTERNAL.held?(id)
      signers[order[0]].send(:handle).free
      assert EXTERNAL.held?(id), "still held after freeing the #{order[0]} signer"
      assert_equal 0, ExternalTest.releases[id]
      assert_equal signer.sign("a", now: NOW), signers[order[1]].sign("a", now: NOW)
      signers[order[1]].send(:handle).free
      refute EXTERNAL.held?(id)
      assert_equal 1, ExternalTest.releases[id], "released once (#{order.join(' then ')})"
    end
  end

  def test_the_garbage_collector_frees_the_signers_and_releases_the_block
    # Made on another thread, so that no stack still points at the signers.
    id = Thread.new do
      ext = external
      ext.cached(60).sign("a", now: NOW)
      callback_id(ext)
    end.value
    20.times do
      break unless EXTERNAL.held?(id)

      GC.start
    end
    refute EXTERNAL.held?(id), "the signers were collected and the block released"
    assert_equal 1, ExternalTest.releases[id]
  end

  def test_prepare_and_finish
    prepared = signer.prepare("videos/a/", expires_in: 600, now: NOW)
    assert_kind_of CDN::PreparedToken, prepared
    assert prepared.signing_input.frozen?
    want = signer.sign("videos/a/", expires_in: 600, now: NOW)
    assert want.start_with?("#{prepared.signing_input}.")
    signature = rsa.sign("SHA256", prepared.signing_input)
    assert_equal want, prepared.finish(signature)
    assert_equal want, signer.finish(prepared.signing_input, signature)
    # Any signer prepares, an external one without calling its block.
    ext = external { |_| raise "not called" }
    assert_equal want, ext.prepare("videos/a/", expires_in: 600, now: NOW).finish(signature)

    assert_raises(CDN::SignerFailedError) { prepared.finish(signature[0, 100]) }
    assert_raises(CDN::SignerFailedError) { prepared.finish(rsa.sign("SHA256", "another input")) }
    other = CDN::Signer.new("another-kid", pem2048).prepare("videos/a/", now: NOW)
    assert_raises(CDN::InvalidArgumentError) { signer.finish(other.signing_input, signature) }
    assert_raises(CDN::InvalidArgumentTypeError) { prepared.finish(nil) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.prepare("a", expires_in: nil) }
    assert_raises(CDN::InvalidArgumentError) { signer.prepare("/a") }
  end

  def test_inspect_says_external_and_nothing_of_the_block
    ext = external { |_| "secret-in-closure" }
    assert_equal "#<Qencode::Cdn::Signer key_id=#{KID.inspect} bits=2048 external>", ext.inspect
    assert_equal "#<Qencode::Cdn::Signer key_id=#{KID.inspect} bits=2048 external cache_window=60>",
                 ext.cached(60).inspect
    refute signer.external?
  end
end
