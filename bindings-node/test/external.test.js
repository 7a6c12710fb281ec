'use strict'
// External signers written in JavaScript (`Signer.external`): backed by a
// local key through Node's own crypto (OpenSSL, not our aws-lc), they give
// byte-identical tokens for every golden `sign` case, URLs and cookies;
// async functions are awaited by signAsync/signManyAsync; and every broken
// signer — one that throws, rejects, returns the wrong length, garbage,
// another key's signature, a value of the wrong type, a Promise where a
// signature is needed, hangs, or is called from other threads — gives its
// coded error and never a token.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const util = require('node:util')
const q = require('qencode-cdn')
const { hooks } = require('qencode-cdn/testing')
const { ROOT, key, loadCases, camel, throwsWith, rejectsWith } = require('./helpers.js')
const path = require('node:path')
const fs = require('node:fs')

const NOW = 1_700_000_000
const PRIVATE = crypto.createPrivateKey(key('rsa2048.pkcs1.pem'))
const PUBLIC = crypto.createPublicKey(PRIVATE).export({ type: 'spki', format: 'pem' })
const OTHER = crypto.createPrivateKey(key('rsa4096-b.pkcs1.pem'))
const local = new q.Signer('key-1', key('rsa2048.pkcs1.pem'))

/** An RS256 signer function backed by `privateKey` through node:crypto. */
const nodeSign = (privateKey) =>
  function nodeCryptoSign(input) {
    return crypto.sign('sha256', input, privateKey)
  }

/** A signer over `fn` with the test public key. */
const external = (fn, options) => q.Signer.external('key-1', PUBLIC, fn, options)

/** Asserts `fn` throws SIGNER_FAILED (a SignerFailedError) whose message contains every `words`. */
function signerFailed(fn, ...words) {
  const e = throwsWith(assert, fn, 'SIGNER_FAILED', q.SignerFailedError)
  for (const w of words) assert.ok(e.message.includes(w), `\`${w}\` not in: ${e.message}`)
  assert.equal(e.status, null)
  return e
}

test('a node:crypto signer gives byte-identical tokens for every golden sign case', () => {
  const keys = new Map()
  let checked = 0
  for (const c of loadCases()) {
    if (c.op !== 'sign' || typeof c.expect.token !== 'string' || typeof c.input.signer.key !== 'string') continue
    const file = path.join(ROOT, c.input.signer.key)
    if (!keys.has(file)) {
      let priv
      try {
        priv = crypto.createPrivateKey({ key: fs.readFileSync(file), format: file.endsWith('.der') ? 'der' : 'pem', type: file.includes('pkcs1') ? 'pkcs1' : 'pkcs8' })
      } catch {
        priv = null // a key node:crypto cannot read as such (not a case for this test)
      }
      keys.set(file, priv)
    }
    const priv = keys.get(file)
    if (priv === null) continue
    const pub = crypto.createPublicKey(priv).export({ type: 'spki', format: 'der' })
    const signer = q.Signer.external(c.input.signer.kid, pub, nodeSign(priv))
    assert.equal(signer.sign(c.input.uri, camel(c.input.options)), c.expect.token, c.name)
    checked++
  }
  assert.ok(checked >= 30, `only ${checked} golden tokens went through the external signer`)
})

test('URLs, cookies and signUrl of an external signer are those of the local key', () => {
  const s = external(nodeSign(PRIVATE))
  assert.equal(s.isExternal, true)
  assert.equal(local.isExternal, false)
  assert.equal(s.keyBits, 2048)
  const o = { now: NOW, expiresIn: 600 }
  assert.equal(s.signedLiveUrl('abc123', o), local.signedLiveUrl('abc123', o))
  assert.equal(s.signedLiveCustomDomainUrl('live.example.com', 'abc123', o), local.signedLiveCustomDomainUrl('live.example.com', 'abc123', o))
  assert.equal(s.signedStorageUrl('bkt', 'us-west', 'videos/a.mp4', o), local.signedStorageUrl('bkt', 'us-west', 'videos/a.mp4', o))
  assert.equal(s.signedStorageCustomDomainUrl('media.example.com', 'videos/a.mp4', o), local.signedStorageCustomDomainUrl('media.example.com', 'videos/a.mp4', o))
  assert.equal(s.signUrl('https://x.example.com/p?q=1', 'p', o), local.signUrl('https://x.example.com/p?q=1', 'p', o))
  assert.deepEqual(s.signedCookie('videos/a/', { ...o, domain: 'example.com' }), local.signedCookie('videos/a/', { ...o, domain: 'example.com' }))
  assert.equal(q.Verifier.fromSigner(s).verify(s.sign('abc', o), { now: NOW }).kid, 'key-1')
  assert.match(util.inspect(s), /^Signer \{ keyId: 'key-1', keyBits: 2048, external: true \}$/)
})

