#!/usr/bin/env bash
# Runs a loop of every kind of call through the Java package (signer and
# verifier new/free, sign, verify, explain, cookie, decode, audit, three
# error paths; key sets, batches, the cache, prepare/finish; external signers
# through the JNA callback — a good one shared with a cached signer and a
# batch, four broken ones, one refused — checking that each ExternalSigner is
# released exactly once) under valgrind memcheck, then lists the leak records
# and error contexts that have a libqencode_cdn frame (the JVM's own are many
# and not ours). Needs `mvn package` in bindings-java first. Slow (the JVM
# runs -Xint under valgrind): about 10 minutes for the default 20 rounds.
# Usage: bindings-java/scripts/valgrind.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/java-valgrind
rm -rf "$work"; mkdir -p "$work"
version=$(awk -F'"' '/^version = /{print $2; exit}' "$root/Cargo.toml")
cp="$(cat "$root/bindings-java/target/runtime-classpath.txt"):$root/bindings-java/target/qencode-cdn-$version.jar"
javac -d "$work" -cp "$cp" "$root/bindings-java/scripts/valgrind/VgLoop.java"
cp "$target/debug/libqencode_cdn.so" "$work/"
valgrind --leak-check=full --show-leak-kinds=definite,indirect --smc-check=all-non-file --error-limit=no \
  --num-callers=30 java -Xint -XX:+UseSerialGC -cp "$work:$cp" -Dqencode.cdn.library="$work/libqencode_cdn.so" \
  VgLoop "${1:-20}" "$root/tests/keys/rsa2048.pkcs1.pem" 2>"$work/valgrind.log"
python3 - "$work/valgrind.log" <<'PY'
import re, sys
blocks = re.split(r"\n==\d+== \n", open(sys.argv[1]).read())
leaks = [b for b in blocks if "loss record" in b and ("definitely lost" in b or "indirectly lost" in b)]
errors = [b for b in blocks if re.search(r"Invalid (read|write)|uninitialised|Conditional jump|Invalid free|Mismatched free", b)]
ours = lambda bs: [b for b in bs if re.search(r"libqencode_cdn|qcdn_", b)]
print(f"valgrind: {len(leaks)} leak records, {len(ours(leaks))} with a libqencode_cdn frame; "
      f"{len(errors)} error contexts, {len(ours(errors))} with a libqencode_cdn frame")
for b in ours(leaks) + ours(errors):
    print(b)
sys.exit(1 if ours(leaks) or ours(errors) else 0)
PY
