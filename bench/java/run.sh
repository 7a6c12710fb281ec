#!/usr/bin/env bash
# Java benchmark: RSA-4096 Signer.sign (release libqencode_cdn in the jar)
# against jjwt and nimbus-jose-jwt (pre-parsed RSAPrivateKey, the JDK's RSA),
# with JMH on one thread, and the Rust core's own rate in the same run
# (bindings-c/examples/core_rate.rs, measured before and after JMH). Prints
# the ratios; fails unless Signer.sign is >= 0.90x the core's rate.
# Then ScaleRate: the external signer, prepare/finish, signMany and cache hits
# (QCDN_BENCH_SCALE=0 skips it).
# Usage: bench/java/run.sh [JMH options]   (QCDN_BENCH_PAIRS=3, QCDN_BENCH_JMH=0 skips JMH)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target
repo=(-B -q -Dstyle.color=never -Dmaven.repo.local="$target/maven-repo")
cargo build --locked -q --release -p qencode-cdn-ffi --lib --example core_rate
(cd bindings-java && mvn "${repo[@]}" install -DskipTests -Dqcdn.profile=release)
(cd bench/java && mvn "${repo[@]}" package)
cp="$root/bench/java/target/classes:$(cat bench/java/target/classpath.txt)"
key=tests/keys/rsa4096.pkcs1.pem
pairs=${QCDN_BENCH_PAIRS:-3}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
best() { sort -g | head -1; }
core=(); q=(); j=(); n=()
# Alternate the core and the Java package PAIRS times (best batch of each), as bench/c/run.sh does:
# on a shared machine the minimum of several batches is the comparable number.
for i in $(seq "$pairs"); do
  r=$("$target/release/examples/core_rate" "$key" 5 100)
  m=$(java -cp "$cp" com.qencode.cdn.bench.MinRate "$root/tests/keys" 5 100)
  echo "pair $i: core $r | java $m"
  core+=("$(field sign_ns_min "$r")"); q+=("$(field qencode_ns_min "$m")")
  j+=("$(field jjwt_ns_min "$m")"); n+=("$(field nimbus_ns_min "$m")")
done
if [ "${QCDN_BENCH_SCALE:-1}" = 1 ]; then
  # Issues 17 and 18 from Java: external signer, two-phase, batches, cache hits (ScaleRate.java).
  echo "scale: $(java -cp "$cp" com.qencode.cdn.bench.ScaleRate "$root/tests/keys" 5 100)"
fi
cs=$(printf '%s\n' "${core[@]}" | best); qs=$(printf '%s\n' "${q[@]}" | best)
js=$(printf '%s\n' "${j[@]}" | best); ns=$(printf '%s\n' "${n[@]}" | best)
if [ "${QCDN_BENCH_JMH:-1}" = 1 ]; then
  # JMH's view of the same three (average time; noisier on a shared machine).
  jmh_opts=("$@"); [ ${#jmh_opts[@]} -gt 0 ] || jmh_opts=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
  java -cp "$cp" org.openjdk.jmh.Main SignBench "${jmh_opts[@]}" -jvmArgs "-Dqcdn.keys=$root/tests/keys" \
    | tee "$target/java-bench-jmh.txt" | grep -E '^(Benchmark|SignBench)'
fi
python3 - "$cs" "$qs" "$js" "$ns" <<'PY'
import sys
c, q, j, n = (float(x) / 1000 for x in sys.argv[1:])
print(f"RSA-4096 sign, one thread (best batch): core {c:.1f} us, Signer.sign {q:.1f} us, jjwt {j:.1f} us, nimbus {n:.1f} us")
print(f"Signer.sign / core rate: {c / q:.3f} (target >= 0.90); Signer.sign is {j / q:.2f}x jjwt's rate and {n / q:.2f}x nimbus's")
sys.exit(0 if c / q >= 0.90 else 1)
PY
