# frozen_string_literal: true

# Every client method against the emulator process (Qencode::Cdn::Testing::Emulator,
# real HTTP on loopback), the playback edge end to end, faults, options,
# threads and closing.

require_relative "test_helper"

class ClientTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn
  STREAM_ID = "1f1ab6a3-d867-4787-b882-7f2fb1203634"

  def emu
    TestHelper.emulator
  end

  def setup
    emu.reset
    @client = emu.client(max_retries: 1, timeout: 5)
  end

  def teardown
    @client.close
  end

  attr_reader :client

  def count(route)
    emu.counters["requests"].fetch(route, 0)
  end

  def test_domains_create_get_list_delete
    live = client.create_domain("live.example.com", "live")
    storage = client.create_domain("media.example.com", :storage)
    assert_instance_of CDN::Domain, live
    assert_equal ["live.example.com", "live"], [live.domain_name, live.type]
    assert_equal live, client.get_domain(live.id)
    assert_equal [live.id, storage.id].sort, client.list_domains.map(&:id).sort
    assert_equal [storage.id], client.list_domains("storage").map(&:id)
    assert_equal [live.id], client.list_domains(:LIVE).map(&:id)
    assert_equal "live.example.com", live.to_h[:domain_name]
    assert_equal live[:id], live.id
    assert live.frozen?
    assert_raises(FrozenError) { live.domain_name = "x" }
    assert_nil client.delete_domain(live.id)
    err = assert_raises(CDN::NotFoundError) { client.get_domain(live.id) }
    assert_equal [404, "NOT_FOUND"], [err.status, err.code]
    assert_kind_of CDN::ApiError, err
  end

  def test_unknown_fields_are_kept_in_extra
    d = client.create_domain("live.example.com", "live")
    h = d.to_h
    assert_equal d.extra.keys.sort, (h.keys - %i[id domain_name type created]).sort
    refute h.key?(:extra)
  end

  def test_tls_subscriptions
    domain = client.create_domain("live.example.com", "live")
    sub = client.create_tls_subscription(domain.id)
    assert_instance_of CDN::TlsSubscription, sub
    assert_equal domain.id, sub.domain_id
    assert_includes %w[pending active failed], sub.status
    got = client.get_tls_subscription(sub.id)
    assert_equal [sub.id, sub.domain_id, sub.status], [got.id, got.domain_id, got.status]
    assert_equal [sub.id], client.list_tls_subscriptions.map(&:id)
    assert_nil client.delete_tls_subscription(sub.id)
    assert_equal [], client.list_tls_subscriptions
  end

  def test_signing_keys_and_the_edge_end_to_end
    emu.add_stream(STREAM_ID, "abc123")
    key = client.create_signing_key(stream: STREAM_ID)
    assert_instance_of CDN::NewSigningKey, key
    assert_equal STREAM_ID, key.stream_id
    assert key.private_key.start_with?("-----BEGIN")
    assert_equal key.private_key, key.to_h[:private_key]

    signer = key.signer
    ok = emu.fetch(signer.signed_live_url("abc123"))
    assert_instance_of CDN::Testing::EdgeResponse, ok
    assert_equal 200, ok.status, ok.reason
    assert ok.body.start_with?("#EXTM3U")
    expired = emu.fetch(signer.signed_live_url("abc123", expires_in: 60, now: Time.now - 3600))
    assert_equal 403, expired.status
    assert expired.reason.to_s.start_with?("TOKEN_EXPIRED"), expired.reason
    other = emu.fetch(TestHelper.signer.signed_live_url("abc123"))
    assert_equal 403, other.status

    assert_equal key.signing_key, client.get_signing_key(key.id)
    assert_equal [key.id], client.list_signing_keys.map(&:id)
    renamed = client.rename_signing_key(key.id, "player key")
    assert_instance_of CDN::SigningKey, renamed
    assert_equal "player key", renamed.name
    assert_nil client.delete_signing_key(key.id)
    assert_raises(CDN::NotFoundError) { client.get_signing_key(key.id) }
  end

  def test_signing_keys_for_a_domain_and_a_bucket
    domain = client.create_domain("live.example.com", "live")
    assert_equal domain.id, client.create_signing_key(domain: domain.id).domain_id
    key = client.create_signing_key(bucket: "my-bucket")
    assert_equal "my-bucket", key.bucket_name
    assert_equal [key.id, 2048], [key.signer.key_id, key.signer.key_bits]
  end

  def test_signing_key_needs_exactly_one_target
    [{}, { stream: "a", bucket: "b" }, { stream: "a", domain: "b", bucket: "c" }].each do |kwargs|
      assert_raises(CDN::InvalidArgumentError) { client.create_signing_key(**kwargs) }
    end
    assert_equal 0, count("POST /v1/signing-keys")
  end

  def test_bucket_policy_with_signed_storage_urls_and_cookies
    emu.add_object("my-bucket", "videos/a.mp4", "video bytes")
    assert_nil client.set_bucket_policy("my-bucket", "authenticated")
    url = CDN.storage_url("my-bucket", "us-west", "videos/a.mp4")
    assert_equal 403, emu.fetch(url).status
    key = client.create_signing_key(bucket: "my-bucket")
    served = emu.fetch(key.signer.signed_storage_url("my-bucket", "us-west", "videos/a.mp4"))
    assert_equal [200, "video bytes"], [served.status, served.body]
    assert_equal 200, emu.fetch(url, cookie: key.signer.signed_cookie("videos/")).status
    assert_equal 200, emu.fetch(url, cookie: key.signer.signed_cookie_fields("videos/").value).status
    client.set_bucket_policy("my-bucket", :public)
    assert_equal 200, emu.fetch(url).status
    assert_raises(CDN::InvalidArgumentError) { client.set_bucket_policy("my-bucket", "private") }
  end

  def test_bucket_cors_and_purges
    cors = { "Access-Control-Allow-Origin" => "*", "Access-Control-Max-Age" => "1600" }
    assert_nil client.set_bucket_cors("my-bucket", cors)
    assert_equal cors, client.get_bucket_cors("my-bucket")
    assert_nil client.delete_bucket_cors_header("my-bucket", "Access-Control-Allow-Origin")
    assert_equal({ "Access-Control-Max-Age" => "1600" }, client.get_bucket_cors("my-bucket"))
    assert_nil client.delete_bucket_cors("my-bucket")
    assert_equal({}, client.get_bucket_cors("my-bucket"))
    err = assert_raises(CDN::ApiError) { client.set_bucket_cors("my-bucket", { "X-Custom" => "1" }) }
    assert_equal [CDN::ApiError, 400, "API_ERROR"], [err.class, err.status, err.code]
    assert_nil client.purge_bucket_cache("my-bucket")
    assert_nil client.purge_object_cache("my-bucket", "path/to/object")
    assert_equal 1, count("POST /v1/buckets/*/cache/purge_all")
    assert_equal 1, count("POST /v1/buckets/*/cache/purge")
  end

  def test_bad_input_fails_before_any_request
    [
      -> { client.create_domain("live.example.com", "lvie") },
      -> { client.create_domain("not a domain", "live") },
      -> { client.get_domain("a/b") },
      -> { client.list_domains("vod") },
      -> { client.set_bucket_cors("my-bucket", { "Bad Header" => "x" }) },
      -> { client.set_bucket_cors("my-bucket", "not a hash") },
      -> { client.get_domain("a\0b") }
    ].each { |call| assert_raises(CDN::InvalidArgumentError) { call.call } }
    assert_raises(CDN::InvalidArgumentTypeError) { client.get_domain(42) }
    requests = emu.counters["requests"].reject { |k, _| k.start_with?("POST /v1/access_token") }
    assert_equal({}, requests)
  end

  def test_faults_map_to_their_exception
    [
      ["status", { status: 500 }, CDN::ApiError],
      ["status", { status: 429, retry_after: 1 }, CDN::RateLimitedError],
      ["drop", {}, CDN::TransportError],
      ["not_json", {}, CDN::DecodeError],
      ["truncate", {}, CDN::Error]
    ].each do |kind, extra, klass|
      emu.reset
      c = emu.client(max_retries: 0, timeout: 5)
      emu.inject_fault("GET /v1/domains", kind, times: 5, **extra)
      err = assert_raises(klass) { c.list_domains }
      c.close
      case err
      when CDN::RateLimitedError then assert_equal [1, 429], [err.retry_after, err.status]
      when CDN::ApiError then assert_equal 500, err.status
      else assert_nil err.status, "#{kind}: not an HTTP answer, no status"
      end
    end
  end

  def test_retries_recover_from_one_503
    emu.inject_fault("GET /v1/domains", "status", status: 503, times: 1)
    assert_equal [], client.list_domains
    assert_equal 2, count("GET /v1/domains")
  end

  def test_timeout_and_deadline
    c = emu.client(max_retries: 0, timeout: Rational(3, 10))
    emu.inject_fault("GET /v1/domains", "delay", delay_ms: 1500)
    err = assert_raises(CDN::TimeoutError) { c.list_domains }
    assert_equal "TIMEOUT", err.code
    assert_nil err.status
    c.close
    c = emu.client(max_retries: 3, timeout: 5, deadline: 0.3)
    emu.inject_fault("GET /v1/domains", "delay", delay_ms: 1500)
    assert_raises(CDN::TimeoutError) { c.list_domains }
    c.close
  end

  def test_gvl_is_released_while_a_request_waits
    client.list_domains # the access token is fetched before the measured call
    emu.inject_fault("GET /v1/domains", "delay", delay_ms: 500)
    _, during = other_thread_ticks_during { client.list_domains }
    # With the GVL held the other thread could not run at all during the call.
    assert_operator during, :>=, 10, "the other thread ran only #{during} times during a 0.5 s request"
  end

  def test_wrong_api_key_is_unauthorized_and_never_shown
    secret = "wrong-key-that-must-not-leak"
    c = emu.client(api_key: secret, max_retries: 0)
    refute_includes c.inspect, secret
    err = assert_raises(CDN::UnauthorizedError) { c.list_domains }
    assert_equal "UNAUTHORIZED", err.code
    assert_includes [401, 403], err.status
    [err.message, err.inspect, err.full_message, err.body.to_s].each { |text| refute_includes text, secret }
  ensure
    c&.close
  end

  def test_client_settings_are_checked
    [{ api_url: "ftp://x" }, { timeout: 0 }, { timeout: -1.0 }, { max_retries: 99 }, { max_retries: -1 }].each do |kw|
      err = assert_raises(CDN::InvalidArgumentError, kw.inspect) { CDN::Client.new("k", **kw) }
      assert_nil err.status
    end
    [{ timeout: "30" }, { max_retries: true }, { api_url: 1 }].each do |kw|
      assert_raises(CDN::InvalidArgumentTypeError, kw.inspect) { CDN::Client.new("k", **kw) }
    end
    assert_raises(CDN::InvalidArgumentError) { CDN::Client.new("") }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Client.new(123) }
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Client.new(nil) }
    assert_raises(ArgumentError) { CDN::Client.new("k", retries: 1) }
  end

  def test_nil_keeps_the_defaults
    c = CDN::Client.new("k", api_url: nil, auth_url: nil, timeout: nil, connect_timeout: nil, deadline: nil,
                             max_retries: nil)
    assert_equal "#<Qencode::Cdn::Client>", c.inspect
    c.close
  end

  def test_from_env
    saved = ENV.fetch("QENCODE_API_KEY", nil)
    ENV.delete("QENCODE_API_KEY")
    err = assert_raises(CDN::InvalidArgumentError) { CDN::Client.from_env }
    assert_includes err.message, "QENCODE_API_KEY"
    ENV["QENCODE_API_KEY"] = "  #{emu.api_key}\n"
    c = CDN::Client.from_env(api_url: emu.url, auth_url: emu.url, max_retries: 0)
    assert_equal [], c.list_domains
    refute_includes c.inspect, emu.api_key
    c.close
    assert_raises(CDN::InvalidArgumentError) { CDN::Client.from_env(max_retries: 99) }
  ensure
    ENV["QENCODE_API_KEY"] = saved
  end

  def test_open_closes_and_closed_clients_refuse_calls
    result = CDN::Client.open(emu.api_key, api_url: emu.url, auth_url: emu.url) do |c|
      @kept = c
      c.list_domains
    end
    assert_equal [], result
    assert @kept.closed?
    err = assert_raises(CDN::InvalidArgumentError) { @kept.list_domains }
    assert_includes err.message, "closed"
    assert_nil @kept.close # twice is fine
    assert_includes @kept.inspect, "closed"
  end

  def test_close_waits_for_a_call_in_flight
    c = emu.client(max_retries: 0, timeout: 5)
    c.list_domains
    emu.inject_fault("GET /v1/domains", "delay", delay_ms: 400)
    in_flight = Thread.new { c.list_domains }
    sleep 0.01 until emu.counters["requests"].fetch("GET /v1/domains", 0) >= 2
    c.close
    assert_equal [], in_flight.value, "the call in flight finished normally"
    assert_raises(CDN::InvalidArgumentError) { c.list_domains }
  end

  def test_client_is_shared_between_threads
    threads = (0...8).map do |i|
      Thread.new do
        d = client.create_domain("d#{i}.example.com", "live")
        client.get_domain(d.id) == d
      end
    end
    assert_equal [true] * 8, threads.map(&:value)
    assert_equal 8, client.list_domains.size
  end

  def test_emulator_stops_and_frees_its_port
    e = CDN::Testing::Emulator.start
    url = e.url
    assert e.running?
    assert url.start_with?("http://127.0.0.1:")
    e.stop
    refute e.running?
    assert_nil e.stop
    c = CDN::Client.new("k", api_url: url, auth_url: url, max_retries: 0, connect_timeout: 1)
    assert_raises(CDN::TransportError) { c.list_domains }
    c.close
  end

  def test_emulator_faults_are_checked_by_the_emulators_parser
    [
      [["*", "explode"], {}, "unknown fault kind"],
      [["*", "status"], {}, "needs `status`"],
      [["*", "status"], { status: 600 }, "100 to 599"],
      [["*", "delay"], {}, "needs `delay_ms`"],
      [["*", "delay"], { delay_ms: 600_001 }, "at most"],
      [["*", "drop"], { times: -1 }, "non-negative"]
    ].each do |args, kwargs, words|
      err = assert_raises(CDN::InvalidArgumentError) { emu.inject_fault(*args, **kwargs) }
      assert_includes err.message, words
    end
  end

  def test_emulator_settings_are_checked
    assert_raises(CDN::InvalidArgumentError) { CDN::Testing::Emulator.start(signing_key_bits: 1000) }
    assert_raises(CDN::InvalidArgumentError) { CDN::Testing::Emulator.start(api_keys: []) }
    CDN::Testing::Emulator.open(api_keys: %w[one two]) do |e|
      assert_equal %w[one two], e.api_keys
      assert_equal [], e.client(api_key: "two").list_domains
    end
  end
end
