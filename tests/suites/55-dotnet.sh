#!/usr/bin/env bash
# C# package Qencode.Cdn (bindings-dotnet/), on Debian's Mono (no .NET SDK can
# be installed here): the library compiled with mcs from the sources that
# Qencode.Cdn.csproj lists (C# 7.2, netstandard2.0 API), NUnit 2.6 tests
# against the emulator binary (every conformance case, checked by
# check-summary; RSA interop with System.Security.Cryptography; the reference
# sample's HS256 token; every client method and error code; threads; the
# package's lists and versions; external signers backed by the platform's
# RSA, key sets, batches, the cache; PKCS#11 against SoftHSM2 tokens made
# here in a SOFTHSM2_CONF of their own), the .nupkg built by `nuget pack` and
# used from its runtimes/linux-x64/native layout, the docs/dotnet.md examples
# compiled and run, and a valgrind leak check of a loop through the binding,
# the external signer's callback path included (with a canary that must be
# caught, and every function given to Signer.External released).
set -euo pipefail
trap 'echo "55-dotnet.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="${QCDN_ROOT:?run through tests/run.sh}"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
out=$CARGO_TARGET_DIR/dotnet
step() { echo "--- dotnet: $*"; }

# Tools on a clean Debian machine (apt-get update only when something is missing).
missing=()
command -v mono >/dev/null && command -v mcs >/dev/null || missing+=(mono-complete)
command -v nunit-console >/dev/null || missing+=(nunit-console)
ls /usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll >/dev/null 2>&1 || missing+=(libnunit-cil-dev)
command -v nuget >/dev/null || missing+=(nuget)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v unzip >/dev/null || missing+=(unzip)
command -v python3 >/dev/null || missing+=(python3)
hsm_module=${QCDN_SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
command -v softhsm2-util >/dev/null && [ -e "$hsm_module" ] || missing+=(softhsm2)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
nunit_fw=$(ls /usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll | head -n 1)
echo "mono $(mono --version | head -n 1 | sed 's/.*version \([^ ]*\).*/\1/'), $(nunit-console -help 2>/dev/null | head -n 1 | tr -d '\r')"

step "building libqencode_cdn (debug) and the emulator"
cargo build --locked -q -p qencode-cdn-ffi
cargo build --locked -q -p qencode-cdn-emulator --bin qencode-cdn-emulator
export QENCODE_CDN_EMULATOR=$CARGO_TARGET_DIR/debug/qencode-cdn-emulator

step "SoftHSM2 tokens for the PKCS#11 tests (a configuration of their own, never the system's)"
rm -rf "$out" && mkdir -p "$out/softhsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$out/softhsm/tokens" >"$out/softhsm/softhsm2.conf"
export SOFTHSM2_CONF=$out/softhsm/softhsm2.conf QCDN_SOFTHSM_MODULE=$hsm_module
for token in qcdn-test locked; do
  softhsm2-util --init-token --free --label "$token" --pin 1234 --so-pin 5678 >/dev/null
done
softhsm2-util --import tests/keys/rsa2048.pkcs8.pem --token qcdn-test --label video-key --id 01 --pin 1234 >/dev/null
softhsm2-util --import tests/keys/rsa4096.pkcs8.pem --token qcdn-test --label video-key-4096 --id 02 --pin 1234 >/dev/null
softhsm2-util --import tests/keys/rsa2048.pkcs8.pem --token locked --label k --id 03 --pin 1234 >/dev/null

step "Qencode.Cdn.dll with mcs (warnings are errors) and the .nupkg with nuget pack"
bindings-dotnet/build.sh "$out" debug pack
mcs -target:library -langversion:7.2 -warnaserror+ -out:"$out/Qencode.Cdn.Tests.dll" \
  -r:"$out/Qencode.Cdn.dll" -r:"$nunit_fw" -r:System.Core -r:System.Xml -r:System.Xml.Linq \
  bindings-dotnet/tests/*.cs

step "NUnit (conformance cases, interop, the sample, client, errors, package)"
log=$out/nunit.log
status=0
(cd "$out" && nunit-console -nologo -xml:"$out/TestResult.xml" Qencode.Cdn.Tests.dll) >"$log" 2>&1 || status=$?
grep -E '^(conformance: |  skipped |Tests run: )' "$log" || true
if [ $status != 0 ]; then
  sed -n '/^Errors and Failures:/,/^Tests Not Run:/p' "$log" | grep -v '^  at ' >&2 || cat "$log" >&2
  exit 1
fi
tests/conformance/check-summary dotnet "$log"
read -r total failures errors skipped < <(python3 - "$out/TestResult.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(r.get("total"), r.get("failures"), r.get("errors"), int(r.get("not-run")))
PY
)

step "the .nupkg: runtimes/linux-x64/native layout, used by an app as the SDK lays it out"
pkg=$(ls "$out"/Qencode.Cdn.*.nupkg)
entries=$(unzip -Z1 "$pkg")
for f in lib/netstandard2.0/Qencode.Cdn.dll lib/netstandard2.0/Qencode.Cdn.xml runtimes/linux-x64/native/libqencode_cdn.so Qencode.Cdn.nuspec README.md; do
  grep -qx "$f" <<<"$entries" || { echo "the package lacks $f" >&2; exit 1; }
done
app=$out/app
rm -rf "$app" && mkdir -p "$app/pkg"
unzip -q "$pkg" -d "$app/pkg"
version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
grep -q "<version>$version</version>" "$app/pkg/Qencode.Cdn.nuspec"
cp "$app/pkg/lib/netstandard2.0/Qencode.Cdn.dll" "$app/pkg/runtimes/linux-x64/native/libqencode_cdn.so" "$app/"
cat >"$app/App.cs" <<'CS'
using System;
using Qencode.Cdn;
using Qencode.Cdn.Testing;
class App
{
    static int Main(string[] args)
    {
        using (var signer = Signer.FromFile("key-1", args[0]))
        using (var verifier = Verifier.FromSigner(signer))
        using (var emu = Emulator.Start())
        using (var client = emu.CreateClient())
        {
            var url = signer.SignedStorageUrl("my-bucket", "us-west", "videos/intro.mp4");
            if (!verifier.Explain(url).Ok) return 1;
            if (client.CreateDomain("live.example.com", DomainType.Live).Type != "live") return 2;
            Console.WriteLine("package app ok: " + Tokens.LibraryVersion);
            return 0;
        }
    }
}
CS
(cd "$app" && mcs -r:Qencode.Cdn.dll App.cs -out:App.exe && mono App.exe "$root/tests/keys/rsa2048.pkcs1.pem")

step "docs/dotnet.md: every csharp example compiled and run"
docs=$out/docs
mkdir -p "$docs"
cp "$out/Qencode.Cdn.dll" "$out/libqencode_cdn.so" "$docs/"
python3 - "$docs" <<'PY'
import re, sys
doc = open("docs/dotnet.md", encoding="utf-8").read()
blocks = re.findall(r"```csharp\n(.*?)```", doc, re.S)
if len(blocks) < 4:
    sys.exit("docs/dotnet.md has %d csharp examples; expected at least 4" % len(blocks))
for i, b in enumerate(blocks):
    open("%s/example%d.cs" % (sys.argv[1], i), "w", encoding="utf-8").write(b)
print("docs/dotnet.md: %d examples" % len(blocks))
PY
ndocs=0
for src in "$docs"/example*.cs; do
  exe=${src%.cs}.exe
  mcs -langversion:7.2 -warnaserror+ -r:"$docs/Qencode.Cdn.dll" -r:System.Net.Http "$src" -out:"$exe"
  (cd "$docs" && QENCODE_SIGNING_KEY_ID=key-1 QENCODE_SIGNING_KEY="$(cat "$root/tests/keys/rsa2048.pkcs1.pem")" \
    QENCODE_KEY_FILE="$root/tests/keys/rsa2048.pkcs1.pem" PKCS11_MODULE="$hsm_module" HSM_PIN=1234 mono "$exe" >"$exe.out") || {
    echo "docs example $(basename "$src") failed:" >&2; cat "$exe.out" >&2; exit 1; }
  ndocs=$((ndocs + 1))
done
echo "docs/dotnet.md: $ndocs examples compiled and ran"

step "valgrind: a loop through every kind of call, external signers too, leaks nothing of libqencode_cdn (and a leaked token is caught)"
leak=$out/leak
mkdir -p "$leak"
cp "$out/Qencode.Cdn.dll" "$out/libqencode_cdn.so" "$leak/"
mcs -r:"$leak/Qencode.Cdn.dll" bindings-dotnet/tests/leak/LeakLoop.cs -out:"$leak/loop.exe"
mcs bindings-dotnet/tests/leak/LeakCanary.cs -out:"$leak/canary.exe"
vg=(valgrind --keep-debuginfo=yes --leak-check=full --show-leak-kinds=definite,indirect --smc-check=all-non-file --num-callers=40)
(cd "$leak" && "${vg[@]}" mono canary.exe "$root/tests/keys/rsa2048.pkcs1.pem" >canary.out 2>canary.vg)
caught=$(python3 bindings-dotnet/tests/leak/check.py "$leak/canary.vg" 2>/dev/null)
[ "$caught" -gt 0 ] || { echo "valgrind did not catch the canary's leaked tokens" >&2; exit 1; }
rounds=10
(cd "$leak" && "${vg[@]}" mono loop.exe $rounds "$root/tests/keys/rsa2048.pkcs1.pem" "$hsm_module" >loop.out 2>loop.vg)
ours=$(python3 bindings-dotnet/tests/leak/check.py "$leak/loop.vg")
[ "$ours" = 0 ] || { echo "valgrind: $ours leak or memory error reports with libqencode_cdn frames (see $leak/loop.vg)" >&2; exit 1; }
# Every function given to Signer.External was released (its GCHandle freed): none alive after a GC but,
# at most, the last round's four (Mono scans stacks conservatively); the canary shows that alive is seen.
read -r alive given canary < <(sed -n 's/.*still alive: \([0-9]*\) of \([0-9]*\); canary alive: \([A-Za-z]*\).*/\1 \2 \3/p' "$leak/loop.out")
[ "$given" = $((rounds * 4)) ] && [ "$canary" = True ] && [ "$alive" -le 4 ] || {
  echo "valgrind loop: external functions still alive: ${alive:-?} of ${given:-?} (canary alive: ${canary:-?})" >&2; exit 1; }
echo "valgrind: canary caught ($caught reports), loop of $rounds rounds: 0 reports of ours; $alive of $given external functions alive after a GC"

# NUnit tests that ran and passed, plus the package app, each docs example and the valgrind check.
passed=$((total - failures - errors + 1 + ndocs + 1))
echo "dotnet: $passed passed, 0 failed, $skipped skipped"
