# frozen_string_literal: true

module Qencode
  module Cdn
    class << self
      # `https://play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8`,
      # with `?auth={token}` when a token is given.
      def live_playback_url(playback_id, token: nil)
        id = Native.c_string(playback_id, "playback_id")
        t = Native.c_string(token, "token", optional: true)
        Native.string_out { |out| Native.qcdn_live_playback_url(id, t, out) }
      end

      # `https://{domain}/{playback_id}.m3u8`, with `?auth={token}` when a token is given.
      def live_custom_domain_url(domain, playback_id, token: nil)
        d = Native.c_string(domain, "domain")
        id = Native.c_string(playback_id, "playback_id")
        t = Native.c_string(token, "token", optional: true)
        Native.string_out { |out| Native.qcdn_live_custom_domain_url(d, id, t, out) }
      end

      # `https://{bucket}.media-storage.{region}.qencode.com/{key}` (regions
      # "us-west", "eu-central"; the key percent-encoded per segment), with
      # `?auth={token}` when a token is given.
      def storage_url(bucket, region, key, token: nil)
        b = Native.c_string(bucket, "bucket")
        r = Native.c_string(region, "region")
        k = Native.c_string(key, "key")
        t = Native.c_string(token, "token", optional: true)
        Native.string_out { |out| Native.qcdn_storage_url(b, r, k, t, out) }
      end

      # `https://{domain}/{key}` (the key percent-encoded per segment), with
      # `?auth={token}` when a token is given.
      def storage_custom_domain_url(domain, key, token: nil)
        d = Native.c_string(domain, "domain")
        k = Native.c_string(key, "key")
        t = Native.c_string(token, "token", optional: true)
        Native.string_out { |out| Native.qcdn_storage_custom_domain_url(d, k, t, out) }
      end
    end
  end
end
