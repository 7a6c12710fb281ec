#!/usr/bin/env bash
# run.sh: only-when-named
# Fuzzing, long: every fuzz target for QCDN_FUZZ_SECONDS (default 300) each,
# the corpus kept in fuzz/corpus/ between runs. Not part of the default run:
# ./tests/run.sh fuzz
set -euo pipefail
cd "$QCDN_ROOT"
fuzz/run.sh "${QCDN_FUZZ_SECONDS:-300}"
