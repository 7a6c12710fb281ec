# frozen_string_literal: true

require "ffi"
require "json"

module Qencode
  module Cdn
    # The C ABI of libqencode_cdn (include/qencode_cdn.h), through ruby-ffi.
    # Private to the gem: use {Signer}, {Verifier}, {Client} and the URL
    # functions of {Qencode::Cdn}.
    #
    # The library is the one named by the `QENCODE_CDN_LIBRARY` environment
    # variable (a path) when it is set, else the one packed into the gem
    # beside this file.
    #
    # Calls that take real time (RSA signing and verification, key loading,
    # every API request) are attached with `blocking: true`: the GVL is
    # released while they run, so other Ruby threads keep working. Calls that
    # read the process environment keep the GVL, so that no Ruby thread can
    # change `ENV` while the library reads it. A released GVL never moves a
    # call to another OS thread, so the library's per-thread last error is
    # read on the thread that failed.
    #
    # @api private
    module Native
      extend FFI::Library

      # File name of the library on this platform (`libqencode_cdn.so` on Linux).
      LIBRARY_NAME = "#{FFI::Platform::LIBPREFIX}qencode_cdn.#{FFI::Platform::LIBSUFFIX}".freeze

      # The path the library is loaded from.
      def self.library_path
        env = ENV.fetch("QENCODE_CDN_LIBRARY", "")
        return env unless env.strip.empty?

        bundled = File.expand_path(LIBRARY_NAME, __dir__)
        return bundled if File.file?(bundled)

        raise LoadError,
              "qencode-cdn: the native library #{LIBRARY_NAME} is not in the gem (#{bundled}) and " \
              "QENCODE_CDN_LIBRARY is not set; install a platform gem of qencode-cdn or set " \
              "QENCODE_CDN_LIBRARY to the path of #{LIBRARY_NAME}"
      end

      path = library_path
      begin
        ffi_lib path
      rescue LoadError => e
        raise LoadError, "qencode-cdn: cannot load the native library #{path}: #{e.message}"
      end

      typedef :uint32, :status
      typedef :pointer, :out

      # Library, strings, errors.
      attach_function :qcdn_version, [], :string
      attach_function :qcdn_string_free, [:pointer], :void
      attach_function :qcdn_status_str, [:uint32], :string
      attach_function :qcdn_last_error_json, [:out], :status

      # Signer.
      attach_function :qcdn_signer_new, %i[string buffer_in size_t out], :status, blocking: true
      attach_function :qcdn_signer_from_env, %i[string out], :status # reads ENV: keeps the GVL
      attach_function :qcdn_signer_from_file, %i[string string out], :status, blocking: true
      attach_function :qcdn_signer_free, [:pointer], :void
      attach_function :qcdn_signer_key_id, %i[pointer out], :status
      attach_function :qcdn_signer_key_bits, %i[pointer out], :status
      attach_function :qcdn_signer_public_key_pem, %i[pointer out], :status
      attach_function :qcdn_signer_public_key_jwk, %i[pointer out], :status
      attach_function :qcdn_signer_sign_json, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_signer_signed_live_url_json, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_signer_signed_live_custom_domain_url_json,
                      %i[pointer string string string out], :status, blocking: true
      attach_function :qcdn_signer_signed_storage_url_json,
                      %i[pointer string string string string out], :status, blocking: true
      attach_function :qcdn_signer_signed_storage_custom_domain_url_json,
                      %i[pointer string string string out], :status, blocking: true
      attach_function :qcdn_signer_sign_url_json, %i[pointer string string string out], :status, blocking: true
      attach_function :qcdn_signer_signed_cookie_json, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_signer_signed_cookie_fields_json, %i[pointer string string out], :status, blocking: true

      # Keys held elsewhere, two-phase signing, batches, the cache.
      callback :qcdn_sign_callback, %i[pointer pointer size_t pointer size_t pointer pointer size_t], :int32
      callback :qcdn_free_user_data, [:pointer], :void
      attach_function :qcdn_signer_new_external,
                      %i[string buffer_in size_t qcdn_sign_callback pointer qcdn_free_user_data uint32 out], :status
      attach_function :qcdn_signer_from_pkcs11, %i[string string string string string out], :status, blocking: true
      attach_function :qcdn_signer_prepare_json, %i[pointer string string out], :status
      attach_function :qcdn_signer_finish, %i[pointer string buffer_in size_t out], :status, blocking: true
      attach_function :qcdn_signer_sign_many_json, %i[pointer string uint32 out], :status, blocking: true
      attach_function :qcdn_signer_cached, %i[pointer uint32 uint64 bool out], :status
      attach_function :qcdn_signer_cached_tokens, %i[pointer out], :status

      # URLs (nanoseconds of work: the GVL is kept).
      attach_function :qcdn_live_playback_url, %i[string string out], :status
      attach_function :qcdn_live_custom_domain_url, %i[string string string out], :status
      attach_function :qcdn_storage_url, %i[string string string string out], :status
      attach_function :qcdn_storage_custom_domain_url, %i[string string string out], :status

      # Verifier and token inspection.
      attach_function :qcdn_verifier_new, %i[buffer_in size_t out], :status, blocking: true
      attach_function :qcdn_verifier_new_jwk, %i[string out], :status, blocking: true
      attach_function :qcdn_verifier_new_jwks, %i[string out], :status, blocking: true
      attach_function :qcdn_verifier_new_keys_json, %i[string out], :status, blocking: true
      attach_function :qcdn_verifier_jwks, %i[pointer out], :status
      attach_function :qcdn_verifier_from_signer, %i[pointer out], :status
      attach_function :qcdn_verifier_free, [:pointer], :void
      attach_function :qcdn_verifier_verify_json, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_verifier_explain_json, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_verifier_explain_token, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_decode_unverified, %i[string out], :status
      attach_function :qcdn_audit, %i[string int64 out], :status

      # Streams: the coverage parses text (it may walk a long manifest) and the
      # check makes HTTP requests: both release the GVL.
      attach_function :qcdn_stream_coverage, %i[string string string out], :status, blocking: true
      attach_function :qcdn_stream_check, %i[string string out], :status, blocking: true

      # Client (every request blocks on the network: the GVL is released).
      attach_function :qcdn_client_new_json, %i[string string string out], :status # may read ENV: keeps the GVL
      attach_function :qcdn_client_free, [:pointer], :void
      attach_function :qcdn_domain_type_parse, %i[string out], :status
      attach_function :qcdn_bucket_policy_parse, %i[string out], :status
      attach_function :qcdn_client_create_domain, %i[pointer string uint32 out], :status, blocking: true
      attach_function :qcdn_client_get_domain, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_list_domains, %i[pointer uint32 out], :status, blocking: true
      attach_function :qcdn_client_delete_domain, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_create_tls_subscription, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_get_tls_subscription, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_list_tls_subscriptions, %i[pointer out], :status, blocking: true
      attach_function :qcdn_client_delete_tls_subscription, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_create_signing_key, %i[pointer uint32 string out], :status, blocking: true
      attach_function :qcdn_client_get_signing_key, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_list_signing_keys, %i[pointer out], :status, blocking: true
      attach_function :qcdn_client_rename_signing_key, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_client_delete_signing_key, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_set_bucket_policy, %i[pointer string uint32 out], :status, blocking: true
      attach_function :qcdn_client_set_bucket_cors, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_client_get_bucket_cors, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_delete_bucket_cors, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_delete_bucket_cors_header, %i[pointer string string out], :status, blocking: true
      attach_function :qcdn_client_purge_bucket_cache, %i[pointer string out], :status, blocking: true
      attach_function :qcdn_client_purge_object_cache, %i[pointer string string out], :status, blocking: true

      # The library must be the release this gem was written for (a stale
      # QENCODE_CDN_LIBRARY would otherwise fail in confusing ways).
      loaded = qcdn_version
      unless loaded.split(".")[0, 2] == VERSION.split(".")[0, 2]
        raise LoadError, "qencode-cdn #{VERSION}: the native library at #{path} is version #{loaded}"
      end

      class << self
        # Runs the block with an out-parameter for a library string; raises
        # the library's error on failure; returns the string (UTF-8), freed.
        def string_out
          out = FFI::MemoryPointer.new(:pointer)
          check(yield(out))
          take_string(out.read_pointer)
        end

        # As {string_out}, for the `uint32_t *` out-parameter of a count.
        def uint32_out
          out = FFI::MemoryPointer.new(:uint32)
          check(yield(out))
          out.read_uint32
        end

        # As {string_out}, for a `uint64_t *` out-parameter.
        def uint64_out
          out = FFI::MemoryPointer.new(:uint64)
          check(yield(out))
          out.read_uint64
        end

        # Runs the block with an out-parameter for a handle; raises on
        # failure; returns the handle, freed exactly once by `free` when the
        # Ruby object is collected (or earlier through AutoPointer#free).
        def handle_out(free)
          out = FFI::MemoryPointer.new(:pointer)
          check(yield(out))
          FFI::AutoPointer.new(out.read_pointer, free)
        end

        # A library string, copied into Ruby and freed (the library wipes it).
        def take_string(ptr)
          return nil if ptr.null?

          begin
            ptr.read_string.force_encoding(Encoding::UTF_8)
          ensure
            qcdn_string_free(ptr)
          end
        end

        # Raises the Ruby exception for a failed call (status != 0); reads
        # the details on this thread, right after the call.
        def check(status)
          return if status.zero?

          raise Cdn.error_from_native(status, last_error_details(status))
        end

        def last_error_details(status)
          out = FFI::MemoryPointer.new(:pointer)
          if qcdn_last_error_json(out).zero?
            text = take_string(out.read_pointer)
            begin
              return JSON.parse(text)
            rescue JSON::ParserError
              nil
            end
          end
          { "code" => qcdn_status_str(status), "status_code" => status, "message" => "" }
        end

        # A Ruby string as a C string argument (UTF-8, no NUL). `nil` stays
        # NULL where the argument is optional.
        def c_string(value, what, optional: false)
          return nil if value.nil? && optional

          s = case value
              when String then value
              when Symbol then value.name
              else
                raise InvalidArgumentTypeError.new(
                  "#{what} must be a String, got #{value.class}", type_error: true
                )
              end
          s = utf8(s, what)
          raise InvalidArgumentError, "#{what} contains a NUL byte" if s.include?("\0")

          snapshot(s)
        end

        # A file name: any bytes but NUL (String or Pathname).
        def c_path(value, what)
          s = begin
            File.path(value)
          rescue TypeError
            raise InvalidArgumentTypeError.new(
              "#{what} must be a String or Pathname, got #{value.class}", type_error: true
            )
          end
          raise InvalidArgumentError, "#{what} contains a NUL byte" if s.include?("\0")

          snapshot(s)
        end

        # Key material as bytes: a String (PEM text, DER, base64) or an
        # OpenSSL::PKey (its DER). The caller's string is passed as it is,
        # without a copy.
        def key_bytes(value, what, public_key: false)
          if defined?(::OpenSSL::PKey::PKey) && value.is_a?(::OpenSSL::PKey::PKey)
            return public_key ? value.public_to_der : value.private_to_der
          end
          return snapshot(value) if value.is_a?(String)

          raise InvalidArgumentTypeError.new(
            "#{what} must be a String (PEM, DER or base64) or an OpenSSL::PKey, got #{value.class}",
            type_error: true
          )
        end

        # A String of bytes the library reads (a frozen snapshot).
        def bytes(s)
          snapshot(s)
        end

        private

        # The bytes the library reads while the GVL is released must not
        # change under it: a frozen String is passed as it is, any other as a
        # frozen copy (copy-on-write: no bytes are copied unless the caller's
        # String is changed meanwhile, which then leaves this copy intact).
        def snapshot(s)
          s.frozen? ? s : s.dup.freeze
        end

        def utf8(s, what)
          enc = s.encoding
          return s if [Encoding::UTF_8, Encoding::BINARY, Encoding::US_ASCII].include?(enc)

          s.encode(Encoding::UTF_8)
        rescue EncodingError => e
          raise InvalidArgumentError, "#{what} cannot be converted to UTF-8 (#{e.class.name.split('::').last})"
        end
      end
    end
    private_constant :Native
  end
end
