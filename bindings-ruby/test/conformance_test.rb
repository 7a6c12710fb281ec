# frozen_string_literal: true

# Every conformance case (tests/conformance/*.json, see its README) through
# the installed gem, called as a Ruby user calls it: options as keyword
# arguments (a JSON null is an explicit nil, an absent key an argument not
# given; absolute times as `Time`), results compared as JSON.
#
# One test per case. After the run this file prints the README's summary
# line `conformance: ruby: N cases, P passed, S skipped, F failed` and one
# line per skipped case, which the suite checks with
# tests/conformance/check-summary. A case is skipped only when its `skip`
# map names ruby; a case that did not run to a pass counts as failed.

require_relative "test_helper"

module Conformance
  LANGUAGE = "ruby"
  CDN = Qencode::Cdn

  CASES = Dir[File.join(TestHelper::ROOT, "tests", "conformance", "*.json")].flat_map do |path|
    JSON.parse(File.read(path))["cases"]
  end
  names = CASES.map { |c| c["name"] }
  raise "conformance case names are not unique" unless names.uniq.size == names.size

  RESULTS = {} # rubocop:disable Style/MutableConstant -- filled by the tests, read after the run

  SIGNED_URL = {
    "live" => [:signed_live_url, %w[playback_id]],
    "live_custom_domain" => [:signed_live_custom_domain_url, %w[domain playback_id]],
    "storage" => [:signed_storage_url, %w[bucket region key]],
    "storage_custom_domain" => [:signed_storage_custom_domain_url, %w[domain key]]
  }.freeze
  URL = {
    "live" => [:live_playback_url, %w[playback_id]],
    "live_custom_domain" => [:live_custom_domain_url, %w[domain playback_id]],
    "storage" => [:storage_url, %w[bucket region key]],
    "storage_custom_domain" => [:storage_custom_domain_url, %w[domain key]]
  }.freeze
  # Each client call of DESIGN §4: the case's named arguments passed
  # positionally (in this order), then those passed as keywords.
  CLIENT_CALLS = {
    "create_domain" => [%w[name type], []],
    "get_domain" => [%w[id], []],
    "list_domains" => [%w[type], []],
    "delete_domain" => [%w[id], []],
    "create_tls_subscription" => [%w[domain_id], []],
    "get_tls_subscription" => [%w[id], []],
    "list_tls_subscriptions" => [[], []],
    "delete_tls_subscription" => [%w[id], []],
    "create_signing_key" => [[], %w[stream domain bucket]],
    "get_signing_key" => [%w[id], []],
    "list_signing_keys" => [[], []],
    "rename_signing_key" => [%w[id name], []],
    "delete_signing_key" => [%w[id], []],
    "set_bucket_policy" => [%w[bucket policy], []],
    "set_bucket_cors" => [%w[bucket headers], []],
    "get_bucket_cors" => [%w[bucket], []],
    "delete_bucket_cors" => [%w[bucket], []],
    "delete_bucket_cors_header" => [%w[bucket header], []],
    "purge_bucket_cache" => [%w[bucket], []],
    "purge_object_cache" => [%w[bucket path], []]
  }.freeze
  # Absolute times the runner gives as Ruby `Time` (whole seconds).
  TIME_OPTIONS = %w[expires_at not_before now].freeze

  module_function

  def key_material(spec)
    return File.binread(File.join(TestHelper::ROOT, spec)) if spec.is_a?(String)
    return spec["text"] if spec.key?("text")

    Base64.strict_decode64(spec["base64"])
  end

  def signer(spec)
    @signers ||= {}
    @signers[JSON.generate(spec)] ||= CDN::Signer.new(spec["kid"], key_material(spec["key"]))
  end

  def verifier(spec)
    return CDN::Verifier.new(key_material(spec["public_key"])) if spec.key?("public_key")
    return CDN::Verifier.from_jwk(spec["jwk"]) if spec.key?("jwk")
    return CDN::Verifier.from_jwks(spec["jwks"]) if spec.key?("jwks")
    return CDN::Verifier.from_keys(spec["keys"].map { |k| [k["kid"], key_material(k["key"])] }) if spec.key?("keys")

    CDN::Verifier.from_signer(signer(spec["signer"]))
  end

  # Per-item outcomes as the cases write them: `tokens` (nil for an
  # error), `errors` (nil for a token) and each token's `exp`.
  def outcomes(results)
    tokens = results.map(&:first)
    {
      "tokens" => tokens,
      "errors" => results.map(&:last),
      "exps" => tokens.map { |t| t && CDN.decode_unverified(t)[:claims]["exp"] }
    }
  end

  # A batch result as [token, nil] or [nil, code]; a failed item's #token
  # raises its error.
  def batch_outcome(result)
    return [result.token, nil] if result.ok?

    begin
      result.token
      raise "the token of a failed item did not raise"
    rescue CDN::Error => e
      raise "the token of a failed item raised another error" unless e.equal?(result.error)
    end
    [nil, result.error.code]
  end

  def sign_outcome(signer, uri, options)
    [signer.sign(uri, **keywords(options)), nil]
  rescue CDN::Error => e
    [nil, e.code]
  end

  # JSON options as keyword arguments: symbols for names, `Time` for
  # absolute times that are whole numbers; every other value as it is.
  def keywords(options)
    (options || {}).to_h do |k, v|
      v = Time.at(v) if TIME_OPTIONS.include?(k) && v.is_a?(Integer)
      [k.to_sym, v]
    end
  end

  def explanation(e)
    {
      "ok" => e.ok,
      "checks" => e.checks.map { |c| "#{c.name}:#{c.passed? ? 'ok' : 'FAIL'}" },
      "details" => e.checks.to_h { |c| [c.name, c.detail] },
      "warnings" => e.warnings.map(&:code)
    }
  end

  # A result back as the API's JSON document; nil is {"status": "ok"}.
  def api_json(result)
    case result
    when nil then { "status" => "ok" }
    when Array then result.map { |r| api_json(r) }
    when Struct then JSON.parse(JSON.generate(result.to_h))
    else result
    end
  end

  def client_call(client, call, args)
    positional, keywords = CLIENT_CALLS.fetch(call)
    unknown = args.keys - positional - keywords
    raise "#{call}: the runner does not map the arguments #{unknown}" unless unknown.empty?

    pos = positional.take_while { |n| args.key?(n) }.map { |n| args[n] }
    kw = keywords.select { |n| args.key?(n) }.to_h { |n| [n.to_sym, args[n]] }
    api_json(client.public_send(call, *pos, **kw))
  end

  def with_env(env)
    saved = env.keys.to_h { |k| [k, ENV.fetch(k, nil)] }
    env.each do |k, v|
      ENV[k] = v.is_a?(Hash) ? File.read(File.join(TestHelper::ROOT, v["file"])) : v
    end
    yield
  ensure
    saved.each { |k, v| ENV[k] = v }
  end

  # Runs the case's operation with the Ruby API; returns what it produced (or raises).
  def produce(c)
    i = c["input"]
    case c["op"]
    when "load_key"
      s = CDN::Signer.new(i["kid"], key_material(i["key"]))
      { "bits" => s.key_bits, "public_key_pem" => s.public_key_pem, "public_key_jwk" => JSON.parse(s.public_key_jwk) }
    when "sign"
      { "token" => signer(i["signer"]).sign(i["uri"], **keywords(i["options"])) }
    when "signed_url"
      method, names = SIGNED_URL.fetch(i["form"])
      { "url" => signer(i["signer"]).public_send(method, *names.map do |n|
                                                           i["args"].fetch(n)
                                                         end, **keywords(i["options"])) }
    when "url"
      method, names = URL.fetch(i["form"])
      token = i.key?("token") ? { token: i["token"] } : {}
      { "url" => CDN.public_send(method, *names.map { |n| i["args"].fetch(n) }, **token) }
    when "cookie"
      { "set_cookie" => signer(i["signer"]).signed_cookie(i["uri"], **keywords(i["options"]), **keywords(i["cookie"])) }
    when "verify"
      claims = verifier(i["verifier"]).verify(i["token"], **keywords(i["options"]))
      { "kid" => CDN.decode_unverified(i["token"])[:header]["kid"], "claims" => claims }
    when "explain"
      explanation(verifier(i["verifier"]).explain(i["url"], **keywords(i["options"])))
    when "explain_token"
      explanation(verifier(i["verifier"]).explain_token(i["token"], **keywords(i["options"])))
    when "jwks"
      { "jwks" => verifier(i["verifier"]).jwks }
    when "sign_many"
      items = i["items"].map { |it| { uri: it["uri"], **keywords(it["options"]) } }
      threads = i.key?("threads") ? { threads: i["threads"] } : {}
      results = signer(i["signer"]).sign_many(items, **threads)
      raise "sign_many gave #{results.size} results for #{items.size} items" unless results.size == items.size

      outcomes(results.map { |r| batch_outcome(r) })
    when "cached_sign"
      capacity = i.key?("capacity") ? { capacity: i["capacity"] } : {}
      cached = signer(i["signer"]).cached(i["window"], cache_pinned_clock: true, **capacity)
      outcomes(i["requests"].map { |r| sign_outcome(cached, r["uri"], r["options"]) })
        .merge("cached_tokens" => cached.cached_tokens)
    when "audit"
      { "warnings" => CDN.audit(i["token"], now: Time.at(i["now"])).map(&:code) }
    when "decode"
      d = CDN.decode_unverified(i["token"])
      { "header" => d[:header], "claims" => d[:claims] }
    when "from_env"
      key_id = i.key?("key_id") ? { key_id: i["key_id"] } : {}
      with_env(i["env"]) do
        s = CDN::Signer.from_env(**key_id)
        { "kid" => s.key_id, "bits" => s.key_bits }
      end
    when "client_from_env"
      with_env(i["env"]) do
        CDN::Client.from_env.close
        { "ok" => true }
      end
    when "client"
      emu = TestHelper.emulator
      emu.reset
      (i["faults"] || []).each do |f|
        emu.inject_fault(f.fetch("route"), f.fetch("kind"), **f.except("route", "kind").transform_keys(&:to_sym))
      end
      CDN::Client.open(emu.api_key, api_url: emu.url, auth_url: emu.url, **keywords(i["options"])) do |client|
        (i["setup"] || []).each { |step| client_call(client, step["call"], step["args"]) }
        { "result" => client_call(client, i["call"], i["args"]) }
      end
    when "stream_coverage"
      report = CDN::Stream.coverage(i["manifest_url"], i["manifest_text"], **keywords(i["options"]))
      {
        "ok" => report["ok"], "format" => report["format"], "findings" => report["findings"],
        "requests" => report["requests"].map { |r| r.values_at("kind", "carrier", "covered", "finding") }
      }
    else
      raise "#{c['name']}: the Ruby runner has no operation `#{c['op']}`"
    end
  end

  # JSON equality: 1, 1.0 and true all differ, as in every other runner.
  def same(got, want)
    return false unless got.instance_of?(want.class) || (got.is_a?(Integer) && want.is_a?(Integer))

    case want
    when Hash then got.keys.sort == want.keys.sort && want.all? { |k, w| same(got[k], w) }
    when Array then got.size == want.size && got.zip(want).all? { |g, w| same(g, w) }
    else got == want
    end
  end

  # Objects by their members (extra members allowed), arrays element by element, else equal.
  def contains(got, want)
    case want
    when Hash then got.is_a?(Hash) && want.all? { |k, w| got.key?(k) && contains(got[k], w) }
    when Array then got.is_a?(Array) && got.size == want.size && got.zip(want).all? { |g, w| contains(g, w) }
    else same(got, want)
    end
  end
