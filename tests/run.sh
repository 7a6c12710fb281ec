#!/usr/bin/env bash
# Every test of every language: runs tests/suites/*.sh in order, each in its
# own bash, and prints one summary line. Usage: ./tests/run.sh [suite-name...]
#   ./tests/run.sh            all suites
#   ./tests/run.sh rust c     only suites whose file name contains "rust" or "c"
#   ./tests/run.sh fuzz       a name that is exactly a suite's (without its
#                             number) selects that suite only
# A suite with the line "# run.sh: only-when-named" runs only when selected.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export QCDN_ROOT="$root"
passed=0; failed=0; failed_names=()
exact() { for s in tests/suites/*.sh; do s=$(basename "$s" .sh); [[ "$s" == "$1" || "${s#*-}" == "$1" ]] && return 0; done; return 1; }
for suite in tests/suites/*.sh; do
  name=$(basename "$suite" .sh)
  if [ $# -gt 0 ]; then
    want=0
    for f in "$@"; do
      if exact "$f"; then
        [[ "$name" == "$f" || "${name#*-}" == "$f" ]] && want=1
      else
        [[ "$name" == *"$f"* ]] && want=1
      fi
    done
    [ $want = 1 ] || continue
  elif grep -q '^# run.sh: only-when-named' "$suite"; then
    echo "=== suite $name: not in the default run (./tests/run.sh ${name#*-})"
    continue
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
