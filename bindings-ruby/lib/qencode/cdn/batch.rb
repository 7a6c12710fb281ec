# frozen_string_literal: true

module Qencode
  module Cdn
    # One item's outcome of {Signer#sign_many}: its token, or its error.
    #
    #   results = signer.sign_many(["videos/a/", { uri: "videos/b/", expires_in: 600 }])
    #   results.each { |r| r.ok? ? use(r.token) : log(r.error.message) }
    class SignResult
      # The item's {Error} (nil when it was signed).
      attr_reader :error

      # @api private
      def initialize(token, error)
        @token = token
        @error = error
        freeze
      end

      # Whether the item was signed.
      def ok?
        @error.nil?
      end

      # The item's token; raises the item's error when it failed, so that a
      # failed item never becomes a URL by accident.
      def token
        raise @error if @error

        @token
      end

      # Whether it was signed, or its error; never the token.
      def inspect
        ok? ? "#<#{self.class.name} ok>" : "#<#{self.class.name} error=#{@error.message.inspect}>"
      end
      alias to_s inspect
    end

    # The first half of a two-phase signature ({Signer#prepare}): sign
    # `signing_input` anywhere with RS256, then {#finish}.
    class PreparedToken
      # The exact bytes to sign (ASCII: `base64url(header) "." base64url(payload)`).
      attr_reader :signing_input

      # @api private
      def initialize(signer, signing_input)
        @signer = signer
        @signing_input = signing_input
        freeze
      end

      # The token, once `signature` (the raw RS256 bytes over
      # {#signing_input}) verifies with the signer's public key; a
      # {SignerFailedError} otherwise.
      def finish(signature)
        @signer.finish(@signing_input, signature)
      end

      def inspect
        "#<#{self.class.name} signing_input=#{@signing_input.inspect}>"
      end
      alias to_s inspect
    end

    # Conversions of {Signer#sign_many} and {Signer#cached}: Ruby values to
    # what the C ABI takes, the batch's document back to {SignResult}s.
    #
    # @api private
    module Batch
      class << self
        # The items as the JSON array of `qcdn_signer_sign_many_json`
        # (`[{"uri", "options"}]`). Anything that is not a uri, a Hash with
        # `:uri` or a `[uri, options]` pair goes through as the item's uri,
        # for the core to refuse.
        def items_json(items)
          unless items.respond_to?(:map) && !items.is_a?(Hash) && !items.is_a?(String)
            raise InvalidArgumentTypeError,
                  "items must be an Array of uris, {uri:, …} Hashes or [uri, options] pairs, got #{items.class}"
          end

          JSON.generate(items.map { |item| item(item) })
        rescue JSON::GeneratorError, EncodingError => e
          raise InvalidArgumentError, "the batch cannot be written as JSON: #{e.message}"
        end

        # `threads:` as the C ABI's count (0 = every core).
        def threads(value)
          return 0 if value.nil?

          whole(value, "threads", 0xFFFF_FFFF, min: 1)
        end

        # A whole number for a C integer parameter: an Integer in min..max.
        def whole(value, what, max, min: 0)
          unless value.is_a?(Integer)
            raise InvalidArgumentTypeError, "#{what} must be a whole number (an Integer), got #{value.inspect}"
          end

          if value < min || value > max
            hint = what == "window" ? "" : " (leave it out for the default)"
            raise InvalidArgumentError, "#{what} #{value} is out of range: at least #{min}#{hint}"
          end

          value
        end

        # The batch's document as {SignResult}s. A SIGNER_FAILED item gets
        # the exception its block raised as the error's `cause`.
        def results(text, frame = nil)
          JSON.parse(text).map do |r|
            next SignResult.new(r["token"], nil) if r.key?("token")

            details = r["error"] || {}
            error = Cdn.error_from_native(details["status_code"].to_i, details)
            cause = frame && error.is_a?(SignerFailedError) ? frame.take_cause(error.message) : nil
            SignResult.new(nil, cause ? with_cause(error, cause) : error)
          end
        end

        private

        def item(item)
          if item.is_a?(Hash)
            options = item.dup
            uri = options.key?(:uri) ? options.delete(:uri) : options.delete("uri")
            entry(uri, options)
          elsif item.is_a?(Array) && item.size == 2 && item[1].is_a?(Hash)
            entry(item[0], item[1])
          else
            entry(item, {}) # a uri, or anything else for the core to refuse
          end
        end

        def entry(uri, options)
          h = { "uri" => uri.is_a?(Symbol) ? uri.name : uri }
          h["options"] = Options.sign_hash(options) unless options.empty?
          h
        end

        # The error with `cause` set (Ruby sets a cause only when raising).
        def with_cause(error, cause)
          raise error, cause:
        rescue Error => e
          e
        end
      end
    end
    private_constant :Batch
  end
end
