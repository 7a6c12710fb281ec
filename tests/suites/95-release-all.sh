#!/usr/bin/env bash
# run.sh: only-when-named
# Every release artifact of every Linux target (./tests/run.sh release-all;
# the release workflow's Linux job): scripts/release/build with the release
# profile into dist/, then
#   - the x86_64 artifacts installed and smoke-tested as in 70-release.sh;
#   - every wheel's platform tag and external libraries (auditwheel show), the
#     ELF machine of every native file in every package, the sdist built into
#     a wheel again;
#   - aarch64, really run under qemu-user-static: the static aarch64 qcdn signs
#     every golden vector byte for byte as the x86_64 one does; in an arm64
#     Debian root (debootstrap --foreign, packages unpacked, run with qemu -L)
#     the aarch64 manylinux wheel is imported by Debian's arm64 Python and
#     passes the smoke test, and a C program cross-built with zig against the
#     aarch64 tarball passes the C smoke test;
#   - the crates (.crate) hold their README and licences; the jar, the .nupkg,
#     the gems and the Composer archives hold each target's library where their
#     ecosystem loads it from; the x86_64 gem is installed and used.
set -euo pipefail
trap 'echo "95-release-all.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="${QCDN_ROOT:?run through tests/run.sh}"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
step() { echo "--- release-all: $*"; }
dist=${QCDN_DIST:-$root/dist}
version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)

missing=()
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v mcs >/dev/null || missing+=(mono-devel)
command -v nuget >/dev/null || missing+=(nuget)
command -v gem >/dev/null || missing+=(ruby)
[ -d /usr/lib/ruby/vendor_ruby/ffi ] || gem list -i ffi >/dev/null 2>&1 || missing+=(ruby-ffi)
command -v composer >/dev/null || missing+=(composer)
command -v mvn >/dev/null || missing+=(maven)
command -v unzip >/dev/null || missing+=(unzip)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "scripts/release/build (every artifact, every Linux target, profile release)"
start=$(date +%s)
scripts/release/build --out "$dist" 2>&1 | grep -vE '^(📦|🍹|🐍|🔗|📡|🛠|⚠️)'
echo "release build: $(($(date +%s) - start)) s"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

step "the x86_64 artifacts installed as a user (scripts/release/test-install)"
scripts/release/test-install "$dist" "$tmp/tokens-x86_64.txt"

step "wheels: platform tags (auditwheel show), the sdist"
for spec in manylinux2014_x86_64:manylinux_2_17_x86_64 manylinux2014_aarch64:manylinux_2_17_aarch64; do
  whl=$(ls "$dist"/python/qencode_cdn-"$version"-cp39-abi3-*"${spec%%:*}"*.whl)
  "$CARGO_TARGET_DIR/venv-release/bin/auditwheel" show "$whl" | tr -s ' \n' '  ' >"$tmp/aw.txt"
  grep -q "consistent with the following platform tag: \"${spec#*:}\"" "$tmp/aw.txt" ||
    { cat "$tmp/aw.txt"; exit 1; }
  libs=$(grep -oE 'lib[a-z0-9_.+-]+\.so[.0-9]* with versions' "$tmp/aw.txt" | sed 's/ with versions//' | sort -u | paste -sd, -)
  echo "$(basename "$whl"): ${spec#*:}; system libraries: ${libs:-none}"
done
# auditwheel show cannot analyse a musllinux wheel on a glibc machine: it
# resolves the extension's libc.so to glibc's linker script. maturin's own
# auditwheel check (--auditwheel check) passed for them at build time, and the
# ELF check below shows their only library is musl's libc.
for t in x86_64 aarch64; do
  ls "$dist"/python/qencode_cdn-"$version"-cp39-abi3-musllinux_1_2_$t.whl >/dev/null
done
sdist=$(ls "$dist"/python/qencode_cdn-"$version".tar.gz)
tar -tzf "$sdist" >"$tmp/sdist.txt"
for f in pyproject.toml Cargo.toml Cargo.lock core/src/lib.rs emulator/src/lib.rs bindings-python/src/lib.rs \
  python/qencode_cdn/py.typed; do
  grep -q "^qencode_cdn-$version/$f$" "$tmp/sdist.txt" || { echo "the sdist lacks $f" >&2; exit 1; }
