'use strict'
// Signer, Verifier, URL builders, signed cookie: the JS surface over the core.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const {
  Signer,
  Verifier,
  livePlaybackUrl,
  liveCustomDomainUrl,
  storageUrl,
  storageCustomDomainUrl,
  withToken,
  decodeUnverified,
  audit,
  InvalidArgumentError,
  InvalidKeyError,
  TokenError,
  TokenExpiredError,
  TokenNotYetValidError,
  UriMismatchError,
  UnknownKeyIdError,
  InvalidSignatureError,
  MalformedTokenError,
  SIGNER_ENV,
} = require('qencode-cdn')
const { key, keyBytes, keyPath, throwsWith } = require('./helpers.js')

const KID = 'key-1'
const NOW = 1_700_000_000
const signer = new Signer(KID, key('rsa2048.pkcs1.pem'))
const verifier = Verifier.fromSigner(signer)
const claimsOf = (token) => decodeUnverified(token).claims

test('every accepted key form gives the same signer (same token)', () => {
  const expected = signer.sign('x', { now: NOW })
  const pem = key('rsa2048.pkcs1.pem')
  const forms = [
    key('rsa2048.pkcs8.pem'),
    keyBytes('rsa2048.pkcs1.der'),
    keyBytes('rsa2048.pkcs8.der'),
    new Uint8Array(keyBytes('rsa2048.pkcs1.der')),
    pem.replace(/\n/g, '\\n'),
    pem.replace(/\n/g, '\r\n'),
    pem.replace(/\n/g, ' '),
    Buffer.from(pem).toString('base64'),
  ]
  for (const f of forms) assert.equal(new Signer(KID, f).sign('x', { now: NOW }), expected)
  assert.equal(Signer.fromFile(KID, keyPath('rsa2048.pkcs8.pem')).sign('x', { now: NOW }), expected)
  assert.equal(signer.keyBits, 2048)
  assert.equal(signer.keyId, KID)
})

test('bad keys are INVALID_KEY, bad key ids and types INVALID_ARGUMENT', () => {
  for (const f of ['rsa1024.pkcs1.pem', 'rsa2048.encrypted.pem', 'ec-p256.pkcs8.pem', 'ed25519.pem', 'rsa2048.spki.pem']) {
    throwsWith(assert, () => new Signer(KID, key(f)), 'INVALID_KEY', InvalidKeyError)
  }
  throwsWith(assert, () => new Signer(KID, 'not a key'), 'INVALID_KEY', InvalidKeyError)
  throwsWith(assert, () => new Signer('', key('rsa2048.pkcs1.pem')), 'INVALID_ARGUMENT', InvalidArgumentError)
  throwsWith(assert, () => new Signer(KID, 42), 'INVALID_ARGUMENT', InvalidArgumentError)
  throwsWith(assert, () => new Signer(KID), 'INVALID_ARGUMENT', InvalidArgumentError)
  throwsWith(assert, () => new Signer(undefined, key('rsa2048.pkcs1.pem')), 'INVALID_ARGUMENT')
  throwsWith(assert, () => Signer.fromFile(KID, '/nonexistent/key.pem'), 'INVALID_ARGUMENT')
})

