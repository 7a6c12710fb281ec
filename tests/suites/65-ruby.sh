#!/usr/bin/env bash
# Ruby gem `qencode-cdn` (bindings-ruby/): rubocop; the version the same as
# the workspace's; `rake gem` packs the cargo-built libqencode_cdn into a
# platform gem, which is installed into a fresh GEM_HOME and used from an
# empty folder (`ruby -e`: sign, verify with Ruby's OpenSSL, the client
# against the emulator, a coded error); minitest against that installed gem
# (every conformance case, checked by check-summary; golden vectors; ruby-jwt
# interop; the reference sample fixed; every client method and error code
# against the emulator process; external signers backed by Ruby's OpenSSL;
# key sets, batches and the cache; PKCS#11 against SoftHSM2; secrets;
# docs/ruby.md examples); and a valgrind run of a loop over every native
# path, the external-signer callback and a SoftHSM2 token included (no leak
# or memory error through libqencode_cdn; a deliberate leak must be seen).
set -euo pipefail
trap 'echo "65-ruby.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="${QCDN_ROOT:?run through tests/run.sh}"
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target
work=$target/ruby
mkdir -p "$work"
step() { echo "--- ruby: $* (at ${SECONDS} s)"; }

# Debian's Ruby 3.1 with ffi, ruby-jwt and rubocop (RubyGems.org is not used).
missing=()
command -v ruby >/dev/null || missing+=(ruby)
command -v rake >/dev/null || missing+=(rake)
command -v rubocop >/dev/null || missing+=(rubocop)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v strip >/dev/null || missing+=(binutils)
command -v softhsm2-util >/dev/null || missing+=(softhsm2) # PKCS#11 tests (test/pkcs11_test.rb, the valgrind loop)
if command -v ruby >/dev/null; then
  ruby -e 'require "ffi"' 2>/dev/null || missing+=(ruby-ffi)
  ruby -e 'require "jwt"' 2>/dev/null || missing+=(ruby-jwt)
else
  missing+=(ruby-ffi ruby-jwt)
fi
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "ruby $(ruby -e 'print RUBY_VERSION'), ffi $(ruby -rffi -e 'print FFI::VERSION'), ruby-jwt $(ruby -rjwt -e 'print JWT::VERSION::STRING'), rubocop $(rubocop --version)"

step "rubocop (bindings-ruby, bench/ruby)"
(cd bindings-ruby && rubocop -c .rubocop.yml --format quiet . ../bench/ruby)

step "the gem's version is the workspace's"
want=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
have=$(ruby -e 'require_relative "bindings-ruby/lib/qencode/cdn/version"; print Qencode::Cdn::VERSION')
[ "$want" = "$have" ] || { echo "Qencode::Cdn::VERSION is $have, Cargo.toml says $want" >&2; exit 1; }

step "building libqencode_cdn (debug) and the emulator"
cargo build --locked -q -p qencode-cdn-ffi
cargo build --locked -q -p qencode-cdn-emulator --bin qencode-cdn-emulator
emulator=$target/debug/qencode-cdn-emulator

step "rake gem (the library packed into a platform gem)"
gem=$(cd bindings-ruby && rake -s gem | tail -n 1)
spec() { ruby -rrubygems/package -e 'v = Gem::Package.new(ARGV[0]).spec.public_send(ARGV[1]); puts(v.is_a?(Array) ? v : v.to_s)' "$gem" "$1"; }
files=$(spec files)
platform=$(spec platform)
echo "$(basename "$gem"): $(du -h "$gem" | cut -f1), platform $platform, $(wc -l <<<"$files") files"
[ "$platform" = "$(ruby -e 'print Gem::Platform.local')" ]
for f in lib/qencode/cdn/libqencode_cdn.so lib/qencode/cdn.rb lib/qencode-cdn.rb lib/qencode/cdn/testing.rb \
  LICENSE-MIT LICENSE-APACHE README.md; do
  grep -qx -- "$f" <<<"$files" || { echo "the gem lacks $f" >&2; exit 1; }
done
if grep -E -- '^(test|bench)/' <<<"$files"; then echo "the gem holds test files" >&2; exit 1; fi