end

class ConformanceTest < Minitest::Test
  include Conformance

  def self.test_name(c)
    "test_#{c['name'].gsub(/[^A-Za-z0-9]+/, '_')}"
  end

  Conformance::CASES.each do |c|
    define_method(test_name(c)) do
      name = c["name"]
      reason = (c["skip"] || {})[Conformance::LANGUAGE]
      if reason
        Conformance::RESULTS[name] = [:skipped, reason]
        skip(reason)
      end
      Conformance::RESULTS[name] = [:failed, nil]
      run_case(c)
      Conformance::RESULTS[name] = [:passed, nil]
    end
  end

  def run_case(c)
    want = c["expect"]
    begin
      got = Conformance.produce(c)
    rescue Qencode::Cdn::Error => e
      assert want.key?("error"), "expected success, got #{e.class}: #{e.message}"
      check_error(want, e)
      return
    end
    refute want.key?("error"), "expected error #{want['error']}, got success #{got}"
    check_success(want, got)
  end

  def check_error(want, err)
    assert_equal want["error"], err.code, "the error code (#{err.message})"
    assert_kind_of Qencode::Cdn::ERROR_CLASSES.fetch(want["error"]), err
    if want.key?("status")
      want["status"].nil? ? assert_nil(err.status) : assert_equal(want["status"], err.status)
    end
    assert_equal want["retry_after"], err.retry_after&.truncate, "retry_after" if want.key?("retry_after")
    if want.key?("type_error")
      assert_equal want["type_error"], err.type_error?, "type_error? (#{err.message})"
      assert_equal want["type_error"], err.is_a?(Qencode::Cdn::InvalidArgumentTypeError)
    end
    (want["message_contains"] || []).each { |text| assert_includes err.message, text }
  end

  def check_success(want, got)
    want.each do |key, w|
      case key
      when "detail_contains"
        w.each do |check, text|
          detail = got["details"].fetch(check, "")
          assert_includes detail, text, "detail of `#{check}`"
        end
      when "same"
        tokens = got["tokens"]
        w.each_with_index do |la, a|
          w.each_with_index do |lb, b|
            equal = tokens[a] == tokens[b]
            assert_equal la == lb, equal, "requests #{a} and #{b}: labels #{la} and #{lb} but tokens " \
                                          "#{equal ? 'equal' : 'differ'}"
          end
        end
      when "cached_at_most"
        assert_operator got["cached_tokens"], :<=, w, "the cache holds more tokens than #{w}"
      when "result"
        assert Conformance.contains(got["result"], w), "result #{got['result']} does not contain #{w}"
      else
        assert got.key?(key), "`#{key}` was not produced"
        assert Conformance.same(got[key], w), "`#{key}`: expected #{w.inspect}, got #{got[key].inspect}"
      end
    end
  end
end

Minitest.after_run do
  results = Conformance::RESULTS
  total = Conformance::CASES.size
  passed = results.count { |_, (outcome, _)| outcome == :passed }
  skipped = results.select { |_, (outcome, _)| outcome == :skipped }
  failed = total - passed - skipped.size
  puts "conformance: ruby: #{total} cases, #{passed} passed, #{skipped.size} skipped, #{failed} failed"
  skipped.each { |name, (_, reason)| puts "  skipped #{name}: #{reason}" }
end
