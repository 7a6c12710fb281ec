'use strict'
// Every Client method against the in-process emulator, every client error
// code, and proof that a waiting call does not block the event loop.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const q = require('qencode-cdn')
const { Emulator } = require('qencode-cdn/testing')
const { rejectsWith } = require('./helpers.js')

let emu
let client
test.before(() => {
  emu = Emulator.start({ signingKeyBits: 2048 })
  client = emu.client({ maxRetries: 0, timeout: 5 })
})
test.after(() => emu.stop())
test.beforeEach(() => emu.reset())

test('domains: create, get, list (with and without type), delete', async () => {
  const live = await client.createDomain('live.example.com', 'live')
  assert.equal(live.domain_name, 'live.example.com')
  assert.equal(live.type, 'live')
  assert.equal(typeof live.id, 'string')
  assert.equal(typeof live.created, 'string')
  const storage = await client.createDomain('media.example.com', 'storage')
  assert.deepEqual(await client.getDomain(live.id), live)
  assert.deepEqual((await client.listDomains()).map((d) => d.id).sort(), [live.id, storage.id].sort())
  assert.deepEqual((await client.listDomains('storage')).map((d) => d.id), [storage.id])
  assert.deepEqual(await client.deleteDomain(live.id), { status: 'ok' })
  await rejectsWith(assert, () => client.getDomain(live.id), 'NOT_FOUND', q.NotFoundError)
  await rejectsWith(assert, () => client.createDomain('x.example.com', 'vod'), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  await rejectsWith(assert, () => client.listDomains('lvie'), 'INVALID_ARGUMENT')
})

test('TLS subscriptions: create, get, list, delete', async () => {
  const d = await client.createDomain('live.example.com', 'live')
  const t = await client.createTlsSubscription(d.id)
  assert.equal(t.domain_id, d.id)
  assert.equal(typeof t.status, 'string')
  assert.equal((await client.getTlsSubscription(t.id)).id, t.id)
  assert.deepEqual((await client.listTlsSubscriptions()).map((x) => x.id), [t.id])
  assert.deepEqual(await client.deleteTlsSubscription(t.id), { status: 'ok' })
  await rejectsWith(assert, () => client.getTlsSubscription(t.id), 'NOT_FOUND')
})

test('signing keys: create for stream/domain/bucket, get, list, rename, delete; the new key signs playable URLs', async () => {
  emu.addStream('stream-1', 'pb1')
  const k = await client.createSigningKey({ stream: 'stream-1' })
  assert.equal(k.stream_id, 'stream-1')
  assert.match(k.private_key, /-----BEGIN/)
  assert.ok(!util.inspect(k).includes('BEGIN'), 'the private key is not printed')
  assert.ok(!JSON.stringify(k).includes('BEGIN'))
  const d = await client.createDomain('live.example.com', 'live')
  const kd = await client.createSigningKey({ domain: d.id })
  assert.equal(kd.domain_id, d.id)
  const kb = await client.createSigningKey({ bucket: 'my-bucket' })
  assert.equal(kb.bucket_name, 'my-bucket')
  const got = await client.getSigningKey(k.id)
  assert.equal(got.id, k.id)
  assert.equal(got.private_key, undefined, 'the API returns the private key only once')
  assert.equal((await client.listSigningKeys()).length, 3)
  assert.equal((await client.renameSigningKey(k.id, 'My key')).name, 'My key')
  assert.deepEqual(await client.deleteSigningKey(kd.id), { status: 'ok' })
  await rejectsWith(assert, () => client.getSigningKey(kd.id), 'NOT_FOUND')
  await rejectsWith(assert, () => client.createSigningKey({}), 'INVALID_ARGUMENT')
  await rejectsWith(assert, () => client.createSigningKey({ stream: 's', bucket: 'b' }), 'INVALID_ARGUMENT')
  // The old names are not targets: a typo never picks a default target.
  await rejectsWith(assert, () => client.createSigningKey({ streamId: 'stream-1' }), 'INVALID_ARGUMENT')

  // The edge accepts a URL signed with the new key, and refuses a wrong one.
  const signer = new q.Signer(k.id, k.private_key)
  const ok = await emu.fetch(signer.signedLiveUrl('pb1', { expiresIn: 60 }))
  assert.equal(ok.status, 200)
  assert.match(ok.body.toString(), /#EXTM3U/)
  // An expired token: signed as if it were an hour and a minute ago (an
  // `expiresAt` in the past is refused at signing time).
  const wrong = await emu.fetch(signer.signedLiveUrl('pb1', { now: Math.floor(Date.now() / 1000) - 3660 }))
  assert.equal(wrong.status, 403)
  assert.equal(typeof wrong.reason, 'string')
})

test('buckets: policy, CORS set/get/delete header/delete, cache purges; the edge honours the policy and the cookie', async () => {
  emu.addObject('my-bucket', 'videos/a/master.m3u8', '#EXTM3U\n')
  const url = q.storageUrl('my-bucket', 'us-west', 'videos/a/master.m3u8')
  assert.equal((await emu.fetch(url)).status, 200)
  assert.deepEqual(await client.setBucketPolicy('my-bucket', 'authenticated'), { status: 'ok' })
  assert.equal((await emu.fetch(url)).status, 403)
  const k = await client.createSigningKey({ bucket: 'my-bucket' })
  const signer = new q.Signer(k.id, k.private_key)
  const signed = await emu.fetch(signer.signedStorageUrl('my-bucket', 'us-west', 'videos/a/master.m3u8'))
  assert.equal(signed.status, 200)
  assert.equal(signed.body.toString(), '#EXTM3U\n')
  const cookie = signer.signedCookie('videos/a/', { domain: 'example.com' })
  assert.equal((await emu.fetch(url, { cookie: cookie.header })).status, 200)
  await rejectsWith(assert, () => client.setBucketPolicy('my-bucket', 'private'), 'INVALID_ARGUMENT')

  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Max-Age': '1600' }
  assert.deepEqual(await client.setBucketCors('my-bucket', cors), { status: 'ok' })
  assert.deepEqual(await client.getBucketCors('my-bucket'), cors)
  assert.deepEqual(await client.deleteBucketCorsHeader('my-bucket', 'Access-Control-Max-Age'), { status: 'ok' })
  assert.deepEqual(await client.getBucketCors('my-bucket'), { 'Access-Control-Allow-Origin': '*' })
  assert.deepEqual(await client.deleteBucketCors('my-bucket'), { status: 'ok' })
  assert.deepEqual(await client.getBucketCors('my-bucket'), {})
  await rejectsWith(assert, () => client.setBucketCors('my-bucket', { 'Access-Control-Max-Age': 5 }), 'INVALID_ARGUMENT')
  assert.deepEqual(await client.purgeBucketCache('my-bucket'), { status: 'ok' })
  assert.deepEqual(await client.purgeObjectCache('my-bucket', 'videos/a/master.m3u8'), { status: 'ok' })
  const counters = emu.counters()
  assert.equal(typeof counters.token_requests, 'number')
  assert.ok(Object.keys(counters.requests).some((r) => r.startsWith('POST /v1/buckets/')))
})

test('UNAUTHORIZED for a wrong API key, which appears in no message, body or inspect output', async () => {
  const secret = 'sk-live-THIS-IS-SECRET-0123456789'
  const bad = new q.Client(secret, { apiUrl: emu.url, authUrl: emu.url, maxRetries: 0 })
  const e = await rejectsWith(assert, () => bad.listDomains(), 'UNAUTHORIZED', q.UnauthorizedError)
  assert.ok(e instanceof q.ApiError)
  assert.ok([401, 403].includes(e.status))
  const shown = `${e.message} ${e.body} ${e.stack} ${util.inspect(e, { showHidden: true, depth: 9 })} ${util.inspect(bad, { showHidden: true })}`
  assert.ok(!shown.includes(secret), shown)
  assert.ok(!shown.includes('THIS-IS-SECRET'))
})

test('RATE_LIMITED after retries, with Retry-After', async () => {
  emu.injectFault({ route: 'GET /v1/domains', kind: 'status', status: 429, retryAfter: 0, times: 5 })
  const c = emu.client({ maxRetries: 1 })
  const e = await rejectsWith(assert, () => c.listDomains(), 'RATE_LIMITED', q.RateLimitedError)
  assert.equal(e.status, 429)
  assert.equal(emu.counters().requests['GET /v1/domains'], 2, 'one try and one retry')
})

test('a 503 is retried and then succeeds', async () => {
  emu.injectFault({ route: 'GET /v1/domains', kind: 'status', status: 503, times: 1 })
  const c = emu.client({ maxRetries: 2 })
  assert.deepEqual(await c.listDomains(), [])
})

test('API_ERROR with status and body; DECODE on a non-JSON answer', async () => {
  emu.injectFault({ route: 'GET /v1/domains', kind: 'status', status: 500 })
  const e = await rejectsWith(assert, () => client.listDomains(), 'API_ERROR', q.ApiError)
  assert.equal(e.status, 500)
  assert.equal(typeof e.body, 'string')
  emu.injectFault({ route: 'GET /v1/domains', kind: 'not_json' })
  await rejectsWith(assert, () => client.listDomains(), 'DECODE', q.DecodeError)
})

test('TRANSPORT on a dropped connection or a closed port; TIMEOUT on a slow answer', async () => {
  emu.injectFault({ route: 'POST /v1/domains', kind: 'drop' })
  await rejectsWith(assert, () => client.createDomain('live.example.com', 'live'), 'TRANSPORT', q.TransportError)
  const closed = Emulator.start()
  const url = closed.url
  closed.stop()
  const c = new q.Client('k', { apiUrl: url, authUrl: url, maxRetries: 0, connectTimeout: 1 })
  await rejectsWith(assert, () => c.listDomains(), 'TRANSPORT', q.TransportError)
  emu.injectFault({ route: 'GET /v1/domains', kind: 'delay', delayMs: 1500 })
  const slow = emu.client({ maxRetries: 0, timeout: 0.3 })
  await rejectsWith(assert, () => slow.listDomains(), 'TIMEOUT', q.TimeoutError)
})

test('a client call waiting on a slow server does not block the event loop', async () => {
  await client.listDomains() // access token cached
  emu.injectFault({ route: 'GET /v1/domains', kind: 'delay', delayMs: 600 })
  let ticks = 0
  const timer = setInterval(() => ticks++, 20)
  const started = Date.now()
  try {
    await client.listDomains()
  } finally {
    clearInterval(timer)
  }
  const waited = Date.now() - started
  assert.ok(waited >= 550, `the call waited ${waited} ms`)
  assert.ok(ticks >= 15, `setInterval ticked ${ticks} times during a ${waited} ms call`)
})

test('many calls run concurrently off the loop', async () => {
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => client.createDomain(`d${i}.example.com`, 'live')))
  assert.equal(new Set(results.map((d) => d.id)).size, 8)
  assert.equal((await client.listDomains()).length, 8)
})

