#!/usr/bin/env bash
# Every test of every language: runs tests/suites/*.sh in order, each in its
# own bash, and prints one summary line. Usage: ./tests/run.sh [suite-name...]
#   ./tests/run.sh            all default suites
#   ./tests/run.sh rust c     only the suites named rust and c (tests/suites/NN-rust.sh, NN-c.sh)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export QCDN_ROOT="$root"
passed=0; failed=0; failed_names=()
for suite in tests/suites/*.sh; do
  name=$(basename "$suite" .sh)
  if [ $# -gt 0 ]; then
    want=0; for f in "$@"; do [[ "${name#[0-9][0-9]-}" == "$f" || "$name" == "$f" ]] && want=1; done
    [ $want = 1 ] || continue
  fi
  echo "=== suite $name"
  start=$(date +%s)
  if bash "$suite"; then
    passed=$((passed + 1)); echo "=== suite $name: ok ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1)); failed_names+=("$name"); echo "=== suite $name: FAILED ($(( $(date +%s) - start )) s)"
  fi
done
[ $failed = 0 ] || echo "failed suites: ${failed_names[*]}"
echo "suites: $passed passed, $failed failed"
[ $failed = 0 ]
