// The same from ESM (the package's `import` entry points).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Signer, Verifier, storageUrl } from 'qencode-cdn'
import { Emulator } from 'qencode-cdn/testing'

const root = process.argv[2]
const c = JSON.parse(readFileSync(`${root}/tests/conformance/sign.json`, 'utf8')).cases.find((x) => x.expect.token)
const golden = new Signer(c.input.signer.kid, readFileSync(`${root}/${c.input.signer.key}`, 'utf8'))
assert.equal(golden.sign(c.input.uri, { now: c.input.options.now }), c.expect.token)
const signer = new Signer('key-1', readFileSync(`${root}/tests/keys/rsa2048.pkcs1.pem`))
assert.equal(Verifier.fromSigner(signer).verify(signer.sign('abc123')).claims.uri, 'abc123')
assert.ok(storageUrl('my-bucket', 'us-west', 'videos/a.mp4').startsWith('https://my-bucket.'))
const emu = Emulator.start()
assert.deepEqual(await emu.client().listDomains(), [])
emu.stop()
console.log('smoke (Node, ESM): golden token, verify, URL, emulator + client call: ok')