test('the function gets the exact signing input as a Buffer, once per token', () => {
  const seen = []
  const s = external((input) => {
    seen.push(input)
    return crypto.sign('sha256', input, PRIVATE)
  })
  const token = s.sign('videos/a/', { now: NOW })
  assert.equal(seen.length, 1)
  assert.ok(Buffer.isBuffer(seen[0]))
  assert.equal(seen[0].toString('latin1'), token.split('.').slice(0, 2).join('.'))
})

test('a Uint8Array, an ArrayBuffer (WebCrypto) and a Buffer are all signatures', async () => {
  const o = { now: NOW }
  const want = local.sign('x', o)
  assert.equal(external((i) => new Uint8Array(crypto.sign('sha256', i, PRIVATE))).sign('x', o), want)
  const sig = crypto.sign('sha256', Buffer.from(want.split('.').slice(0, 2).join('.')), PRIVATE)
  const arrayBuffer = sig.buffer.slice(sig.byteOffset, sig.byteOffset + sig.length)
  assert.equal(external(() => arrayBuffer).sign('x', o), want)
  // A Buffer that is a view into a larger pool (byteOffset != 0) is read at its own offset.
  const pooled = Buffer.concat([Buffer.alloc(7), sig]).subarray(7)
  assert.equal(external(() => pooled).sign('x', o), want)
  // WebCrypto's subtle.sign resolves to an ArrayBuffer: awaited by signAsync.
  const webKey = await crypto.webcrypto.subtle.importKey('pkcs8', PRIVATE.export({ type: 'pkcs8', format: 'der' }), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign'])
  const web = external((i) => crypto.webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', webKey, i))
  assert.equal(await web.signAsync('x', o), want)
})

test('signAsync awaits an async function; a synchronous one works there too', async () => {
  const o = { now: NOW, expiresIn: 300 }
  const slow = external(async (input) => {
    await new Promise((r) => setTimeout(r, 20))
    return crypto.sign('sha256', input, PRIVATE)
  })
  assert.equal(await slow.signAsync('abc123', o), local.sign('abc123', o))
  assert.equal(await external(nodeSign(PRIVATE)).signAsync('abc123', o), local.sign('abc123', o))
  // Many at once: each its own token.
  const uris = Array.from({ length: 20 }, (_, i) => `videos/${i}/`)
  assert.deepEqual(await Promise.all(uris.map((u) => slow.signAsync(u, o))), uris.map((u) => local.sign(u, o)))
  // Errors of the options are the core's, before the function is called.
  await rejectsWith(assert, () => slow.signAsync('abc', { expiresIn: null }), 'INVALID_ARGUMENT', q.InvalidArgumentError)
})

test('a cached async signer asks its function once per uri and window', async () => {
  let calls = 0
  const kms = external(async (input) => {
    calls++
    await new Promise((r) => setTimeout(r, 5))
    return crypto.sign('sha256', input, PRIVATE)
  })
  const cached = kms.cached({ window: 300 })
  const o = { expiresIn: 3600 }
  const first = await cached.signAsync('videos/a/', o)
  assert.equal(await cached.signAsync('videos/a/', o), first, 'the same window: the kept token')
  assert.equal(cached.sign('videos/a/', o), first, 'sign finds it too')
  await cached.signAsync('videos/b/', o)
  assert.equal(calls, 2, 'one signature per uri')
  assert.equal(cached.cachedTokens, 2)
})

test('waiting for an async signer does not block the event loop', async () => {
  let release
  const gate = new Promise((r) => {
    release = r
  })
  const s = external(async (input) => {
    await gate
    return crypto.sign('sha256', input, PRIVATE)
  })
  const pending = s.signAsync('abc', { now: NOW })
  let ticked = false
  await new Promise((r) => setTimeout(r, 10)).then(() => {
    ticked = true
  })
  assert.ok(ticked, 'a timer ran while the signature was awaited')
  release()
  assert.equal(await pending, local.sign('abc', { now: NOW }))
})

test('a function that throws: SIGNER_FAILED, its message in ours, the thrown error as cause', async () => {
  const boom = new TypeError('KMS throttled the request')
  const s = external(function kmsSign() {
    throw boom
  })
  for (const call of [() => s.sign('abc'), () => s.signedLiveUrl('abc'), () => s.signedCookie('videos/a/')]) {
    const e = signerFailed(call, 'kmsSign', 'KMS throttled the request', 'TypeError')
    assert.equal(e.cause, boom)
    assert.equal(Object.keys(e).includes('cause'), false, 'cause is not enumerable, as Error cause is')
  }
  const e = await rejectsWith(assert, () => s.signAsync('abc'), 'SIGNER_FAILED', q.SignerFailedError)
  assert.equal(e.cause, boom)
  // A thrown non-Error value: described by type, kept as the cause.
  const t = signerFailed(() => external(() => {
    throw 'a plain string' // eslint-disable-line no-throw-literal
  }).sign('x'), 'a plain string')
  assert.equal(t.cause, 'a plain string')
  signerFailed(() => external(() => {
    throw 42 // eslint-disable-line no-throw-literal
  }).sign('x'), 'threw a number')
  // A very long message is cut.
  const long = signerFailed(() => external(() => {
    throw new Error('x'.repeat(10_000))
  }).sign('x'))
  assert.ok(long.message.length < 1000, long.message.length)
})

test('a Promise that rejects: SIGNER_FAILED with the rejection as cause', async () => {
  const why = new Error('AccessDeniedException: not allowed to use key')
  const s = external(async () => {
    throw why
  })
  const e = await rejectsWith(assert, () => s.signAsync('abc'), 'SIGNER_FAILED', q.SignerFailedError)
  assert.ok(e.message.includes('rejected with Error: AccessDeniedException'), e.message)
  assert.equal(e.cause, why)
})

test('wrong length, garbage and another key: SIGNER_FAILED, never a token', async () => {
  signerFailed(() => external(() => Buffer.alloc(255)).sign('x'), '255 bytes', '256')
  signerFailed(() => external(() => Buffer.alloc(0)).sign('x'), '0 bytes')
  signerFailed(() => external((i) => crypto.sign('sha256', i, PRIVATE).subarray(1)).sign('x'), '255 bytes')
  signerFailed(() => external(() => crypto.randomBytes(256)).sign('x'), 'does not verify')
  signerFailed(() => external(nodeSign(OTHER)).sign('x'), '512 bytes')
  // The right length from another 2048-bit key: the core's verification catches it.
  const other2048 = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  signerFailed(() => external(nodeSign(other2048)).sign('x'), 'does not verify')
  // RS512 instead of RS256: right length, wrong algorithm.
  signerFailed(() => external((i) => crypto.sign('sha512', i, PRIVATE)).sign('x'), 'does not verify')
  // The same failures through signAsync's awaited path.
  await rejectsWith(assert, () => external(async () => Buffer.alloc(10)).signAsync('x'), 'SIGNER_FAILED')
  await rejectsWith(assert, () => external(async () => crypto.randomBytes(256)).signAsync('x'), 'SIGNER_FAILED')
  await rejectsWith(assert, () => external(async () => 'c2lnbmF0dXJl').signAsync('x'), 'SIGNER_FAILED')
})

test('a value that is not bytes: SIGNER_FAILED saying what came back', async () => {
  const cases = [
    [undefined, 'returned undefined'],
    [null, 'returned null'],
    [42, 'returned a number'],
    ['c2lnbmF0dXJl', "Buffer.from(text, 'base64')"],
    [{ signature: 'x' }, 'returned an object'],
    [new Uint16Array(128), 'Uint16Array'],
    [[1, 2, 3], 'returned an object'],
  ]
  for (const [value, words] of cases) signerFailed(() => external(() => value).sign('x'), words)
  await rejectsWith(assert, () => external(async () => undefined).signAsync('x'), 'SIGNER_FAILED')
})

test('a Promise where a signature is needed: SIGNER_FAILED naming signAsync, and no unhandled rejection', async () => {
  const unhandled = []
  const onUnhandled = (reason) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  try {
    const s = external(async () => {
      throw new Error('rejected later')
    })
    signerFailed(() => s.sign('x'), 'returned a Promise', 'signAsync')
    signerFailed(() => s.signedStorageUrl('bkt', 'us-west', 'a.mp4'), 'returned a Promise')
    const [r] = s.signMany(['x'])
    assert.equal(r.token, null)
    assert.equal(r.error.code, 'SIGNER_FAILED')
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.deepEqual(unhandled, [])
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})

test('a signer that hangs: TIMEOUT after its timeout, no token, the event loop free', async () => {
  const hang = external(() => new Promise(() => {}), { timeout: 0.2 })
  const started = Date.now()
  const e = await rejectsWith(assert, () => hang.signAsync('x'), 'TIMEOUT', q.TimeoutError)
  assert.ok(Date.now() - started >= 150, 'it waited for the timeout')
  assert.ok(e.message.includes('0.2 s'), e.message)
  assert.equal(e.status, null)
  // A late answer after the timeout is dropped (no token, no unhandled rejection).
  let answer
  const late = external(() => new Promise((r) => { answer = r }), { timeout: 0.05 })
  await rejectsWith(assert, () => late.signAsync('x'), 'TIMEOUT')
  answer(crypto.sign('sha256', Buffer.from('late'), PRIVATE))
  // In a batch: each item times out on its own.
  const results = await hang.signManyAsync(['a', 'b', 'c'])
  assert.deepEqual(results.map((r) => [r.token, r.error.code]), [[null, 'TIMEOUT'], [null, 'TIMEOUT'], [null, 'TIMEOUT']])
})

test('the timeout option: more than 0, at most a day, seconds', () => {
  for (const timeout of [0, -1, Number.NaN, Infinity, 86_401, '30']) {
    throwsWith(assert, () => external(nodeSign(PRIVATE), { timeout }), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  }
  throwsWith(assert, () => external(nodeSign(PRIVATE), { timeot: 5 }), 'INVALID_ARGUMENT')
  assert.equal(external(nodeSign(PRIVATE), { timeout: 0.5 }).sign('x', { now: NOW }), local.sign('x', { now: NOW }))
  assert.equal(external(nodeSign(PRIVATE), { timeout: null }).keyId, 'key-1')
})

test('called from other threads at once: SIGNER_FAILED for each, no crash, no token', () => {
  let calls = 0
  const s = external((input) => {
    calls++
    return crypto.sign('sha256', input, PRIVATE)
  })
  const results = hooks.signFromThreads(s, 8)
  assert.equal(results.length, 8)
  for (const r of results) {
    assert.equal(r.token, null)
    assert.ok(r.error instanceof q.SignerFailedError)
    assert.ok(r.error.message.includes('only on the JavaScript thread'), r.error.message)
  }
  assert.equal(calls, 0, 'the function was never called off the JS thread')
  // The same signer still signs on the JS thread.
  assert.equal(s.sign('x', { now: NOW }), local.sign('x', { now: NOW }))
  // A local signer signs from those threads (the hook itself works).
  assert.ok(hooks.signFromThreads(local, 4).every((r) => r.error === null && r.token.startsWith('ey')))
})

test('bad arguments of Signer.external: INVALID_ARGUMENT or INVALID_KEY', () => {
  throwsWith(assert, () => q.Signer.external('key-1', PUBLIC, 'not a function'), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  throwsWith(assert, () => q.Signer.external('key-1', PUBLIC), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Signer.external('', PUBLIC, nodeSign(PRIVATE)), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.Signer.external('key-1', 'not a key', nodeSign(PRIVATE)), 'INVALID_KEY', q.InvalidKeyError)
  throwsWith(assert, () => q.Signer.external('key-1', key('ec-p256.pkcs8.pem'), nodeSign(PRIVATE)), 'INVALID_KEY')
  // A private key as the public key is fine (its public half is used), a JWK too.
  assert.equal(q.Signer.external('key-1', key('rsa2048.pkcs8.pem'), nodeSign(PRIVATE)).sign('x', { now: NOW }), local.sign('x', { now: NOW }))
  assert.equal(q.Signer.external('key-1', JSON.stringify(local.publicKeyJwk()), nodeSign(PRIVATE)).sign('x', { now: NOW }), local.sign('x', { now: NOW }))
})

test('signMany and signManyAsync with an external signer: per-item results and causes', async () => {
  const o = { now: NOW }
  const items = ['videos/0/', { uri: '/bad', options: o }, { uri: 'videos/2/', options: o }, { uri: 'videos/3/', expiresIn: 5 }]
  const want = local.signMany(items.map((it) => (typeof it === 'string' ? { uri: it, options: o } : it)))
  const sync = external(nodeSign(PRIVATE))
  const got = sync.signMany(items.map((it) => (typeof it === 'string' ? { uri: it, options: o } : it)))
  assert.deepEqual(got.map((r) => r.token), want.map((r) => r.token))
  assert.deepEqual(got.map((r) => r.error && r.error.code), want.map((r) => r.error && r.error.code))
  assert.deepEqual(got.map((r) => r.error && r.error.message), want.map((r) => r.error && r.error.message), 'the same messages (item index included)')
  const slow = external(async (input) => crypto.sign('sha256', input, PRIVATE))
  const asyncGot = await slow.signManyAsync(items.map((it) => (typeof it === 'string' ? { uri: it, options: o } : it)), { threads: 3 })
  assert.deepEqual(asyncGot.map((r) => r.token), want.map((r) => r.token))
  // A function that fails on one uri: that item's error has its own cause.
  const picky = external((input) => {
    const claims = JSON.parse(Buffer.from(input.toString().split('.')[1], 'base64url'))
    if (claims.uri === 'videos/1/') throw new RangeError('not this one')
    return crypto.sign('sha256', input, PRIVATE)
  })
  const mixed = picky.signMany([{ uri: 'videos/1/', options: o }, { uri: 'videos/0/', options: o }])
  assert.equal(mixed[0].token, null)
  assert.ok(mixed[0].error instanceof q.SignerFailedError)
  assert.ok(mixed[0].error.cause instanceof RangeError)
  assert.equal(mixed[1].token, local.sign('videos/0/', o))
  assert.deepEqual(sync.signMany([]), [])
  assert.deepEqual(await slow.signManyAsync([]), [])
  throwsWith(assert, () => sync.signMany(['x'], { threads: 0 }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => sync.signMany([], { threads: 0 }), 'INVALID_ARGUMENT')
  await rejectsWith(assert, () => slow.signManyAsync(['x'], { threads: 'all' }), 'INVALID_ARGUMENT')
})

test('a cached external signer calls its function once per window and uri', async () => {
  let calls = 0
  const s = external((input) => {
    calls++
    return crypto.sign('sha256', input, PRIVATE)
  }).cached({ window: 300 })
  assert.equal(s.isExternal, true)
  const a = s.sign('videos/a/', { expiresIn: 3600 })
  const b = s.sign('videos/a/', { expiresIn: 3600 })
  const c = await s.signAsync('videos/a/', { expiresIn: 3600 })
  assert.equal(a, b)
  assert.equal(a, c)
  assert.equal(calls, 1)
  assert.equal(s.cachedTokens, 1)
  assert.equal(q.decodeUnverified(a).claims.exp % 300, 0, 'exp rounded up to the window')
  // An async function behind a cache: the token is the window's (exp rounded).
  const asyncCached = external(async (i) => crypto.sign('sha256', i, PRIVATE)).cached({ window: 300 })
  const t = await asyncCached.signAsync('videos/b/', { expiresIn: 3600 })
  assert.equal(q.decodeUnverified(t).claims.exp % 300, 0)
  assert.equal(q.Verifier.fromSigner(local).verify(t).claims.uri, 'videos/b/')
})

test('a signer function may sign with another signer (or itself) inside', () => {
  const inner = external(nodeSign(PRIVATE))
  let innerToken
  const outer = external((input) => {
    innerToken = inner.sign('inner', { now: NOW })
    return crypto.sign('sha256', input, PRIVATE)
  })
  assert.equal(outer.sign('outer', { now: NOW }), local.sign('outer', { now: NOW }))
  assert.equal(innerToken, local.sign('inner', { now: NOW }))
  let depth = 0
  const self = external((input) => {
    if (depth++ === 0) assert.equal(self.sign('nested', { now: NOW }), local.sign('nested', { now: NOW }))
    return crypto.sign('sha256', input, PRIVATE)
  })
  assert.equal(self.sign('outer', { now: NOW }), local.sign('outer', { now: NOW }))
  // A failure inside does not leak into the outer call's cause.
  const failing = external(() => {
    throw new Error('inner failure')
  })
  const wrapper = external((input) => {
    try {
      failing.sign('x')
    } catch {
      // handled by the function
    }
    return crypto.sign('sha256', input, PRIVATE)
  })
  assert.equal(wrapper.sign('ok', { now: NOW }), local.sign('ok', { now: NOW }))
})
