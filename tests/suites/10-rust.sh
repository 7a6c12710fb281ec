#!/usr/bin/env bash
# Rust: format, lints, unit/integration/doc tests of the default members, the
# rust-crypto backend against the same golden vectors, and PyJWT interop.
set -euo pipefail
cd "$QCDN_ROOT"
venv="$CARGO_TARGET_DIR/venv-interop"
if ! "$venv/bin/python" -c "import jwt, cryptography" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/interop/requirements.txt
fi
export QCDN_PYTHON="$venv/bin/python"
cargo fmt --all --check
cargo clippy --workspace --exclude qencode-cdn-python --exclude qencode-cdn-node --all-targets --locked -- -D warnings
cargo test --locked
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -p qencode-cdn -p qencode-cdn-emulator
cargo test --locked -p qencode-cdn --features rust-crypto --test backends --lib
