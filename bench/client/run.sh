#!/usr/bin/env bash
# Per-call overhead of the qencode-cdn API client against the emulator, beside
# bare ureq, curl and Python requests doing the same call in the same run:
# N sequential `GET /v1/domains` with a bearer token over one kept-alive
# connection each. Prints calls/s and ratios. A benchmark, not a test.
#
#   bench/client/run.sh            # N=2000
#   N=5000 bench/client/run.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
N="${N:-2000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

echo "building (release)…" >&2
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$CARGO_TARGET_DIR/release/qcdn-client-bench"

# Emulator on one core, the callers on the other, when taskset exists.
emu_pin=() call_pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    emu_pin=(taskset -c 1) call_pin=(taskset -c 0)
fi

work="$(mktemp -d)"
emu_pid=""
cleanup() {
    if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"${emu_pin[@]}" "$bin" serve >"$work/emu.out" &
emu_pid=$!
for _ in $(seq 100); do
    [ "$(wc -l <"$work/emu.out")" -ge 2 ] && break
    sleep 0.05
done
url="$(head -1 "$work/emu.out" | sed 's/^qencode-cdn emulator listening on //')"
key="$(sed -n 2p "$work/emu.out")"
token="$(curl -sf -X POST "$url/v1/access_token/$key" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
# A few domains so the answer is a realistic list.
for d in a b c; do
    curl -sf -X POST "$url/v1/domains" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data "{\"name\": \"$d.example.com\", \"type\": \"live\"}" >/dev/null
done


run_client() { "${call_pin[@]}" "$bin" client "$url" "$key" "$N"; }
run_ureq() { "${call_pin[@]}" "$bin" ureq "$url" "$token" "$N"; }
run_curl() {
    # One curl process, N URLs: libcurl keeps the connection alive between them.
    {
        echo "header = \"Authorization: Bearer $token\""
        for _ in $(seq "$N"); do echo "url = \"$url/v1/domains\""; echo 'output = "/dev/null"'; done
    } >"$work/curl.cfg"
    curl -sf -K "$work/curl.cfg" >/dev/null # warm-up run, also proves the config works
    local t0 t1
    t0=$(date +%s%N)
    "${call_pin[@]}" curl -sf -K "$work/curl.cfg"
    t1=$(date +%s%N)
    python3 -c "print(f'{$N / (($t1 - $t0) / 1e9):.1f}')"
}
run_requests() {
    "${call_pin[@]}" python3 - "$url" "$token" "$N" <<'PY'
import sys, time, requests
url, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = requests.Session()
s.headers["Authorization"] = f"Bearer {token}"
for _ in range(50):
    s.get(f"{url}/v1/domains").json()
t = time.perf_counter()
for _ in range(n):
    r = s.get(f"{url}/v1/domains")
    r.raise_for_status()
    r.json()
print(f"{n / (time.perf_counter() - t):.1f}")
PY
}

echo "N=$N sequential GET /v1/domains (3 domains in the answer), one connection per caller" >&2
client=$(run_client); ureq=$(run_ureq); curl_rate=$(run_curl); requests_rate=$(run_requests)

python3 - "$client" "$ureq" "$curl_rate" "$requests_rate" <<'PY'
import sys
client, ureq, curl, req = map(float, sys.argv[1:])
rows = [
    ("qencode-cdn Client (typed, token cache, retries)", client),
    ("bare ureq 3 (bytes only)", ureq),
    ("curl (one process, N URLs)", curl),
    ("Python requests.Session (+ .json())", req),
]
for name, rate in rows:
    print(f"{name:<52} {rate:>10.1f} calls/s {1e6 / rate:>9.1f} µs/call")
print(f"ratio qencode-cdn / bare ureq        {client / ureq:.2f}")
print(f"ratio qencode-cdn / curl             {client / curl:.2f}")
print(f"ratio qencode-cdn / Python requests  {client / req:.2f}")
PY
echo "emulator counters: $(curl -sf "$url/_emulator/counters")"
