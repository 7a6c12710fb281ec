#!/usr/bin/env bash
# Fuzzing, short: one nightly build of every fuzz target, the committed
# regression inputs replayed, then 30 s of fuzzing per target, so a known
# crash coming back is caught. Needs the nightly toolchain; installs the
# pinned cargo-fuzz when missing. (Long runs: ./tests/run.sh fuzz.)
set -euo pipefail
cd "$QCDN_ROOT"
fuzz/run.sh "${QCDN_FUZZ_CI_SECONDS:-30}"
