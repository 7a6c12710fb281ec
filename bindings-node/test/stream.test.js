'use strict'
// streamCoverage (manifest text in, no HTTP) and checkStream against the
// in-process emulator's fixtures (real HLS and DASH on the edge): the core
// decides every verdict, the binding converts.
const test = require('node:test')
const assert = require('node:assert/strict')
const q = require('qencode-cdn')
const { Emulator } = require('qencode-cdn/testing')
const { rejectsWith, throwsWith } = require('./helpers.js')

const MASTER = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=165000\nmedia_0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=66000\nmedia_1.m3u8\n'
const STORAGE = 'http://demo-bucket.media-storage.us-west.qencode.com/videos/intro/'

let emu, f, bucket, connectTo
test.before(() => {
  emu = Emulator.start({ signingKeyBits: 2048 })
  f = emu.loadFixtures()
  bucket = new q.Signer(f.bucketKeyId, f.bucketPrivateKey)
  connectTo = `127.0.0.1:${emu.port}`
})
test.after(() => emu.stop())

test('streamCoverage: a token in the master playlist query covers it alone', () => {
  const token = bucket.sign('videos/intro/')
  const report = q.streamCoverage(`${STORAGE}master.m3u8?auth=${token}`, MASTER)
  assert.equal(report.ok, false)
  assert.equal(report.fetched, false)
  assert.deepEqual(report.findings, ['query_token_not_propagated'])
  assert.deepEqual(report.requests.map((r) => [r.kind, r.covered, r.status]), [
    ['master_playlist', true, null], ['media_playlist', false, null], ['media_playlist', false, null],
  ])
  assert.equal(report.requests[1].url, `${STORAGE}media_0.m3u8`)
  assert.equal(typeof report.advice.query_token_not_propagated, 'string')
})

test('streamCoverage: the folder cookie covers every request', () => {
  const cookie = bucket.signedCookie('videos/intro/', { domain: 'example.com' })
  const report = q.streamCoverage('https://media.example.com/videos/intro/master.m3u8', MASTER, { cookie: cookie.header })
  assert.equal(report.ok, true, JSON.stringify(report.findings))
  assert.ok(report.requests.every((r) => r.carrier === 'cookie' && r.covered))
})

test('streamCoverage: the options are the core\'s (camelCase, unknown keys refused)', () => {
  const url = `${STORAGE}master.m3u8`
  assert.equal(q.streamCoverage(url, MASTER, { segments: 2, stream: 'storage', now: 1700000000 }).stream, 'storage')
  throwsWith(assert, () => q.streamCoverage(url, MASTER, { segment: 2 }), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  throwsWith(assert, () => q.streamCoverage(url, MASTER, { segments: 0 }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.streamCoverage(url, MASTER, { stream: 'vod' }), 'INVALID_ARGUMENT')
  throwsWith(assert, () => q.streamCoverage(url, '<html></html>'), 'INVALID_ARGUMENT')
})

test('checkStream: storage HLS and DASH, plain (the segments are 403) and with propagateToken (all 200)', async () => {
  const token = bucket.sign('videos/intro/')
  for (const manifest of ['master.m3u8', 'manifest.mpd']) {
    const url = `${STORAGE}${manifest}?auth=${token}`
    const plain = await q.checkStream(url, { connectTo, segments: 1 })
    assert.equal(plain.ok, false)
    assert.equal(plain.fetched, true)
    assert.deepEqual(plain.findings, ['query_token_not_propagated'])
    assert.equal(plain.requests[0].status, 200)
    assert.deepEqual([...new Set(plain.requests.slice(1).map((r) => r.status))], [403])
    const fixed = await q.checkStream(url, { connectTo, segments: 1, propagateToken: true, timeout: 10 })
    assert.equal(fixed.ok, true, JSON.stringify(fixed.findings))
    const kinds = new Set(fixed.requests.map((r) => r.kind))
    assert.ok(kinds.has('init_segment') && kinds.has('media_segment'))
    assert.ok(fixed.requests.every((r) => r.status === 200))
  }
})

test('checkStream: the live stream with the token on every request; a file token propagated is the wrong folder', async () => {
  const live = new q.Signer(f.streamKeyId, f.streamPrivateKey).signedLiveUrl('demo-playback-id').replace('https://', 'http://')
  assert.equal((await q.checkStream(live, { connectTo, segments: 1, propagateToken: true })).ok, true)
  const file = bucket.signedStorageUrl('demo-bucket', 'us-west', 'videos/intro/manifest.mpd').replace('https://', 'http://')
  assert.deepEqual((await q.checkStream(file, { connectTo, propagateToken: true })).findings, ['token_wrong_folder'])
})

test('checkStream: errors reject (no answer, bad options, bad URL)', async () => {
  const url = `${STORAGE}master.m3u8`
  await rejectsWith(assert, () => q.checkStream(url, { connectTo: '127.0.0.1:1', timeout: 5 }), 'TRANSPORT', q.TransportError)
  await rejectsWith(assert, () => q.checkStream(url, { timeout: 0 }), 'INVALID_ARGUMENT', q.InvalidArgumentError)
  await rejectsWith(assert, () => q.checkStream(url, { connect: 'x' }), 'INVALID_ARGUMENT')
  await rejectsWith(assert, () => q.checkStream('not a url'), 'INVALID_ARGUMENT')
})
