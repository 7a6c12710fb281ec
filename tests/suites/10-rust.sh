#!/usr/bin/env bash
# Rust: format, lints, unit/integration/doc tests of the default members
# (every conformance case, jsonwebtoken interop), and the rust-crypto backend
# on the same conformance cases. Needs nothing but Rust.
set -euo pipefail
cd "$QCDN_ROOT"
cargo fmt --all --check
cargo clippy --workspace --exclude qencode-cdn-python --exclude qencode-cdn-node --all-targets --locked -- -D warnings
cargo test --locked
# The Rust runner printed its summary; prove it ran every case.
log="$CARGO_TARGET_DIR/conformance-rust.log"
cargo test --locked -q -p qencode-cdn --test conformance -- --nocapture >"$log" 2>&1 || { cat "$log"; exit 1; }
tests/conformance/check-summary rust "$log"
# The CLI runner (run by `cargo test` above) writes its own summary.
tests/conformance/check-summary cli "$CARGO_TARGET_DIR/conformance-cli.log"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -p qencode-cdn -p qencode-cdn-emulator
cargo test --locked -p qencode-cdn --features rust-crypto --test backends --lib
# PKCS#11 against SoftHSM2 (installed by .ci/run): the HSM signs the golden tokens byte for byte.
cargo test --locked -p qencode-cdn --features softhsm-tests --test pkcs11
cargo test --locked -p qencode-cdn --features pkcs11 --doc KeysGuide