done
step "the sdist builds a working wheel (pip wheel, as a user without a wheel for their platform would)"
# --no-build-isolation: the build backend is the pinned maturin of the release virtualenv (on PATH for its hook).
PATH="$CARGO_TARGET_DIR/venv-release/bin:$PATH" "$CARGO_TARGET_DIR/venv-release/bin/pip" wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
  -w "$tmp/from-sdist" "$sdist"
python3 -m venv "$tmp/venv-sdist"
"$tmp/venv-sdist/bin/pip" install -q --disable-pip-version-check --no-index "$tmp"/from-sdist/*.whl
(cd "$tmp" && "$tmp/venv-sdist/bin/python" "$root/scripts/release/smoke/smoke.py" "$root")

step "every native file is built for its platform"
machine() { readelf -h "$1" | sed -n 's/.*Machine: *//p'; }
check_elf() { # FILE WANT_MACHINE WANT_LIBC(gnu|musl|static)
  local m needed
  m=$(machine "$1")
  needed=$(readelf -d "$1" 2>/dev/null | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
  case "$2" in x86_64) [ "$m" = "Advanced Micro Devices X86-64" ] ;; aarch64) [ "$m" = AArch64 ] ;; esac ||
    { echo "$1: machine $m, expected $2" >&2; return 1; }
  case "$3" in
    gnu) grep -q 'libc.so.6' <<<"$needed" ;;
    # zig links musl's C library as "libc.so", which musl's loader maps to itself.
    musl) grep -qE '(^| )libc\.so( |$)|libc\.musl-' <<<"$needed" && ! grep -q 'libc.so.6' <<<"$needed" ;;
    static) [ -z "$needed" ] ;;
  esac || { echo "$1: needs [$needed], expected $3" >&2; return 1; }
  echo "  $(basename "$1"): $m, ${needed:-no shared libraries}"
}
x=$tmp/x
for whl in "$dist"/python/*.whl; do
  rm -rf "$x" && mkdir -p "$x" && (cd "$x" && unzip -q "$whl")
  arch=x86_64; [[ "$whl" == *aarch64* ]] && arch=aarch64
  libc=gnu; [[ "$whl" == *musllinux* ]] && libc=musl
  echo "$(basename "$whl"):"
  check_elf "$(ls "$x"/qencode_cdn/_native*.so)" $arch $libc
done
for plat in linux-x64-gnu:x86_64:gnu linux-arm64-gnu:aarch64:gnu linux-x64-musl:x86_64:musl linux-arm64-musl:aarch64:musl; do
  IFS=: read -r p arch libc <<<"$plat"
  rm -rf "$x" && mkdir -p "$x" && tar -xzf "$dist/node/qencode-cdn-$p-$version.tgz" -C "$x"
  python3 -c "
import json, sys
p = json.load(open('$x/package/package.json'))
assert p['name'] == 'qencode-cdn-$p' and p['version'] == '$version' and p['main'] == 'qencode-cdn.$p.node', p
assert p['libc'] == ['${libc/gnu/glibc}'], p['libc']"
  echo "qencode-cdn-$p-$version.tgz:"
  check_elf "$x/package/qencode-cdn.$p.node" "$arch" "$libc"
done
for t in x86_64 aarch64; do
  rm -rf "$x" && mkdir -p "$x" && tar -xzf "$dist/c/qencode-cdn-$version-$t-unknown-linux-gnu.tar.gz" -C "$x" --strip-components=1
  echo "qencode-cdn-$version-$t-unknown-linux-gnu.tar.gz:"
  check_elf "$x/lib/libqencode_cdn.so.0" $t gnu
  readelf -d "$x/lib/libqencode_cdn.so.0" | grep -q 'Library soname: \[libqencode_cdn.so.0\]'
  echo "    SONAME libqencode_cdn.so.0; pkg-config Libs.private: $(sed -n 's/^Libs.private: //p' "$x/lib/pkgconfig/qencode_cdn.pc")"
  rm -rf "$x" && mkdir -p "$x" && tar -xzf "$dist/cli/qcdn-$version-$t-unknown-linux-musl.tar.gz" -C "$x" --strip-components=1
  echo "qcdn-$version-$t-unknown-linux-musl.tar.gz:"
  check_elf "$x/qcdn" $t static
done

step "aarch64 under qemu: the static qcdn signs every golden vector, byte for byte as on x86_64"
mkdir -p "$tmp/cli-arm64"
tar -xzf "$dist/cli/qcdn-$version-aarch64-unknown-linux-musl.tar.gz" -C "$tmp/cli-arm64" --strip-components=1
python3 scripts/release/smoke/cli-vectors.py "$root" "$tmp/tokens-aarch64.txt" qemu-aarch64-static "$tmp/cli-arm64/qcdn"
cmp "$tmp/tokens-x86_64.txt" "$tmp/tokens-aarch64.txt"
echo "aarch64 and x86_64 tokens identical: $(wc -l <"$tmp/tokens-aarch64.txt") golden vectors"
qemu-aarch64-static "$tmp/cli-arm64/qcdn" demo >"$tmp/demo-arm64.txt" 2>&1 || { cat "$tmp/demo-arm64.txt"; exit 1; }
echo "qcdn demo on aarch64 (qemu): $(tail -n 1 "$tmp/demo-arm64.txt")"

step "an arm64 Debian root (debootstrap --foreign, unpacked for qemu -L)"
arm=${QCDN_ARM64_ROOT:-$CARGO_TARGET_DIR/arm64-root}
if [ ! -x "$arm/usr/bin/python3" ] || [ ! -x "$arm/usr/bin/node" ]; then
  rm -rf "$arm"
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  debootstrap --foreign --arch=arm64 --variant=minbase --include=python3,libpython3.11-stdlib,nodejs \
    bookworm "$arm" "${mirror:-http://deb.debian.org/debian}" >"$tmp/debootstrap.log" 2>&1 ||
    { tail -20 "$tmp/debootstrap.log"; exit 1; }
  # The second stage would run arm64 programs in a chroot (binfmt_misc); unpacking every
  # downloaded package is enough for qemu's -L prefix.
  for deb in "$arm"/var/cache/apt/archives/*.deb; do dpkg-deb -x "$deb" "$arm"; done
fi
qemu-aarch64-static -L "$arm" "$arm/usr/bin/python3" -c 'import platform, ssl; print("arm64 root:", platform.machine(), "Python", platform.python_version())'
echo "arm64 root: Node $(qemu-aarch64-static -L "$arm" "$arm/usr/bin/node" -p 'process.arch + " " + process.version')"

step "aarch64 under qemu: the manylinux2014 aarch64 wheel imported by Debian's arm64 Python"
whl=$(ls "$dist"/python/qencode_cdn-"$version"-cp39-abi3-manylinux*_aarch64.whl)
"$CARGO_TARGET_DIR/venv-release/bin/pip" install -q --disable-pip-version-check --no-index --no-deps \
  --platform manylinux2014_aarch64 --only-binary=:all: --target "$tmp/arm64/site-packages" "$whl"
(cd "$tmp" && PYTHONPATH="$tmp/arm64/site-packages" qemu-aarch64-static -L "$arm" "$arm/usr/bin/python3" -c "
import runpy, sys
import qencode_cdn
assert qencode_cdn.__file__.startswith('$tmp/arm64/site-packages'), qencode_cdn.__file__
sys.argv = ['smoke.py', '$root']
runpy.run_path('$root/scripts/release/smoke/smoke.py', run_name='__main__')
" 2>&1 | sed 's/site-packages/site/' | tee "$tmp/arm-py.txt")
grep -q 'golden tokens, verify, URL, emulator + client call: ok' "$tmp/arm-py.txt"

step "aarch64 under qemu: the npm main package + linux-arm64-gnu, run by Debian's arm64 Node"
app=$tmp/node-arm64
mkdir -p "$app"
cp scripts/release/smoke/smoke.{cjs,mjs} "$app/"
# npm (x86_64 here) refuses a tarball whose "cpu" is not its own even with --cpu=arm64:
# --force installs it as npm on arm64 would.
(cd "$app" && npm init -y >/dev/null &&
  npm install --no-audit --no-fund --offline --loglevel=error --os=linux --cpu=arm64 --libc=glibc --force \
    "$dist/node/qencode-cdn-linux-arm64-gnu-$version.tgz" "$dist/node/qencode-cdn-$version.tgz")
[ -f "$app/node_modules/qencode-cdn-linux-arm64-gnu/qencode-cdn.linux-arm64-gnu.node" ]
(cd "$app" && qemu-aarch64-static -L "$arm" "$arm/usr/bin/node" smoke.cjs "$root" &&
  qemu-aarch64-static -L "$arm" "$arm/usr/bin/node" smoke.mjs "$root")

step "aarch64 under qemu: a C program built with zig against the aarch64 tarball"
prefix=$tmp/c-arm64
mkdir -p "$prefix"
tar -xzf "$dist/c/qencode-cdn-$version-aarch64-unknown-linux-gnu.tar.gz" -C "$prefix" --strip-components=1
# shellcheck disable=SC2046
"$CARGO_TARGET_DIR/venv-release/bin/python" -m ziglang cc -target aarch64-linux-gnu.2.17 -std=c11 -Wall -Wextra -Werror \
  scripts/release/smoke/smoke.c $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs qencode_cdn) -o "$tmp/smoke-arm64"
check_elf "$tmp/smoke-arm64" aarch64 gnu
qcdn_x86=$tmp/cli-x86
mkdir -p "$qcdn_x86"
tar -xzf "$dist/cli/qcdn-$version-x86_64-unknown-linux-musl.tar.gz" -C "$qcdn_x86" --strip-components=1
"$qcdn_x86/qcdn" emulator --listen 127.0.0.1:0 --signing-key-bits 2048 >"$tmp/emu.out" 2>&1 &
emu_pid=$!
trap 'kill $emu_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$tmp/emu.out" && break; sleep 0.1; done
api_url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$tmp/emu.out" | head -n 1)
golden=$(python3 -c "
import json
c = next(c for c in json.load(open('tests/conformance/sign.json'))['cases'] if c['expect'].get('token') and set(c['input']['options']) == {'now'})
print(c['input']['signer']['key'], c['input']['signer']['kid'], c['input']['uri'], c['input']['options']['now'], c['expect']['token'])")
read -r g_key g_kid g_uri g_now g_token <<<"$golden"
QEMU_SET_ENV=LD_LIBRARY_PATH=$prefix/lib qemu-aarch64-static -L "$arm" "$tmp/smoke-arm64" \
  "$g_key" "$g_kid" "$g_uri" "$g_now" "$g_token" "$api_url" arm64.example.com
kill "$emu_pid" 2>/dev/null || true

step "Rust crates: README and licences inside"
for c in qencode-cdn qencode-cdn-emulator qencode-cdn-cli; do
  f=$dist/rust/$c-$version.crate
  tar -tzf "$f" >"$tmp/crate.txt"
  for want in Cargo.toml Cargo.toml.orig LICENSE-MIT LICENSE-APACHE src/lib.rs; do
    [ $c = qencode-cdn-cli ] && [ $want = src/lib.rs ] && want=src/main.rs
    grep -qx "$c-$version/$want" "$tmp/crate.txt" || { echo "$f lacks $want" >&2; exit 1; }
  done
  readme=$(tar -xzOf "$f" "$c-$version/Cargo.toml" | sed -n 's/^readme = "\(.*\)"/\1/p')
  grep -qx "$c-$version/$readme" "$tmp/crate.txt" || { echo "$f lacks its readme $readme" >&2; exit 1; }
  echo "$(basename "$f"): $(wc -l <"$tmp/crate.txt") files, readme $readme, both licences"
done

step "Java: the jar bundles linux-x86-64/ and linux-aarch64/ (JNA resource paths)"
jar=$dist/java/qencode-cdn-$version.jar
rm -rf "$x" && mkdir -p "$x" && (cd "$x" && unzip -q "$jar")
check_elf "$x/linux-x86-64/libqencode_cdn.so" x86_64 gnu
check_elf "$x/linux-aarch64/libqencode_cdn.so" aarch64 gnu
# The jar's runtime dependencies (JNA, Gson) as a user's build resolves them; the
# classpath goes to a file (Maven's -q output on /dev/stdout holds colour codes).
mvn -q -B -f bindings-java/pom.xml dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$tmp/cp.txt" >/dev/null
cp=$(cat "$tmp/cp.txt")
grep -q 'jna-[0-9.]*\.jar' <<<"$cp" || { echo "no JNA on the jar's runtime classpath: $cp" >&2; exit 1; }
cat >"$tmp/Smoke.java" <<'EOF'
import com.qencode.cdn.Signer;
import com.qencode.cdn.SignOptions;
import java.nio.file.Path;
import java.time.Instant;
public class Smoke {
    public static void main(String[] a) throws Exception {
        try (Signer s = Signer.fromFile(a[0], Path.of(a[1]))) {
            String t = s.sign(a[2], SignOptions.builder().now(Instant.ofEpochSecond(Long.parseLong(a[3]))).build());
            if (!t.equals(a[4])) throw new AssertionError(t);
            System.out.println("smoke (Java, jar): golden token: ok");
        }
    }
}
EOF
javac -cp "$jar:$cp" -d "$tmp/jclasses" "$tmp/Smoke.java"
java -cp "$jar:$cp:$tmp/jclasses" Smoke "$g_kid" "$g_key" "$g_uri" "$g_now" "$g_token"

step ".NET: the .nupkg has runtimes/linux-x64/native and runtimes/linux-arm64/native"
nupkg=$dist/dotnet/Qencode.Cdn.$version.nupkg
rm -rf "$x" && mkdir -p "$x" && (cd "$x" && unzip -q "$nupkg")
[ -f "$x/lib/netstandard2.0/Qencode.Cdn.dll" ]
check_elf "$x/runtimes/linux-x64/native/libqencode_cdn.so" x86_64 gnu
check_elf "$x/runtimes/linux-arm64/native/libqencode_cdn.so" aarch64 gnu
grep -q "<version>$version</version>" "$x/Qencode.Cdn.nuspec"

step "Ruby: platform gems x86_64-linux and aarch64-linux; the x86_64 one installed and used"
for t in x86_64 aarch64; do
  g=$dist/ruby/qencode-cdn-$version-$t-linux.gem
  rm -rf "$x" && mkdir -p "$x" && (cd "$x" && tar -xf "$g" data.tar.gz && tar -xzf data.tar.gz)
  echo "$(basename "$g"):"
  check_elf "$x/lib/qencode/cdn/libqencode_cdn.so" $t gnu
done
GEM_HOME=$tmp/gems gem install -q --local --no-document "$dist/ruby/qencode-cdn-$version-x86_64-linux.gem" >/dev/null
GEM_HOME=$tmp/gems ruby -e '
  require "qencode/cdn"
  s = Qencode::Cdn::Signer.from_file(ARGV[1], ARGV[0])
  t = s.sign(ARGV[2], now: Integer(ARGV[3]))
  abort "golden token differs: #{t}" unless t == ARGV[4]
  puts "smoke (Ruby, installed gem): golden token: ok"' "$g_key" "$g_kid" "$g_uri" "$g_now" "$g_token"

step "PHP: Composer archives with lib/libqencode_cdn.so"
for t in x86_64 aarch64; do
  z=$dist/php/qencode-cdn-php-$version-$t-linux.zip
  rm -rf "$x" && mkdir -p "$x" && (cd "$x" && unzip -q "$z")
  grep -q "\"version\": \"$version\"" "$x/composer.json"
  [ -f "$x/src/Signer.php" ] && [ ! -d "$x/tests" ]
  echo "$(basename "$z"):"
  check_elf "$x/lib/libqencode_cdn.so" $t gnu
done

step "SHA256SUMS covers every artifact"
(cd "$dist" && sha256sum --quiet -c SHA256SUMS)
n_files=$(cd "$dist" && find . -type f ! -name SHA256SUMS ! -name '.*' | wc -l)
[ "$(wc -l <"$dist/SHA256SUMS")" = "$n_files" ]
echo "release-all: $n_files artifacts, all checks passed"
