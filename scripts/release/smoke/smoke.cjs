// Release smoke test of the installed npm packages from CommonJS: every golden
// sign vector with plain options, verify, a URL, the emulator and a client call.
// Usage: node smoke.cjs REPO_ROOT
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { Signer, Verifier, storageUrl } = require('qencode-cdn')
const { Emulator } = require('qencode-cdn/testing')

const root = process.argv[2]
const camel = { now: 'now', expires_in: 'expiresIn', expires_at: 'expiresAt', not_before: 'notBefore', claims: 'claims', never_expires: 'neverExpires' }
let golden = 0
for (const c of JSON.parse(fs.readFileSync(path.join(root, 'tests/conformance/sign.json'), 'utf8')).cases) {
  const opts = c.input.options || {}
  const want = c.expect.token
  if (!want || Object.keys(opts).some((k) => !(k in camel) || opts[k] === null)) continue
  const signer = new Signer(c.input.signer.kid, fs.readFileSync(path.join(root, c.input.signer.key), 'utf8'))
  const o = Object.fromEntries(Object.entries(opts).map(([k, v]) => [camel[k], v]))
  assert.equal(signer.sign(c.input.uri, o), want, c.name)
  golden++
}
assert.ok(golden >= 10, `only ${golden} golden vectors`)
const signer = new Signer('key-1', fs.readFileSync(path.join(root, 'tests/keys/rsa2048.pkcs1.pem'), 'utf8'))
const token = signer.sign('abc123')
assert.equal(Verifier.fromSigner(signer).verify(token).claims.uri, 'abc123')
assert.match(storageUrl('my-bucket', 'us-west', 'videos/a b.mp4', { token }), /^https:\/\/my-bucket\.media-storage\.us-west\.qencode\.com\/videos\/a%20b\.mp4\?auth=/)
const emu = Emulator.start()
emu.client().createDomain('live.example.com', 'live').then((d) => {
  assert.equal(d.domain_name, 'live.example.com')
  emu.stop()
  console.log(`smoke (Node ${process.version}, CommonJS, ${require.resolve('qencode-cdn')}): ${golden} golden tokens, verify, URL, emulator + client call: ok`)
})
