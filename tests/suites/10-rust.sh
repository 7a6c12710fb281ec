#!/usr/bin/env bash
# Rust: format, lints, unit/integration/doc tests of the default members, and
# the rust-crypto backend against the same golden vectors.
set -euo pipefail
cd "$QCDN_ROOT"
cargo fmt --all --check
cargo clippy --workspace --exclude qencode-cdn-python --exclude qencode-cdn-node --all-targets --locked -- -D warnings
cargo test --locked
cargo test --locked -p qencode-cdn --features rust-crypto --test backends
