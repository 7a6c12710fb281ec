'use strict'
// Bad input of any shape is a QencodeError with a code of the table, never a
// crash, a TypeError from inside the package, or a silent success.
const test = require('node:test')
const assert = require('node:assert/strict')
const q = require('qencode-cdn')
const { Emulator } = require('qencode-cdn/testing')
const { key } = require('./helpers.js')

const CODES = new Set(q.errorCodes())
const JUNK = [undefined, null, 0, -1, NaN, 1e308, '', 'x'.repeat(100_000), '\u0000', true, {}, [], [1], () => 1, Symbol('s'), 10n, new Date(NaN), Buffer.alloc(0), { toString: () => { throw new Error('boom') } }]

function expectCoded(what, fn) {
  let result
  try {
    result = fn()
  } catch (e) {
    assert.ok(e instanceof q.QencodeError, `${what}: threw ${e && e.constructor && e.constructor.name}: ${e && e.message}`)
    assert.ok(CODES.has(e.code), `${what}: code ${e.code}`)
    return 'threw'
  }
  return result
}

async function expectCodedAsync(what, fn) {
  let p
  try {
    p = fn()
  } catch (e) {
    assert.fail(`${what}: a Promise-returning method threw synchronously: ${e && e.message}`)
  }
  assert.ok(p instanceof Promise, `${what}: returns a Promise`)
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof q.QencodeError, `${what}: rejected with ${e && e.constructor && e.constructor.name}: ${e && e.message}`)
    assert.ok(CODES.has(e.code), `${what}: code ${e.code}`)
  }
}

test('synchronous API: every argument position with junk', () => {
  const signer = new q.Signer('k', key('rsa2048.pkcs1.pem'))
  const verifier = q.Verifier.fromSigner(signer)
  const calls = {
    'new Signer(kid)': (j) => new q.Signer(j, key('rsa2048.pkcs1.pem')),
    'new Signer(, key)': (j) => new q.Signer('k', j),
    'Signer.fromFile': (j) => q.Signer.fromFile('k', j),
    'Signer.fromEnv': (j) => q.Signer.fromEnv(j),
    'sign(uri)': (j) => signer.sign(j),
    'sign(, options)': (j) => signer.sign('x', j),
    'sign(, { expiresIn })': (j) => signer.sign('x', { expiresIn: j }),
    'sign(, { expiresAt })': (j) => signer.sign('x', { expiresAt: j }),
    'sign(, { claims })': (j) => signer.sign('x', { claims: j }),
    'sign(, { claims: { a } })': (j) => signer.sign('x', { claims: { a: j } }),
    signedLiveUrl: (j) => signer.signedLiveUrl(j),
    signedStorageUrl: (j) => signer.signedStorageUrl('bkt', j, 'k'),
    signUrl: (j) => signer.signUrl(j, 'x'),
    'signedCookie(, options)': (j) => signer.signedCookie('x', j),
    'signedCookie(, { sameSite })': (j) => signer.signedCookie('x', { sameSite: j }),
    'new Verifier': (j) => new q.Verifier(j),
    'new Verifier(, options)': (j) => new q.Verifier(key('rsa2048.spki.pem'), j),
    'Verifier.fromJwk': (j) => q.Verifier.fromJwk(j),
    verify: (j) => verifier.verify(j),
    'verify(, options)': (j) => verifier.verify(signer.sign('x'), j),
    'verify(, { resource })': (j) => verifier.verify(signer.sign('x'), { resource: j }),
    explain: (j) => verifier.explain(j),
    livePlaybackUrl: (j) => q.livePlaybackUrl(j),
    storageUrl: (j) => q.storageUrl('bkt', 'us-west', j),
    'storageCustomDomainUrl(, options)': (j) => q.storageCustomDomainUrl('a.example.com', 'k', j),
    withToken: (j) => q.withToken('https://a.example.com/', j),
    decodeUnverified: (j) => q.decodeUnverified(j),
    'new Client': (j) => new q.Client(j),
    'new Client(, options)': (j) => new q.Client('k', j),
    'new Client(, { timeout })': (j) => new q.Client('k', { timeout: j }),
    'new Emulator': (j) => new Emulator(j),
  }
  for (const [name, fn] of Object.entries(calls)) {
    for (const j of JUNK) expectCoded(`${name} with ${typeof j}`, () => fn(j))
  }
})

test('asynchronous API: junk rejects with a code, never throws synchronously', async () => {
  const emu = Emulator.start()
  try {
    const client = emu.client({ maxRetries: 0 })
    const signer = new q.Signer('k', key('rsa2048.pkcs1.pem'))
    const calls = {
      signAsync: (j) => signer.signAsync(j),
      'signAsync(, options)': (j) => signer.signAsync('x', j),
      createDomain: (j) => client.createDomain(j, 'live'),
      'createDomain(, type)': (j) => client.createDomain('a.example.com', j),
      getDomain: (j) => client.getDomain(j),
      listDomains: (j) => client.listDomains(j),
      createSigningKey: (j) => client.createSigningKey(j),
      'createSigningKey({ stream })': (j) => client.createSigningKey({ stream: j }),
      renameSigningKey: (j) => client.renameSigningKey('id', j),
      setBucketPolicy: (j) => client.setBucketPolicy('bkt', j),
      setBucketCors: (j) => client.setBucketCors('bkt', j),
      purgeObjectCache: (j) => client.purgeObjectCache(j, 'p'),
      'emulator.fetch': (j) => emu.fetch(j),
    }
    for (const [name, fn] of Object.entries(calls)) {
      for (const j of JUNK) await expectCodedAsync(`${name} with ${typeof j}`, () => fn(j))
    }
  } finally {
    emu.stop()
  }
})