test('Signer.fromEnv reads QENCODE_SIGNING_KEY (and the key id from QENCODE_SIGNING_KEY_ID)', () => {
  assert.deepEqual(SIGNER_ENV, { keyId: 'QENCODE_SIGNING_KEY_ID', privateKey: 'QENCODE_SIGNING_KEY' })
  const saved = { ...process.env }
  try {
    delete process.env[SIGNER_ENV.keyId]
    delete process.env[SIGNER_ENV.privateKey]
    const e = throwsWith(assert, () => Signer.fromEnv(KID), 'INVALID_ARGUMENT')
    assert.match(e.message, /QENCODE_SIGNING_KEY/)
    process.env.QENCODE_SIGNING_KEY = key('rsa2048.pkcs1.pem').replace(/\n/g, '\\n')
    // Without a key id and without QENCODE_SIGNING_KEY_ID (unset, or blank).
    assert.match(throwsWith(assert, () => Signer.fromEnv(), 'INVALID_ARGUMENT').message, /QENCODE_SIGNING_KEY_ID/)
    process.env.QENCODE_SIGNING_KEY_ID = ' \n'
    assert.match(throwsWith(assert, () => Signer.fromEnv(), 'INVALID_ARGUMENT').message, /QENCODE_SIGNING_KEY_ID/)
    assert.equal(Signer.fromEnv(KID).sign('x', { now: NOW }), signer.sign('x', { now: NOW }))
    process.env.QENCODE_SIGNING_KEY_ID = ' from-env\n'
    assert.equal(Signer.fromEnv().keyId, 'from-env', 'trimmed')
    assert.equal(Signer.fromEnv(undefined).keyId, 'from-env')
    // The variable is always QENCODE_SIGNING_KEY: the old second argument is refused, not ignored.
    process.env.MY_KEY = key('rsa2048.pkcs8.pem')
    throwsWith(assert, () => Signer.fromEnv(KID, 'MY_KEY'), 'INVALID_ARGUMENT')
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
    Object.assign(process.env, saved)
  }
})

test('default expiry is one hour; expiresAt wins; Dates are seconds', () => {
  assert.deepEqual(claimsOf(signer.sign('a', { now: NOW })), { uri: 'a', exp: NOW + 3600 })
  assert.equal(claimsOf(signer.sign('a', { now: NOW, expiresIn: 60, expiresAt: NOW + 10 })).exp, NOW + 10)
  const at = new Date((NOW + 1234) * 1000 + 999)
  assert.equal(claimsOf(signer.sign('a', { now: NOW, expiresAt: at })).exp, NOW + 1234)
  const c = claimsOf(signer.sign('a', { now: new Date(NOW * 1000), notBefore: new Date((NOW - 5) * 1000) }))
  assert.deepEqual(c, { uri: 'a', exp: NOW + 3600, nbf: NOW - 5 })
  const fresh = claimsOf(signer.sign('a'))
  assert.ok(Math.abs(fresh.exp - (Math.floor(Date.now() / 1000) + 3600)) <= 2)
})

test('a token never expires only with neverExpires: true', () => {
  assert.deepEqual(claimsOf(signer.sign('a', { now: NOW, neverExpires: true })), { uri: 'a' })
  // Options that are not lifetimes may be null or undefined: not given.
  const plain = signer.sign('a', { now: NOW })
  for (const none of [{ notBefore: undefined }, { notBefore: null }, { claims: null }, { claims: undefined }, { now: NOW, neverExpires: false }]) {
    assert.equal(signer.sign('a', { now: NOW, ...none }), plain, JSON.stringify(none))
  }
  const viaNull = claimsOf(signer.sign('a', null)) // null options are no options: the default hour
  assert.ok(Math.abs(viaNull.exp - (Math.floor(Date.now() / 1000) + 3600)) <= 2)
  // Missing configuration values must not mean "forever", nor the default.
  for (const bad of [
    { expiresIn: undefined },
    { expiresIn: null },
    { expiresAt: undefined },
    { expiresAt: null },
    { neverExpires: undefined },
    { neverExpires: null },
    { expiresIn: 0 },
    { expiresIn: -1 },
    { expiresAt: 0 },
    { expiresIn: NaN },
    { expiresIn: Infinity },
    { expiresIn: 1.5 },
    { expiresIn: '3600' },
    { expiresAt: new Date('nope') },
    { neverExpires: 'yes' },
    { neverExpires: true, expiresIn: 60 },
    { expiresin: 60 },
    { claims: { exp: 1 } },
    { claims: { uri: 'other' } },
    { claims: [1, 2] },
    { claims: { big: 10n } },
    { now: NOW, notBefore: NOW + 3600 },
    { expiresAt: NOW - 60 },
    { expiresAt: (NOW + 60) * 1000 },
  ]) {
    throwsWith(assert, () => signer.sign('a', { now: NOW, ...bad }), 'INVALID_ARGUMENT', InvalidArgumentError)
  }
  throwsWith(assert, () => signer.sign('a', 'expiresIn=5'), 'INVALID_ARGUMENT')
  throwsWith(assert, () => signer.sign('a', [600]), 'INVALID_ARGUMENT')
  throwsWith(assert, () => signer.sign(5), 'INVALID_ARGUMENT')
  // The core's words, in camelCase.
  const err = throwsWith(assert, () => signer.sign('a', { expiresIn: undefined }), 'INVALID_ARGUMENT')
  assert.match(err.message, /expiresIn/)
  assert.match(err.message, /neverExpires/)
  assert.match(throwsWith(assert, () => signer.sign('a', { expiresin: 60 }), 'INVALID_ARGUMENT').message, /unknown sign option `expiresin`/)
  assert.match(throwsWith(assert, () => signer.sign('a', { expiresAt: 1_700_000_000_000 }), 'INVALID_ARGUMENT').message, /milliseconds/)
  assert.match(throwsWith(assert, () => signer.sign('a', { claims: { n: NaN } }), 'INVALID_ARGUMENT').message, /claims\.n/)
})

