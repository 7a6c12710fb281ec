#!/usr/bin/env bash
# PHP package `qencode/cdn` (bindings-php/): PHP 8.2 with ext/ffi, phpunit
# and composer from Debian (installed when missing); the FFI header is up to
# date with include/qencode_cdn.h; php -l and phpcs (PSR-12) on every file;
# composer validate;
# the package installed with Composer into an empty project (path
# repository, Packagist off) with the debug libqencode_cdn.so in its lib/;
# PHPUnit against that installed copy (every conformance case, checked by
# check-summary; golden vectors; openssl interop; the reference sample and
# its fix; every client method and error code against the emulator process;
# secrets in dumps; docs/php.md examples; external signers backed by PHP's
# OpenSSL, batches, caches and key sets; PKCS#11 against SoftHSM2, whose
# tokens the test sets up in a temporary SOFTHSM2_CONF); then a loop of sign
# calls through the binding under valgrind (PHP's allocator off:
# USE_ZEND_ALLOC=0) that also runs the external-signer callback, batches,
# caches and key sets: zero definite/indirect leaks, after two canaries prove
# a leaked token and a leaked external signer (callback path) are caught.
set -euo pipefail
trap 'echo "62-php.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
root="${QCDN_ROOT:?run through tests/run.sh}"
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/php-tests
step() { echo "--- php: $*"; }

missing=()
command -v php >/dev/null || missing+=(php8.2-cli)
command -v phpunit >/dev/null || missing+=(phpunit)
command -v composer >/dev/null || missing+=(composer)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v phpcs >/dev/null || missing+=(php-codesniffer)
command -v softhsm2-util >/dev/null || missing+=(softhsm2)  # the PKCS#11 module of Pkcs11Test
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
php -r 'exit(extension_loaded("ffi") && extension_loaded("json") && extension_loaded("openssl") && PHP_VERSION_ID >= 80100 ? 0 : 1);' ||
  { echo "php: needs PHP >= 8.1 with ffi, json and openssl: $(php -v | head -1)" >&2; exit 1; }

step "FFI header drift check (bindings-php/resources/qencode_cdn.h from include/qencode_cdn.h)"
php bindings-php/tools/gen-ffi-header.php --check include/qencode_cdn.h bindings-php/resources/qencode_cdn.h

step "php -l, phpcs (PSR-12, bindings-php/phpcs.xml.dist), composer validate"
while IFS= read -r -d '' f; do
  php -l "$f" >/dev/null 2>&1 || { php -l "$f"; exit 1; }
done < <(find bindings-php bench/php -name '*.php' -not -path '*/vendor/*' -print0)
(cd bindings-php && phpcs -q)
composer validate --no-check-publish -q -d bindings-php

step "building libqencode_cdn (debug) and the emulator"
cargo build --locked -q -p qencode-cdn-ffi
cargo build --locked -q -p qencode-cdn-emulator --bin qencode-cdn-emulator
lib=$target/debug/libqencode_cdn.so

step "composer install of the package into an empty project (Packagist off)"
rm -rf "$work"
mkdir -p "$work/stage" "$work/app"
# The working tree's package, without what a local checkout may hold beside it.
tar -C bindings-php --exclude=./vendor --exclude=./composer.lock --exclude='./lib/*.so' -cf - . | tar -C "$work/stage" -xf -
cat >"$work/app/composer.json" <<JSON
{
    "name": "qencode-cdn-tests/app",
    "description": "An empty project that installs qencode/cdn, as a user's project does.",
    "type": "project",
    "license": "MIT",
    "repositories": [
        {"type": "path", "url": "$work/stage", "options": {"symlink": false, "versions": {"qencode/cdn": "0.1.0"}}},
        {"packagist.org": false}
    ],
    "require": {"qencode/cdn": "0.1.0"}
}
JSON
export COMPOSER_HOME=$target/composer-home COMPOSER_NO_INTERACTION=1 COMPOSER_ALLOW_SUPERUSER=1
composer install -q --no-progress -d "$work/app"
installed=$work/app/vendor/qencode/cdn
[ -f "$installed/src/Signer.php" ] && [ -f "$installed/resources/qencode_cdn.h" ]
cp "$lib" "$installed/lib/libqencode_cdn.so"

export QCDN_PHP_AUTOLOAD=$work/app/vendor/autoload.php
export QENCODE_CDN_EMULATOR=$target/debug/qencode-cdn-emulator
unset QENCODE_CDN_LIBRARY  # found in the installed package's lib/

step "phpunit (the installed copy; conformance summary checked)"
log=$work/phpunit.log
if ! (cd "$installed" && phpunit -c phpunit.xml.dist) >"$log" 2>&1; then
  tail -n 80 "$log"
  exit 1
fi
grep -E '^conformance: |^  skipped |^OK \(' "$log"
tests/conformance/check-summary php "$log"

step "valgrind: a leaked library string and a leaked external signer are caught (canaries), then the loop leaks nothing"
vg=(--leak-check=full --show-leak-kinds=definite,indirect
  --errors-for-leak-kinds=definite,indirect --error-exitcode=1 --num-callers=30)
phpn=(php -n -d extension=ffi)  # no php.ini: only ext/ffi (and the built-in json) loaded
export USE_ZEND_ALLOC=0 QCDN_AUTOLOAD=$QCDN_PHP_AUTOLOAD
for canary in token external; do
  if valgrind -q "${vg[@]}" "${phpn[@]}" "$installed/tests/leak/canary.php" "$canary" >"$work/canary.log" 2>&1; then
    cat "$work/canary.log"; echo "valgrind missed the leak of the $canary canary" >&2; exit 1
  fi
  grep -q "definitely lost" "$work/canary.log"
done
# (without -q, so that the log shows valgrind's own leak and error summary)
valgrind "${vg[@]}" "${phpn[@]}" "$installed/tests/leak/sign_loop.php" 60 >"$work/leak.log" 2>&1 ||
  { grep -v '^--' "$work/leak.log" | tail -n 60; exit 1; }
grep -E '^sign_loop: |definitely lost:|indirectly lost:|ERROR SUMMARY:' "$work/leak.log" | sed 's/^==[0-9]*== *//'
grep -q 'ERROR SUMMARY: 0 errors' "$work/leak.log"
unset USE_ZEND_ALLOC

step "all PHP checks passed"
