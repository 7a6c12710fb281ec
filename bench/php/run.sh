#!/usr/bin/env bash
# PHP benchmark: RSA-4096 signing through qencode/cdn (bench/php/bench_sign.php,
# the release libqencode_cdn.so through ext/ffi) and through the Rust core
# (bindings-c/examples/core_rate.rs), alternating PAIRS times in one run, and
# PHP's own OpenSSL making the same JWT (openssl_sign, key parsed once, and
# the PEM string per call as the reference sample does). Prints the best
# per-signature time of each and exits 1 when qencode/cdn's rate is below
# 0.90x the core's.
# Usage: bench/php/run.sh [PAIRS] [ROUNDS] [BATCH]   (defaults 6 10 20: short
# batches, finely interleaved, so that load from other processes hits both alike)
#        bench/php/run.sh scale [ROUNDS] [BATCH]     (defaults 5 64: bench_scale.php,
# issuance at scale from PHP: signMany on every core against single signatures,
# cache hits, external signers against openssl_sign alone; not pinned to a CPU)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
key=tests/keys/rsa4096.pkcs1.pem
cargo build --locked -q --release -p qencode-cdn-ffi --lib --example core_rate
(cd bindings-php && COMPOSER_HOME="$target/composer-home" COMPOSER_ALLOW_SUPERUSER=1 composer dump-autoload -q)
export QENCODE_CDN_LIBRARY=$target/release/libqencode_cdn.so QCDN_AUTOLOAD=$root/bindings-php/vendor/autoload.php
if [ "${1:-}" = scale ]; then
  out=$(php bench/php/bench_scale.php "$key" "${2:-5}" "${3:-64}")
  echo "$out"
  python3 - "$out" <<'PY'
import sys
f = dict(kv.split("=") for kv in sys.argv[1].split())
g = {k: float(v) for k, v in f.items()}
us = lambda k: g[k] / 1e3
print(f"RSA-4096 from PHP, {f['cores']} cores (ns per token, best round):")
print(f"  sign, one by one          {us('single_ns'):9.1f} us  ({1e9/g['single_ns']:7.0f}/s)")
print(f"  signMany, every core      {us('many_ns'):9.1f} us  ({1e9/g['many_ns']:7.0f}/s)  {g['single_ns']/g['many_ns']:.2f}x one by one")
print(f"  cached sign, a hit        {us('cache_hit_ns'):9.1f} us  ({1e9/g['cache_hit_ns']:7.0f}/s)")
print(f"  external (openssl_sign)   {us('external_ns'):9.1f} us  vs openssl_sign alone {us('openssl_ns'):.1f} us")
print(f"  external, the path alone  {us('external_precomputed_ns'):9.1f} us  (callback, copies, the core's check of the signature)")
print(f"  the same inside a Fiber   {us('external_in_fiber_ns'):9.1f} us  (+{us('external_in_fiber_ns') - us('external_precomputed_ns'):.1f} us: the callable's own Fiber)")
PY
  exit 0
fi
pairs=${1:-6}; rounds=${2:-10}; batch=${3:-20}
rust_bin=$target/release/examples/core_rate
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
best() { sort -g | head -1; }
rs=(); ph=(); os=(); pem=(); ru=(); pu=()
for i in $(seq "$pairs"); do
  r=$("${pin[@]}" "$rust_bin" "$key" "$rounds" "$batch")
  p=$("${pin[@]}" php bench/php/bench_sign.php "$key" "$rounds" "$batch")
  echo "pair $i: rust $r | php $p"
  [ "$(field same_token "$p")" = 1 ] || { echo "openssl_sign and qencode/cdn made different tokens" >&2; exit 1; }
  rs+=("$(field sign_ns_min "$r")"); ph+=("$(field php_ns_min "$p")")
  os+=("$(field openssl_ns_min "$p")"); pem+=("$(field openssl_pem_ns_min "$p")")
  ru+=("$(field url_ns_min "$r")"); pu+=("$(field url_ns_min "$p")")
done
python3 - "$(printf '%s\n' "${rs[@]}" | best)" "$(printf '%s\n' "${ph[@]}" | best)" \
  "$(printf '%s\n' "${os[@]}" | best)" "$(printf '%s\n' "${pem[@]}" | best)" \
  "$(printf '%s\n' "${ru[@]}" | best)" "$(printf '%s\n' "${pu[@]}" | best)" "$(php -r 'echo PHP_VERSION, " ", OPENSSL_VERSION_TEXT;')" <<'PY'
import sys
rs, ph, os_, pem, ru, pu = map(float, sys.argv[1:7])
print(f"RSA-4096 sign ({sys.argv[7]}):")
print(f"  rust core        {rs/1e3:8.1f} us ({1e9/rs:5.0f}/s)")
print(f"  qencode/cdn PHP  {ph/1e3:8.1f} us ({1e9/ph:5.0f}/s)  {rs/ph:.3f}x the core's rate (target >= 0.90)")
print(f"  openssl_sign     {os_/1e3:8.1f} us ({1e9/os_:5.0f}/s)  key parsed once; qencode/cdn is {os_/ph:.2f}x its rate")
print(f"  openssl, PEM/call{pem/1e3:8.1f} us ({1e9/pem:5.0f}/s)  the reference sample's way; qencode/cdn is {pem/ph:.2f}x its rate")
print(f"trivial call (live URL build + free): rust {ru:.0f} ns, PHP {pu:.0f} ns; FFI boundary {pu-ru:.0f} ns per call")
sys.exit(0 if rs / ph >= 0.90 else 1)
PY