step "gem install into a fresh GEM_HOME"
gem_home=$work/gem-home
rm -rf "$gem_home"
GEM_HOME=$gem_home gem install --local --no-document --silent "$gem"
run_installed() { # the installed gem only: no QENCODE_CDN_LIBRARY, no source lib/ on the load path
  env -u QENCODE_CDN_LIBRARY -u RUBYLIB -u RUBYOPT GEM_HOME="$gem_home" QCDN_ROOT="$root" \
    QENCODE_CDN_EMULATOR="$emulator" "$@"
}

step "ruby -e from an empty folder with the installed gem"
app=$work/app
rm -rf "$app"
mkdir -p "$app"
cp tests/keys/rsa2048.pkcs1.pem "$app/key.pem"
(cd "$app" && run_installed ruby -e '
require "qencode/cdn"
require "qencode/cdn/testing"
require "openssl"
require "base64"
abort "not the installed gem: #{Qencode::Cdn.library_path}" unless Qencode::Cdn.library_path.start_with?(Gem.dir)
signer = Qencode::Cdn::Signer.from_file("key-1", "key.pem")
url = signer.signed_storage_url("my-bucket", "us-west", "videos/a.mp4", expires_in: 600)
head, body, sig = url[/auth=(.*)\z/, 1].split(".")
rsa = OpenSSL::PKey::RSA.new(File.read("key.pem"))
abort "OpenSSL refused our signature" unless rsa.verify("SHA256", Base64.urlsafe_decode64(sig), "#{head}.#{body}")
Qencode::Cdn::Testing::Emulator.open do |emu|
  client = emu.client
  domain = client.create_domain("live.example.com", :live)
  abort "bad domain #{domain.inspect}" unless client.get_domain(domain.id) == domain
  begin
    client.get_domain("nope")
    abort "no error"
  rescue Qencode::Cdn::NotFoundError => e
    abort "bad error #{e.inspect}" unless e.code == "NOT_FOUND" && e.status == 404
  end
  client.close
end
begin
  signer.sign("videos/", expires_in: nil)
  abort "a nil lifetime signed"
rescue Qencode::Cdn::InvalidArgumentTypeError => e
  abort "bad error #{e.inspect}" unless e.code == "INVALID_ARGUMENT"
end
puts "installed gem #{Gem.loaded_specs["qencode-cdn"].full_name} works from #{Dir.pwd}"
')

step "minitest against the installed gem (conformance summary checked below)"
log=$work/minitest.log
set +e
(cd bindings-ruby && run_installed ruby -w -Itest -e 'ARGV.each { |f| require File.expand_path(f) }' test/*_test.rb) >"$log" 2>&1
status=$?
set -e
grep -E '^(conformance: |  skipped |[0-9]+ runs, )' "$log" || true
if [ $status -ne 0 ]; then
  grep -E -A15 '(Failure|Error):$' "$log" | head -n 120 >&2 || tail -n 60 "$log" >&2
  exit 1
fi
if grep -E '^[^ ]+\.rb:[0-9]+: warning: ' "$log" | grep -v '/usr/' >&2; then
  echo "ruby -w warned about the gem or its tests" >&2
  exit 1
fi
tests/conformance/check-summary ruby "$log"

step "valgrind: a loop over every native path (installed gem, a SoftHSM2 token), with one deliberate leak"
# A token of its own for the loop's PKCS#11 signer (never the system's configuration).
hsm=$work/softhsm
rm -rf "$hsm"
mkdir -p "$hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$hsm/tokens" >"$hsm/softhsm2.conf"
SOFTHSM2_CONF=$hsm/softhsm2.conf softhsm2-util --init-token --free --label qcdn-leak --pin 1234 --so-pin 5678 >/dev/null
SOFTHSM2_CONF=$hsm/softhsm2.conf softhsm2-util --import tests/keys/rsa2048.pkcs8.pem --token qcdn-leak \
  --label video-key --id 01 --pin 1234 >/dev/null
vlog=$work/valgrind.log
(cd bindings-ruby && run_installed QCDN_LEAK_CANARY=1 SOFTHSM2_CONF="$hsm/softhsm2.conf" \
  QCDN_LEAK_PKCS11="/usr/lib/softhsm/libsofthsm2.so:qcdn-leak:video-key:1234" \
  valgrind --leak-check=full --keep-debuginfo=yes --num-callers=30 --log-file="$vlog" ruby test/leak_check.rb 5)
ruby bindings-ruby/test/valgrind_report.rb --canary "$vlog"

step "all Ruby checks passed"
