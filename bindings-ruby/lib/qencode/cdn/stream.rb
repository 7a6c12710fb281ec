# frozen_string_literal: true

require "json"

module Qencode
  module Cdn
    # Which requests of a whole HLS or DASH stream a query token or a signed
    # cookie covers (DESIGN §12): {coverage} from a manifest's text without
    # any I/O, {check} over HTTP as a player would.
    #
    # The keywords are the core's options, read by the core (wrong types and
    # out-of-range values raise {InvalidArgumentError}): `cookie:` (a
    # `Set-Cookie` value), `segments:` (1..50), `stream:` (`"live"` or
    # `"storage"`), `now:` (a Time or Unix seconds); for {check} also
    # `connect_to:` (`"ADDR:PORT"`), `origin:`, `ca_pem:`, `timeout:`
    # (seconds) and `propagate_token:`.
    #
    # The report is the core's, as a Hash with String keys: `"ok"`,
    # `"format"`, `"stream"`, `"fetched"`, `"requests"` (each with `"kind"`,
    # `"url"`, `"carrier"`, `"covered"`, `"finding"`, `"detail"`, `"status"`,
    # and for a check `"edge_reason"`), `"findings"`, `"advice"`,
    # `"warnings"`, `"refused"`.
    module Stream
      class << self
        # Coverage of the manifest at `manifest_url` (an HLS master or media
        # playlist, or a DASH MPD, given as `manifest_text`) and of the
        # variant playlists and first segments it names, relative URIs
        # resolved. Nothing is fetched: each request's `"status"` is nil.
        # Text that is not a manifest raises {InvalidArgumentError}.
        def coverage(manifest_url, manifest_text, cookie: UNSET, segments: UNSET, stream: UNSET, now: UNSET)
          u = Native.c_string(manifest_url, "manifest_url")
          t = Native.c_string(manifest_text, "manifest_text")
          json = options(cookie:, segments:, stream:, now:)
          JSON.parse(Native.string_out { |out| Native.qcdn_stream_coverage(u, t, json, out) })
        end

        # Fetches the manifest at `url`, every variant playlist and the init
        # and first media segments of each, and reports what the edge
        # answered and, for a refusal, why (a stable finding code). The GVL
        # is released for the requests (each bounded by `timeout:`). A
        # refused request is not an error (`"ok"` is false); a manifest that
        # gets no answer raises {TransportError} or {TimeoutError}.
        def check(url, cookie: UNSET, segments: UNSET, stream: UNSET, now: UNSET, connect_to: UNSET,
                  origin: UNSET, ca_pem: UNSET, timeout: UNSET, propagate_token: UNSET)
          u = Native.c_string(url, "url")
          json = options(cookie:, segments:, stream:, now:, connect_to:, origin:, ca_pem:,
                         timeout: UNSET.equal?(timeout) || timeout.nil? ? timeout : Options.duration(timeout),
                         propagate_token:)
          JSON.parse(Native.string_out { |out| Native.qcdn_stream_check(u, json, out) })
        end

        private

        def options(now:, **rest)
          rest[:now] = UNSET.equal?(now) || now.nil? ? now : Options.time(now)
          Options.json(rest)
        end
      end
    end
  end
end
