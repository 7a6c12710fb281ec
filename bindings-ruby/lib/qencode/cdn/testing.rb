# frozen_string_literal: true

require "json"
require "net/http"
require "uri"
require_relative "../cdn"

module Qencode
  module Cdn
    # Test your own code against a local Qencode emulator, without mocks.
    #
    #   require "qencode/cdn/testing"
    #   Qencode::Cdn::Testing::Emulator.open do |emu|
    #     emu.client.create_domain("live.example.com", "live").type # => "live"
    #   end
    module Testing
      # The emulator binary could not be found or did not start.
      class EmulatorError < StandardError; end

      # The emulated edge's answer to {Emulator#fetch}: the HTTP status (200
      # served, 403 refused, 404 unknown), why the edge refused (the
      # `X-Qencode-Emulator-Reason` header, starting with a code such as
      # TOKEN_EXPIRED) and the body.
      EdgeResponse = Struct.new(:status, :reason, :body, keyword_init: true)

      # A running `qencode-cdn-emulator` process: the access-token endpoint,
      # every management endpoint with in-memory state, and the playback edge
      # (chosen by the Host header) that serves a stream or an object only
      # for a valid token, on a free loopback port. `url` is both the
      # client's `api_url` and `auth_url`; `api_key` is an accepted key.
      #
      # The binary is `$QENCODE_CDN_EMULATOR` (a path) when set, else
      # `qencode-cdn-emulator` on the PATH (`cargo build -p qencode-cdn-emulator`
      # builds it).
      class Emulator
        # The first line the emulator prints, before its URL.
        LISTENING_PREFIX = "qencode-cdn emulator listening on "

        attr_reader :url, :port, :api_keys

        # Starts an emulator; stop it with {#stop} (or use {.open}).
        # `signing_key_bits` is the size of the RSA keys it creates (2048 by
        # default, to keep tests fast); `token_lifetime` (seconds) the
        # lifetime of its access tokens.
        def self.start(**options)
          new(**options)
        end

        # Yields a started emulator and stops it afterwards.
        def self.open(**options)
          emu = new(**options)
          begin
            yield emu
          ensure
            emu.stop
          end
        end

        def initialize(api_keys: nil, signing_key_bits: 2048, token_lifetime: nil, max_domains: nil)
          raise InvalidArgumentError, "api_keys must name at least one key" if !api_keys.nil? && Array(api_keys).empty?

          args = [self.class.binary, "--listen", "127.0.0.1:0", "--signing-key-bits", Integer(signing_key_bits).to_s]
          Array(api_keys).each { |k| args.push("--api-key", String(k)) }
          args.push("--token-lifetime", Integer(token_lifetime).to_s) unless token_lifetime.nil?
          args.push("--max-domains", Integer(max_domains).to_s) unless max_domains.nil?
          @out = IO.popen(args, "r", err: %i[child out])
          @pid = @out.pid
          Emulator.track(@pid)
          first = @out.gets.to_s
          unless first.start_with?(LISTENING_PREFIX)
            stop
            # The binary refused its settings (it prints "qencode-cdn-emulator: why").
            if first.start_with?("qencode-cdn-emulator: ")
              raise InvalidArgumentError,
                    "the emulator refused its settings: #{first.strip}"
            end

            raise EmulatorError, "the emulator #{args.first} did not start (it printed #{first.inspect})"
          end
          @url = first.delete_prefix(LISTENING_PREFIX).strip
          @port = Integer(@url[/:(\d+)\z/, 1])
          count = api_keys.nil? ? 1 : Array(api_keys).size
          @api_keys = Array.new(count) { @out.gets.to_s.strip }.freeze
          @http = Net::HTTP.new("127.0.0.1", @port)
          @http.keep_alive_timeout = 30
          @http.start
          @lock = Mutex.new
        end

        # Emulators still running when Ruby exits are stopped then (a
        # forgotten #stop never leaves a process behind).
        @pids = {}
        @pids_lock = Mutex.new
        at_exit { @pids_lock.synchronize { @pids.keys }.each { |pid| terminate(pid) } }

        # @api private
        def self.track(pid)
          @pids_lock.synchronize { @pids[pid] = true }
        end

        # @api private
        def self.terminate(pid)
          @pids_lock.synchronize { @pids.delete(pid) }
          Process.kill("TERM", pid)
          Process.wait(pid)
        rescue Errno::ESRCH, Errno::ECHILD
          nil
        end

        # The binary to run: `$QENCODE_CDN_EMULATOR`, else `qencode-cdn-emulator` on the PATH.
        def self.binary
          env = ENV.fetch("QENCODE_CDN_EMULATOR", "")
          return env unless env.strip.empty?

          name = "qencode-cdn-emulator"
          ENV.fetch("PATH", "").split(File::PATH_SEPARATOR).each do |dir|
            path = File.join(dir, name)
            return path if File.file?(path) && File.executable?(path)
          end
          raise EmulatorError, "#{name} not found: set QENCODE_CDN_EMULATOR or put it on the PATH " \
                               "(cargo build -p qencode-cdn-emulator --bin qencode-cdn-emulator)"
        end

        # The first accepted API key.
        def api_key
          @api_keys.first
        end

        # A {Client} pointed at this emulator with its API key (options as {Client#initialize}).
        def client(api_key: self.api_key, **options)
          Client.new(api_key, api_url: url, auth_url: url, **options)
        end

        # Adds a live stream: signing keys name `stream_id`, playback URLs `playback_id`.
        def add_stream(stream_id, playback_id)
          admin("POST", "/_emulator/streams", { stream_id:, playback_id: })
          nil
        end

        # Adds a live stream with real media: the edge serves its HLS master
        # playlist, variant playlists and MPEG-TS segments (a sliding window),
        # checking the token or cookie on every request.
        def add_media_stream(stream_id, playback_id)
          admin("POST", "/_emulator/media-streams", { stream_id:, playback_id: })
          nil
        end

        # Stores the emulator's fixture media (CMAF HLS `master.m3u8` and DASH
        # `manifest.mpd` with their segments) in `folder` of `bucket`.
        def add_media_folder(bucket, folder)
          admin("POST", "/_emulator/media-folders", { bucket:, folder: })
          nil
        end

        # Stores an object (UTF-8 text) in a bucket.
        def add_object(bucket, key, body)
          admin("POST", "/_emulator/objects", { bucket:, key:, body: })
          nil
        end

        # Says which bucket a storage custom domain serves.
        def map_storage_domain(domain, bucket)
          admin("POST", "/_emulator/domain-buckets", { domain:, bucket: })
          nil
        end

        # Makes the next `times` (default 1) requests matching `route` fail.
        # `route` is "*" or "METHOD /path" (`*` matches one segment, e.g.
        # "GET /v1/domains/*"). `kind`: "status" (with `status:` and
        # optional `retry_after:` seconds), "delay" (`delay_ms:`), "drop",
        # "truncate" or "not_json". The emulator's own parser reads the
        # fault; a bad one is an {InvalidArgumentError}.
        def inject_fault(route, kind, times: nil, status: nil, retry_after: nil, delay_ms: nil)
          fault = { route:, kind:, times:, status:, retry_after:,
                    delay_ms: }.compact
          admin("POST", "/_emulator/faults", fault)
          nil
        end

        # Requests per route pattern, access-token requests, connections.
        def counters
          admin("GET", "/_emulator/counters", nil)
        end

        # Forgets every domain, key, bucket, stream, fault and counter.
        def reset
          admin("POST", "/_emulator/reset", {})
          nil
        end

        # GETs a playback or storage URL (any of the four forms) from the
        # emulated edge; `cookie:` is a token or a `Qencode-Auth-Token=…` cookie.
        def fetch(playback_url, cookie: nil)
          u = URI.parse(playback_url)
          req = Net::HTTP::Get.new(u.request_uri)
          req["Host"] = u.host
          unless cookie.nil?
            req["Cookie"] =
              cookie.start_with?("Qencode-Auth-Token=") ? cookie.split(";").first : "Qencode-Auth-Token=#{cookie}"
          end
          res = @lock.synchronize { @http.request(req) }
          EdgeResponse.new(status: res.code.to_i, reason: res["X-Qencode-Emulator-Reason"], body: res.body.to_s)
        end

        # Whether the process still runs.
        def running?
          !@pid.nil?
        end

        # Stops the emulator and frees its port. Stopping twice is fine.
        def stop
          @http&.finish if @http&.started?
          if @pid
            Emulator.terminate(@pid)
            @pid = nil
          end
          @out&.close unless @out&.closed?
          nil
        end
        alias close stop

        def inspect
          "#<#{self.class.name} url=#{@url.inspect} running=#{running?}>"
        end

        private

        def admin(method, path, body)
          req = method == "GET" ? Net::HTTP::Get.new(path) : Net::HTTP::Post.new(path)
          unless body.nil?
            req["Content-Type"] = "application/json"
            req.body = JSON.generate(body)
          end
          res = @lock.synchronize { @http.request(req) }
          doc = res.body.to_s.empty? ? {} : JSON.parse(res.body)
          return doc if res.code.start_with?("2")

          message = doc.is_a?(Hash) ? doc["error"] : res.body
          if res.code == "400"
            raise InvalidArgumentError,
                  "the emulator refused #{method} #{path} (HTTP #{res.code}): #{message}"
          end

          raise EmulatorError, "the emulator answered #{method} #{path} with HTTP #{res.code}: #{message}"
        end
      end
    end
  end
end
