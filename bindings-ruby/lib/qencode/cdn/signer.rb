# frozen_string_literal: true

module Qencode
  module Cdn
    # The fields of a signed `Qencode-Auth-Token` cookie, for frameworks
    # that set a cookie from parts (Rails `cookies[...] = {...}`) rather
    # than from a `Set-Cookie` line. `max_age` is nil for a token that never
    # expires (a session cookie).
    SignedCookie = Struct.new(:name, :value, :domain, :path, :max_age, :secure, :http_only, :same_site,
                              keyword_init: true)

    # A signing key loaded once, used for many RS256 tokens. Immutable and
    # safe to share between threads; signing releases the GVL.
    #
    #   signer = Qencode::Cdn::Signer.new(signing_key_id, private_key_pem)
    #   url = signer.signed_storage_url("my-bucket", "us-west", "videos/intro.mp4", expires_in: 600)
    #
    # Every signing method takes the same keyword options, read by the core:
    # `expires_in:` (seconds, or an `ActiveSupport::Duration`; default 3600),
    # `expires_at:` and `not_before:` (a `Time` or Unix seconds), `claims:`
    # (a Hash of custom claims), `never_expires: true` (a token without
    # `exp`, only when asked for by name) and `now:` (sign as of this time,
    # for reproducible tokens). An option given as `nil` is an error for the
    # lifetime options (nil never means "forever") and means "none" for
    # `not_before:` and `claims:`.
    class Signer
      # Loads a private RSA key: PKCS#1 or PKCS#8 PEM (also with newlines
      # mangled by environment variables), DER, base64 of either, or an
      # `OpenSSL::PKey::RSA`. `key_id` is the signing key's id (the `kid`).
      def initialize(key_id, private_key)
        kid = Native.c_string(key_id, "key_id")
        bytes = Native.key_bytes(private_key, "private_key")
        @handle = Native.handle_out(FREE) { |out| Native.qcdn_signer_new(kid, bytes, bytes.bytesize, out) }
      end

      # The key from `QENCODE_SIGNING_KEY` and, unless `key_id:` is given,
      # the key id from `QENCODE_SIGNING_KEY_ID` (both trimmed; an unset or
      # blank variable is an {InvalidArgumentError} naming it).
      def self.from_env(key_id: nil)
        kid = Native.c_string(key_id, "key_id", optional: true)
        wrap(Native.handle_out(FREE) { |out| Native.qcdn_signer_from_env(kid, out) })
      end

      # The private key read from a file (any form {#initialize} accepts).
      def self.from_file(key_id, path)
        kid = Native.c_string(key_id, "key_id")
        file = Native.c_path(path, "path")
        wrap(Native.handle_out(FREE) { |out| Native.qcdn_signer_from_file(kid, file, out) })
      end

      # A signed JWT for `uri`: a playback id, an object key or key prefix,
      # or "" for a whole bucket.
      def sign(uri, expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
               never_expires: UNSET, now: UNSET)
        u = Native.c_string(uri, "uri")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        Native.string_out { |out| Native.qcdn_signer_sign_json(@handle, u, json, out) }
      end

      # `https://play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8?auth=…`
      def signed_live_url(playback_id, expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
                          never_expires: UNSET, now: UNSET)
        id = Native.c_string(playback_id, "playback_id")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        Native.string_out { |out| Native.qcdn_signer_signed_live_url_json(@handle, id, json, out) }
      end

      # `https://{domain}/{playback_id}.m3u8?auth=…`
      def signed_live_custom_domain_url(domain, playback_id, expires_in: UNSET, expires_at: UNSET,
                                        not_before: UNSET, claims: UNSET, never_expires: UNSET, now: UNSET)
        d = Native.c_string(domain, "domain")
        id = Native.c_string(playback_id, "playback_id")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        Native.string_out { |out| Native.qcdn_signer_signed_live_custom_domain_url_json(@handle, d, id, json, out) }
      end

      # `https://{bucket}.media-storage.{region}.qencode.com/{key}?auth=…`
      # (the token's `uri` is the key without a leading "/").
      def signed_storage_url(bucket, region, key, expires_in: UNSET, expires_at: UNSET, not_before: UNSET,
                             claims: UNSET, never_expires: UNSET, now: UNSET)
        b = Native.c_string(bucket, "bucket")
        r = Native.c_string(region, "region")
        k = Native.c_string(key, "key")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        Native.string_out { |out| Native.qcdn_signer_signed_storage_url_json(@handle, b, r, k, json, out) }
      end

      # `https://{domain}/{key}?auth=…`
      def signed_storage_custom_domain_url(domain, key, expires_in: UNSET, expires_at: UNSET, not_before: UNSET,
                                           claims: UNSET, never_expires: UNSET, now: UNSET)
        d = Native.c_string(domain, "domain")
        k = Native.c_string(key, "key")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        Native.string_out { |out| Native.qcdn_signer_signed_storage_custom_domain_url_json(@handle, d, k, json, out) }
      end

      # Signs `uri` and puts the token into any URL as its `auth` query
      # parameter (replacing one already there).
      def sign_url(url, uri, expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
                   never_expires: UNSET, now: UNSET)
        l = Native.c_string(url, "url")
        u = Native.c_string(uri, "uri")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        Native.string_out { |out| Native.qcdn_signer_sign_url_json(@handle, l, u, json, out) }
      end

      # A `Qencode-Auth-Token` cookie for `uri` (for HLS/DASH the folder
      # holding the master playlist, e.g. "videos/a/"), as the value of a
      # `Set-Cookie` header. Cookie attributes: `domain:` (the application's
      # primary domain, so the playback subdomain receives it), `path:`
      # (default: the folder the token covers), `same_site:` ("Lax",
      # "Strict", "None"), `secure:` and `http_only:` (default true); then
      # the sign options.
      def signed_cookie(uri, domain: UNSET, path: UNSET, same_site: UNSET, secure: UNSET, http_only: UNSET,
                        expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
                        never_expires: UNSET, now: UNSET)
        u = Native.c_string(uri, "uri")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now,
                            cookie_options(domain, path, same_site, secure, http_only))
        Native.string_out { |out| Native.qcdn_signer_signed_cookie_json(@handle, u, json, out) }
      end

      # The cookie of {#signed_cookie} as a {SignedCookie} (name, value,
      # domain, path, max_age, secure, http_only, same_site).
      def signed_cookie_fields(uri, domain: UNSET, path: UNSET, same_site: UNSET, secure: UNSET, http_only: UNSET,
                               expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
                               never_expires: UNSET, now: UNSET)
        u = Native.c_string(uri, "uri")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now,
                            cookie_options(domain, path, same_site, secure, http_only))
        doc = JSON.parse(Native.string_out do |out|
                           Native.qcdn_signer_signed_cookie_fields_json(@handle, u, json, out)
                         end)
        SignedCookie.new(**doc.transform_keys(&:to_sym).slice(*SignedCookie.members)) # a newer field is ignored
      end

      # The key id (the tokens' `kid`).
      def key_id
        @key_id ||= Native.string_out { |out| Native.qcdn_signer_key_id(@handle, out) }.freeze
      end

      # The RSA modulus size in bits (2048, 3072, 4096 …).
      def key_bits
        @key_bits ||= Native.uint32_out { |out| Native.qcdn_signer_key_bits(@handle, out) }
      end

      # The public key as SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----").
      def public_key_pem
        Native.string_out { |out| Native.qcdn_signer_public_key_pem(@handle, out) }
      end

      # The public key as a JWK (JSON text with kty, kid, alg, use, n, e),
      # for a JWKS endpoint or {Verifier.from_jwk}.
      def public_key_jwk
        Native.string_out { |out| Native.qcdn_signer_public_key_jwk(@handle, out) }
      end

      # Shows the key id and size, never the key.
      def inspect
        "#<#{self.class.name} key_id=#{key_id.inspect} bits=#{key_bits}>"
      end
      alias to_s inspect

      # `pp` shows what {#inspect} shows.
      def pretty_print(q)
        q.text(inspect)
      end

      FREE = Native.method(:qcdn_signer_free)
      private_constant :FREE

      # @api private
      def self.wrap(handle)
        signer = allocate
        signer.instance_variable_set(:@handle, handle)
        signer
      end
      private_class_method :wrap

      private

      # @api private: the native handle, for Verifier.from_signer.
      attr_reader :handle

      def cookie_options(domain, path, same_site, secure, http_only)
        h = {}
        h["domain"] = domain unless UNSET.equal?(domain)
        h["path"] = path unless UNSET.equal?(path)
        h["same_site"] = same_site unless UNSET.equal?(same_site)
        h["secure"] = secure unless UNSET.equal?(secure)
        h["http_only"] = http_only unless UNSET.equal?(http_only)
        h
      end
    end
  end
end
