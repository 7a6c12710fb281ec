# frozen_string_literal: true

# Tokens per second: Qencode::Cdn::Signer#sign against the Rust core and
# ruby-jwt, in one run on one CPU core (bench/ruby/run.sh pins it).
#
# For RSA 2048 and 4096 (the repository's test keys), interleaved ROUNDS
# times, the best batch of each kept:
#
# - core:        the Rust core signing in a Rust loop (bindings-c/examples/core_rate,
#                a separate process of the same release build; same key, uri, options);
# - ours:        signer.sign(uri, now: …) from Ruby (the core_rate options), and
#                signer.sign(uri) (no options: no JSON at all);
# - jwt-key:     JWT.encode with an OpenSSL::PKey::RSA loaded once (the sample fixed by hand);
# - jwt-pem:     JWT.encode with OpenSSL::PKey::RSA.new(pem) on every call.
#
# Target: ours >= 0.90x core at 4096 bits (`--check` exits 1 when missed).
#
#   ruby bench/ruby/bench_sign.rb --core target/release/examples/core_rate [--rounds 5] [--batch 100] [--check]

# rubocop:disable Style/FormatStringToken -- the table is printf-formatted

require "optparse"
require "json"
require "jwt"
require "openssl"
require "qencode/cdn"

ROOT = File.expand_path("../..", __dir__)
KID = "ec25a6a6-b31e-4ac9-af01-711460421c6b"
URI_ = "1f1ab6a3-d867-4787-b882-7f2fb1203634"
NOW = 1_700_000_000

opts = { rounds: 5, batch: 100, check: false, core: nil }
OptionParser.new do |o|
  o.on("--core PATH", "the core_rate binary") { |v| opts[:core] = v }
  o.on("--rounds N", Integer) { |v| opts[:rounds] = v }
  o.on("--batch N", Integer, "signatures per batch at 4096 bits (x4 at 2048)") { |v| opts[:batch] = v }
  o.on("--check", "exit 1 when ours < 0.90x core at 4096") { opts[:check] = true }
end.parse!
abort "--core PATH is required" unless opts[:core]

def clock
  Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
end

# Nanoseconds per call of the block, over one batch.
def per_call(batch, &)
  start = clock
  batch.times(&)
  (clock - start).fdiv(batch)
end

def core_ns(core, key, batch)
  out = IO.popen([core, key, "1", batch.to_s], &:read)
  raise "core_rate failed: #{out}" unless $?.success? # rubocop:disable Style/SpecialGlobalVars

  Float(out[/sign_ns_min=(\d+)/, 1])
end

rows = []
[[2048, "tests/keys/rsa2048.pkcs1.pem"], [4096, "tests/keys/rsa4096.pkcs1.pem"]].each do |bits, rel|
  key = File.join(ROOT, rel)
  pem = File.read(key)
  batch = bits == 2048 ? opts[:batch] * 4 : opts[:batch]
  signer = Qencode::Cdn::Signer.new(KID, pem)
  rsa = OpenSSL::PKey::RSA.new(pem)
  headers = { "alg" => "RS256", "typ" => "JWT", "kid" => KID }
  payload = { "uri" => URI_, "exp" => NOW + 3600 }
  ours_token = signer.sign(URI_, now: NOW)
  raise "ruby-jwt and ours differ" unless JWT.encode(payload, rsa, "RS256", headers) == ours_token

  best = Hash.new(Float::INFINITY)
  keep = ->(name, ns) { best[name] = [best[name], ns].min }
  (batch / 10).times { signer.sign(URI_, now: NOW) } # warm-up
  opts[:rounds].times do
    keep.call(:core, core_ns(opts[:core], key, batch))
    keep.call(:ours, per_call(batch) { signer.sign(URI_, now: NOW) })
    keep.call(:ours_plain, per_call(batch) { signer.sign(URI_) })
    keep.call(:jwt_key, per_call(batch) { JWT.encode(payload, rsa, "RS256", headers) })
    keep.call(:jwt_pem, per_call([batch / 4, 10].max) do
      JWT.encode(payload, OpenSSL::PKey::RSA.new(pem), "RS256", headers)
    end)
  end
  rows << [bits, best]
end

rate = ->(ns) { 1e9 / ns }
puts "qencode-cdn #{Qencode::Cdn::VERSION} (#{Qencode::Cdn.library_path}), ruby-jwt #{JWT::VERSION::STRING}, " \
     "#{OpenSSL::OPENSSL_LIBRARY_VERSION}"
puts "Ruby #{RUBY_VERSION} on #{RUBY_PLATFORM}, best of #{opts[:rounds]} interleaved rounds, signatures per second"
puts
puts format("%5s %9s %9s %11s %9s %9s %8s %9s %9s", "bits", "core", "ours", "ours-plain", "jwt-key", "jwt-pem",
            "vs core", "vs key", "vs pem")
ok = true
rows.each do |bits, b|
  vs_core = b[:core] / b[:ours]
  ok = false if bits == 4096 && vs_core < 0.90
  puts format("%5d %9.0f %9.0f %11.0f %9.0f %9.0f %7.2fx %8.2fx %8.2fx", bits, rate.call(b[:core]),
              rate.call(b[:ours]), rate.call(b[:ours_plain]), rate.call(b[:jwt_key]), rate.call(b[:jwt_pem]),
              vs_core, b[:jwt_key] / b[:ours], b[:jwt_pem] / b[:ours])
end

# What the binding itself costs per call, in this thread's CPU time (other
# processes on the machine do not inflate it): a trivial native call (live
# URL build: arguments in, one library string out and freed) and the
# options JSON text of `now:`.
def cpu_ns(count, &)
  start = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID, :nanosecond)
  count.times(&)
  (Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID, :nanosecond) - start).fdiv(count)
end
options = Qencode::Cdn.const_get(:Options)
unset = options::NOT_GIVEN
url_ns = Array.new(5) { cpu_ns(100_000) { Qencode::Cdn.live_playback_url("abc123") } }.min
json_ns = Array.new(5) { cpu_ns(100_000) { options.sign(unset, unset, unset, unset, unset, NOW) } }.min
puts
puts format("binding overhead (thread CPU time): trivial native call %.2f us, options JSON %.2f us",
            url_ns / 1e3, json_ns / 1e3)
puts "target: ours >= 0.90x core at 4096 bits: #{ok ? 'met' : 'MISSED'}"
exit(1) if opts[:check] && !ok
# rubocop:enable Style/FormatStringToken