test('an expired token is made by signing in the past (now), not with an expiresAt in the past', () => {
  const token = signer.sign('a', { now: NOW - 7200 })
  throwsWith(assert, () => verifier.verify(token, { now: NOW }), 'TOKEN_EXPIRED', TokenExpiredError)
})

test('JS values in options: Dates anywhere are Unix seconds, undefined members of claims are left out, cycles are refused', () => {
  const c = claimsOf(
    signer.sign('a', { now: NOW, claims: { at: new Date(NOW * 1000 + 999), gone: undefined, list: [undefined, 1], deep: { n: 1 } } }),
  )
  assert.deepEqual(c, { uri: 'a', exp: NOW + 3600, at: NOW, list: [null, 1], deep: { n: 1 } })
  const cyclic = { a: 1 }
  cyclic.self = cyclic
  assert.match(throwsWith(assert, () => signer.sign('a', { claims: cyclic }), 'INVALID_ARGUMENT').message, /cycle/)
  for (const bad of [Symbol('s'), () => 1, 10n, Infinity]) {
    throwsWith(assert, () => signer.sign('a', { claims: { x: bad } }), 'INVALID_ARGUMENT')
  }
  // Only own enumerable keys: an inherited option is not read.
  const inherited = Object.create({ neverExpires: true })
  inherited.now = NOW
  assert.equal(claimsOf(signer.sign('a', inherited)).exp, NOW + 3600)
})

test('signAsync runs on the pool and rejects (never throws) on bad input', async () => {
  const token = await signer.signAsync('a', { now: NOW })
  assert.equal(token, signer.sign('a', { now: NOW }))
  await assert.rejects(signer.signAsync('a', { expiresIn: 0 }), { code: 'INVALID_ARGUMENT' })
  await assert.rejects(signer.signAsync(42), { code: 'INVALID_ARGUMENT' })
  const many = await Promise.all(Array.from({ length: 16 }, (_, i) => signer.signAsync(`id-${i}`, { now: NOW })))
  many.forEach((t, i) => assert.equal(t, signer.sign(`id-${i}`, { now: NOW })))
})

test('custom claims keep JSON semantics (large integers stay integers)', () => {
  const c = claimsOf(signer.sign('a', { now: NOW, claims: { z: 5_000_000_000, a: [1.5, null, 'x'], m: { k: true } } }))
  assert.deepEqual(c, { uri: 'a', exp: NOW + 3600, a: [1.5, null, 'x'], m: { k: true }, z: 5_000_000_000 })
  const payload = Buffer.from(signer.sign('a', { now: NOW, claims: { z: 5_000_000_000 } }).split('.')[1], 'base64url').toString()
  assert.equal(payload, `{"uri":"a","exp":${NOW + 3600},"z":5000000000}`)
})

