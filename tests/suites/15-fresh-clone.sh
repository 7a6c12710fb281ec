#!/usr/bin/env bash
# What CI cannot see: a clone of the committed HEAD into an empty folder (no
# sibling shared/, nothing uncommitted), built and tested with `cargo test
# --workspace` and a PATH that holds the Rust toolchain and the system's basic
# tools only — no virtualenv, no node_modules, no PyJWT. `cargo test` must
# pass with Rust alone (and the C compiler aws-lc needs).
set -euo pipefail
cd "${QCDN_ROOT:?run through tests/run.sh}"
target=${CARGO_TARGET_DIR:-$QCDN_ROOT/target}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q "$QCDN_ROOT" "$tmp/alone/qencode-cdn"
if [ -e "$tmp/alone/shared" ] || [ -e "$tmp/shared" ]; then
  echo "fresh-clone: the clone has a sibling shared/" >&2; exit 1
fi
# A PATH with the Rust toolchain and only the system tools a Rust build uses
# (the C toolchain aws-lc needs, a shell): no python3, node, npm, java, …
mkdir "$tmp/bin"
for tool in sh bash env cc gcc c++ g++ cpp ld as ar ranlib nm strip objcopy cmake make perl pkg-config uname; do
  if p=$(command -v "$tool"); then ln -s "$p" "$tmp/bin/$tool"; fi
done
path="$(dirname "$(rustup which cargo)"):$tmp/bin"
for absent in python3 python node npm java; do
  if env PATH="$path" sh -c "command -v $absent" >/dev/null; then
    echo "fresh-clone: $absent is on the restricted PATH; the check would prove nothing" >&2; exit 1
  fi
done
echo "--- fresh clone of $(git -C "$tmp/alone/qencode-cdn" rev-parse --short HEAD): cargo test --workspace (PATH=$path)"
# The shared target directory keeps registry dependencies compiled once; the
# clone's own crates build afresh (their path differs).
log="$tmp/cargo-test.log"
if ! (cd "$tmp/alone/qencode-cdn" &&
  env -i HOME="$HOME" PATH="$path" CARGO_TARGET_DIR="$target" CARGO_TERM_COLOR=never \
    cargo test --workspace --locked -q >"$log" 2>&1); then
  tail -n 60 "$log"
  echo "fresh-clone: cargo test --workspace failed in a clone with nothing beside it" >&2
  exit 1
fi
grep -c "^test result: ok" "$log" | sed 's/^/fresh-clone: ok, test binaries passed: /'
