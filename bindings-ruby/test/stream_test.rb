# frozen_string_literal: true

# Qencode::Cdn::Stream.coverage (manifest text in, no HTTP) and .check
# against the emulator process's live stream and storage folder with real
# media: the core decides every verdict, the gem converts.

require_relative "test_helper"

class StreamTest < Minitest::Test
  include TestHelper
  CDN = Qencode::Cdn
  MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=165000\nmedia_0.m3u8\n" \
           "#EXT-X-STREAM-INF:BANDWIDTH=66000\nmedia_1.m3u8\n"
  STORAGE = "https://my-bucket.media-storage.us-west.qencode.com/videos/intro/"

  def local_signer
    CDN::Signer.from_file("key-1", key_path("rsa2048.pkcs1.pem"))
  end

  # The emulator of the run (reset) with a live stream and a storage folder
  # with media on a custom domain; a signer of each.
  def media
    emu = TestHelper.emulator
    emu.reset
    emu.add_media_stream("stream-rb", "pid-rb")
    emu.add_media_folder("demo-bucket", "videos/intro/")
    client = emu.client
    # The custom domain of the storage folder, as a user adds it.
    client.create_domain("media.example.com", :storage)
    emu.map_storage_domain("media.example.com", "demo-bucket")
    client.set_bucket_policy("demo-bucket", :authenticated)
    stream = client.create_signing_key(stream: "stream-rb").signer
    bucket = client.create_signing_key(bucket: "demo-bucket").signer
    client.close
    [emu, stream, bucket]
  end

  # The emulator's plain port: the same URL over http.
  def plain_http(url)
    url.sub(%r{\Ahttps://}, "http://")
  end

  def test_coverage_of_a_master_playlist_with_the_token_in_its_query
    token = local_signer.sign("videos/intro/")
    report = CDN::Stream.coverage("#{STORAGE}master.m3u8?auth=#{token}", MASTER)
    assert_equal [false, false, "hls_master"], report.values_at("ok", "fetched", "format")
    assert_equal ["query_token_not_propagated"], report["findings"]
    seen = report["requests"].map { |r| r.values_at("kind", "covered", "status") }
    assert_equal [["master_playlist", true, nil], ["media_playlist", false, nil], ["media_playlist", false, nil]], seen
    assert_equal "#{STORAGE}media_0.m3u8", report["requests"][1]["url"]
    assert_includes report["advice"].keys, "query_token_not_propagated"
  end

  def test_coverage_with_the_folder_cookie
    cookie = local_signer.signed_cookie("videos/intro/", domain: "example.com")
    report = CDN::Stream.coverage("https://media.example.com/videos/intro/master.m3u8", MASTER, cookie:)
    assert report["ok"], report["findings"].inspect
    assert(report["requests"].all? { |r| r["carrier"] == "cookie" && r["covered"] })
  end

  def test_coverage_options_are_the_cores
    url = "#{STORAGE}master.m3u8"
    report = CDN::Stream.coverage(url, MASTER, segments: 2, stream: :storage, now: Time.at(NOW))
    assert_equal "storage", report["stream"]
    e = assert_raises(CDN::InvalidArgumentError) { CDN::Stream.coverage(url, MASTER, segments: 0) }
    assert_equal "INVALID_ARGUMENT", e.code
    assert_match(/segments/, e.message)
    e = assert_raises(CDN::InvalidArgumentError) { CDN::Stream.coverage(url, MASTER, stream: "vod") }
    assert_match(/stream/, e.message)
    assert_raises(CDN::InvalidArgumentTypeError) { CDN::Stream.coverage(url, MASTER, segments: "2") }
    assert_raises(CDN::InvalidArgumentError) { CDN::Stream.coverage(url, "<html></html>") }
    assert_raises(ArgumentError) { CDN::Stream.coverage(url, MASTER, segment: 2) }
  end

  def test_check_of_a_live_stream_with_the_query_token_and_another_streams_token
    emu, stream_signer, = media
    url = plain_http(stream_signer.signed_live_url("pid-rb"))
    connect = "127.0.0.1:#{emu.port}"

    plain = CDN::Stream.check(url, connect_to: connect, segments: 1, timeout: 10)
    assert_equal [false, true], plain.values_at("ok", "fetched")
    assert_equal ["query_token_not_propagated"], plain["findings"]
    statuses = plain["requests"].map { |r| r["status"] }
    assert_equal 200, statuses.first
    assert_equal [403], statuses.drop(1).uniq

    # The request modifier of docs/streaming.md: every request carries the token.
    fixed = CDN::Stream.check(url, connect_to: connect, segments: 1, propagate_token: true)
    assert fixed["ok"], fixed["findings"].inspect
    assert_equal [200], fixed["requests"].map { |r| r["status"] }.uniq
    assert_equal(2, fixed["requests"].count { |r| r["kind"] == "media_segment" })

    wrong = stream_signer.sign_url(url, "another-playback-id")
    report = CDN::Stream.check(wrong, connect_to: connect, segments: 1, propagate_token: true)
    refute report["ok"]
    assert_equal ["token_wrong_stream"], report["findings"]
    assert_equal 403, report["requests"].first["status"]
  end

  def test_check_of_a_storage_folder_with_the_signed_cookie
    emu, _, bucket_signer = media
    connect = "127.0.0.1:#{emu.port}"
    %w[master.m3u8 manifest.mpd].each do |manifest|
      url = "http://media.example.com/videos/intro/#{manifest}"
      cookie = bucket_signer.signed_cookie("videos/intro/", domain: "example.com", secure: false)
      ok = CDN::Stream.check(url, cookie:, connect_to: connect, segments: 1)
      assert ok["ok"], ok["findings"].inspect
      assert_equal [[200, "cookie"]], ok["requests"].map { |r| r.values_at("status", "carrier") }.uniq

      # A cookie for the one manifest file (its own path): the other requests go without it.
      single = bucket_signer.signed_cookie("videos/intro/#{manifest}", domain: "example.com", secure: false,
                                                                       path: "/videos/intro/#{manifest}")
      bad = CDN::Stream.check(url, cookie: single, connect_to: connect, segments: 1)
      refute bad["ok"]
      assert_equal ["cookie_single_file"], bad["findings"]
      statuses = bad["requests"].map { |r| r["status"] }
      assert_equal 200, statuses.first
      assert_equal [403], statuses.drop(1).uniq
    end
  end

  def test_check_releases_the_gvl
    emu, stream_signer, = media
    url = plain_http(stream_signer.signed_live_url("pid-rb"))
    emu.inject_fault("GET edge:live", "delay", times: 1, delay_ms: 500) # the master playlist answers after 0.5 s
    report, during = other_thread_ticks_during do
      CDN::Stream.check(url, connect_to: "127.0.0.1:#{emu.port}", segments: 1, propagate_token: true)
    end
    assert report["ok"], report["findings"].inspect
    # With the GVL held the other thread could not run at all during the check.
    assert_operator during, :>=, 10, "the other thread ran only #{during} times during a check of over 0.5 s"
  end

  def test_check_errors
    url = "http://play-pid-rb.qencode.com/pid-rb.m3u8"
    e = assert_raises(CDN::TransportError) { CDN::Stream.check(url, connect_to: "127.0.0.1:1", timeout: 5) }
    assert_equal "TRANSPORT", e.code
    assert_match(/timeout/, assert_raises(CDN::InvalidArgumentError) { CDN::Stream.check(url, timeout: 0) }.message)
    assert_raises(CDN::InvalidArgumentError) { CDN::Stream.check(url, connect_to: "nowhere") }
    assert_raises(CDN::InvalidArgumentError) { CDN::Stream.check("not a url") }
  end
end
