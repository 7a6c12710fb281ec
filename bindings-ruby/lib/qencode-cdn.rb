# frozen_string_literal: true

# `require "qencode-cdn"` (the gem's name) loads the same library as
# `require "qencode/cdn"`.
require_relative "qencode/cdn"
