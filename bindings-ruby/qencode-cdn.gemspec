# frozen_string_literal: true

require_relative "lib/qencode/cdn/version"

Gem::Specification.new do |spec|
  spec.name = "qencode-cdn"
  spec.version = Qencode::Cdn::VERSION
  spec.summary = "Qencode Content Delivery: RS256 signed playback URLs and cookies, verification, management API client"
  spec.description = <<~TEXT
    Signed playback tokens (RS256) for Qencode live streams and media storage,
    playback and storage URLs, signed cookies for HLS/DASH, token verification
    that explains why a URL would be refused, and a client of the Qencode
    Content Delivery management API. One Rust core shared with the Rust, C,
    Python and Node packages, called through its C ABI with the ffi gem; the
    native library ships inside the platform gem.
  TEXT
  spec.authors = ["qencode-cdn developers"]
  spec.license = "MIT OR Apache-2.0"
  spec.homepage = "https://github.com/qencode-cdn/qencode-cdn"
  spec.metadata = { "rubygems_mfa_required" => "true" }
  spec.required_ruby_version = ">= 3.1"

  # `rake gem` stages the Ruby files with the cargo-built native library in
  # lib/qencode/cdn/ and builds from there: a gem for this platform only
  # (x86_64-linux here). Built from the source folder, without the library,
  # it is a plain-Ruby gem that needs QENCODE_CDN_LIBRARY.
  native = Dir[File.join(__dir__, "lib/qencode/cdn/{libqencode_cdn.so,libqencode_cdn.dylib,qencode_cdn.dll}")]
  # QCDN_GEM_PLATFORM (scripts/release/pack-gem): the platform of a library built for
  # another one (aarch64-linux on an x86_64 machine).
  spec.platform = ENV.fetch("QCDN_GEM_PLATFORM", Gem::Platform.local.to_s) unless native.empty?
  spec.files = Dir.chdir(__dir__) do
    Dir["lib/**/*.rb"] + Dir["lib/qencode/cdn/*.{so,dylib,dll}"] + Dir["{README.md,LICENSE-MIT,LICENSE-APACHE}"]
  end
  spec.require_paths = ["lib"]

  spec.add_dependency "ffi", "~> 1.15"
end
