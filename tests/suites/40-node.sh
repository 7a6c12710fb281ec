#!/usr/bin/env bash
# Node package `qencode-cdn` (bindings-node/): pinned toolchain from
# package-lock.json, Rust format and lints of the binding crate, a debug build
# of the addon, drift check of the generated native.js/native.d.ts, `node
# --test` (every conformance case of tests/conformance, checked by
# check-summary; jsonwebtoken/jose interop on every token those cases expect;
# every client method and error code against the in-process emulator;
# docs/node.md examples), `tsc --strict` on a file using the whole API and on
# the type test of lib/index.d.ts against native.d.ts, and `npm pack`
# installed into an empty project and used from CommonJS, ESM and TypeScript.
set -euo pipefail
root="${QCDN_ROOT:?run through tests/run.sh}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
pkg="$root/bindings-node"
cd "$pkg"

step() { echo "--- node: $*"; }

step "npm ci (toolchain pinned in package-lock.json)"
npm ci --prefer-offline --no-audit --no-fund --loglevel=error

step "cargo fmt / clippy (qencode-cdn-node)"
cargo fmt -p qencode-cdn-node --check
cargo clippy -p qencode-cdn-node --all-targets --locked -- -D warnings

step "napi build (debug) and drift check of the generated native.js / native.d.ts"
npm run --silent build:debug
if ! git -C "$root" diff --exit-code -- bindings-node/native.js bindings-node/native.d.ts; then
  echo "generated bindings-node/native.js or native.d.ts differ from the committed ones: commit the regenerated files" >&2
  exit 1
fi
if [ -n "$(git -C "$root" ls-files --others --exclude-standard -- bindings-node/native.js bindings-node/native.d.ts)" ]; then
  echo "generated bindings-node/native.js / native.d.ts are not committed" >&2
  exit 1
fi
if [ -e index.js ] || [ -e index.d.ts ]; then
  echo "a second generated loader (index.js / index.d.ts) appeared beside lib/: the loader is native.js" >&2
  exit 1
fi

step "node --test (dots here; the full report, with the conformance summary, in a log)"
log=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$log"' EXIT
if ! node --test --test-reporter=dot --test-reporter-destination=stdout \
  --test-reporter=spec --test-reporter-destination="$log" test/*.test.js test/*.test.mjs; then
  grep -E '^(✖|conformance:)' "$log" >&2 || true
  exit 1
fi
grep -E '^conformance: |^  skipped ' "$log"
"$root/tests/conformance/check-summary" node "$log"

step "tsc --noEmit --strict"
npx tsc --noEmit --strict -p test/tsconfig.json

step "npm pack, installed into an empty project"
npm pack --silent --pack-destination "$tmp" >/dev/null
tarball=$(ls "$tmp"/qencode-cdn-*.tgz)
contents=$(tar -tzf "$tarball")
for f in package/native.js package/native.d.ts package/lib/index.js package/lib/index.mjs package/lib/index.d.ts \
  package/lib/testing.js package/lib/testing.mjs package/lib/testing.d.ts package/qencode-cdn.linux-x64-gnu.node; do
  grep -qx "$f" <<<"$contents" || { echo "the tarball lacks $f" >&2; exit 1; }
done
if grep -E '^package/(src|test|node_modules)/|^package/index\.(js|d\.ts)$' <<<"$contents"; then
  echo "the tarball holds files it should not" >&2
  exit 1
fi
mkdir "$tmp/app"
cp "$root/tests/keys/rsa2048.pkcs1.pem" "$tmp/app/key.pem"
cd "$tmp/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tarball"
cat >cjs.js <<'EOF'
const assert = require('node:assert/strict')
const { Signer, Verifier, QencodeError } = require('qencode-cdn')
const { Emulator } = require('qencode-cdn/testing')
const signer = Signer.fromFile('key-1', 'key.pem')
const url = signer.signedStorageUrl('my-bucket', 'us-west', 'videos/a.mp4', { now: 1700000000 })
assert.ok(Verifier.fromSigner(signer).explain(url).ok === false) // expired long ago
assert.throws(() => signer.sign('x', { expiresIn: undefined }), (e) => e instanceof QencodeError && e.code === 'INVALID_ARGUMENT' && e.status === null)
assert.throws(() => Signer.fromEnv('key-1'), (e) => e.code === 'INVALID_ARGUMENT' && /QENCODE_SIGNING_KEY/.test(e.message))
const emu = Emulator.start()
emu.client().createDomain('live.example.com', 'live').then((d) => {
  assert.equal(d.domain_name, 'live.example.com')
  emu.stop()
  console.log('cjs ok')
})
EOF
cat >esm.mjs <<'EOF'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Signer, Verifier } from 'qencode-cdn'
import { Emulator } from 'qencode-cdn/testing'
const signer = new Signer('key-1', readFileSync('key.pem'))
assert.equal(Verifier.fromSigner(signer).verify(signer.sign('abc123')).claims.uri, 'abc123')
assert.equal(Verifier.fromSigner(signer).explainToken(signer.sign('abc123')).ok, true)
const emu = Emulator.start()
assert.deepEqual(await emu.client().listDomains(), [])
emu.stop()
console.log('esm ok')
EOF
cat >app.ts <<'EOF'
import { Signer, Verifier, type SignOptions, type Domain, type Explanation } from 'qencode-cdn'
import { Emulator } from 'qencode-cdn/testing'
const opts: SignOptions = { expiresIn: 60, notBefore: new Date(), claims: null }
const explained: Explanation = Verifier.fromSigner(new Signer('key-1', 'pem')).explainToken('t', { keyId: 'key-1' })
void explained
const token: string = new Signer('key-1', 'pem').sign('abc', opts)
async function f(): Promise<Domain[]> {
  return Emulator.start().client().listDomains()
}
void token
void f
EOF
node cjs.js
node esm.mjs
"$pkg/node_modules/.bin/tsc" --noEmit --strict --module node16 --moduleResolution node16 --target es2022 \
  --types node --typeRoots "$pkg/node_modules/@types" app.ts
echo "node: all checks passed"
