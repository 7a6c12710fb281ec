'use strict'
// Issuance at scale from Node: signMany / signManyAsync (item forms, one
// `{ token, error }` per item, a bad item never fails the batch, the batch
// off the event loop) and the cached signer (options, sharing, bounds).
// The behaviour itself is the cases of tests/conformance/scale.json; these
// tests are about the Node shapes around it.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs/promises')
const util = require('node:util')
const q = require('qencode-cdn')
const { key, keyPath, throwsWith, rejectsWith } = require('./helpers.js')

const NOW = 1_700_000_000
const signer = new q.Signer('key-1', key('rsa2048.pkcs1.pem'))

test('signMany: a uri or { uri, options } per item; one { token, error } each, in order', () => {
  const o = { now: NOW, expiresIn: 600 }
  const results = signer.signMany(['videos/a/', { uri: 'videos/b/', options: o }, { uri: 'videos/c/' }, { uri: 'videos/d/', options: null }])
  assert.equal(results.length, 4)
  for (const r of results) {
    assert.deepEqual(Object.keys(r), ['token', 'error'])
    assert.equal(r.error, null)
  }
  assert.equal(results[1].token, signer.sign('videos/b/', o))
  assert.equal(q.decodeUnverified(results[0].token).claims.uri, 'videos/a/')
  assert.equal(q.decodeUnverified(results[2].token).claims.uri, 'videos/c/')
  // With pinned clocks every item is exactly `sign`'s token, on any number of threads.
  const items = Array.from({ length: 40 }, (_, i) => ({ uri: `videos/${i}/`, options: { now: NOW, expiresIn: 600 + i } }))
  const want = items.map((it) => signer.sign(it.uri, it.options))
  for (const threads of [1, 2, 3, 64]) {
    assert.deepEqual(signer.signMany(items, { threads }).map((r) => r.token), want, `threads ${threads}`)
  }
  assert.deepEqual(signer.signMany(items, { threads: null }).map((r) => r.token), want)
  assert.deepEqual(signer.signMany([]), [])
})

test('signMany: each bad item gets its own error, naming it; the rest are signed', () => {
  const results = signer.signMany([
    'videos/ok/',
    42,
    { uri: '/abs' },
    { uri: 'videos/x/', options: { expiresIn: undefined } },
    { uri: 'videos/y/', expiresIn: 60 },
    { options: {} },
    { uri: 7 },
    null,
    { uri: 'videos/z/', options: { claims: { big: 10n } } },
    { uri: 'videos/ms/', options: { expiresAt: Date.now() } },
    'videos/last/',
  ])
  assert.equal(results.length, 11)
  assert.ok(results[0].token.startsWith('ey'))
  assert.ok(results[10].token.startsWith('ey'))
  const errors = results.slice(1, 10)
  for (const r of errors) {
    assert.equal(r.token, null)
    assert.ok(r.error instanceof q.InvalidArgumentError, String(r.error))
    assert.equal(r.error.code, 'INVALID_ARGUMENT')
    assert.equal(r.error.status, null)
  }
  assert.match(errors[0].error.message, /item 1 must be a uri/)
  assert.match(errors[1].error.message, /starts with `\/`/)
  assert.match(errors[2].error.message, /expiresIn/)
  assert.match(errors[3].error.message, /item 4: unknown key `expiresIn`/)
  assert.match(errors[4].error.message, /item 5 has no `uri`/)
  assert.match(errors[5].error.message, /item 6: `uri` must be a string/)
  assert.match(errors[6].error.message, /item 7 must be a uri/)
  assert.match(errors[7].error.message, /BigInt/)
  assert.match(errors[8].error.message, /milliseconds/)
})

