#!/usr/bin/env bash
# C and C++: the generated header is up to date; the C library builds; the C
# tests (every conformance case, bad inputs, the JSON-options functions,
# threads, the client against the emulator, external signers with an OpenSSL
# callback, batches and the cache, key sets, PKCS#11 against SoftHSM2) pass
# twice — under
# AddressSanitizer + UndefinedBehaviorSanitizer and under valgrind (zero
# errors, zero definite/indirect leaks); the C++ wrapper test; pkg-config and
# CMake builds of the examples.
set -euo pipefail
trap 'echo "20-c.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "${QCDN_ROOT:?run through tests/run.sh}"
target=${CARGO_TARGET_DIR:-$QCDN_ROOT/target}
build=$target/c-tests
mkdir -p "$build"
step() { echo "--- c: $*"; }

# Tools on a clean Debian machine (apt-get update only when something is missing).
missing=()
command -v gcc >/dev/null || missing+=(gcc)
command -v g++ >/dev/null || missing+=(g++)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v cmake >/dev/null || missing+=(cmake)
command -v make >/dev/null || missing+=(make)
command -v python3 >/dev/null || missing+=(python3)
# cJSON (Debian's libcjson-dev): the conformance runner's JSON comparison.
[ -f /usr/include/cjson/cJSON.h ] || missing+=(libcjson-dev)
# OpenSSL (libssl-dev): the independent RSA behind the external-signer callback.
[ -f /usr/include/openssl/evp.h ] || missing+=(libssl-dev)
# SoftHSM2: the PKCS#11 token of test_pkcs11.
command -v softhsm2-util >/dev/null || missing+=(softhsm2)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "header drift check (pinned cbindgen)"
scripts/gen-header --check

step "building libqencode_cdn (debug) and the emulator"
cargo build --locked -q -p qencode-cdn-ffi
cargo build --locked -q -p qencode-cdn-emulator --bin qencode-cdn-emulator
lib=$target/debug
[ -f "$lib/libqencode_cdn.so" ] && [ -f "$lib/libqencode_cdn.a" ]

version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)

cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -g -pthread "-DEXPECTED_VERSION=\"$version\""
  -Iinclude -I"$build" -Itests/c)
link=(-L"$lib" -lqencode_cdn -Wl,-rpath,"$lib")
san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
valgrind=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect
  --show-leak-kinds=definite,indirect --error-exitcode=1)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

step "sanitizer and valgrind canaries (a leaked library string and an overflow must be caught)"
gcc "${cflags[@]}" "${san[@]}" tests/c/canary_leak.c "${link[@]}" -o "$build/canary_leak.asan"
gcc "${cflags[@]}" tests/c/canary_leak.c "${link[@]}" -o "$build/canary_leak"
# (ldd output captured first: `ldd | grep -q` can fail with SIGPIPE under pipefail)
deps=$(ldd "$build/canary_leak.asan")
grep -q libasan <<<"$deps" || { echo "ASan runtime not linked"; exit 1; }
grep -q libubsan <<<"$deps" || { echo "UBSan runtime not linked"; exit 1; }
if "$build/canary_leak.asan" . >"$build/canary.asan.log" 2>&1; then
  echo "LeakSanitizer missed a leaked token"; cat "$build/canary.asan.log"; exit 1
fi
grep -q "LeakSanitizer: detected memory leaks" "$build/canary.asan.log"
if "${valgrind[@]}" "$build/canary_leak" . >"$build/canary.valgrind.log" 2>&1; then
  echo "valgrind missed a leaked token"; cat "$build/canary.valgrind.log"; exit 1
fi
grep -q "definitely lost" "$build/canary.valgrind.log"
gcc "${cflags[@]}" "${san[@]}" tests/c/canary_ubsan.c -o "$build/canary_ubsan.asan"
if "$build/canary_ubsan.asan" >"$build/canary.ubsan.log" 2>&1; then
  echo "UBSan missed a signed overflow"; cat "$build/canary.ubsan.log"; exit 1
fi
grep -q "runtime error: signed integer overflow" "$build/canary.ubsan.log"

export QCDN_EMULATOR_BIN=$target/debug/qencode-cdn-emulator

