# frozen_string_literal: true

module Qencode
  module Cdn
    # Shared behaviour of the client's results: built from the API's
    # document (fields this gem does not name are kept in `extra`), frozen,
    # and `to_h` gives the API's document back with symbol keys.
    #
    # @api private
    module ApiDocument
      def self.included(base)
        base.extend(ClassMethods)
      end

      # @api private
      module ClassMethods
        def from_api(doc)
          known = {}
          extra = {}
          doc.each do |k, v|
            key = k.to_sym
            if key != :extra && members.include?(key)
              known[key] = v
            else
              extra[key] = v
            end
          end
          new(**known, extra: extra.freeze).freeze
        end
      end

      # The API's document: every field, those in `extra` included.
      def to_h
        h = super
        h.merge(h.delete(:extra) || {})
      end
    end
    private_constant :ApiDocument

    # A custom playback domain. `type` is "live" or "storage".
    Domain = Struct.new(:id, :domain_name, :type, :created, :extra, keyword_init: true) do
      include ApiDocument
    end

    # A managed TLS certificate subscription for a domain (`status`:
    # "pending", "active", "failed", …).
    TlsSubscription = Struct.new(:id, :domain_id, :status, :created, :message, :extra, keyword_init: true) do
      include ApiDocument
    end

    # A signing key as the API lists it (without its private key). `id` is
    # the tokens' `kid`.
    SigningKey = Struct.new(:id, :name, :created, :stream_id, :domain_id, :bucket_name, :extra,
                            keyword_init: true) do
      include ApiDocument
    end

    # A signing key just created: the only time the API returns its private
    # key. `inspect`, `to_s` and `pp` show it as [REDACTED]; `private_key`
    # and `to_h` return it (store it somewhere safe).
    NewSigningKey = Struct.new(:id, :private_key, :name, :created, :stream_id, :domain_id, :bucket_name, :extra,
                               keyword_init: true) do
      include ApiDocument

      # A {Signer} for this key (`kid` = the key's id).
      def signer
        Signer.new(id, private_key)
      end

      # The key's public fields.
      def signing_key
        SigningKey.from_api(to_h.except(:private_key).transform_keys(&:to_s))
      end

      def inspect
        fields = members.map { |m| "#{m}=#{m == :private_key ? '[REDACTED]' : self[m].inspect}" }
        "#<struct #{self.class.name} #{fields.join(', ')}>"
      end
      alias_method :to_s, :inspect

      def pretty_print(q)
        q.text(inspect)
      end
    end

    # A blocking client of the Qencode Content Delivery management API, one
    # per API key, safe to share between threads. The core fetches, caches
    # and renews the access token, retries with backoff on connection
    # errors, 429 and 502/503/504 for requests that are safe to repeat, and
    # verifies TLS against the system's trust store. Every request releases
    # the GVL.
    #
    # Options (read by the core, as in every language): `api_url:`,
    # `auth_url:` (the service's by default), `timeout:` for one attempt
    # (default 30 s), `connect_timeout:` (default 10 s), `deadline:` for a
    # whole call with its retries (default 60 s) — seconds or an
    # `ActiveSupport::Duration` — and `max_retries:` (default 3, at most 10).
    # `nil` keeps a default. The API key never appears in `inspect` or in an
    # error.
    #
    # Results are frozen Structs ({Domain}, {TlsSubscription}, {SigningKey},
    # {NewSigningKey}; `#to_h` gives the API's document with symbol keys),
    # arrays of them, a Hash of header names for CORS, and nil for calls
    # that return nothing.
    class Client
      # A client for `api_key`. No request is made here.
      def initialize(api_key, api_url: UNSET, auth_url: UNSET, timeout: UNSET, connect_timeout: UNSET,
                     deadline: UNSET, max_retries: UNSET)
        key = Native.c_string(api_key, "api_key")
        open_native(key, api_url, auth_url, timeout, connect_timeout, deadline, max_retries)
      end

      # A client for the API key in `QENCODE_API_KEY` (trimmed; unset or
      # blank is an {InvalidArgumentError} naming the variable), with the
      # options of {#initialize}.
      def self.from_env(api_url: UNSET, auth_url: UNSET, timeout: UNSET, connect_timeout: UNSET, deadline: UNSET,
                        max_retries: UNSET)
        client = allocate
        client.send(:open_native, nil, api_url, auth_url, timeout, connect_timeout, deadline, max_retries)
        client
      end

      # Yields a new client and closes it afterwards; returns the block's value.
      def self.open(api_key, **options)
        client = new(api_key, **options)
        return client unless block_given?

        begin
          yield client
        ensure
          client.close
        end
      end

      # Releases the native client after the calls in flight on other
      # threads have finished; later calls raise {InvalidArgumentError}.
      # Closing twice is fine.
      def close
        @lock.synchronize do
          @closed = true
          @idle.wait(@lock) while @busy.positive?
          @handle&.free
          @handle = nil
        end
        nil
      end

      # Whether {#close} was called.
      def closed?
        @closed
      end

      # Shows the API URL when one was given, never the API key.
      def inspect
        state = @closed ? " closed" : ""
        url = @api_url.is_a?(String) ? " api_url=#{@api_url.inspect}" : ""
        "#<#{self.class.name}#{url}#{state}>"
      end
      alias to_s inspect

      def pretty_print(q)
        q.text(inspect)
      end

      # --- domains

      # Adds a custom playback domain; `type` is "live" or "storage" (or a Symbol).
      def create_domain(name, type)
        n = Native.c_string(name, "name")
        t = domain_type(type)
        Domain.from_api(call { |h, out| Native.qcdn_client_create_domain(h, n, t, out) })
      end

      # One domain by id.
      def get_domain(id)
        i = Native.c_string(id, "id")
        Domain.from_api(call { |h, out| Native.qcdn_client_get_domain(h, i, out) })
      end

      # Every domain, or those of one type ("live" / "storage").
      def list_domains(type = nil)
        t = type.nil? ? 0 : domain_type(type)
        call { |h, out| Native.qcdn_client_list_domains(h, t, out) }.map { |d| Domain.from_api(d) }
      end

      # Deletes a domain.
      def delete_domain(id)
        i = Native.c_string(id, "id")
        call { |h, out| Native.qcdn_client_delete_domain(h, i, out) }
        nil
      end

      # --- TLS subscriptions

      # Orders a managed TLS certificate for a domain.
      def create_tls_subscription(domain_id)
        d = Native.c_string(domain_id, "domain_id")
        TlsSubscription.from_api(call { |h, out| Native.qcdn_client_create_tls_subscription(h, d, out) })
      end

      # One TLS subscription by id.
      def get_tls_subscription(id)
        i = Native.c_string(id, "id")
        TlsSubscription.from_api(call { |h, out| Native.qcdn_client_get_tls_subscription(h, i, out) })
      end

      # Every TLS subscription.
      def list_tls_subscriptions
        call { |h, out| Native.qcdn_client_list_tls_subscriptions(h, out) }.map { |t| TlsSubscription.from_api(t) }
      end

      # Deletes a TLS subscription.
      def delete_tls_subscription(id)
        i = Native.c_string(id, "id")
        call { |h, out| Native.qcdn_client_delete_tls_subscription(h, i, out) }
        nil
      end

      # --- signing keys

      # Creates a signing key for exactly one of a live stream (`stream:` its
      # id), a playback domain (`domain:` its id) or a bucket (`bucket:` its
      # name). The result holds the private key; the API never returns it again.
      def create_signing_key(stream: nil, domain: nil, bucket: nil)
        given = { stream:, domain:, bucket: }.compact
        unless given.size == 1
          raise InvalidArgumentError, "create_signing_key needs exactly one of stream:, domain: or bucket:"
        end

        kind, target = given.first
        t = Native.c_string(target, kind.to_s)
        k = KEY_TARGETS.fetch(kind)
        NewSigningKey.from_api(call { |h, out| Native.qcdn_client_create_signing_key(h, k, t, out) })
      end

      # One signing key by id (without its private key).
      def get_signing_key(id)
        i = Native.c_string(id, "id")
        SigningKey.from_api(call { |h, out| Native.qcdn_client_get_signing_key(h, i, out) })
      end

      # Every signing key (without private keys).
      def list_signing_keys
        call { |h, out| Native.qcdn_client_list_signing_keys(h, out) }.map { |k| SigningKey.from_api(k) }
      end

      # Gives a signing key a name for people.
      def rename_signing_key(id, name)
        i = Native.c_string(id, "id")
        n = Native.c_string(name, "name")
        SigningKey.from_api(call { |h, out| Native.qcdn_client_rename_signing_key(h, i, n, out) })
      end

      # Deletes a signing key: tokens signed with it stop working.
      def delete_signing_key(id)
        i = Native.c_string(id, "id")
        call { |h, out| Native.qcdn_client_delete_signing_key(h, i, out) }
        nil
      end

      # --- buckets

      # Sets a bucket's access policy: "public" or "authenticated" (signed tokens required).
      def set_bucket_policy(bucket, policy)
        b = Native.c_string(bucket, "bucket")
        p = Native.uint32_out { |out| Native.qcdn_bucket_policy_parse(Native.c_string(policy, "policy"), out) }
        call { |h, out| Native.qcdn_client_set_bucket_policy(h, b, p, out) }
        nil
      end

      # Sets a bucket's CORS response headers (a Hash of header name to value).
      def set_bucket_cors(bucket, headers)
        b = Native.c_string(bucket, "bucket")
        json = begin
          JSON.generate(headers)
        rescue JSON::GeneratorError, EncodingError => e
          raise InvalidArgumentError, "the CORS headers cannot be written as JSON: #{e.message}"
        end
        call { |h, out| Native.qcdn_client_set_bucket_cors(h, b, json, out) }
        nil
      end

      # A bucket's CORS response headers (a Hash with the header names as String keys).
      def get_bucket_cors(bucket)
        b = Native.c_string(bucket, "bucket")
        call { |h, out| Native.qcdn_client_get_bucket_cors(h, b, out) }
      end

      # Removes every CORS header of a bucket.
      def delete_bucket_cors(bucket)
        b = Native.c_string(bucket, "bucket")
        call { |h, out| Native.qcdn_client_delete_bucket_cors(h, b, out) }
        nil
      end

      # Removes one CORS header of a bucket.
      def delete_bucket_cors_header(bucket, header)
        b = Native.c_string(bucket, "bucket")
        n = Native.c_string(header, "header")
        call { |h, out| Native.qcdn_client_delete_bucket_cors_header(h, b, n, out) }
        nil
      end

      # Purges the CDN cache of a whole bucket.
      def purge_bucket_cache(bucket)
        b = Native.c_string(bucket, "bucket")
        call { |h, out| Native.qcdn_client_purge_bucket_cache(h, b, out) }
        nil
      end

      # Purges the CDN cache of one object path.
      def purge_object_cache(bucket, path)
        b = Native.c_string(bucket, "bucket")
        p = Native.c_string(path, "path")
        call { |h, out| Native.qcdn_client_purge_object_cache(h, b, p, out) }
        nil
      end

      FREE = Native.method(:qcdn_client_free)
      # qcdn_signing_key_target, chosen by keyword (the domain type and the
      # bucket policy are names the core reads: qcdn_*_parse).
      KEY_TARGETS = { stream: 0, domain: 1, bucket: 2 }.freeze
      private_constant :FREE, :KEY_TARGETS

      private

      def open_native(api_key, api_url, auth_url, timeout, connect_timeout, deadline, max_retries)
        json = Options.json(
          "api_url" => api_url, "auth_url" => auth_url, "timeout" => duration(timeout),
          "connect_timeout" => duration(connect_timeout), "deadline" => duration(deadline),
          "max_retries" => max_retries
        )
        @handle = Native.handle_out(FREE) { |out| Native.qcdn_client_new_json(api_key, json, "ruby", out) }
        @api_url = api_url
        @closed = false
        @busy = 0
        @lock = Mutex.new
        @idle = ConditionVariable.new
      end

      def duration(value)
        UNSET.equal?(value) || value.nil? ? value : Options.duration(value)
      end

      # "live" / "storage" (any case, or a Symbol) as the C enum number, read by the core.
      def domain_type(value)
        s = Native.c_string(value, "type")
        Native.uint32_out { |out| Native.qcdn_domain_type_parse(s, out) }
      end

      # Runs one native call with the handle and an out-parameter; returns
      # the parsed JSON document. A concurrent {#close} waits for it.
      def call
        handle = @lock.synchronize do
          raise InvalidArgumentError, "the client is closed" if @closed

          @busy += 1
          @handle
        end
        begin
          JSON.parse(Native.string_out { |out| yield(handle, out) })
        ensure
          @lock.synchronize do
            @busy -= 1
            @idle.broadcast if @busy.zero?
          end
        end
      end
    end
  end
end
