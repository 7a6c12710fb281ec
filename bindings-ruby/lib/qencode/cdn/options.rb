# frozen_string_literal: true

require "json"

module Qencode
  module Cdn
    # Keyword arguments to the JSON options the core reads
    # (`SignOptions::from_json`, `VerifyOptions::from_json`, the cookie and
    # client options). Only conversion lives here: a keyword that was not
    # given is left out, `nil` given explicitly becomes JSON `null` (the core
    # refuses a null lifetime), `Time` becomes Unix seconds, a duration-like
    # numeric (`ActiveSupport::Duration`, `Rational`) becomes seconds, and
    # every other value goes through as JSON so that the core decides.
    #
    # @api private
    module Options
      # The default of every option keyword: "not given" (distinct from nil).
      NOT_GIVEN = Object.new
      def NOT_GIVEN.inspect
        "NOT_GIVEN"
      end
      NOT_GIVEN.freeze

      class << self
        # An absolute time: Integer/Float as they are, Time (and DateTime) to
        # whole Unix seconds (the fraction is dropped).
        def time(value)
          case value
          when Integer, Float then value
          when Time then value.to_i
          else
            return value.to_time.to_i if defined?(::DateTime) && value.is_a?(::DateTime)

            numeric(value)
          end
        end

        # A duration in seconds: Integer/Float as they are; other numerics
        # (ActiveSupport::Duration, Rational, BigDecimal) by their exact value.
        def duration(value)
          case value
          when Integer, Float then value
          else numeric(value)
          end
        end

        # The options as JSON text, values that were not given left out;
        # nil (the library reads NULL as `{}`) when nothing was given.
        def json(hash)
          hash.delete_if { |_, v| NOT_GIVEN.equal?(v) }
          return nil if hash.empty?

          JSON.generate(hash)
        rescue JSON::GeneratorError, EncodingError => e
          raise InvalidArgumentError, "the options cannot be written as JSON: #{e.message}"
        end

        # Sign options (the keys of `SignOptions::from_json`).
        def sign(expires_in, expires_at, not_before, claims, never_expires, now, extra = nil)
          h = {}
          h["expires_in"] = duration(expires_in) unless NOT_GIVEN.equal?(expires_in)
          h["expires_at"] = time(expires_at) unless NOT_GIVEN.equal?(expires_at)
          h["not_before"] = time(not_before) unless NOT_GIVEN.equal?(not_before)
          h["claims"] = claims unless NOT_GIVEN.equal?(claims)
          h["never_expires"] = never_expires unless NOT_GIVEN.equal?(never_expires)
          h["now"] = time(now) unless NOT_GIVEN.equal?(now)
          h.merge!(extra) if extra
          json(h)
        end

        # Sign options given as a Hash (an item of a batch): the keys as
        # Strings, times and durations converted as for keywords, and every
        # other key passed on as it is, for the core to accept or refuse.
        def sign_hash(hash)
          hash.to_h do |k, v|
            key = k.is_a?(Symbol) ? k.name : k
            case key
            when "expires_in" then [key, duration(v)]
            when "expires_at", "not_before", "now" then [key, time(v)]
            else [key, v]
            end
          end
        end

        # Verify options (the keys of `VerifyOptions::from_json`).
        def verify(key_id, leeway, resource, now)
          h = {}
          h["key_id"] = key_id unless NOT_GIVEN.equal?(key_id)
          h["leeway"] = duration(leeway) unless NOT_GIVEN.equal?(leeway)
          h["resource"] = resource unless NOT_GIVEN.equal?(resource)
          h["now"] = time(now) unless NOT_GIVEN.equal?(now)
          json(h)
        end

        private

        def numeric(value)
          return value unless value.is_a?(Numeric) && value.respond_to?(:to_r)

          r = value.to_r
          r.denominator == 1 ? r.to_i : r.to_f
        end
      end
    end
    private_constant :Options

    UNSET = Options::NOT_GIVEN
    private_constant :UNSET
  end
end
