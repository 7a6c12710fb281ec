#!/usr/bin/env bash
# Python package (bindings-python): Rust format and lints of the binding,
# build of the abi3 wheel, install into a virtualenv, ruff + mypy, stubs
# checked against the real module (mypy.stubtest), pytest against the
# installed wheel (never the source folder) with every conformance case
# (its summary line checked by tests/conformance/check-summary), and the
# wheel imported on the oldest supported Python when one is present.
set -euo pipefail
cd "$QCDN_ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$QCDN_ROOT/target}"
venv="$CARGO_TARGET_DIR/venv-python"
req=bindings-python/requirements-dev.txt
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$stamp"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi
py="$venv/bin/python"
# One pyo3 build configuration for clippy and maturin (no rebuild of pyo3 between them).
export PYO3_PYTHON="$py" PYO3_BUILD_EXTENSION_MODULE=1

echo "--- cargo fmt / clippy (qencode-cdn-python)"
cargo fmt -p qencode-cdn-python --check
cargo clippy -p qencode-cdn-python --all-targets --locked -- -D warnings

echo "--- maturin build (debug, abi3)"
wheels="$CARGO_TARGET_DIR/wheels-python"
rm -rf "$wheels"
(cd bindings-python && "$venv/bin/maturin" build --locked -q -o "$wheels")
wheel=$(ls "$wheels"/qencode_cdn-*-abi3-*.whl)
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"

echo "--- ruff / mypy"
cd bindings-python
"$venv/bin/ruff" check python tests ../bench/python
"$venv/bin/ruff" format --check python tests ../bench/python
"$venv/bin/mypy" --config-file pyproject.toml python/qencode_cdn
(cd tests && "$venv/bin/mypy" --config-file ../pyproject.toml .)
"$venv/bin/mypy" --config-file pyproject.toml ../bench/python

echo "--- stubtest"
"$py" -m mypy.stubtest qencode_cdn --mypy-config-file pyproject.toml

echo "--- pytest (conformance cases, PyJWT interop, the rest)"
log="$CARGO_TARGET_DIR/pytest-python.log"
"$py" -m pytest -q tests 2>&1 | tee "$log"
"$QCDN_ROOT/tests/conformance/check-summary" python "$log"

# The same abi3 wheel on the oldest supported Python (3.9), when installed.
py39=""
for c in python3.9 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.9*/bin/python3.9; do
  if "$c" -c "import sys; assert sys.version_info[:2] == (3, 9)" >/dev/null 2>&1; then py39="$c"; break; fi
done
if [ -n "$py39" ]; then
  echo "--- abi3 wheel on $("$py39" --version)"
  v39="$CARGO_TARGET_DIR/venv-python39"
  [ -x "$v39/bin/python" ] || "$py39" -m venv "$v39"
  "$v39/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"
  "$v39/bin/python" -c "
import qencode_cdn as q, pathlib
s = q.Signer('k', pathlib.Path('$QCDN_ROOT/tests/keys/rsa2048.pkcs1.pem').read_text())
assert q.Verifier.from_signer(s).verify(s.sign('abc'))['uri'] == 'abc'
from qencode_cdn.testing import Emulator
with Emulator() as emu, emu.client() as c:
    assert c.create_domain('live.example.com', 'live').type == 'live'
print('abi3 wheel works on', __import__('sys').version.split()[0])
"
fi
