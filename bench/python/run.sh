#!/usr/bin/env bash
# Builds the release abi3 wheel, installs it with PyJWT + cryptography into a
# fresh virtualenv, and runs bench_sign.py (one core). Extra arguments go to
# bench_sign.py, e.g. `bench/python/run.sh --seconds 5 --check`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export QCDN_ROOT="$root" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
venv="$CARGO_TARGET_DIR/venv-python-bench"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check maturin==1.16.0 pyjwt==2.15.1 cryptography==50.0.2
wheels="$CARGO_TARGET_DIR/wheels-python-release"
rm -rf "$wheels"
(cd "$root/bindings-python" && PYO3_PYTHON="$venv/bin/python" "$venv/bin/maturin" build --release --locked -q -o "$wheels")
"$venv/bin/pip" install -q --disable-pip-version-check "$wheels"/qencode_cdn-*-abi3-*.whl
cd "$CARGO_TARGET_DIR" && "$venv/bin/python" "$root/bench/python/bench_sign.py" "$@"
