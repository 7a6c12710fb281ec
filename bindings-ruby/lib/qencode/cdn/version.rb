# frozen_string_literal: true

module Qencode
  module Cdn
    # The gem's version: the same number as every other package of
    # qencode-cdn (the Rust workspace's version), checked by the test suite.
    VERSION = "0.1.0"
  end
end
