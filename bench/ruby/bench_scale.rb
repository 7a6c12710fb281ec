# frozen_string_literal: true

# Issue 18 from Ruby, with the installed gem (bench/ruby/run.sh scale):
# external signers with a Ruby block, batches, Ruby threads, the cache.
# Every rate is tokens per second, best of ROUNDS interleaved rounds; the
# machine is shared, so compare columns of one run, not runs.
#
# For RSA 2048 and 4096 (the repository's test keys):
# - local:        signer.sign(uri) on one thread (the key in the core);
# - openssl:      Ruby's OpenSSL rsa.sign("SHA256", input) alone (what a Ruby block costs at least);
# - external:     Signer.external with that OpenSSL block: token, callback, the core's check;
# - many:         signer.sign_many(items) on every core (the GVL released for the batch);
# - threads:      as many Ruby threads as cores calling signer.sign;
# - many/local and threads/local: the scaling (at most the number of cores).
#
# Then, at 2048 bits:
# - the callback path in thread CPU time: an external signer whose block
#   returns a signature computed beforehand (the same input every call), next
#   to PreparedToken#finish of that input and signature (the core's RSA check
#   and the token, without the callback and the options JSON): the
#   difference is what the callback (and the options) cost;
# - a 5 ms "KMS" (sleep, then OpenSSL) on 1 and on 8 Ruby threads: the block
#   runs on each caller's thread and gives up the GVL while it waits;
# - cache hits of signer.cached(300) (one uri).
#
#   ruby bench/ruby/bench_scale.rb [--rounds 3] [--batch 64]

# rubocop:disable Style/FormatStringToken -- the table is printf-formatted

require "etc"
require "optparse"
require "openssl"
require "qencode/cdn"

ROOT = File.expand_path("../..", __dir__)
KID = "ec25a6a6-b31e-4ac9-af01-711460421c6b"
NOW = 1_700_000_000
CDN = Qencode::Cdn

opts = { rounds: 3, batch: 64 }
OptionParser.new do |o|
  o.on("--rounds N", Integer) { |v| opts[:rounds] = v }
  o.on("--batch N", Integer, "signatures per batch at 4096 bits (x4 at 2048)") { |v| opts[:batch] = v }
end.parse!

def clock
  Process.clock_gettime(Process::CLOCK_MONOTONIC, :nanosecond)
end

# Tokens per second of `count` tokens made by the block.
def rate(count)
  start = clock
  yield count
  count * 1e9 / (clock - start)
end

def cpu_ns(count, &)
  start = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID, :nanosecond)
  count.times(&)
  (Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID, :nanosecond) - start).fdiv(count)
end

cores = Etc.nprocessors
puts "qencode-cdn #{CDN::VERSION} (#{CDN.library_path}), #{OpenSSL::OPENSSL_LIBRARY_VERSION}"
puts "Ruby #{RUBY_VERSION}, #{cores} cores, best of #{opts[:rounds]} interleaved rounds, tokens per second"
puts
puts format("%5s %9s %9s %9s %9s %9s %11s %13s", "bits", "local", "openssl", "external", "many", "threads",
            "many/local", "threads/local")
[[2048, "tests/keys/rsa2048.pkcs1.pem"], [4096, "tests/keys/rsa4096.pkcs1.pem"]].each do |bits, rel|
  pem = File.read(File.join(ROOT, rel))
  rsa = OpenSSL::PKey::RSA.new(pem)
  signer = CDN::Signer.new(KID, pem)
  external = CDN::Signer.external(KID, rsa) { |input| rsa.sign("SHA256", input) }
  raise "external and local tokens differ" unless external.sign("v/", now: NOW) == signer.sign("v/", now: NOW)

  n = bits == 2048 ? opts[:batch] * 4 : opts[:batch]
  input = signer.prepare("videos/a/").signing_input
  items = Array.new(n) { |i| "videos/#{i}/" }
  best = Hash.new(0.0)
  keep = ->(name, r) { best[name] = [best[name], r].max }
  opts[:rounds].times do
    keep.call(:local, rate(n) { |c| c.times { |i| signer.sign("videos/#{i}/") } })
    keep.call(:openssl, rate(n) { |c| c.times { rsa.sign("SHA256", input) } })
    keep.call(:external, rate(n) { |c| c.times { |i| external.sign("videos/#{i}/") } })
    keep.call(:many, rate(n) { signer.sign_many(items) })
    keep.call(:threads, rate(n) do |c|
      Array.new(cores) { |t| Thread.new { (c / cores).times { |i| signer.sign("videos/#{t}/#{i}/") } } }.each(&:join)
    end)
  end
  puts format("%5d %9.0f %9.0f %9.0f %9.0f %9.0f %10.2fx %12.2fx", bits, best[:local], best[:openssl],
              best[:external], best[:many], best[:threads], best[:many] / best[:local], best[:threads] / best[:local])
end

pem = File.read(File.join(ROOT, "tests/keys/rsa2048.pkcs1.pem"))
rsa = OpenSSL::PKey::RSA.new(pem)
signer = CDN::Signer.new(KID, pem)
verifier = CDN::Verifier.from_signer(signer)
prepared = signer.prepare("videos/a/", now: NOW)
signature = rsa.sign("SHA256", prepared.signing_input)
token = prepared.finish(signature)
fixed = CDN::Signer.external(KID, rsa) { |_| signature }
raise "the fixed signature does not make the token" unless fixed.sign("videos/a/", now: NOW) == token

ext_ns = Array.new(5) { cpu_ns(5_000) { fixed.sign("videos/a/", now: NOW) } }.min
finish_ns = Array.new(5) { cpu_ns(5_000) { prepared.finish(signature) } }.min
verify_ns = Array.new(5) { cpu_ns(5_000) { verifier.verify(token, now: NOW) } }.min
puts
puts format("callback path (thread CPU time, 2048): external sign with a ready signature %.1f us; " \
            "finish of a prepared input (the same check and token, no callback, no options) %.1f us; " \
            "difference %.1f us; Verifier#verify of the token %.1f us",
            ext_ns / 1e3, finish_ns / 1e3, (ext_ns - finish_ns) / 1e3, verify_ns / 1e3)

kms = CDN::Signer.external(KID, rsa) do |input|
  sleep 0.005 # the network
  rsa.sign("SHA256", input)
end
calls = 80
one = rate(calls) { |c| c.times { |i| kms.sign("videos/#{i}/") } }
eight = rate(calls) do |c|
  Array.new(8) { |t| Thread.new { (c / 8).times { |i| kms.sign("videos/#{t}/#{i}/") } } }.each(&:join)
end
puts format("a 5 ms KMS (2048): %.0f tokens/s on 1 thread, %.0f on 8 threads (%.1fx)", one, eight, eight / one)

cached = signer.cached(300)
cached.sign("videos/a/")
hits = Array.new(5) { rate(200_000) { |c| c.times { cached.sign("videos/a/") } } }.max
puts format("cache hits (one uri, no options): %.0f tokens/s (%d cached)", hits, cached.cached_tokens)
# rubocop:enable Style/FormatStringToken