step "conformance: every case of tests/conformance through the C API (table generated into $build)"
python3 tests/c/gen_conformance.py tests/conformance "$build/conformance_cases.inc"
gcc "${cflags[@]}" tests/c/test_conformance.c "${link[@]}" -lcjson -lm -o "$build/test_conformance"
gcc "${cflags[@]}" "${san[@]}" tests/c/test_conformance.c "${link[@]}" -lcjson -lm -o "$build/test_conformance.asan"
step "conformance under ASan+UBSan"
"$build/test_conformance.asan" . | tee "$build/conformance.asan.log"
tests/conformance/check-summary c "$build/conformance.asan.log"
step "conformance under valgrind"
"${valgrind[@]}" "$build/test_conformance" . >"$build/conformance.valgrind.log"
grep -E '^conformance: ' "$build/conformance.valgrind.log"
tests/conformance/check-summary c "$build/conformance.valgrind.log"

# The golden tokens for the tests that sign with a key held elsewhere (tests/c/golden.h).
python3 tests/c/gen_conformance.py --golden tests/conformance "$build/golden_cases.inc"

# SoftHSM2 tokens for test_pkcs11, in a configuration of their own (never the system's).
hsm=$build/softhsm
rm -rf "$hsm"
mkdir -p "$hsm/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$hsm/tokens" >"$hsm/softhsm2.conf"
export SOFTHSM2_CONF=$hsm/softhsm2.conf
for token in qcdn-test locked; do
  softhsm2-util --init-token --free --label "$token" --pin 1234 --so-pin 5678 >/dev/null
done
softhsm2-util --import tests/keys/rsa2048.pkcs8.pem --token qcdn-test --label video-key --id 01 --pin 1234 >/dev/null
softhsm2-util --import tests/keys/rsa4096.pkcs8.pem --token qcdn-test --label video-key-4096 --id 02 --pin 1234 >/dev/null
softhsm2-util --import tests/keys/rsa2048.pkcs8.pem --token locked --label k --id 03 --pin 1234 >/dev/null

tests=(test_sign test_errors test_json test_threads test_client test_external test_scale test_keysets test_pkcs11 test_stream)
for t in "${tests[@]}"; do
  libs=(-lcjson)
  [ "$t" = test_external ] && libs+=(-lcrypto)
  step "$t: build (plain and ASan+UBSan)"
  gcc "${cflags[@]}" "tests/c/$t.c" "${link[@]}" "${libs[@]}" -o "$build/$t"
  gcc "${cflags[@]}" "${san[@]}" "tests/c/$t.c" "${link[@]}" "${libs[@]}" -o "$build/$t.asan"
  step "$t under ASan+UBSan"
  "$build/$t.asan" .
  step "$t under valgrind"
  "${valgrind[@]}" "$build/$t" .
done

step "C++17 wrapper (qencode_cdn.hpp), plain and ASan+UBSan"
cxxflags=(-std=c++17 -Wall -Wextra -Werror -pedantic -g -pthread -Iinclude -Itests/c)
g++ "${cxxflags[@]}" tests/c/test_cpp.cpp "${link[@]}" -lcrypto -o "$build/test_cpp"
g++ "${cxxflags[@]}" "${san[@]}" tests/c/test_cpp.cpp "${link[@]}" -lcrypto -o "$build/test_cpp.asan"
"$build/test_cpp.asan" .
"${valgrind[@]}" "$build/test_cpp" .

step "pkg-config: static and shared link of the examples (examples/c)"
prefix=$build/prefix
rm -rf "$prefix"
bindings-c/install.sh --prefix "$prefix" --profile debug >/dev/null
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
[ "$(pkg-config --modversion qencode_cdn)" = "$version" ]
for ex in sign_url authorize; do
  # shellcheck disable=SC2046
  gcc -std=c11 -Wall -Wextra -Werror -pedantic "examples/c/$ex.c" $(pkg-config --cflags --libs qencode_cdn) \
    -Wl,-rpath,"$prefix/lib" -o "$build/${ex}_shared"
  # Static: the archive, then the native libraries it needs (listed in the .pc file).
  # shellcheck disable=SC2046
  gcc -std=c11 -Wall -Wextra -Werror -pedantic "examples/c/$ex.c" $(pkg-config --cflags qencode_cdn) \
    -L"$(pkg-config --variable=libdir qencode_cdn)" -Wl,-Bstatic -lqencode_cdn -Wl,-Bdynamic \
    $(pkg-config --variable=native_static_libs qencode_cdn) -o "$build/${ex}_static"
  deps=$(ldd "$build/${ex}_static")
  if grep -q qencode_cdn <<<"$deps"; then echo "static $ex links the shared library"; exit 1; fi