test('signMany: a bad batch argument fails the call', async () => {
  for (const bad of [undefined, null, 'videos/a/', { uri: 'x' }]) {
    throwsWith(assert, () => signer.signMany(bad), 'INVALID_ARGUMENT', q.InvalidArgumentError)
    await rejectsWith(assert, () => signer.signManyAsync(bad), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  }
  for (const options of [{ threads: 0 }, { threads: 1.5 }, { threads: -1 }, { threads: 1025 }, { threads: '2' }, { thread: 2 }, 5]) {
    throwsWith(assert, () => signer.signMany(['x'], options), 'INVALID_ARGUMENT')
    await rejectsWith(assert, () => signer.signManyAsync(['x'], options), 'INVALID_ARGUMENT')
  }
})

test('signManyAsync: the same results, off the event loop, other async calls not held up', async () => {
  const items = Array.from({ length: 300 }, (_, i) => ({ uri: `videos/${i}/`, options: { now: NOW } }))
  const events = []
  const batch = signer.signManyAsync(items).then((r) => {
    events.push('batch')
    return r
  })
  // While the batch runs: a timer, a file read on the libuv pool and another signature.
  const timer = new Promise((r) => setTimeout(r, 1)).then(() => events.push('timer'))
  const read = fs.readFile(keyPath('rsa2048.spki.pem')).then(() => events.push('fs'))
  const one = signer.signAsync('videos/other/').then(() => events.push('signAsync'))
  const results = await batch
  await Promise.all([timer, read, one])
  assert.equal(events[events.length - 1], 'batch', `order: ${events.join(', ')}`)
  assert.deepEqual(results.map((r) => r.token), items.map((it) => signer.sign(it.uri, it.options)))
  const mixed = await signer.signManyAsync(['a', { uri: '/b' }, 3], { threads: 2 })
  assert.deepEqual(mixed.map((r) => (r.error === null ? 'ok' : r.error.code)), ['ok', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT'])
  assert.ok(mixed[1].error instanceof q.QencodeError)
})

test('cached({ window, capacity, cachePinnedClock }) is a Signer whose tokens are shared inside a window', async () => {
  const cached = signer.cached({ window: 300 })
  assert.ok(cached instanceof q.Signer)
  assert.deepEqual(cached.cacheSettings, { window: 300, capacity: 100000, cachePinnedClock: false })
  assert.equal(signer.cacheSettings, null)
  assert.equal(signer.cachedTokens, 0)
  const o = { expiresIn: 3600 }
  const a = cached.sign('videos/a/', o)
  assert.equal(cached.sign('videos/a/', o), a)
  assert.equal(await cached.signAsync('videos/a/', o), a)
  assert.equal(cached.signMany([{ uri: 'videos/a/', options: o }])[0].token, a)
  assert.equal((await cached.signManyAsync([{ uri: 'videos/a/', options: o }]))[0].token, a)
  assert.ok(cached.signedStorageUrl('bkt', 'us-west', 'videos/a/', o).endsWith(`auth=${a}`))
  assert.equal(cached.cachedTokens, 1)
  const { exp } = q.decodeUnverified(a).claims
  const now = Math.floor(Date.now() / 1000)
  assert.equal(exp % 300, 0, 'exp rounded up to the window')
  assert.ok(exp >= now + 3600 - 2 && exp <= now + 3600 + 300, `exp ${exp} within one window of now + 3600`)
  // Another uri, other claims: other tokens. The uncached signer is untouched.
  assert.notEqual(cached.sign('videos/b/', o), a)
  assert.notEqual(cached.sign('videos/a/', { ...o, claims: { viewer: 'u-1' } }), a)
  assert.equal(signer.cachedTokens, 0)
  // Never-expiring tokens and pinned clocks are not cached unless asked.
  cached.sign('forever', { neverExpires: true })
  cached.sign('pinned', { now: NOW })
  assert.equal(cached.cachedTokens, 3)
  const pinned = signer.cached({ window: 60, capacity: 10, cachePinnedClock: true })
  assert.equal(pinned.sign('p', { now: NOW }), pinned.sign('p', { now: NOW + 10 }))
  assert.equal(pinned.cachedTokens, 1)
  assert.match(util.inspect(pinned), /cached: \{ window: 60, capacity: 10 \}/)
  // A cache of a cache is a fresh cache over the same key.
  assert.equal(pinned.cached({ window: 120 }).cachedTokens, 0)
})

test('cached: bad settings are INVALID_ARGUMENT', () => {
  const bad = [
    undefined,
    null,
    300,
    {},
    { window: null },
    { window: 0 },
    { window: 1.5 },
    { window: -60 },
    { window: 86_401 },
    { window: '300' },
    { window: 60, capacity: 0 },
    { window: 60, capacity: 2.5 },
    { window: 60, capacity: -1 },
    { window: 60, cachePinnedClock: 'yes' },
    { window: 60, windowSeconds: 60 },
  ]
  for (const options of bad) throwsWith(assert, () => signer.cached(options), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  assert.equal(signer.cached({ window: 60, capacity: null, cachePinnedClock: null }).cacheSettings.capacity, 100000)
})
