#!/usr/bin/env bash
# C# benchmark: signs with RSA-4096 through the package (bench/dotnet/Bench.cs
# on Mono, P/Invoke into the release libqencode_cdn.so) and through the Rust
# core (bindings-c/examples/core_rate.rs), alternating PAIRS times in one run,
# both pinned to CPU 0 when taskset exists, and
#   - fails unless the C# rate is >= 0.90x the core's rate (best batch of each),
#   - reports System.Security.Cryptography's RSA.SignData on the same input
#     (under Mono: Mono's managed RSACryptoServiceProvider), and the cost of a
#     trivial call (live URL build) through the package.
# Usage: bench/dotnet/run.sh [PAIRS] [ROUNDS] [BATCH]   (defaults 3 5 100)
#        bench/dotnet/run.sh scale [SECONDS] [ZIPF_REQUESTS]   (issue 18: BenchScale.cs, then the
#        core's own core/examples/scale.rs under the same load; one JSON object each)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ "${1:-}" = scale ]; then
  secs=${2:-3}; zipf=${3:-300000}
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
  cargo build --locked -q --release -p qencode-cdn-ffi --lib
  cargo build --locked -q --release -p qencode-cdn --example scale
  out=$CARGO_TARGET_DIR/dotnet-bench
  bindings-dotnet/build.sh "$out" release
  mcs -optimize+ -r:"$out/Qencode.Cdn.dll" -r:System.Core bench/dotnet/BenchScale.cs -out:"$out/BenchScale.exe"
  (cd "$out" && mono --optimize=all BenchScale.exe "$root/tests/keys/rsa4096.pkcs1.pem" "$secs" "$zipf")
  "$CARGO_TARGET_DIR/release/examples/scale" "$secs" "$zipf"
  exit 0
fi
pairs=${1:-3}; rounds=${2:-5}; batch=${3:-100}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
key=tests/keys/rsa4096.pkcs1.pem
cargo build --locked -q --release -p qencode-cdn-ffi --lib --example core_rate
out=$CARGO_TARGET_DIR/dotnet-bench
bindings-dotnet/build.sh "$out" release
mcs -optimize+ -r:"$out/Qencode.Cdn.dll" -r:System.Core bench/dotnet/Bench.cs -out:"$out/Bench.exe"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
rust_bin=$CARGO_TARGET_DIR/release/examples/core_rate
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
best() { sort -g | head -1; }
rs_sign=(); cs_sign=(); rs_url=(); cs_url=(); rsa=(); impl=
for i in $(seq "$pairs"); do
  r=$("${pin[@]}" "$rust_bin" "$key" "$rounds" "$batch")
  c=$(cd "$out" && "${pin[@]}" mono --optimize=all Bench.exe "$root/$key" "$rounds" "$batch")
  echo "pair $i: rust $r | c# $c"
  rs_sign+=("$(field sign_ns_min "$r")"); cs_sign+=("$(field sign_ns_min "$c")")
  rs_url+=("$(field url_ns_min "$r")"); cs_url+=("$(field url_ns_min "$c")")
  rsa+=("$(field rsa_ns_min "$c")"); impl=$(sed -n 's/.* rsa=\([^ ]*\).*/\1/p' <<<"$c")
done
rs=$(printf '%s\n' "${rs_sign[@]}" | best); cs=$(printf '%s\n' "${cs_sign[@]}" | best)
ru=$(printf '%s\n' "${rs_url[@]}" | best); cu=$(printf '%s\n' "${cs_url[@]}" | best)
ra=$(printf '%s\n' "${rsa[@]}" | best)
python3 - "$rs" "$cs" "$ru" "$cu" "$ra" "$impl" "$(mono --version | head -n 1)" <<'PY'
import sys
rs, cs, ru, cu, ra = map(float, sys.argv[1:6])
impl, mono = sys.argv[6], sys.argv[7]
ratio = rs / cs  # C# rate / core rate
print(f"{mono}")
print(f"RSA-4096 sign: core {rs/1e3:.1f} us ({1e9/rs:.0f}/s), C# Signer.Sign {cs/1e3:.1f} us ({1e9/cs:.0f}/s); C#/core rate ratio {ratio:.3f} (target >= 0.90)")
print(f"RSA-4096 RSA.SignData ({impl}): {ra/1e3:.1f} us ({1e9/ra:.1f}/s); Signer.Sign is {ra/cs:.1f}x its rate")
print(f"trivial call (live URL build): core {ru:.1f} ns, C# {cu:.1f} ns; P/Invoke + UTF-8 + string overhead {cu-ru:.1f} ns per call")
sys.exit(0 if ratio >= 0.90 else 1)
PY
