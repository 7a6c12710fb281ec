'use strict'
// Key sets: Verifier.fromJwks (object or text), Verifier.fromKeys (pairs,
// { kid, key } objects, a Map, any iterable), keyIds, jwks() and its round
// trip, a rotation with two keys active, and jose's own JWK Set reader
// verifying our tokens against our exported set.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const q = require('qencode-cdn')
const { key, keyBytes, throwsWith } = require('./helpers.js')

const NOW = 1_700_000_000
const oldKey = new q.Signer('key-old', key('rsa2048.pkcs1.pem'))
const newKey = new q.Signer('key-new', key('rsa4096.pkcs1.pem'))
const stranger = new q.Signer('key-gone', key('rsa2048.pkcs1.pem'))
const set = { keys: [oldKey.publicKeyJwk(), newKey.publicKeyJwk()] }

test('fromJwks reads an object or JSON text; the token kid picks the key', () => {
  for (const v of [q.Verifier.fromJwks(set), q.Verifier.fromJwks(JSON.stringify(set)), new q.Verifier(JSON.stringify(set))]) {
    assert.deepEqual(v.keyIds, ['key-old', 'key-new'])
    assert.equal(v.keyId, null)
    assert.equal(v.verify(oldKey.sign('abc', { now: NOW }), { now: NOW }).kid, 'key-old')
    assert.equal(v.verify(newKey.sign('abc', { now: NOW }), { now: NOW }).kid, 'key-new')
    const e = throwsWith(assert, () => v.verify(stranger.sign('abc', { now: NOW }), { now: NOW }), 'UNKNOWN_KEY_ID', q.UnknownKeyIdError)
    assert.ok(e.message.includes('key-gone') && e.message.includes('key-old') && e.message.includes('key-new'), e.message)
  }
})

test('fromKeys takes [kid, key] pairs, { kid, key } objects, a Map or any iterable', () => {
  const forms = [
    [['key-old', oldKey.publicKeyPem()], ['key-new', newKey.publicKeyPem()]],
    [{ kid: 'key-old', key: keyBytes('rsa2048.spki.der') }, { kid: 'key-new', key: key('rsa4096.spki.pem') }],
    new Map([['key-old', key('rsa2048.spki.pem')], ['key-new', new Uint8Array(Buffer.from(key('rsa4096.spki.pem')))]]),
    (function* entries() {
      yield ['key-old', JSON.stringify(oldKey.publicKeyJwk())]
      yield { kid: 'key-new', key: key('rsa4096.pkcs1.pem') } // a private key: its public half
    })(),
  ]
  for (const f of forms) {
    const v = q.Verifier.fromKeys(f)
    assert.deepEqual(v.keyIds, ['key-old', 'key-new'])
    assert.equal(v.verify(oldKey.sign('x', { now: NOW }), { now: NOW }).kid, 'key-old')
    assert.equal(v.verify(newKey.sign('x', { now: NOW }), { now: NOW }).kid, 'key-new')
  }
})

