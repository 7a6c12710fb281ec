#!/usr/bin/env bash
# Builds the release abi3 wheel, installs it into a fresh virtualenv and runs
#   bench/python/run.sh [args]        bench_sign.py: Signer.sign vs PyJWT and the core, one core
#   bench/python/run.sh scale [--seconds S] [--rounds R] [--zipf-requests N] [--bits B]
#                                     bench_scale.py: all cores, the cache, a Zipf mix, KMS and HSM
#                                      (one JSON object on stdout)
# Extra arguments go to the script, e.g. `bench/python/run.sh --seconds 5 --check`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export QCDN_ROOT="$root" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
script=bench_sign.py
if [ "${1:-}" = scale ]; then script=bench_scale.py; shift; fi
venv="$CARGO_TARGET_DIR/venv-python-bench"
rm -rf "$venv"
python3 -m venv "$venv"
pip=("$venv/bin/pip" install -q --disable-pip-version-check)
"${pip[@]}" maturin==1.16.0 pyjwt==2.15.1 cryptography==50.0.2
if [ "$script" = bench_scale.py ]; then
  # The KMS timing: boto3 against moto, pinned as for the tests.
  mapfile -t kms < <(grep -E '^(boto3|botocore|moto|flask|flask-cors)==' "$root/bindings-python/requirements-dev.txt")
  "${pip[@]}" "${kms[@]}"
fi
wheels="$CARGO_TARGET_DIR/wheels-python-release"
rm -rf "$wheels"
(cd "$root/bindings-python" && PYO3_PYTHON="$venv/bin/python" "$venv/bin/maturin" build --release --locked -q -o "$wheels")
"${pip[@]}" "$wheels"/qencode_cdn-*-abi3-*.whl
cd "$CARGO_TARGET_DIR" && "$venv/bin/python" "$root/bench/python/$script" "$@"
