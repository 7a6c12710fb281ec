#!/usr/bin/env bash
# Java package (bindings-java): builds the C library and the emulator, then
# `mvn verify` on JDK 17 — the jar with the library bundled, and every test
# (JUnit 5, run by failsafe against the packaged jar: every conformance case,
# its summary checked by tests/conformance/check-summary, the golden vectors,
# nimbus-jose-jwt / java.security interop, the reference's jjwt sample,
# every client method against the emulator process, threads, handles;
# external signers over java.security and every broken one, key sets,
# batches and the cache, PKCS#11 against SoftHSM2 — installed with apt when
# missing) — then
# the same tests again on the Temurin JDK 25 when it is installed, and the
# examples of docs/java.md compiled and run against the packaged jar alone
# (no target/classes on the class path), their output compared.
set -euo pipefail
trap 'echo "50-java.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "${QCDN_ROOT:?run through tests/run.sh}"
target=${CARGO_TARGET_DIR:-$QCDN_ROOT/target}
export CARGO_TARGET_DIR=$target
build=$target/java-tests
mkdir -p "$build"
step() { echo "--- java: $*"; }

# Tools on a clean Debian machine (apt-get only when something is missing).
missing=()
command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v python3 >/dev/null || missing+=(python3)
# SoftHSM2: the PKCS#11 token of Pkcs11Test (which makes its own tokens in bindings-java/target/softhsm).
{ command -v softhsm2-util >/dev/null && [ -e "${QCDN_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}" ]; } || missing+=(softhsm2)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "one version: bindings-java/pom.xml equals the workspace's Cargo.toml"
version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
pom_version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' bindings-java/pom.xml | head -1)
[ "$version" = "$pom_version" ] || { echo "pom.xml version $pom_version, Cargo.toml $version"; exit 1; }

step "building libqencode_cdn (debug) and the emulator"
cargo build --locked -q -p qencode-cdn-ffi
cargo build --locked -q -p qencode-cdn-emulator --bin qencode-cdn-emulator

# Maven's downloads are kept under the cargo target folder (CI starts with an empty home).
mvn_args=(-B -q -Dstyle.color=never -Dmaven.repo.local="$target/maven-repo")
summary() { # REPORTS_DIR LABEL
  python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1] + "/failsafe-summary.xml").getroot()
n = {k: int(s.findtext(k) or 0) for k in ("completed", "errors", "failures", "skipped")}
print(f"java tests ({sys.argv[2]}): {n['completed']} run, {n['failures'] + n['errors']} failed, {n['skipped']} skipped")
sys.exit(0 if n["completed"] > 0 and n["failures"] + n["errors"] == 0 else 1)
PY
}

step "mvn verify on $(java -version 2>&1 | head -1): jar + tests against the jar"
log17=$build/mvn-jdk17.log
(cd bindings-java && mvn "${mvn_args[@]}" clean verify) 2>&1 | tee "$log17"
summary bindings-java/target/failsafe-reports "JDK 17"
tests/conformance/check-summary java "$log17"

jdk25=/usr/lib/jvm/temurin-25-jdk-amd64
if [ -x "$jdk25/bin/java" ]; then
  step "the same tests on $("$jdk25/bin/java" -version 2>&1 | head -1) (the jar built above, no rebuild)"
  log25=$build/mvn-jdk25.log
  (cd bindings-java && mvn "${mvn_args[@]}" -o verify -Djvm="$jdk25/bin/java" \
      -Dqcdn.argLine=--enable-native-access=ALL-UNNAMED -Dqcdn.reports="$build/failsafe-jdk25") 2>&1 | tee "$log25"
  summary "$build/failsafe-jdk25" "JDK 25"
  tests/conformance/check-summary java "$log25"
else
  echo "--- java: JDK 25 not installed at $jdk25: the second run is skipped"
fi

step "docs/java.md: every example compiled and run against the packaged jar alone"
jar=bindings-java/target/qencode-cdn-$version.jar
cp=$(cat bindings-java/target/runtime-classpath.txt):$PWD/$jar
docs=$build/docs
rm -rf "$docs"
names=$(python3 bindings-java/scripts/docs_examples.py docs/java.md "$docs")
javac -Xlint:all -Werror -d "$docs/classes" -cp "$cp" "$docs"/*.java
# The PKCS#11 example's SoftHSM2 token, in a configuration of its own (never the system's).
hsm=$docs/softhsm
mkdir -p "$hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$hsm/tokens" >"$hsm/softhsm2.conf"
SOFTHSM2_CONF=$hsm/softhsm2.conf softhsm2-util --init-token --free --label video-signing --pin 1234 --so-pin 5678 >/dev/null
SOFTHSM2_CONF=$hsm/softhsm2.conf softhsm2-util --import tests/keys/rsa2048.pkcs8.pem --token video-signing \
  --label video-key --id 01 --pin 1234 >/dev/null
for name in $names; do
  QENCODE_SIGNING_KEY="$(cat tests/keys/rsa2048.pkcs1.pem)" QENCODE_SIGNING_KEY_ID=key-1 \
    QENCODE_CDN_EMULATOR=$target/debug/qencode-cdn-emulator \
    SOFTHSM2_CONF=$hsm/softhsm2.conf PKCS11_MODULE=${QCDN_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so} HSM_PIN=1234 \
    java -cp "$docs/classes:$cp" "$name" >"$docs/$name.got"
  if [ -f "$docs/$name.out" ]; then
    diff -u "$docs/$name.out" "$docs/$name.got" || { echo "docs/java.md: $name printed something else"; exit 1; }
  fi
  echo "docs example $name: ok"
done

step "all Java checks passed"