test('fromKeys refuses what is not a key set, naming the key', () => {
  const e = throwsWith(assert, () => q.Verifier.fromKeys({ 'key-old': key('rsa2048.spki.pem') }), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  assert.ok(e.message.includes('Object.entries'), e.message)
  throwsWith(assert, () => q.Verifier.fromKeys('key-old'), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Verifier.fromKeys(null), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Verifier.fromKeys([]), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Verifier.fromKeys([['k', 42]]), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Verifier.fromKeys([{ kid: 'k' }]), 'INVALID_ARGUMENT')
  const bad = throwsWith(assert, () => q.Verifier.fromKeys([['key-1', key('rsa2048.spki.pem')], ['key-2', 'not a key']]), 'INVALID_KEY', q.InvalidKeyError)
  assert.ok(bad.message.includes('key-2'), bad.message)
  throwsWith(assert, () => q.Verifier.fromKeys([['k', key('rsa2048.spki.pem')], ['k', key('rsa4096.spki.pem')]]), 'INVALID_KEY')
  throwsWith(assert, () => q.Verifier.fromKeys([['', key('rsa2048.spki.pem')]]), 'INVALID_KEY')
  throwsWith(assert, () => q.Verifier.fromKeys([['k', key('ec-p256.pkcs8.pem')]]), 'INVALID_KEY')
})

test('fromJwks given an object: the same refusals as for text (the core reads both)', () => {
  // The cases of tests/conformance/keysets.json give the set as text; here as objects.
  throwsWith(assert, () => q.Verifier.fromJwks({ keys: [] }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Verifier.fromJwks({ keys: [{ ...oldKey.publicKeyJwk(), kid: undefined }] }), 'INVALID_KEY')
  throwsWith(assert, () => q.Verifier.fromJwks({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'ec' }] }), 'INVALID_KEY')
  throwsWith(assert, () => q.Verifier.fromJwks(oldKey.publicKeyJwk()), 'INVALID_KEY')
  // What JSON cannot hold, or what is neither text nor an object.
  throwsWith(assert, () => q.Verifier.fromJwks(42), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  throwsWith(assert, () => q.Verifier.fromJwks(null), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Verifier.fromJwks({ keys: [{ big: 10n }] }), 'INVALID_ARGUMENT')
})

test('jwks() exports the set; fromJwks reads it back; publicKeyPem needs one key', () => {
  const v = q.Verifier.fromKeys([['key-old', oldKey.publicKeyPem()], ['key-new', newKey.publicKeyPem()]])
  const exported = v.jwks()
  assert.deepEqual(exported, { keys: [oldKey.publicKeyJwk(), newKey.publicKeyJwk()] })
  assert.deepEqual(q.Verifier.fromJwks(exported).keyIds, ['key-old', 'key-new'])
  throwsWith(assert, () => v.publicKeyPem(), 'INVALID_ARGUMENT')
  // One key: a set of one.
  const one = q.Verifier.fromSigner(oldKey)
  assert.deepEqual(one.jwks(), { keys: [oldKey.publicKeyJwk()] })
  assert.deepEqual(one.keyIds, ['key-old'])
  assert.deepEqual(new q.Verifier(key('rsa2048.spki.pem')).keyIds, [])
  assert.equal(util.inspect(v), "Verifier { keyId: null, keyIds: [ 'key-old', 'key-new' ] }")
})

test('a rotation: tokens of both keys verify; an expected key id narrows the set', () => {
  const v = q.Verifier.fromJwks(set)
  const o = { now: NOW }
  assert.equal(v.verify(newKey.sign('videos/a/', o), { ...o, keyId: 'key-new' }).kid, 'key-new')
  throwsWith(assert, () => v.verify(oldKey.sign('videos/a/', o), { ...o, keyId: 'key-new' }), 'UNKNOWN_KEY_ID')
  const narrowed = new q.Verifier(JSON.stringify(set), { keyId: 'key-old' })
  assert.deepEqual(narrowed.keyIds, ['key-old', 'key-new'])
  throwsWith(assert, () => narrowed.verify(newKey.sign('x', o), o), 'UNKNOWN_KEY_ID')
  const explained = v.explainToken(stranger.sign('x', o), o)
  assert.equal(explained.ok, false)
  assert.ok(explained.checks.find((c) => c.name === 'key_id').detail.includes('`key-old`, `key-new`'))
  // A signed URL by either key explains as accepted.
  assert.equal(v.explain(oldKey.signedStorageUrl('bkt', 'us-west', 'videos/a/1.ts', o), o).ok, true)
  assert.equal(v.explain(newKey.signedStorageUrl('bkt', 'us-west', 'videos/a/1.ts', o), o).ok, true)
})

test("jose's JWK Set reader verifies our tokens against our exported set", async () => {
  const { createLocalJWKSet, jwtVerify } = await import('jose')
  const jwks = createLocalJWKSet(q.Verifier.fromSigner(oldKey).jwks())
  const bothKeys = createLocalJWKSet(q.Verifier.fromJwks(set).jwks())
  const token = newKey.sign('videos/a/', { expiresIn: 600 })
  const { payload, protectedHeader } = await jwtVerify(token, bothKeys, { algorithms: ['RS256'] })
  assert.equal(payload.uri, 'videos/a/')
  assert.equal(protectedHeader.kid, 'key-new')
  await assert.rejects(jwtVerify(token, jwks, { algorithms: ['RS256'] }))
})
