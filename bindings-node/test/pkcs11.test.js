'use strict'
// Signer.fromPkcs11 against a real HSM implementation, SoftHSM2: tokens in a
// temporary folder hold the repository's test keys, and the HSM signs every
// golden token of the conformance cases byte for byte as the local key
// does — synchronously, on the libuv pool, in batches on several threads and
// behind a cache. A wrong PIN, a missing key, token or module are
// INVALID_KEY without the PIN; a token removed while in use is SIGNER_FAILED.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const util = require('node:util')
const { pathToFileURL } = require('node:url')
const q = require('qencode-cdn')
const { loadCases, camel, throwsWith, softhsm, SOFTHSM_MODULE, HSM_PIN, key } = require('./helpers.js')

const TOKEN = 'qcdn-node'
const REMOVABLE = 'removable'
// Nobody logs into this one: PKCS#11 login is per token and process, so the
// wrong-PIN test needs a token no other test has opened.
const LOCKED = 'locked'

const hsm = softhsm([
  { label: TOKEN, keys: [['rsa2048.pkcs8.pem', 'video-key'], ['rsa4096.pkcs8.pem', 'video-key-4096']] },
  { label: REMOVABLE, keys: [['rsa2048.pkcs8.pem', 'k']] },
  { label: LOCKED, keys: [['rsa2048.pkcs8.pem', 'k']] },
])
// Before the module is first loaded in this process.
process.env.SOFTHSM2_CONF = hsm.conf
test.after(() => fs.rmSync(hsm.dir, { recursive: true, force: true }))

const NOW = 1_700_000_000
const hsmSigner = (label, kid) => q.Signer.fromPkcs11(SOFTHSM_MODULE, TOKEN, label, HSM_PIN, kid)

test('the HSM signs every golden token byte for byte', async () => {
  let checked = 0
  for (const c of loadCases()) {
    if (c.op !== 'sign' || typeof c.expect.token !== 'string' || typeof c.input.signer.key !== 'string') continue
    const label = c.input.signer.key.startsWith('tests/keys/rsa2048.')
      ? 'video-key'
      : c.input.signer.key.startsWith('tests/keys/rsa4096.')
        ? 'video-key-4096'
        : null
    if (label === null) continue
    const s = hsmSigner(label, c.input.signer.kid)
    assert.equal(s.isExternal, true)
    assert.equal(s.sign(c.input.uri, camel(c.input.options)), c.expect.token, c.name)
    checked++
  }
  assert.ok(checked >= 30, `only ${checked} golden tokens went through the HSM`)
})

test('an HSM signer on the pool, in batches on several threads and behind a cache', async () => {
  const s = hsmSigner('video-key', 'key-1')
  const local = new q.Signer('key-1', key('rsa2048.pkcs1.pem'))
  const o = { now: NOW, expiresIn: 600 }
  assert.equal(await s.signAsync('abc', o), local.sign('abc', o))
  const items = Array.from({ length: 24 }, (_, i) => ({ uri: `videos/${i}/`, options: o }))
  const want = items.map((it) => local.sign(it.uri, it.options))
  assert.deepEqual(s.signMany(items, { threads: 4 }).map((r) => r.token), want)
  assert.deepEqual((await s.signManyAsync(items, { threads: 3 })).map((r) => r.token), want)
  assert.deepEqual(await Promise.all(items.map((it) => s.signAsync(it.uri, it.options))), want)
  const cached = s.cached({ window: 60 })
  assert.equal(cached.sign('hot', { expiresIn: 600 }), cached.sign('hot', { expiresIn: 600 }))
  assert.equal(cached.cachedTokens, 1)
  assert.equal(s.signedLiveUrl('abc123', o), local.signedLiveUrl('abc123', o))
  assert.equal(q.Verifier.fromSigner(s).verify(s.sign('x')).kid, 'key-1')
  // The module path may be a file: URL.
  assert.equal(q.Signer.fromPkcs11(pathToFileURL(SOFTHSM_MODULE), TOKEN, 'video-key', HSM_PIN, 'key-1').sign('abc', o), local.sign('abc', o))
  assert.doesNotMatch(util.inspect(s), new RegExp(HSM_PIN))
})

test('a wrong PIN, a missing key, token or module: INVALID_KEY, never showing the PIN', () => {
  const cases = [
    [() => q.Signer.fromPkcs11(SOFTHSM_MODULE, LOCKED, 'k', '0000-wrong', 'k'), 'wrong PIN'],
    [() => q.Signer.fromPkcs11(SOFTHSM_MODULE, TOKEN, 'no-such-key', HSM_PIN, 'k'), 'no private key'],
    [() => q.Signer.fromPkcs11(SOFTHSM_MODULE, 'no-such-token', 'video-key', HSM_PIN, 'k'), 'no token'],
    [() => q.Signer.fromPkcs11('/no/such/module.so', TOKEN, 'video-key', HSM_PIN, 'k'), 'cannot load'],
  ]
  for (const [fn, words] of cases) {
    const e = throwsWith(assert, fn, 'INVALID_KEY', q.InvalidKeyError)
    assert.ok(e.message.includes(words), e.message)
    assert.ok(!e.message.includes('0000-wrong'), e.message)
    assert.ok(!e.message.includes(HSM_PIN), e.message)
  }
  throwsWith(assert, () => q.Signer.fromPkcs11(SOFTHSM_MODULE, TOKEN, 'video-key', HSM_PIN, ''), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Signer.fromPkcs11(SOFTHSM_MODULE, TOKEN, 'video-key', 1234, 'k'), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Signer.fromPkcs11(new URL('https://example.com/hsm.so'), TOKEN, 'video-key', HSM_PIN, 'k'), 'INVALID_ARGUMENT')
})

test('a token removed while in use: SIGNER_FAILED, no token', async () => {
  const s = q.Signer.fromPkcs11(SOFTHSM_MODULE, REMOVABLE, 'k', HSM_PIN, 'key-1')
  s.sign('abc')
  hsm.util(['--delete-token', '--token', REMOVABLE])
  const e = throwsWith(assert, () => s.sign('abc'), 'SIGNER_FAILED', q.SignerFailedError)
  assert.ok(e.message.includes(REMOVABLE), e.message)
  const [r] = await s.signManyAsync(['abc'])
  assert.equal(r.token, null)
  assert.equal(r.error.code, 'SIGNER_FAILED')
})
