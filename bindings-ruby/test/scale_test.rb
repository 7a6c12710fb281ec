# frozen_string_literal: true

# Signer#sign_many (items as a Ruby user writes them, per-item errors, the
# errors of a whole call) and Signer#cached (window, capacity, what is and
# is not cached), on a local key.

require_relative "test_helper"

class ScaleTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn

  def test_items_in_every_form
    results = signer.sign_many([
                                 "videos/a/",
                                 :abc123,
                                 { uri: "videos/b/", expires_in: 600, now: Time.at(NOW) },
                                 { "uri" => "videos/c/", "claims" => { viewer: "u-42" }, "now" => NOW },
                                 ["videos/d/", { expires_at: Time.at(NOW + 60), now: NOW }]
                               ])
    assert_equal 5, results.size
    assert(results.all?(&:ok?))
    assert_nil results[0].error
    assert_equal "videos/a/", CDN.decode_unverified(results[0].token)[:claims]["uri"]
    assert_equal "abc123", CDN.decode_unverified(results[1].token)[:claims]["uri"]
    assert_equal signer.sign("videos/b/", expires_in: 600, now: NOW), results[2].token
    assert_equal signer.sign("videos/c/", claims: { viewer: "u-42" }, now: NOW), results[3].token
    assert_equal signer.sign("videos/d/", expires_at: NOW + 60, now: NOW), results[4].token
    assert_equal "#<Qencode::Cdn::SignResult ok>", results[0].inspect
    assert_equal [], signer.sign_many([])
    assert_equal 3, signer.sign_many(%w[a b c].each).size # any Enumerable
  end

  def test_a_bad_item_is_its_own_error
    results = signer.sign_many([
                                 { uri: "videos/0/", now: NOW },
                                 "/videos/1/",
                                 { uri: "videos/2/", expires_in: nil },
                                 { uri: "videos/3/", expires_in: "600" },
                                 { uri: "videos/4/", colour: "red" },
                                 { uri: "videos/5/", now: NOW }
                               ], threads: 2)
    assert_equal [true, false, false, false, false, true], results.map(&:ok?)
    codes = results.map { |r| r.error&.code }
    assert_equal [nil, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT", "INVALID_ARGUMENT", nil], codes
    assert_kind_of CDN::InvalidArgumentTypeError, results[2].error
    assert results[3].error.type_error?
    assert_includes results[4].error.message, "colour"
    err = assert_raises(CDN::InvalidArgumentError) { results[1].token }
    assert_same results[1].error, err
    assert_match(/\A#<Qencode::Cdn::SignResult error="INVALID_ARGUMENT: /, results[1].inspect)
  end

  def test_errors_of_the_whole_call
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign_many("videos/a/") }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign_many({ uri: "a" }) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign_many(nil) }
    assert_raises(CDN::InvalidArgumentError) { signer.sign_many(["a", 5]) } # the core: not a uri
    assert_raises(CDN::InvalidArgumentError) { signer.sign_many([{ expires_in: 60 }]) } # no uri
    assert_raises(CDN::InvalidArgumentError) { signer.sign_many(%w[a], threads: 0) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.sign_many(%w[a], threads: "2") }
    assert_raises(CDN::InvalidArgumentError) { signer.sign_many(["\xff".b]) } # not UTF-8
    assert_equal 1, signer.sign_many(%w[a], threads: 1).size
  end

  def test_many_items_on_every_core_keep_their_order
    items = Array.new(64) { |i| { uri: "videos/#{i}/", expires_in: 600 + i, now: NOW } }
    tokens = signer.sign_many(items).map(&:token)
    assert_equal(items.map { |it| signer.sign(it[:uri], expires_in: it[:expires_in], now: NOW) }, tokens)
  end

  def test_cached_signer
    cached = signer.cached(300)
    assert_equal 300, cached.cache_window
    assert_nil signer.cache_window
    before = Time.now.to_i
    a = cached.sign("videos/a/", expires_in: 3600)
    after = Time.now.to_i
    assert_equal a, cached.sign("videos/a/", expires_in: 3600)
    refute_equal a, cached.sign("videos/b/", expires_in: 3600)
    assert_equal 2, cached.cached_tokens
    assert_equal 0, signer.cached_tokens
    exp = CDN.decode_unverified(a)[:claims]["exp"]
    assert_equal 0, exp % 300, "exp is rounded up to the window"
    assert_includes (before + 3600)..(after + 3600 + 300), exp, "valid at least the lifetime, at most a window more"
    # The signed URLs and cookies go through the cache too; the source does not.
    url = cached.signed_live_url("abc123")
    assert_equal url, cached.signed_live_url("abc123")
    assert_equal 3, cached.cached_tokens
    # Pinned clocks are not cached unless asked for (tests).
    cached.sign("videos/c/", now: NOW)
    assert_equal 3, cached.cached_tokens
    pinned = signer.cached(60, capacity: 2, cache_pinned_clock: true)
    assert_equal pinned.sign("x/", now: NOW), pinned.sign("x/", now: NOW + 1)
    %w[y/ z/ w/].each { |u| pinned.sign(u, now: NOW) }
    assert_operator pinned.cached_tokens, :<=, 3
    assert_equal 60, signer.cached(Rational(60)).cache_window # a Duration-like numeric
  end

  def test_cache_settings_are_checked
    assert_raises(CDN::InvalidArgumentError) { signer.cached(0) } # the core
    assert_raises(CDN::InvalidArgumentError) { signer.cached(86_401) } # the core
    assert_raises(CDN::InvalidArgumentError) { signer.cached(-1) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.cached(1.5) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.cached("60") }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.cached(nil) }
    assert_raises(CDN::InvalidArgumentError) { signer.cached(60, capacity: 0) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.cached(60, capacity: 1.5) }
    assert_raises(CDN::InvalidArgumentTypeError) { signer.cached(60, cache_pinned_clock: "yes") }
  end
end
