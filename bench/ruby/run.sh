#!/usr/bin/env bash
# Builds the release libqencode_cdn and the core's rate example, packs the
# release library into the gem (`QCDN_PROFILE=release rake gem`), installs it
# into a fresh GEM_HOME under $CARGO_TARGET_DIR, and runs bench_sign.rb with
# that installed gem, pinned to one CPU. Extra arguments go to bench_sign.rb,
# e.g. `bench/ruby/run.sh --rounds 10 --check`.
# `bench/ruby/run.sh scale [--rounds N] [--batch N]` runs bench_scale.rb
# instead (external signers, batches, threads, the cache), on every CPU.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$root"
cargo build --locked -q --release -p qencode-cdn-ffi --lib --example core_rate
gem=$(cd bindings-ruby && QCDN_PROFILE=release rake -s gem | tail -n 1)
gem_home=$CARGO_TARGET_DIR/ruby/bench-gem-home
rm -rf "$gem_home"
GEM_HOME=$gem_home gem install --local --no-document --silent "$gem"
if [ "${1:-}" = scale ]; then
  shift
  exec env -u QENCODE_CDN_LIBRARY GEM_HOME="$gem_home" ruby "$root/bench/ruby/bench_scale.rb" "$@"
fi
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
exec env -u QENCODE_CDN_LIBRARY GEM_HOME="$gem_home" "${pin[@]}" ruby "$root/bench/ruby/bench_sign.rb" \
  --core "$CARGO_TARGET_DIR/release/examples/core_rate" "$@"
