#!/usr/bin/env bash
# Streams in real players (issue 16, DESIGN §12): Debian's headless Chromium,
# driven by playwright-core (pinned in tests/stream/package-lock.json, no
# browser download), plays the emulator's fixture live stream and storage
# folder with hls.js and dash.js (pinned) from a page at
# https://player.example.com, through the recipes of docs/streaming.md:
# query token and player request modifier, the signed cookie on the custom
# domain with the bucket's CORS policy, and the failures users hit (a
# relative segment losing the query token, a cookie for one file, a token for
# the wrong folder, CORS missing, a 20-second token expiring mid-playback and
# the refresh recipe that keeps playing), each matched with what `qcdn stream
# check` names. Every snippet of docs/streaming.md is run. Screenshots of a
# playing and a refused player go to $CARGO_TARGET_DIR/stream-screenshots/.
set -euo pipefail
trap 'echo "80-stream.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="${QCDN_ROOT:?run through tests/run.sh}"
cd "$root"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
step() { echo "--- stream: $* (at ${SECONDS} s)"; }

# Debian's Chromium (the players' browser; never a downloaded one).
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  step "installing chromium"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    echo "80-stream.sh: Chromium is not installed at $CHROMIUM and apt-get could not install it: the stream tests cannot run" >&2
    exit 1
  fi
  [ -x "$CHROMIUM" ] || { echo "80-stream.sh: apt-get installed chromium but $CHROMIUM is missing" >&2; exit 1; }
fi
command -v node >/dev/null || { echo "80-stream.sh: node is required" >&2; exit 1; }
"$CHROMIUM" --version

step "building qcdn (debug)"
cargo build --locked -q -p qencode-cdn-cli --bin qcdn
export QCDN="$CARGO_TARGET_DIR/debug/qcdn"

step "npm ci (playwright-core, hls.js, dash.js pinned in package-lock.json)"
cd tests/stream
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefer-offline --no-audit --no-fund --loglevel=error

export QCDN_STREAM_SCREENSHOTS="$CARGO_TARGET_DIR/stream-screenshots"
rm -rf "$QCDN_STREAM_SCREENSHOTS"
step "players in headless Chromium (bounded: 300 s)"
start=$SECONDS
timeout --kill-after=10 300 node --test --test-concurrency=1 --test-timeout=120000 players.test.mjs
echo "stream: players ran in $(( SECONDS - start )) s; screenshots in $QCDN_STREAM_SCREENSHOTS:"
ls "$QCDN_STREAM_SCREENSHOTS"
for s in playing-hls-cookie playing-dash-cookie refused-live-query-token; do
  [ -s "$QCDN_STREAM_SCREENSHOTS/$s.png" ] || { echo "80-stream.sh: no screenshot $s.png" >&2; exit 1; }
done
echo "stream: all checks passed in ${SECONDS} s"
