#!/usr/bin/env bash
# Builds every fuzz target once (nightly, cargo-fuzz, AddressSanitizer), replays
# the committed regression inputs, then fuzzes each target for SECONDS.
#   fuzz/run.sh SECONDS [target...]      (default: every target)
# Used by tests/suites/60-fuzz-ci.sh (30 s each, default run) and
# tests/suites/90-fuzz.sh (QCDN_FUZZ_SECONDS, default 300, only when named).
# Prints build and run wall times and executions per target; fails on any
# crash, leaving the input in fuzz/artifacts/<target>/.
set -euo pipefail
secs=${1:?usage: fuzz/run.sh SECONDS [target...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
CARGO_FUZZ_VERSION=0.13.1
export CARGO_TARGET_DIR="${QCDN_FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$root/target}/fuzz}"

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: the nightly toolchain is required (rustup toolchain install nightly)" >&2
  exit 1
fi
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi

# The C ABI is compiled as an rlib by fuzz/ffi (bindings-c builds no rlib):
# its dependencies must stay those of bindings-c (paths relative to each).
deps() { sed -n '/^\[dependencies\]/,/^\[/p' "$1" | grep -v '^\[' | grep -v '^$' | sed 's|"\(\.\./\)*core"|"core"|'; }
if ! diff <(deps bindings-c/Cargo.toml) <(deps fuzz/ffi/Cargo.toml) >/dev/null; then
  echo "fuzz: fuzz/ffi/Cargo.toml [dependencies] differ from bindings-c/Cargo.toml:" >&2
  diff <(deps bindings-c/Cargo.toml) <(deps fuzz/ffi/Cargo.toml) >&2 || true
  exit 1
fi

cargo fmt --manifest-path fuzz/Cargo.toml --all --check

# fuzz/Cargo.lock is committed: refuse to build if it is out of date.
cargo +nightly metadata --manifest-path fuzz/Cargo.toml --locked --format-version 1 >/dev/null

targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir fuzz)
fi

start=$(date +%s)
cargo +nightly fuzz build --fuzz-dir fuzz
build_secs=$(( $(date +%s) - start ))
bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"
export LSAN_OPTIONS="suppressions=$root/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
echo "fuzz: built ${#targets[@]} targets in ${build_secs} s"

failed=()
report=()
for t in "${targets[@]}"; do
  # Regression inputs first: each must run clean.
  if [ -d "fuzz/regressions/$t" ] && [ -n "$(ls -A "fuzz/regressions/$t")" ]; then
    if ! "$bin/$t" fuzz/regressions/"$t"/* > "$CARGO_TARGET_DIR/$t.regressions.log" 2>&1; then
      echo "fuzz: $t: a regression input fails again:" >&2
      grep -E "panicked at|ERROR|SUMMARY|Running:" "$CARGO_TARGET_DIR/$t.regressions.log" | head -20 >&2
      failed+=("$t(regression)")
      continue
    fi
  fi
  corpus="fuzz/corpus/$t"
  artifacts="fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  log="$CARGO_TARGET_DIR/$t.log"
  t0=$(date +%s)
  if "$bin/$t" "$corpus" "fuzz/seeds/$t" -max_total_time="$secs" -print_final_stats=1 \
      -rss_limit_mb=4096 -max_len=8192 -artifact_prefix="$artifacts/" > "$log" 2>&1; then
    status=ok
  else
    status=CRASH
    failed+=("$t")
    grep -E "panicked at|ERROR|SUMMARY|Test unit written" "$log" | head -20 >&2
  fi
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  report+=("$(printf '%-18s %6s s %12s runs  %s' "$t" "$(( $(date +%s) - t0 ))" "$runs" "$status")")
done
echo "fuzz: build ${build_secs} s; total $(( $(date +%s) - start )) s"
printf '  %s\n' "${report[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in fuzz/artifacts/<target>/; a real bug's input goes to fuzz/regressions/<target>/)" >&2
  exit 1
fi