test('the four URL builders, with and without token', () => {
  assert.equal(livePlaybackUrl('abc123'), 'https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8')
  assert.equal(liveCustomDomainUrl('live.example.com', 'abc123', { token: 'T' }), 'https://live.example.com/abc123.m3u8?auth=T')
  assert.equal(storageUrl('my-bucket', 'us-west', 'videos/a b.mp4'), 'https://my-bucket.media-storage.us-west.qencode.com/videos/a%20b.mp4')
  assert.equal(storageCustomDomainUrl('media.example.com', 'v/x.mp4', { token: 'T' }), 'https://media.example.com/v/x.mp4?auth=T')
  assert.equal(withToken('https://example.com/a?b=1', 'T'), 'https://example.com/a?b=1&auth=T')
  throwsWith(assert, () => storageUrl('my-bucket', 'mars-north', 'a'), 'INVALID_ARGUMENT')
  throwsWith(assert, () => livePlaybackUrl('bad id!'), 'INVALID_ARGUMENT')
  throwsWith(assert, () => liveCustomDomainUrl('not a domain', 'abc'), 'INVALID_ARGUMENT')
  assert.equal(livePlaybackUrl('abc', { token: undefined }), livePlaybackUrl('abc'), 'undefined is not given')
  assert.equal(livePlaybackUrl('abc', { token: null }), livePlaybackUrl('abc'))
  throwsWith(assert, () => livePlaybackUrl('abc', { tokn: 'T' }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => livePlaybackUrl('abc', { token: 5 }), 'INVALID_ARGUMENT')
})

test('signed URLs carry a token for exactly what they address', () => {
  const cases = [
    [signer.signedLiveUrl('abc123', { now: NOW }), 'abc123'],
    [signer.signedLiveCustomDomainUrl('live.example.com', 'abc123', { now: NOW }), 'abc123'],
    [signer.signedStorageUrl('my-bucket', 'eu-central', 'videos/a.mp4', { now: NOW }), 'videos/a.mp4'],
    [signer.signedStorageCustomDomainUrl('media.example.com', 'videos/a.mp4', { now: NOW }), 'videos/a.mp4'],
    [signer.signUrl('https://cdn.example.com/x?y=1', 'videos/', { now: NOW }), 'videos/'],
  ]
  for (const [url, uri] of cases) {
    const token = new URL(url).searchParams.get('auth')
    assert.equal(claimsOf(token).uri, uri)
  }
  assert.ok(cases[0][0].startsWith('https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=ey'))
  // A token `uri` with a leading `/` can never match an object key.
  throwsWith(assert, () => signer.sign('/videos/a.mp4', { now: NOW }), 'INVALID_ARGUMENT')
})

test('signedCookie: Set-Cookie header, folder path, Max-Age from exp', () => {
  const c = signer.signedCookie('videos/a/', { now: NOW, expiresIn: 600, domain: 'example.com' })
  assert.equal(c.name, 'Qencode-Auth-Token')
  assert.equal(c.path, '/videos/a/')
  assert.equal(c.max_age, 600)
  assert.equal(c.header, `Qencode-Auth-Token=${c.value}; Domain=example.com; Path=/videos/a/; Max-Age=600; Secure; HttpOnly; SameSite=Lax`)
  const strict = signer.signedCookie('videos/a/', { sameSite: 'strict', httpOnly: false, path: '/v/' })
  assert.match(strict.header, /; Path=\/v\/; Max-Age=\d+; Secure; SameSite=Strict$/)
  throwsWith(assert, () => signer.signedCookie('videos/a/', { sameSite: 'sideways' }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => signer.signedCookie('videos/a/', { color: 'blue' }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => signer.signedCookie('videos/a/', { expiresIn: null }), 'INVALID_ARGUMENT')
  assert.equal(signer.signedCookie('videos/a/', { now: NOW, domain: undefined }).domain, null, 'undefined is not given')
  // A cookie for a single file is refused (its Path would cover the folder's
  // segments, which the token does not); that file's own path asks for one.
  const single = throwsWith(assert, () => signer.signedCookie('videos/a/master.m3u8', { now: NOW }), 'INVALID_ARGUMENT')
  assert.match(single.message, /videos\/a\//)
  assert.equal(signer.signedCookie('videos/a/intro.mp4', { now: NOW, path: '/videos/a/intro.mp4' }).path, '/videos/a/intro.mp4')
})

test('Verifier: each verification failure has its code and class', () => {
  const other = new Signer(KID, key('rsa4096-b.pkcs1.pem'))
  const token = signer.sign('abc', { now: NOW, expiresIn: 100, notBefore: NOW })
  assert.deepEqual(verifier.verify(token, { now: NOW + 1 }), { kid: KID, claims: { uri: 'abc', exp: NOW + 100, nbf: NOW } })
  throwsWith(assert, () => verifier.verify(token, { now: NOW + 200 }), 'TOKEN_EXPIRED', TokenExpiredError)
  assert.equal(verifier.verify(token, { now: NOW + 110, leeway: 30 }).claims.uri, 'abc')
  throwsWith(assert, () => verifier.verify(token, { now: NOW - 50 }), 'TOKEN_NOT_YET_VALID', TokenNotYetValidError)
  throwsWith(assert, () => verifier.verify(token, { now: NOW + 1, resource: { kind: 'live', playbackId: 'xyz' } }), 'URI_MISMATCH', UriMismatchError)
  throwsWith(assert, () => verifier.verify(token, { now: NOW + 1, keyId: 'other' }), 'UNKNOWN_KEY_ID', UnknownKeyIdError)
  throwsWith(assert, () => verifier.verify(token, { now: NOW + 1, kid: 'other' }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => verifier.verify(other.sign('abc'), {}), 'INVALID_SIGNATURE', InvalidSignatureError)
  const e = throwsWith(assert, () => verifier.verify('not.a.token'), 'MALFORMED_TOKEN', MalformedTokenError)
  assert.ok(e instanceof TokenError)
  throwsWith(assert, () => verifier.verify(token, { resource: { kind: 'vod' } }), 'INVALID_ARGUMENT')
  assert.equal(new Verifier(key('rsa2048.spki.pem')).verify(signer.sign('s/')).claims.uri, 's/')
  assert.equal(new Verifier(keyBytes('rsa2048.spki.der')).keyId, null)
  assert.equal(new Verifier(keyBytes('rsa2048.spki.der'), { keyId: 'k-9' }).keyId, 'k-9')
  throwsWith(assert, () => new Verifier(keyBytes('rsa2048.spki.der'), { kid: 'k-9' }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => new Verifier('nope'), 'INVALID_KEY')
  throwsWith(assert, () => Verifier.fromSigner({}), 'INVALID_ARGUMENT')
})

test('explain says in words why a URL is refused', () => {
  const url = signer.signedStorageUrl('my-bucket', 'us-west', 'videos/a/x.mp4')
  const good = verifier.explain(url)
  assert.equal(good.ok, true)
  assert.equal(good.form, 'storage')
  assert.deepEqual(good.resource, { kind: 'storage', key: 'videos/a/x.mp4' })
  const bad = verifier.explain(url.replace('videos/a/', 'videos/b/'))
  assert.equal(bad.ok, false)
  const failed = bad.checks.find((c) => !c.passed)
  assert.equal(failed.name, 'resource')
  assert.match(failed.detail, /videos\/a\/x\.mp4/)
  assert.equal(verifier.explain('https://example.com/no-token').ok, false)
})

test('explainToken: every check for a bare token, in the shape of explain', () => {
  const token = signer.sign('videos/a/', { now: NOW, expiresIn: 60 })
  const good = verifier.explainToken(token, { now: NOW + 1, resource: { kind: 'storage', key: 'videos/a/1.ts' } })
  assert.equal(good.ok, true)
  assert.equal(good.url, '')
  assert.equal(good.key_id, KID)
  assert.deepEqual(good.claims, { uri: 'videos/a/', exp: NOW + 60 })
  assert.deepEqual(Object.keys(good).sort(), Object.keys(verifier.explain(signer.signedLiveUrl('abc'))).sort())
  const late = verifier.explainToken(token, { now: NOW + 3600 })
  assert.equal(late.ok, false)
  assert.match(late.checks.find((c) => !c.passed).name, /expiry/)
  const other = verifier.explainToken(token, { now: NOW + 1, resource: { kind: 'live', playbackId: 'abc' } })
  assert.equal(other.checks.find((c) => !c.passed).name, 'resource')
  assert.equal(verifier.explainToken('not a token').ok, false, 'never throws for a bad token')
  throwsWith(assert, () => verifier.explainToken(token, { resource: { kind: 'live' } }), 'INVALID_ARGUMENT')
})

test('audit: what a token grants in words, from the free function, the signer and the verifier', () => {
  const wide = signer.sign('', { now: NOW, neverExpires: true })
  const codes = (ws) => ws.map((w) => w.code)
  assert.deepEqual(codes(audit(wide, { now: NOW })), ['WHOLE_BUCKET', 'NEVER_EXPIRES'])
  assert.deepEqual(codes(audit(wide, { now: new Date(NOW * 1000) })), ['WHOLE_BUCKET', 'NEVER_EXPIRES'])
  assert.deepEqual(codes(signer.audit(wide)), codes(verifier.audit(wide)))
  assert.ok(audit(wide).every((w) => typeof w.message === 'string' && w.message.length > 0))
  assert.deepEqual(audit(signer.sign('videos/a/')), [])
  throwsWith(assert, () => audit('a.b'), 'MALFORMED_TOKEN', MalformedTokenError)
  throwsWith(assert, () => audit(wide, { when: NOW }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => audit(wide, { now: 'today' }), 'INVALID_ARGUMENT')
})

test('Verifier from a JWK expects its kid, as JSON text, as an object, or through new Verifier', () => {
  const jwk = { ...signer.publicKeyJwk(), kid: 'jwk-kid' }
  const mine = new Signer('jwk-kid', key('rsa2048.pkcs1.pem'))
  for (const v of [Verifier.fromJwk(jwk), Verifier.fromJwk(JSON.stringify(jwk)), new Verifier(JSON.stringify(jwk))]) {
    assert.equal(v.keyId, 'jwk-kid')
    assert.equal(v.verify(mine.sign('x')).kid, 'jwk-kid')
    throwsWith(assert, () => v.verify(signer.sign('x')), 'UNKNOWN_KEY_ID', UnknownKeyIdError)
  }
  throwsWith(assert, () => Verifier.fromJwk(42), 'INVALID_ARGUMENT')
  throwsWith(assert, () => Verifier.fromJwk({ kty: 'RSA' }), 'INVALID_KEY')
})

test('inspect and errors never show key material', () => {
  const pem = key('rsa2048.pkcs1.pem')
  const body = pem.split('\n')[1]
  const shown = util.inspect(signer, { showHidden: true, depth: 5 }) + util.inspect(verifier, { showHidden: true })
  assert.ok(!shown.includes(body))
  assert.match(util.inspect(signer), /Signer \{ keyId: 'key-1', keyBits: 2048 \}/)
  // A key in the wrong place, or a broken key, is not echoed.
  const errors = []
  for (const f of [
    () => new Signer(pem, 'x'),
    () => new Signer(KID, pem.slice(0, 400)),
    () => new Signer(KID, pem.replace('MII', 'XXX')),
    () => signer.sign(pem, { expiresIn: pem }),
    () => signer.sign('a', { claims: pem }),
    () => new Verifier(pem.slice(0, 300)),
  ]) {
    try {
      f()
    } catch (e) {
      errors.push(e)
    }
  }
  assert.equal(errors.length, 6)
  for (const e of errors) {
    const text = `${e.message} ${util.inspect(e)} ${e.stack}`
    assert.ok(!text.includes(body), `key material in: ${e.message}`)
    assert.ok(!text.includes(body.slice(10, 30)))
  }
})

test('signAsync signs on the libuv pool: the event loop turns before the signatures are done', async () => {
  const big = new Signer(KID, key('rsa4096.pkcs1.pem'))
  const all = Promise.all(Array.from({ length: 12 }, (_, i) => big.signAsync(`id-${i}`, { now: NOW })))
  let turned = false
  setImmediate(() => {
    turned = true
  })
  const tokens = await all
  assert.ok(turned, 'with signing on the JS thread the promises would settle before setImmediate runs')
  assert.equal(tokens[3], big.sign('id-3', { now: NOW }))
})
