#!/usr/bin/env bash
# Issuance at scale (issue 18), from Rust, Python and Node in one run:
# sign_many on every core against N x the single-core rate, cache hits, and
# a Zipf mix of 10 000 videos (1-hour tokens, 5-minute window) against
# plain signing. Prints each language's JSON line, then one table of ratios
# and targets. Release builds; RSA-4096. Run on a quiet machine.
#   bench/scale/run.sh [SECONDS] [ZIPF_REQUESTS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
secs=${1:-3}
zipf=${2:-300000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "--- rust (cargo run --release -p qencode-cdn --example scale)" >&2
cargo run -q --release --locked -p qencode-cdn --example scale -- "$secs" "$zipf" | tee "$out/rust.json"
echo "--- python (bench/python/run.sh scale)" >&2
bench/python/run.sh scale --seconds "$secs" --zipf-requests "$zipf" | tail -n 1 | tee "$out/python.json"
echo "--- node (bench/node/run.sh scale)" >&2
bench/node/run.sh scale --seconds "$secs" --zipf-requests "$zipf" | tail -n 1 | tee "$out/node.json"

python3 - "$out" <<'PY'
import json, sys, os
d = sys.argv[1]
rows = [json.load(open(os.path.join(d, f"{l}.json"))) for l in ("rust", "python", "node")]
hit_target = {"rust": 1_000_000, "python": 300_000, "node": 300_000}
print()
print(f"{'':8} {'single/s':>9} {'many/s':>8} {'many ratio':>11} {'threads':>8} {'cache hits/s':>13} {'zipf sig/req':>13} {'zipf speed-up':>14}")
ok = True
for r in rows:
    lang = r["language"]
    threads = r.get("threads_ratio")
    z = r["zipf"]
    print(f"{lang:8} {r['single']:>9.0f} {r['many']:>8.0f} {r['many_ratio']:>11.3f} "
          f"{(f'{threads:.3f}' if threads is not None else '-'):>8} {r['cache_hits']:>13,.0f} "
          f"{z['signatures_per_request']:>13.4f} {z['speedup_over_plain']:>13.1f}x")
    ok &= r["many_ratio"] >= 0.9 and (threads is None or threads >= 0.9) and r["cache_hits"] >= hit_target[lang]
print()
print("targets: many ratio >= 0.9 (and Python threads); cache hits >= 1,000,000/s (Rust), >= 300,000/s (Python, Node)")
print("targets " + ("met" if ok else "NOT met (on a shared or loaded machine the ratios fall: rerun when it is quiet)"))
PY
