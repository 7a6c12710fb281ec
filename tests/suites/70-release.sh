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
emu_pid=""
cleanup() {
  [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

step "one version in every manifest"
scripts/release/versions check
step "scripts/release/bump on a copy of the tree"
scripts/release/test-bump "$tmp/bump"

step "actionlint (pinned) of .github/workflows"
scripts/release/actionlint

step "scripts/release/build --host (profile ${QCDN_RELEASE_PROFILE:-smoke})"
scripts/release/build --host --out "$dist" --profile "${QCDN_RELEASE_PROFILE:-smoke}"
version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
(cd "$dist" && sha256sum --quiet -c SHA256SUMS)

# A PATH with the user's tools (python3, node, npm, cc, cmake, pkg-config) and no Rust toolchain.
userbin=$tmp/userbin
mkdir -p "$userbin"
for tool in python3 node npm npx gcc cc ld as make cmake pkg-config readelf tar; do
  p=$(command -v "$tool") && ln -s "$(readlink -f "$p")" "$userbin/$tool"
done
nopath="$userbin:/usr/bin:/bin"
if PATH=$nopath command -v cargo >/dev/null || PATH=$nopath command -v rustc >/dev/null; then
  echo "cargo or rustc is still on the user PATH ($nopath)" >&2
  exit 1
fi
user() { env -u CARGO_TARGET_DIR -u RUSTUP_HOME -u CARGO_HOME -u PYO3_PYTHON PATH="$nopath" HOME="$tmp/home" "$@"; }
mkdir -p "$tmp/home"

step "Python: the manylinux2014 wheel in a fresh virtualenv, no cargo on PATH"
wheel=$(ls "$dist"/python/qencode_cdn-"$version"-cp39-abi3-manylinux*_x86_64.whl)
"$CARGO_TARGET_DIR/venv-release/bin/auditwheel" show "$wheel" | tee "$tmp/auditwheel.txt"
grep -q 'is consistent with the following platform tag: "manylinux_2_17_x86_64"' "$tmp/auditwheel.txt"
user python3 -m venv "$tmp/venv"
user "$tmp/venv/bin/pip" install -q --disable-pip-version-check --no-index "$wheel"
(cd "$tmp" && user "$tmp/venv/bin/python" "$root/scripts/release/smoke/smoke.py" "$root")

step "Node: main package + linux-x64-gnu from their tarballs in an empty project, no cargo on PATH"
main_tgz=$dist/node/qencode-cdn-$version.tgz
plat_tgz=$dist/node/qencode-cdn-linux-x64-gnu-$version.tgz
if tar -tzf "$main_tgz" | grep '\.node$'; then echo "the main npm package holds an addon" >&2; exit 1; fi
tar -tzf "$plat_tgz" | grep -qx "package/qencode-cdn.linux-x64-gnu.node"
tar -xzOf "$main_tgz" package/package.json | python3 -c "
import json, sys
p = json.load(sys.stdin)
import os
want = {'qencode-cdn-' + t: '$version' for t in os.listdir('bindings-node/npm')}
assert p['optionalDependencies'] == want, p.get('optionalDependencies')
"
app=$tmp/node-app
mkdir -p "$app"
cp scripts/release/smoke/smoke.{cjs,mjs,ts} "$app/"
(cd "$app" && user npm init -y >/dev/null &&
  user npm install --no-audit --no-fund --offline --loglevel=error "$plat_tgz" "$main_tgz" &&
  user node smoke.cjs "$root" && user node smoke.mjs "$root" &&
  user "$root/bindings-node/node_modules/.bin/tsc" --noEmit --strict --module node16 --moduleResolution node16 \
    --target es2022 --types node --typeRoots "$root/bindings-node/node_modules/@types" smoke.ts &&
  echo "smoke (TypeScript): tsc --strict of the installed declarations: ok")

step "C: the tarball in a temporary prefix; pkg-config and CMake builds; LD_LIBRARY_PATH there only"
c_tgz=$dist/c/qencode-cdn-$version-x86_64-unknown-linux-gnu.tar.gz
prefix=$tmp/c-prefix
mkdir -p "$prefix"
tar -xzf "$c_tgz" -C "$prefix" --strip-components=1
for f in lib/libqencode_cdn.so.0 lib/libqencode_cdn.a include/qencode_cdn.h include/qencode_cdn.hpp \
  lib/pkgconfig/qencode_cdn.pc lib/cmake/QencodeCdn/QencodeCdnConfig.cmake lib/cmake/QencodeCdn/QencodeCdnConfigVersion.cmake; do
  [ -f "$prefix/$f" ] || { echo "the C tarball lacks $f" >&2; exit 1; }
done
[ "$(readlink "$prefix/lib/libqencode_cdn.so")" = libqencode_cdn.so.0 ]
readelf -d "$prefix/lib/libqencode_cdn.so.0" | tee "$tmp/readelf.txt" | grep SONAME
grep -q 'Library soname: \[libqencode_cdn.so.0\]' "$tmp/readelf.txt"
glibc_max=$(readelf -V --wide "$prefix/lib/libqencode_cdn.so.0" | grep -oE 'GLIBC_[0-9]+\.[0-9]+' | sort -uV | tail -n 1)
echo "newest glibc symbol version needed: $glibc_max"
[ "$(printf '%s\nGLIBC_2.17\n' "$glibc_max" | sort -V | tail -n 1)" = GLIBC_2.17 ]
# The emulator the C client call talks to: the static CLI's `qcdn emulator`.
cli_tgz=$dist/cli/qcdn-$version-x86_64-unknown-linux-musl.tar.gz
mkdir -p "$tmp/cli"
tar -xzf "$cli_tgz" -C "$tmp/cli" --strip-components=1
qcdn=$tmp/cli/qcdn
user "$qcdn" emulator --listen 127.0.0.1:0 >"$tmp/emu.out" 2>&1 &
emu_pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$tmp/emu.out" && break; sleep 0.1; done
api_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tmp/emu.out" | head -n 1)
[ -n "$api_url" ] || { cat "$tmp/emu.out"; exit 1; }
golden=$(python3 -c "
import json
c = next(c for c in json.load(open('tests/conformance/sign.json'))['cases'] if c['expect'].get('token') and set(c['input']['options']) == {'now'})
print(c['input']['signer']['key'], c['input']['signer']['kid'], c['input']['uri'], c['input']['options']['now'], c['expect']['token'])")
read -r g_key g_kid g_uri g_now g_token <<<"$golden"
run_smoke() { (cd "$root" && env LD_LIBRARY_PATH="$prefix/lib" "$@" "$g_key" "$g_kid" "$g_uri" "$g_now" "$g_token" "$api_url"); }
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ "$(user env PKG_CONFIG_PATH="$PKG_CONFIG_PATH" pkg-config --modversion qencode_cdn)" = "$version" ]
# shellcheck disable=SC2046
user gcc -std=c11 -Wall -Wextra -Werror scripts/release/smoke/smoke.c $(pkg-config --cflags --libs qencode_cdn) -o "$tmp/smoke_pc"
deps=$(readelf -d "$tmp/smoke_pc")
grep -q 'Shared library: \[libqencode_cdn.so.0\]' <<<"$deps"
if grep -q RUNPATH <<<"$deps" || grep -q RPATH <<<"$deps"; then echo "smoke_pc has an rpath" >&2; exit 1; fi
if "$tmp/smoke_pc" 2>/dev/null; then echo "smoke_pc ran without LD_LIBRARY_PATH" >&2; exit 1; fi
run_smoke "$tmp/smoke_pc"
user cmake -S scripts/release/smoke -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_SKIP_RPATH=ON >/dev/null
user cmake --build "$tmp/cmake" >/dev/null
run_smoke "$tmp/cmake/smoke_shared"
run_smoke "$tmp/cmake/smoke_static"
if readelf -d "$tmp/cmake/smoke_static" | grep -q qencode_cdn; then echo "smoke_static links the shared library" >&2; exit 1; fi
kill "$emu_pid" && wait "$emu_pid" 2>/dev/null || true
emu_pid=""

step "CLI: the static x86_64 qcdn signs every golden vector and runs its demo"
readelf -lh "$qcdn" >"$tmp/qcdn.elf"
if grep -q 'INTERP' "$tmp/qcdn.elf" || readelf -d "$qcdn" | grep -q NEEDED; then echo "qcdn is not static" >&2; exit 1; fi
echo "qcdn: $(user "$qcdn" --version), static ($(grep -o 'Type: *[A-Z]*' "$tmp/qcdn.elf" | tr -s ' '))"
user python3 scripts/release/smoke/cli-vectors.py "$root" "$tmp/vectors-x86_64.txt" "$qcdn"
user "$qcdn" demo >"$tmp/demo.txt" || { cat "$tmp/demo.txt"; exit 1; }
tail -n 1 "$tmp/demo.txt"
cp "$tmp/vectors-x86_64.txt" "$CARGO_TARGET_DIR/vectors-x86_64.txt"

step "artifacts"
(cd "$dist" && find . -type f ! -name '.*' | sort | xargs du -h)
echo "release: all checks passed"
