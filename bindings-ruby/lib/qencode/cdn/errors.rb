# frozen_string_literal: true

module Qencode
  module Cdn
    # Base of every qencode-cdn error. `#code` is the stable error code
    # shared by every language ("INVALID_ARGUMENT", "TOKEN_EXPIRED", …); the
    # class says the same in Ruby's terms, so `rescue Qencode::Cdn::TokenError`
    # catches every verification failure.
    #
    # Messages never contain private keys, API keys or access tokens.
    #
    #   begin
    #     verifier.verify(token)
    #   rescue Qencode::Cdn::TokenExpiredError => e
    #     e.code # => "TOKEN_EXPIRED"
    #   end
    class Error < StandardError
      # The code this class stands for (subclasses override it).
      CODE = "INTERNAL"

      # @return [String] the error code ("INVALID_ARGUMENT", "NOT_FOUND", …)
      attr_reader :code
      # @return [Integer] the C library's status number for the code
      attr_reader :status_code
      # @return [Integer, nil] the HTTP status of an answer of the API, else nil
      attr_reader :status
      # @return [Float, Integer, nil] seconds the API asked to wait (RATE_LIMITED), else nil
      attr_reader :retry_after
      # @return [String, nil] the API's response body (capped), else nil
      attr_reader :body
      # @return [String, nil] the API's request id, else nil
      attr_reader :request_id

      # `message` is the description without the code; the exception's
      # message is "CODE: description", as in every language.
      def initialize(message = nil, code: nil, status_code: nil, status: nil, retry_after: nil, body: nil,
                     request_id: nil, type_error: false)
        @code = code || self.class::CODE
        @status_code = status_code
        @status = status
        @retry_after = retry_after
        @body = body
        @request_id = request_id
        @type_error = type_error
        text = message.to_s
        text = text.empty? ? @code : "#{@code}: #{text}" unless text.start_with?("#{@code}: ")
        super(text)
      end

      # True when the mistake is the *type* of an argument (a String, or
      # nil, where seconds go): such errors are {InvalidArgumentTypeError}s.
      def type_error?
        @type_error
      end
    end

    # INVALID_ARGUMENT: a bad input caught before any I/O.
    class InvalidArgumentError < Error
      CODE = "INVALID_ARGUMENT"
    end

    # INVALID_ARGUMENT for an argument of the wrong type, such as
    # `expires_in: nil` (a missing configuration value must never mean
    # "never expires") or `expires_in: "600"`.
    class InvalidArgumentTypeError < InvalidArgumentError
      def initialize(message = nil, type_error: true, **details)
        super(message, type_error:, **details)
      end
    end

    # INVALID_KEY: a key that cannot be parsed, is not RSA or is too small.
    class InvalidKeyError < Error
      CODE = "INVALID_KEY"
    end

    # Base of the verification errors.
    class TokenError < Error
      CODE = "MALFORMED_TOKEN"
    end

    # MALFORMED_TOKEN: not three base64url parts of JSON with a `uri`.
    class MalformedTokenError < TokenError
      CODE = "MALFORMED_TOKEN"
    end

    # INVALID_SIGNATURE: the signature does not verify, or the algorithm is not RS256.
    class InvalidSignatureError < TokenError
      CODE = "INVALID_SIGNATURE"
    end

    # TOKEN_EXPIRED: `exp` has passed (beyond the leeway).
    class TokenExpiredError < TokenError
      CODE = "TOKEN_EXPIRED"
    end

    # TOKEN_NOT_YET_VALID: `nbf` is still in the future (beyond the leeway).
    class TokenNotYetValidError < TokenError
      CODE = "TOKEN_NOT_YET_VALID"
    end

    # URI_MISMATCH: the token's `uri` does not cover the requested resource.
    class UriMismatchError < TokenError
      CODE = "URI_MISMATCH"
    end

    # UNKNOWN_KEY_ID: the token's `kid` is not the expected key id.
    class UnknownKeyIdError < TokenError
      CODE = "UNKNOWN_KEY_ID"
    end

    # API_ERROR: a non-success answer of the API; `#status` and `#body` say which.
    class ApiError < Error
      CODE = "API_ERROR"
    end

    # UNAUTHORIZED: 401/403 after one access-token renewal.
    class UnauthorizedError < ApiError
      CODE = "UNAUTHORIZED"
    end

    # NOT_FOUND: 404.
    class NotFoundError < ApiError
      CODE = "NOT_FOUND"
    end

    # RATE_LIMITED: 429 after the retries; `#retry_after` is the server's hint in seconds.
    class RateLimitedError < ApiError
      CODE = "RATE_LIMITED"
    end

    # TRANSPORT: DNS, connect, TLS or a reset connection.
    class TransportError < Error
      CODE = "TRANSPORT"
    end

    # TIMEOUT: a deadline passed.
    class TimeoutError < Error
      CODE = "TIMEOUT"
    end

    # DECODE: the server's answer is not what the API documents.
    class DecodeError < Error
      CODE = "DECODE"
    end

    # INTERNAL: a bug in qencode-cdn, or a caught panic. Please report it.
    class InternalError < Error
      CODE = "INTERNAL"
    end

    # SIGNER_FAILED: an external signer (HSM, KMS) failed or returned a
    # signature that does not verify.
    class SignerFailedError < Error
      CODE = "SIGNER_FAILED"
    end

    # Every code of the error table (DESIGN §5, `ErrorCode` of the core) and
    # its class. The test suite walks every code the native library knows
    # and fails on one missing here.
    ERROR_CLASSES = {
      "INVALID_ARGUMENT" => InvalidArgumentError,
      "INVALID_KEY" => InvalidKeyError,
      "MALFORMED_TOKEN" => MalformedTokenError,
      "INVALID_SIGNATURE" => InvalidSignatureError,
      "TOKEN_EXPIRED" => TokenExpiredError,
      "TOKEN_NOT_YET_VALID" => TokenNotYetValidError,
      "URI_MISMATCH" => UriMismatchError,
      "UNKNOWN_KEY_ID" => UnknownKeyIdError,
      "UNAUTHORIZED" => UnauthorizedError,
      "NOT_FOUND" => NotFoundError,
      "RATE_LIMITED" => RateLimitedError,
      "API_ERROR" => ApiError,
      "TRANSPORT" => TransportError,
      "TIMEOUT" => TimeoutError,
      "DECODE" => DecodeError,
      "INTERNAL" => InternalError,
      "SIGNER_FAILED" => SignerFailedError
    }.freeze

    # The exception for a failed native call: `details` is the document of
    # `qcdn_last_error_json` (code, status_code, message, http_status,
    # retry_after, body, request_id, type_error). A code this gem does not
    # know yet (a newer library) keeps its code on an {InternalError}.
    #
    # @api private
    def self.error_from_native(status, details)
      details ||= {}
      code = details["code"].is_a?(String) && details["code"] != "OK" ? details["code"] : Native.qcdn_status_str(status)
      type_error = details["type_error"] == true
      klass = ERROR_CLASSES.fetch(code, InternalError)
      klass = InvalidArgumentTypeError if klass == InvalidArgumentError && type_error
      klass.new(
        details["message"].to_s,
        code:,
        status_code: status,
        status: details["http_status"],
        retry_after: details["retry_after"],
        body: details["body"],
        request_id: details["request_id"],
        type_error:
      )
    end
  end
end
