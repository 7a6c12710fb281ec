#!/usr/bin/env bash
# Builds the release addon into bench/node/.build (the package's own debug
# build is left alone), then runs bench_sign.js pinned to one CPU with that
# addon. Extra arguments go to bench_sign.js, e.g. `--seconds 5 --check`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export QCDN_ROOT="$root" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cd "$root/bindings-node"
[ -d node_modules ] || npm ci --prefer-offline --no-audit --no-fund --loglevel=error
# Only the addon (and its .d.ts) lands in .build: the loader is the package's own native.js.
npx napi build --platform --release --no-js --dts native.d.ts --output-dir "$root/bench/node/.build" >/dev/null
export NAPI_RS_NATIVE_LIBRARY_PATH="$root/bench/node/.build/qencode-cdn.linux-x64-gnu.node"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
exec "${pin[@]}" node "$root/bench/node/bench_sign.js" "$@"
