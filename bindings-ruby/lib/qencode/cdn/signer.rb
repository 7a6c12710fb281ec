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
    # The private key may also stay elsewhere: {Signer.external} (a block
    # that signs: a KMS, an HSM service, Vault) and {Signer.from_pkcs11} (a
    # PKCS#11 token). {#sign_many} signs a batch on every core and {#cached}
    # makes a signer that reuses tokens inside a time window.
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

      # A signer whose private key never enters this process: the block (or
      # `callable`, anything that responds to `call`) is given the signing
      # input (a binary String) and returns the raw RS256 signature
      # (RSASSA-PKCS1-v1_5 with SHA-256) as a String of bytes. `public_key`
      # is the key's public half in any form {Verifier.new} reads (PEM, DER
      # such as KMS `GetPublicKey` returns, a JWK, an `OpenSSL::PKey`).
      #
      # The core builds each token exactly as for a local key and verifies
      # every signature with `public_key` before it returns one: a block
      # that raises (the exception is the error's `cause`), returns
      # something that is not a String, the wrong number of bytes, or
      # another key's signature gives a {SignerFailedError}, never a token.
      # Exceptions that are not StandardErrors (Interrupt, SystemExit) are
      # raised again as they are, once the library has returned.
      #
      # The block runs on the thread that signs, holding the GVL, inside the
      # signing call; it may be called from several threads at once when the
      # signer is shared. No deadline is added: bound a network call with
      # your client's own timeouts.
      def self.external(key_id, public_key, callable = nil, &block)
        sign = external_callable(callable, block)
        kid = Native.c_string(key_id, "key_id")
        bytes = Native.key_bytes(public_key, "public_key", public_key: true)
        id = External.register(sign)
        handle = begin
          Native.handle_out(FREE) do |out|
            Native.qcdn_signer_new_external(kid, bytes, bytes.bytesize, External::SIGN, FFI::Pointer.new(id),
                                            External::RELEASE, 0, out)
          end
        rescue StandardError
          External.release(id) # on failure the library never calls free_user_data
          raise
        end
        wrap(handle, external: true, callback_id: id)
      end

      # A signer whose RSA private key stays on a PKCS#11 token (an HSM, a
      # smart card, SoftHSM): `module_path` is the module's file (e.g.
      # "/usr/lib/softhsm/libsofthsm2.so"), loaded at run time; the token
      # labelled `token_label` is logged into with `pin`, and the private key
      # labelled `key_label` signs; `key_id` is the tokens' `kid`. The public
      # key is read from the token. A module, token or key that cannot be
      # found, a wrong PIN or a key that is not RSA is an {InvalidKeyError}
      # (never with the PIN in it); a token that fails later makes signing
      # raise {SignerFailedError}.
      def self.from_pkcs11(module_path, token_label, key_label, pin, key_id)
        mod = Native.c_path(module_path, "module_path")
        token = Native.c_string(token_label, "token_label")
        label = Native.c_string(key_label, "key_label")
        secret = Native.c_string(pin, "pin")
        kid = Native.c_string(key_id, "key_id")
        wrap(Native.handle_out(FREE) { |out| Native.qcdn_signer_from_pkcs11(mod, token, label, secret, kid, out) },
             external: true)
      end

      # A signed JWT for `uri`: a playback id, an object key or key prefix,
      # or "" for a whole bucket.
      def sign(uri, expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
               never_expires: UNSET, now: UNSET)
        u = Native.c_string(uri, "uri")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        signed { |out| Native.qcdn_signer_sign_json(@handle, u, json, out) }
      end

      # `https://play-{playback_id}.qencode.com/qhls/qlive/playlist.m3u8?auth=…`
      def signed_live_url(playback_id, expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
                          never_expires: UNSET, now: UNSET)
        id = Native.c_string(playback_id, "playback_id")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        signed { |out| Native.qcdn_signer_signed_live_url_json(@handle, id, json, out) }
      end

      # `https://{domain}/{playback_id}.m3u8?auth=…`
      def signed_live_custom_domain_url(domain, playback_id, expires_in: UNSET, expires_at: UNSET,
                                        not_before: UNSET, claims: UNSET, never_expires: UNSET, now: UNSET)
        d = Native.c_string(domain, "domain")
        id = Native.c_string(playback_id, "playback_id")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        signed { |out| Native.qcdn_signer_signed_live_custom_domain_url_json(@handle, d, id, json, out) }
      end

      # `https://{bucket}.media-storage.{region}.qencode.com/{key}?auth=…`
      # (the token's `uri` is the key without a leading "/").
      def signed_storage_url(bucket, region, key, expires_in: UNSET, expires_at: UNSET, not_before: UNSET,
                             claims: UNSET, never_expires: UNSET, now: UNSET)
        b = Native.c_string(bucket, "bucket")
        r = Native.c_string(region, "region")
        k = Native.c_string(key, "key")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        signed { |out| Native.qcdn_signer_signed_storage_url_json(@handle, b, r, k, json, out) }
      end

      # `https://{domain}/{key}?auth=…`
      def signed_storage_custom_domain_url(domain, key, expires_in: UNSET, expires_at: UNSET, not_before: UNSET,
                                           claims: UNSET, never_expires: UNSET, now: UNSET)
        d = Native.c_string(domain, "domain")
        k = Native.c_string(key, "key")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        signed { |out| Native.qcdn_signer_signed_storage_custom_domain_url_json(@handle, d, k, json, out) }
      end

      # Signs `uri` and puts the token into any URL as its `auth` query
      # parameter (replacing one already there).
      def sign_url(url, uri, expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
                   never_expires: UNSET, now: UNSET)
        l = Native.c_string(url, "url")
        u = Native.c_string(uri, "uri")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        signed { |out| Native.qcdn_signer_sign_url_json(@handle, l, u, json, out) }
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
        signed { |out| Native.qcdn_signer_signed_cookie_json(@handle, u, json, out) }
      end

      # The cookie of {#signed_cookie} as a {SignedCookie} (name, value,
      # domain, path, max_age, secure, http_only, same_site).
      def signed_cookie_fields(uri, domain: UNSET, path: UNSET, same_site: UNSET, secure: UNSET, http_only: UNSET,
                               expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
                               never_expires: UNSET, now: UNSET)
        u = Native.c_string(uri, "uri")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now,
                            cookie_options(domain, path, same_site, secure, http_only))
        doc = JSON.parse(signed { |out| Native.qcdn_signer_signed_cookie_fields_json(@handle, u, json, out) })
        SignedCookie.new(**doc.transform_keys(&:to_sym).slice(*SignedCookie.members)) # a newer field is ignored
      end

      # The first half of a two-phase signature, for code that cannot sign
      # inside a block (an asynchronous KMS client, a signing queue): a
      # {PreparedToken} whose `signing_input` is the exact bytes to sign with
      # RS256, made with the checks and options of {#sign}. Sign them
      # anywhere, then {PreparedToken#finish} (or {#finish}) gives the token.
      def prepare(uri, expires_in: UNSET, expires_at: UNSET, not_before: UNSET, claims: UNSET,
                  never_expires: UNSET, now: UNSET)
        u = Native.c_string(uri, "uri")
        json = Options.sign(expires_in, expires_at, not_before, claims, never_expires, now)
        input = Native.string_out { |out| Native.qcdn_signer_prepare_json(@handle, u, json, out) }
        PreparedToken.new(self, input.force_encoding(Encoding::US_ASCII).freeze)
      end

      # The token for a `signing_input` of {#prepare} and its RS256
      # `signature` (a String of bytes), once the signature verifies with
      # this signer's public key ({SignerFailedError} otherwise; an input
      # this signer did not prepare is an {InvalidArgumentError}).
      def finish(signing_input, signature)
        input = Native.c_string(signing_input, "signing_input")
        unless signature.is_a?(String)
          raise InvalidArgumentTypeError, "signature must be a String of bytes, got #{signature.class}"
        end

        sig = Native.bytes(signature)
        Native.string_out { |out| Native.qcdn_signer_finish(@handle, input, sig, sig.bytesize, out) }
      end

      # Signs a batch on every core (or at most `threads` threads), each item
      # with its own result: an Array of {SignResult} in the order of
      # `items`. An item is a uri (a String), a Hash with `:uri` and the
      # keyword options of {#sign} (`{uri: "videos/b/", expires_in: 600}`),
      # or a pair `[uri, {options}]`. A bad item is that item's error and
      # never fails the batch; only a call wrong as a whole (items that are
      # not a list of those, `threads: 0`) raises. The GVL is released for
      # the whole batch. A signer with a Ruby block ({Signer.external})
      # calls it on this thread, item after item (`threads:` is not used).
      def sign_many(items, threads: nil)
        json = Batch.items_json(items)
        n = Batch.threads(threads)
        batch = ->(count) { Native.string_out { |out| Native.qcdn_signer_sign_many_json(@handle, json, count, out) } }
        return Batch.results(batch.call(n)) unless @callback_id

        External.call { |frame| Batch.results(batch.call(1), frame) }
      end

      # A signer that caches its tokens: requests for the same `uri`, claims
      # and lifetime inside one `window` (whole seconds or an
      # `ActiveSupport::Duration`, 1 s to a day) share one token, whose
      # `exp` is rounded **up** to a multiple of the window — valid at least
      # the lifetime asked for and at most one window longer — so a busy uri
      # costs one RSA signature per window instead of one per request.
      # `capacity:` bounds the tokens kept (default 100 000, least recently
      # used dropped first). Tokens that never expire are never cached, nor
      # calls with `now:` unless `cache_pinned_clock: true` (for tests).
      # Every signing method of the new signer goes through the cache; this
      # signer stays as it is.
      def cached(window, capacity: nil, cache_pinned_clock: false)
        w = Batch.whole(Options.duration(window), "window", 0xFFFF_FFFF)
        c = capacity.nil? ? 0 : Batch.whole(capacity, "capacity", 0xFFFF_FFFF_FFFF_FFFF, min: 1)
        unless [true, false].include?(cache_pinned_clock)
          raise InvalidArgumentTypeError, "cache_pinned_clock must be true or false, got #{cache_pinned_clock.inspect}"
        end

        handle = Native.handle_out(FREE) { |out| Native.qcdn_signer_cached(@handle, w, c, cache_pinned_clock, out) }
        self.class.send(:wrap, handle, external: @external, callback_id: @callback_id, cache_window: w)
      end

      # How many tokens the cache of a {#cached} signer holds now (0 for a
      # signer without a cache).
      def cached_tokens
        Native.uint64_out { |out| Native.qcdn_signer_cached_tokens(@handle, out) }
      end

      # The cache window in seconds of a {#cached} signer, nil for one without a cache.
      attr_reader :cache_window

      # True when the private key is outside this process ({Signer.external},
      # {Signer.from_pkcs11}, and signers cached from them).
      def external?
        @external == true
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
        extra = external? ? " external" : ""
        extra += " cache_window=#{@cache_window}" if @cache_window
        "#<#{self.class.name} key_id=#{key_id.inspect} bits=#{key_bits}#{extra}>"
      end
      alias to_s inspect

      # `pp` shows what {#inspect} shows.
      def pretty_print(q)
        q.text(inspect)
      end

      FREE = Native.method(:qcdn_signer_free)
      private_constant :FREE

      # @api private
      def self.wrap(handle, external: false, callback_id: nil, cache_window: nil)
        signer = allocate
        signer.instance_variable_set(:@handle, handle)
        signer.instance_variable_set(:@external, external)
        signer.instance_variable_set(:@callback_id, callback_id)
        signer.instance_variable_set(:@cache_window, cache_window)
        signer
      end
      private_class_method :wrap

      # @api private
      def self.external_callable(callable, block)
        raise InvalidArgumentError, "Signer.external takes a block or a callable, not both" if callable && block

        sign = callable || block
        return sign if sign.respond_to?(:call)

        raise InvalidArgumentTypeError,
              "Signer.external needs a block or a callable (signing_input -> signature), got #{sign.class}"
      end
      private_class_method :external_callable

      private

      # @api private: the native handle, for Verifier.from_signer.
      attr_reader :handle

      # One signing call of the library (`yield`s the out-parameter); a
      # signer with a Ruby block goes through {External.call}.
      # rubocop:disable Naming/BlockForwarding -- Ruby 3.3 refuses an anonymous `&` used inside a block
      def signed(&native)
        return Native.string_out(&native) unless @callback_id

        External.call { Native.string_out(&native) }
      end
      # rubocop:enable Naming/BlockForwarding

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