test('client construction: bad options are INVALID_ARGUMENT; fromEnv reads QENCODE_API_KEY; inspect hides the key', () => {
  assert.throws(() => new q.Client(''), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new q.Client(42), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new q.Client('k', { timeout: -1 }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new q.Client('k', { timeout: '30' }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new q.Client('k', { apiUrl: 'not a url' }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => new q.Client('k', { api_url: emu.url }), { code: 'INVALID_ARGUMENT' })
  // The options of before the core read them: milliseconds are not the unit.
  assert.throws(() => new q.Client('k', { timeoutMs: 5000 }), (e) => e instanceof q.InvalidArgumentError && /unknown client option `timeoutMs`/.test(e.message))
  // `null` or `undefined` keeps a default (a client setting is not a lifetime).
  assert.equal(new q.Client('k', { apiUrl: undefined, timeout: null }).apiUrl, 'https://api-cdn.qencode.com')
  const saved = process.env.QENCODE_API_KEY
  try {
    delete process.env.QENCODE_API_KEY
    assert.throws(() => q.Client.fromEnv(), { code: 'INVALID_ARGUMENT', message: /QENCODE_API_KEY/ })
    process.env.QENCODE_API_KEY = '   '
    assert.throws(() => q.Client.fromEnv(), { code: 'INVALID_ARGUMENT', message: /QENCODE_API_KEY/ })
    process.env.QENCODE_API_KEY = 'env-secret-key-123'
    assert.throws(() => q.Client.fromEnv({ timeout: 0 }), { code: 'INVALID_ARGUMENT' })
    const c = q.Client.fromEnv({ apiUrl: emu.url, authUrl: emu.url })
    assert.equal(c.apiUrl, emu.url)
    assert.ok(!util.inspect(c, { showHidden: true }).includes('env-secret-key-123'))
    assert.match(c.userAgent, /^qencode-cdn\/\S+ \(node\)$/)
  } finally {
    if (saved === undefined) delete process.env.QENCODE_API_KEY
    else process.env.QENCODE_API_KEY = saved
  }
  const d = new q.Client('k')
  assert.equal(d.apiUrl, 'https://api-cdn.qencode.com')
  assert.equal(d.authUrl, 'https://api-live.qencode.com')
})
