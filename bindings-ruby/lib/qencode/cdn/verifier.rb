# frozen_string_literal: true

module Qencode
  module Cdn
    # One check of a verification, passed or failed, in words.
    Check = Struct.new(:name, :passed, :detail, keyword_init: true) do
      # Whether the check passed.
      def passed?
        passed == true
      end
    end

    # One thing a token grants that may be more than meant (code and words):
    # PREFIX_COVERS_SIBLINGS, WHOLE_BUCKET, NEVER_EXPIRES, LONG_LIFETIME,
    # LEADING_SLASH.
    AuditWarning = Struct.new(:code, :message, keyword_init: true)

    # The verdict on a signed URL or a token: every check in order, passed
    # or failed, with the details in words, and the audit's warnings (which
    # never make `ok` false). `claims` has string keys (claim names are
    # data); `resource` is `{kind: "live", playback_id: …}` or
    # `{kind: "storage", key: …}`.
    Explanation = Struct.new(:ok, :url, :form, :resource, :key_id, :claims, :checks, :warnings,
                             keyword_init: true) do
      # Whether the edge would accept it.
      def ok?
        ok == true
      end

      # The first check that failed, or nil.
      def first_failure
        checks.find { |c| !c.passed? }
      end

      # @api private
      def self.from_json(text)
        doc = JSON.parse(text)
        resource = doc["resource"]&.transform_keys(&:to_sym)
        new(
          ok: doc["ok"], url: doc["url"], form: doc["form"], resource:, key_id: doc["key_id"],
          claims: doc["claims"],
          checks: doc.fetch("checks", []).map do |c|
                    Check.new(name: c["name"], passed: c["passed"], detail: c["detail"])
                  end,
          warnings: doc.fetch("warnings", []).map { |w| AuditWarning.new(code: w["code"], message: w["message"]) }
        )
      end
    end

    # Checks RS256 tokens against one public key: signature, key id,
    # `exp`/`nbf` with leeway, and (with `resource:`) whether the token
    # covers what is asked for. Immutable and safe to share between threads.
    #
    # Options of {#verify}, {#explain} and {#explain_token}: `key_id:` (the
    # `kid` to require; a verifier made from a signer or a JWK with a `kid`
    # requires that one), `leeway:` (seconds of clock skew), `now:` (a
    # `Time` or Unix seconds) and, for {#verify}/{#explain_token},
    # `resource:` (`{kind: "live", playback_id: "abc123"}` or
    # `{kind: "storage", key: "videos/a/1.ts"}`).
    class Verifier
      # A verifier from a public key: SPKI or PKCS#1, PEM or DER, base64 of
      # either, a JWK text, a private key (its public half is used) or an
      # `OpenSSL::PKey`.
      def initialize(public_key)
        bytes = Native.key_bytes(public_key, "public_key", public_key: true)
        @handle = Native.handle_out(FREE) { |out| Native.qcdn_verifier_new(bytes, bytes.bytesize, out) }
      end

      # The verifier for a signer's own tokens (its public key; its key id expected).
      def self.from_signer(signer)
        unless signer.is_a?(Signer)
          raise InvalidArgumentTypeError, "from_signer needs a Qencode::Cdn::Signer, got #{signer.class}"
        end

        wrap(Native.handle_out(FREE) { |out| Native.qcdn_verifier_from_signer(signer.send(:handle), out) })
      end

      # A verifier from a JWK (JSON text or a Hash), or a JWK Set holding one
      # key; the JWK's `kid`, when present, is the expected key id.
      def self.from_jwk(jwk)
        text = jwk.is_a?(Hash) ? JSON.generate(jwk) : Native.c_string(jwk, "jwk")
        wrap(Native.handle_out(FREE) { |out| Native.qcdn_verifier_new_jwk(text, out) })
      end

      # A key set from a JWK Set document (JSON text or a Hash), such as a
      # JWKS endpoint serves: each token is checked with the key its `kid`
      # names. A token whose `kid` is not in the set (or that has none) is
      # an {UnknownKeyIdError} listing the known ids; a key that is not RSA,
      # a key without `kid` or a duplicate `kid` is an {InvalidKeyError}
      # naming the key, and an empty set an {InvalidArgumentError}.
      def self.from_jwks(jwks)
        text = jwks.is_a?(Hash) ? json_text(jwks, "jwks") : Native.c_string(jwks, "jwks")
        wrap(Native.handle_out(FREE) { |out| Native.qcdn_verifier_new_jwks(text, out) })
      end

      # A key set from key ids and public keys, for a rotation: a Hash of
      # kid => key, or pairs `[kid, key]`. A key is any form {#initialize}
      # reads as text (PEM, a JWK's text or Hash), bytes (DER: a binary
      # String) or an `OpenSSL::PKey`. The rules of {from_jwks} apply.
      #
      #   Verifier.from_keys("key-2024" => old_pem, "key-2025" => new_pem)
      def self.from_keys(keys)
        unless keys.respond_to?(:map) && !keys.is_a?(String)
          raise InvalidArgumentTypeError, "keys must be a Hash of kid => key or [kid, key] pairs, got #{keys.class}"
        end

        list = keys.map do |pair|
          kid, key = pair.is_a?(Array) ? pair : [pair, nil]
          { "kid" => kid.is_a?(Symbol) ? kid.name : kid, "key" => key_text(key) }
        end
        text = json_text(list, "keys")
        wrap(Native.handle_out(FREE) { |out| Native.qcdn_verifier_new_keys_json(text, out) })
      end

      # The public keys as a JWK Set document (a Hash with String keys:
      # `{"keys" => [{"kty", "n", "e", "kid", "alg", "use"}, …]}`), to
      # publish (`JSON.generate(verifier.jwks)`) and to read back with
      # {from_jwks}.
      def jwks
        JSON.parse(Native.string_out { |out| Native.qcdn_verifier_jwks(@handle, out) })
      end

      # The key ids this verifier knows (a key set's, or the one it expects).
      def key_ids
        @key_ids ||= jwks["keys"].filter_map { |k| k["kid"] }.freeze
      end

      # Verifies `token` and returns its claims (a Hash with string keys:
      # "uri", "exp", "nbf" and the custom claims). Raises a {TokenError}
      # subclass when the token is refused: {MalformedTokenError},
      # {InvalidSignatureError}, {TokenExpiredError}, {TokenNotYetValidError},
      # {UnknownKeyIdError}, and {UriMismatchError} for a valid token that
      # does not cover `resource:`.
      def verify(token, key_id: UNSET, leeway: UNSET, resource: UNSET, now: UNSET)
        t = Native.c_string(token, "token")
        json = Options.verify(key_id, leeway, resource, now)
        JSON.parse(Native.string_out { |out| Native.qcdn_verifier_verify_json(@handle, t, json, out) })["claims"]
      end

      # Explains whether the edge would accept a signed URL (any of the four
      # forms): an {Explanation}, also for a refused URL.
      def explain(url, key_id: UNSET, leeway: UNSET, now: UNSET)
        u = Native.c_string(url, "url")
        json = Options.verify(key_id, leeway, UNSET, now)
        Explanation.from_json(Native.string_out { |out| Native.qcdn_verifier_explain_json(@handle, u, json, out) })
      end

      # Every check of a verification of a bare token, as an {Explanation}
      # (the resource check only when `resource:` names one).
      def explain_token(token, key_id: UNSET, leeway: UNSET, resource: UNSET, now: UNSET)
        t = Native.c_string(token, "token")
        json = Options.verify(key_id, leeway, resource, now)
        Explanation.from_json(Native.string_out { |out| Native.qcdn_verifier_explain_token(@handle, t, json, out) })
      end

      def inspect
        "#<#{self.class.name}>"
      end
      alias to_s inspect

      def pretty_print(q)
        q.text(inspect)
      end

      FREE = Native.method(:qcdn_verifier_free)
      private_constant :FREE

      # @api private: a key of from_keys as the text the C ABI reads.
      def self.key_text(key)
        case key
        when Hash then json_text(key, "a JWK")
        when String
          binary = key.encoding == Encoding::BINARY || !key.valid_encoding?
          binary ? [key].pack("m0") : key # DER as base64
        else
          defined?(::OpenSSL::PKey::PKey) && key.is_a?(::OpenSSL::PKey::PKey) ? key.public_to_pem : key
        end
      end
      private_class_method :key_text

      # @api private
      def self.json_text(value, what)
        JSON.generate(value)
      rescue JSON::GeneratorError, EncodingError => e
        raise InvalidArgumentError, "#{what} cannot be written as JSON: #{e.message}"
      end
      private_class_method :json_text

      # @api private
      def self.wrap(handle)
        verifier = allocate
        verifier.instance_variable_set(:@handle, handle)
        verifier
      end
      private_class_method :wrap
    end

    class << self
      # Decodes a token's header and claims **without verifying anything**,
      # for display and debugging, never for an access decision:
      # `{header: {"alg" => …, "kid" => …}, claims: {"uri" => …, …}}`.
      def decode_unverified(token)
        t = Native.c_string(token, "token")
        doc = JSON.parse(Native.string_out { |out| Native.qcdn_decode_unverified(t, out) })
        { header: doc["header"], claims: doc["claims"] }
      end

      # What a token grants that may be more than meant: a list of
      # {AuditWarning}s (empty when there is nothing to say). Nothing is
      # verified. `now:` is the audit's clock (a Time or Unix seconds; the
      # system clock when not given).
      def audit(token, now: nil)
        t = Native.c_string(token, "token")
        at = now.nil? ? 0 : Options.time(now)
        unless at.is_a?(Integer) || (at.is_a?(Float) && at.finite? && at == at.floor)
          raise InvalidArgumentTypeError, "now must be a Time or whole Unix seconds, got #{now.inspect}"
        end

        doc = JSON.parse(Native.string_out { |out| Native.qcdn_audit(t, at.to_i, out) })
        doc["warnings"].map { |w| AuditWarning.new(code: w["code"], message: w["message"]) }
      rescue RangeError
        raise InvalidArgumentError, "now is out of range: #{now.inspect}"
      end
    end
  end
end
