# frozen_string_literal: true

require_relative "cdn/version"
require_relative "cdn/errors"
require_relative "cdn/native"
require_relative "cdn/options"
require_relative "cdn/external"
require_relative "cdn/batch"
require_relative "cdn/signer"
require_relative "cdn/verifier"
require_relative "cdn/urls"
require_relative "cdn/client"
require_relative "cdn/stream"

module Qencode
  # qencode-cdn for Ruby: RS256 signed playback tokens, playback and
  # storage URLs, signed cookies, token verification that explains itself,
  # and a client of the Qencode Content Delivery management API — one Rust
  # core shared with the Rust, C, Python, Node, Java, C# and PHP packages,
  # called through its C ABI.
  #
  #   require "qencode/cdn"
  #   signer = Qencode::Cdn::Signer.new(signing_key_id, private_key_pem)
  #   signer.signed_live_url(playback_id, expires_in: 600)
  #
  # `require "qencode/cdn/testing"` adds {Qencode::Cdn::Testing::Emulator},
  # a local emulator of the API and the playback edge for your tests.
  module Cdn
    class << self
      # The version of the native library in use (the gem's {VERSION}).
      def library_version
        Native.qcdn_version
      end

      # Where the native library was loaded from (`QENCODE_CDN_LIBRARY`, or
      # the copy inside the gem).
      def library_path
        Native.library_path
      end
    end
  end
end
