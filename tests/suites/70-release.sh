#!/usr/bin/env bash
# Release artifacts, installed as a user would install them (docs/release.md):
# one version in every manifest (and `bump` on a copy of the tree); actionlint
# of .github/workflows; then scripts/release/build --host builds the x86_64
# glibc artifacts (the manylinux2014 wheel, the npm main package and
# linux-x64-gnu, the C tarball) and the static x86_64 musl `qcdn`, and each is
# installed with no cargo or rustc on PATH and passes its smoke test
# (scripts/release/smoke): the wheel in a fresh virtualenv; the npm tarballs
# in an empty project from CommonJS, ESM and TypeScript; the C tarball
# unpacked to a temporary prefix, a program built with pkg-config and one
# with CMake find_package, run with LD_LIBRARY_PATH there only; the static
# CLI signs every golden vector and runs its demo.
# QCDN_RELEASE_PROFILE (default `smoke`, see docs/release.md) picks the cargo
# profile; the cross build of every target is tests/suites/95-release-all.sh.
set -euo pipefail
trap 'echo "70-release.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="${QCDN_ROOT:?run through tests/run.sh}"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
step() { echo "--- release: $*"; }
dist=$CARGO_TARGET_DIR/dist-ci
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Debian packages of this suite (.ci/run installs them too): Go, only to fetch
# the pinned Go toolchain that builds actionlint; shellcheck, which actionlint
# runs on every workflow script.
missing=()
command -v go >/dev/null || missing+=(golang-go)
command -v shellcheck >/dev/null || missing+=(shellcheck)
python3 -c "import venv, ensurepip" 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

step "one version in every manifest"
scripts/release/versions check
step "every file the crates embed is inside their .crate (scripts/release/check-crate-files)"
scripts/release/check-crate-files
step "scripts/release/bump on a copy of the tree"
scripts/release/test-bump "$tmp/bump"

step "actionlint (pinned) of .github/workflows"
scripts/release/actionlint

step "scripts/release/build --host (profile ${QCDN_RELEASE_PROFILE:-smoke})"
scripts/release/build --host --out "$dist" --profile "${QCDN_RELEASE_PROFILE:-smoke}" 2>&1 | grep -vE "^(📦|🍹|🐍|🔗|📡|🛠|⚠️)"
step "the x86_64 artifacts installed as a user (scripts/release/test-install)"
scripts/release/test-install "$dist" "$tmp/tokens-x86_64.txt"

step "artifacts"
(cd "$dist" && find . -type f ! -name '.*' | sort | xargs du -h)
echo "release: all checks passed"
