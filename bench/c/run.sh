#!/usr/bin/env bash
# C ABI benchmark: signs with RSA-4096 through the C ABI (bench/c/bench_sign.c,
# linked against the release libqencode_cdn.a) and through the Rust core
# (bindings-c/examples/core_rate.rs), alternating PAIRS times in one run, and
#   - fails unless the C rate is >= 0.95x the Rust rate (best batch of each),
#   - reports the per-call overhead of a trivial call (live URL build + free)
#     through the ABI, in nanoseconds (C minus Rust).
# Usage: bench/c/run.sh [PAIRS] [ROUNDS] [BATCH]   (defaults 3 5 100)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
pairs=${1:-3}; rounds=${2:-5}; batch=${3:-100}
target=${CARGO_TARGET_DIR:-$root/target}
key=tests/keys/rsa4096.pkcs1.pem
cargo build --locked -q --release -p qencode-cdn-ffi --lib --example core_rate
mkdir -p "$target/c-bench"
gcc -std=c11 -O2 -Wall -Wextra -Werror -pedantic -Iinclude bench/c/bench_sign.c "$target/release/libqencode_cdn.a" \
  -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$target/c-bench/bench_sign"
rust_bin=$target/release/examples/core_rate
c_bin=$target/c-bench/bench_sign
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
best() { sort -g | head -1; }
rs_sign=(); c_sign=(); rs_url=(); c_url=()
for i in $(seq "$pairs"); do
  r=$("$rust_bin" "$key" "$rounds" "$batch"); c=$("$c_bin" "$key" "$rounds" "$batch")
  echo "pair $i: rust $r | c $c"
  rs_sign+=("$(field sign_ns_min "$r")"); c_sign+=("$(field sign_ns_min "$c")")
  rs_url+=("$(field url_ns_min "$r")"); c_url+=("$(field url_ns_min "$c")")
done
rs=$(printf '%s\n' "${rs_sign[@]}" | best); cs=$(printf '%s\n' "${c_sign[@]}" | best)
ru=$(printf '%s\n' "${rs_url[@]}" | best); cu=$(printf '%s\n' "${c_url[@]}" | best)
python3 - "$rs" "$cs" "$ru" "$cu" <<'PY'
import sys
rs, cs, ru, cu = map(float, sys.argv[1:])
ratio = rs / cs  # C rate / Rust rate
print(f"RSA-4096 sign: rust {rs/1e3:.1f} us ({1e9/rs:.0f}/s), C ABI {cs/1e3:.1f} us ({1e9/cs:.0f}/s); C/Rust rate ratio {ratio:.3f} (target >= 0.95)")
print(f"trivial call (live URL build + free): rust {ru:.1f} ns, C ABI {cu:.1f} ns; ABI overhead {cu-ru:.1f} ns per call")
sys.exit(0 if ratio >= 0.95 else 1)
PY