done
# The external signer (its callback signs with OpenSSL): shared and static.
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror -pedantic examples/c/kms_signer.c $(pkg-config --cflags --libs qencode_cdn) \
  -lcrypto -Wl,-rpath,"$prefix/lib" -o "$build/kms_signer_shared"
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror -pedantic examples/c/kms_signer.c $(pkg-config --cflags qencode_cdn) \
  -L"$(pkg-config --variable=libdir qencode_cdn)" -Wl,-Bstatic -lqencode_cdn -Wl,-Bdynamic \
  $(pkg-config --variable=native_static_libs qencode_cdn) -lcrypto -o "$build/kms_signer_static"
check_kms_example() { # KMS_SIGNER_BINARY AUTHORIZE_BINARY
  local kms=$1 authorize=$2 url token
  url=$("$kms" tests/keys/rsa2048.pkcs1.pem)
  case "$url" in https://my-bucket.media-storage.us-west.qencode.com/videos/intro.mp4\?auth=ey*) ;;
    *) echo "$kms printed: $url"; exit 1 ;; esac
  token=${url#*auth=}
  "$authorize" tests/keys/rsa2048.spki.pem "$token" videos/intro.mp4 | grep -q '^allow videos/intro.mp4$'
  # The token names the external key id.
  [ "$(cut -d. -f1 <<<"$token")" = "$(printf '{"alg":"RS256","typ":"JWT","kid":"kms-key-1"}' | base64 -w0 | tr '+/' '-_' | tr -d '=')" ]
  if "$kms" tests/keys/ec-p256.pkcs8.pem >"$build/kms.out" 2>&1; then
    echo "$kms signed with an EC key"; exit 1
  fi
  grep -q 'INVALID_KEY' "$build/kms.out"
}
check_examples() { # SIGN_URL_BINARY AUTHORIZE_BINARY
  local sign=$1 authorize=$2 url token
  url=$("$sign" tests/keys/rsa2048.pkcs1.pem)
  case "$url" in https://my-bucket.media-storage.us-west.qencode.com/videos/intro.mp4\?auth=ey*) ;;
    *) echo "$sign printed: $url"; exit 1 ;; esac
  url=$(QENCODE_SIGNING_KEY="$(cat tests/keys/rsa2048.pkcs1.pem)" QENCODE_SIGNING_KEY_ID=key-1 "$sign")
  case "$url" in https://my-bucket.media-storage.us-west.qencode.com/videos/intro.mp4\?auth=ey*) ;;
    *) echo "$sign (key from the environment) printed: $url"; exit 1 ;; esac
  if env -u QENCODE_SIGNING_KEY -u QENCODE_SIGNING_KEY_ID "$sign" >/dev/null 2>&1; then
    echo "$sign signed without a key"; exit 1
  fi
  token=${url#*auth=}
  "$authorize" tests/keys/rsa2048.spki.pem "$token" videos/intro.mp4 | grep -q '^allow videos/intro.mp4$'
  if "$authorize" tests/keys/rsa2048.spki.pem "$token" videos/other.mp4 >"$build/deny.out"; then
    echo "$authorize allowed a token for another object"; exit 1
  fi
  grep -q '^deny videos/other.mp4: URI_MISMATCH: ' "$build/deny.out"
}
for kind in shared static; do
  check_examples "$build/sign_url_$kind" "$build/authorize_$kind"
  check_kms_example "$build/kms_signer_$kind" "$build/authorize_$kind"
done

step "CMake build of the examples (find_package via pkg-config)"
rm -rf "$build/cmake"
cmake -S examples/c -B "$build/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build/cmake" >/dev/null
check_examples "$build/cmake/sign_url" "$build/cmake/authorize"
check_kms_example "$build/cmake/kms_signer" "$build/cmake/authorize"

step "docs/c.md shows the examples exactly as examples/c holds them"
python3 - <<'PY'
import re, sys
doc = open("docs/c.md", encoding="utf-8").read()
blocks = re.findall(r"```c\n(.*?)```", doc, re.S)
shown = {}
for b in blocks:
    m = re.match(r"/\* (examples/c/[a-z_]+\.c):", b)
    if m:
        shown[m.group(1)] = b
want = ["examples/c/sign_url.c", "examples/c/authorize.c", "examples/c/kms_signer.c"]
for path in want:
    if path not in shown:
        sys.exit("docs/c.md does not show %s" % path)
    if shown[path] != open(path, encoding="utf-8").read():
        sys.exit("docs/c.md shows %s differently from the file; copy the file into the doc" % path)
print("docs/c.md: %d examples match examples/c" % len(want))
PY

step "all C/C++ checks passed"
