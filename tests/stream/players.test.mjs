// hls.js and dash.js in Debian's headless Chromium play the emulated edge's
// live stream and storage folder through the recipes of docs/streaming.md,
// and the failures users hit are reproduced, reported by the player (HTTP
// status of the failed request) and named by `qcdn stream check`.

import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { spawn } from 'node:child_process'
import {
  PLAYER_ORIGIN, docs, launchBrowser, onPort, openPlayer, qcdn, runRecipe, screenshot, startEmulator,
  runSnippet, streamCheck, waitPlayerError, waitPlaying, QCDN,
} from './harness.mjs'

const LIVE = 'https://play-demo-playback-id.qencode.com/qhls/qlive/playlist.m3u8'
const HLS = 'https://media.example.com/videos/intro/master.m3u8'
const DASH = 'https://media.example.com/videos/intro/manifest.mpd'
const STORAGE_HLS = 'https://demo-bucket.media-storage.us-west.qencode.com/videos/intro/master.m3u8'
const STORAGE_DASH = 'https://demo-bucket.media-storage.us-west.qencode.com/videos/intro/manifest.mpd'
const CORS = {
  'Access-Control-Allow-Origin': PLAYER_ORIGIN,
  'Access-Control-Allow-Credentials': 'true',
  'Access-Control-Allow-Methods': 'GET, HEAD',
  'Access-Control-Max-Age': '600',
}

// What the docs' `qcdn buckets cors set` sets.
const CORS_OF_THE_DOCS = {
  'Access-Control-Allow-Origin': PLAYER_ORIGIN,
  'Access-Control-Allow-Credentials': 'true',
}

let emu, browser, recipes
const versions = {}

before(async () => {
  emu = await startEmulator()
  browser = await launchBrowser(emu)
  recipes = docs()
  for (const name of ['hls-plain', 'dash-plain', 'hls-token', 'dash-token', 'hls-cookie', 'dash-cookie', 'hls-refresh']) {
    assert.ok(recipes[`recipe:${name}`], `docs/streaming.md has the recipe ${name}`)
  }
  await emu.api('POST', '/v1/buckets/demo-bucket/cors', CORS)
  for (const [name, pkg] of [['hls.js', 'hls.js'], ['dash.js', 'dashjs'], ['playwright-core', 'playwright-core']]) {
    versions[name] = JSON.parse(readFileSync(join(import.meta.dirname, 'node_modules', pkg, 'package.json'))).version
  }
  versions.chromium = browser.version()
  console.log(`players: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}`)
})

after(async () => {
  await browser?.close()
  emu?.stop()
})

const live = (ttl = '1h') => qcdn(['url', 'live', 'demo-playback-id', '--sign', '--key-id', emu.streamKeyId,
  '--key', join(emu.keys, 'stream.pem'), '--ttl', ttl])
const bucketToken = (uri, ttl = '1h') => qcdn(['token', 'sign', '--key-id', emu.bucketKeyId,
  '--key', join(emu.keys, 'bucket.pem'), '--uri', uri, '--ttl', ttl])
const folderCookie = () => qcdn(['cookie', '--key-id', emu.bucketKeyId, '--key', join(emu.keys, 'bucket.pem'),
  '--uri', 'videos/intro/', '--domain', 'example.com', '--ttl', '2h'])
const docsEnv = () => ({ BUCKET_KEY_ID: emu.bucketKeyId, KEYS: emu.keys, TLS_PORT: String(emu.tlsPort) })
const tokenOf = (url) => new URL(url).searchParams.get('auth')
const browserUrl = (url) => onPort(url, emu.tlsPort)

/** Asserts the player fetched at least one request of each kind, all served. */
function assertFetched(log, kinds) {
  for (const kind of kinds) {
    const served = log.filter((r) => r.kind === kind && r.status === 200)
    assert.ok(served.length >= 1, `the player fetched a ${kind} (log: ${JSON.stringify(log.map((r) => [r.kind, r.status]))})`)
  }
}

function findings(report) {
  return report.findings
}

test('live, token in the query: hls.js alone sends it with the master playlist only; the variants are 403, named query_token_not_propagated', async () => {
  const url = live()
  const { context, page, log } = await openPlayer(browser)
  try {
    await runRecipe(page, recipes['recipe:hls-plain'], { MANIFEST_URL: browserUrl(url) })
    const err = await waitPlayerError(page, 60000, 'e => e.status === 403')
    assert.equal(err.engine, 'hls.js')
    assert.equal(err.status, 403)
    const master = log.find((r) => r.kind === 'master')
    assert.deepEqual([master.auth, master.status], [true, 200], 'the master playlist carries the token and loads')
    const variants = log.filter((r) => r.kind === 'media_playlist')
    assert.ok(variants.length >= 1 && variants.every((r) => !r.auth && !r.cookie && r.status === 403),
      `every variant request lost the token: ${JSON.stringify(variants)}`)
    await screenshot(page, 'refused-live-query-token')
    const { code, report } = streamCheck(emu, url)
    assert.equal(code, 1)
    assert.deepEqual(findings(report), ['query_token_not_propagated'])
    assert.deepEqual(report.requests.map((r) => [r.kind, r.status]),
      [['master_playlist', 200], ['media_playlist', 403], ['media_playlist', 403]])
  } finally {
    await context.close()
  }
})

test('live, token in the query: the hls.js request modifier of the docs adds it everywhere and plays', async () => {
  const url = live()
  const { context, page, log } = await openPlayer(browser)
  try {
    await runRecipe(page, recipes['recipe:hls-token'], { MANIFEST_URL: browserUrl(url).split('?')[0], TOKEN: tokenOf(url) })
    await waitPlaying(page, 2)
    assertFetched(log, ['master', 'media_playlist', 'segment'])
    assert.ok(log.every((r) => r.auth), 'every request carries the token')
    await screenshot(page, 'playing-live-hls-token')
    const { code, report } = streamCheck(emu, url, ['--propagate-token'])
    assert.equal(code, 0, JSON.stringify(report.findings))
    assert.ok(report.requests.some((r) => r.kind === 'media_segment' && r.status === 200))
  } finally {
    await context.close()
  }
})

test('storage, token in the query: dash.js alone loses it on the segments; with the request interceptor it plays', async () => {
  // A token for the folder (the backend snippet of the docs), in the manifest
  // URL's query: only propagation is missing.
  const signed = runSnippet(recipes['backend:folder-token'], docsEnv())
  assert.equal(signed.status, 0, signed.stderr)
  const token = signed.stdout.trim()
  assert.equal(JSON.parse(qcdn(['token', 'decode', token, '--output', 'json'])).claims.uri, 'videos/intro/')
  const url = qcdn(['url', 'storage', 'demo-bucket', 'videos/intro/manifest.mpd', '--region', 'us-west', '--token', token])
  const plain = await openPlayer(browser)
  try {
    await runRecipe(plain.page, recipes['recipe:dash-plain'], { MANIFEST_URL: browserUrl(url) })
    const err = await waitPlayerError(plain.page, 60000, 'e => e.engine === "dash.js"')
    assert.equal(err.status, 403, JSON.stringify(err))
    const mpd = plain.log.find((r) => r.kind === 'mpd')
    assert.deepEqual([mpd.auth, mpd.status], [true, 200])
    const media = plain.log.filter((r) => r.kind === 'init' || r.kind === 'segment')
    assert.ok(media.length >= 1 && media.every((r) => !r.auth && r.status === 403), JSON.stringify(media))
    await screenshot(plain.page, 'refused-dash-query-token')
    const { code, report } = streamCheck(emu, url)
    assert.equal(code, 1)
    assert.deepEqual(findings(report), ['query_token_not_propagated'])
  } finally {
    await plain.context.close()
  }
  const fixed = await openPlayer(browser)
  try {
    await runRecipe(fixed.page, recipes['recipe:dash-token'], { MANIFEST_URL: browserUrl(STORAGE_DASH), TOKEN: token })
    const at = await waitPlaying(fixed.page, 2)
    assert.ok(at > 2, `currentTime ${at}`)
    assertFetched(fixed.log, ['mpd', 'init', 'segment'])
    assert.ok(fixed.log.every((r) => r.auth))
    await screenshot(fixed.page, 'playing-dash-token')
    assert.equal(streamCheck(emu, url, ['--propagate-token']).code, 0)
  } finally {
    await fixed.context.close()
  }
  // What `qcdn url storage --sign` makes signs the one file: propagated to the
  // segments, that token is refused (URI_MISMATCH), named token_wrong_folder.
  const fileUrl = qcdn(['url', 'storage', 'demo-bucket', 'videos/intro/manifest.mpd', '--region', 'us-west', '--sign',
    '--key-id', emu.bucketKeyId, '--key', join(emu.keys, 'bucket.pem')])
  const file = await openPlayer(browser)
  try {
    await runRecipe(file.page, recipes['recipe:dash-token'], { MANIFEST_URL: browserUrl(STORAGE_DASH), TOKEN: tokenOf(fileUrl) })
    const err = await waitPlayerError(file.page, 60000, 'e => e.engine === "dash.js"')
    assert.equal(err.status, 403, JSON.stringify(err))
    assert.equal(file.log.find((r) => r.kind === 'mpd').status, 200)
    assert.ok(file.log.filter((r) => r.kind === 'init').every((r) => r.auth && r.status === 403))
    const { code, report } = streamCheck(emu, fileUrl, ['--propagate-token'])
    assert.equal(code, 1)
    assert.deepEqual(findings(report), ['token_wrong_folder'])
  } finally {
    await file.context.close()
  }
})

for (const [engine, manifest, kinds] of [
  ['hls', HLS, ['master', 'media_playlist', 'init', 'segment']],
  ['dash', DASH, ['mpd', 'init', 'segment']],
]) {
  test(`storage folder, signed cookie on the custom domain (the tutorial's flow): ${engine === 'hls' ? 'hls.js' : 'dash.js'} plays`, async () => {
    const cookie = folderCookie()
    assert.match(cookie, /; Domain=example\.com; Path=\/videos\/intro\/; Max-Age=7200; Secure; HttpOnly; SameSite=Lax$/)
    const { context, page, log } = await openPlayer(browser, { setCookie: cookie })
    try {
      await runRecipe(page, recipes[`recipe:${engine}-cookie`], { MANIFEST_URL: browserUrl(manifest) })
      const at = await waitPlaying(page, 2)
      assert.ok(at > 2, `currentTime ${at}`)
      assertFetched(log, kinds)
      assert.ok(log.every((r) => r.cookie && !r.auth), 'every request carries the cookie and no query token')
      await screenshot(page, `playing-${engine}-cookie`)
      const { code, report } = streamCheck(emu, manifest, ['--cookie', cookie, '--origin', PLAYER_ORIGIN])
      assert.equal(code, 0, JSON.stringify(report.findings))
    } finally {
      await context.close()
    }
  })
}

test('failure: a cookie whose token covers the master playlist only — master 200, then 403, named cookie_single_file', async () => {
  // The core refuses to make this cookie (DESIGN §3): written by hand, as a confused backend would.
  const token = bucketToken('videos/intro/master.m3u8')
  const setCookie = `Qencode-Auth-Token=${token}; Domain=example.com; Path=/videos/intro/; Secure; HttpOnly; SameSite=Lax`
  assert.throws(() => qcdn(['cookie', '--key-id', emu.bucketKeyId, '--key', join(emu.keys, 'bucket.pem'),
    '--uri', 'videos/intro/master.m3u8', '--domain', 'example.com']), /INVALID_ARGUMENT/)
  const { context, page, log } = await openPlayer(browser, { setCookie })
  try {
    await runRecipe(page, recipes['recipe:hls-cookie'], { MANIFEST_URL: browserUrl(HLS) })
    const err = await waitPlayerError(page, 60000, 'e => e.status === 403')
    assert.equal(err.status, 403)
    assert.equal(log.find((r) => r.kind === 'master').status, 200)
    assert.ok(log.filter((r) => r.kind === 'media_playlist').every((r) => r.cookie && r.status === 403))
    await screenshot(page, 'refused-cookie-single-file')
    const { code, report } = streamCheck(emu, HLS, ['--cookie', setCookie, '--origin', PLAYER_ORIGIN])
    assert.equal(code, 1)
    assert.deepEqual(findings(report), ['cookie_single_file'])
    // The explicit single-file path: the cookie is not even sent to the segments.
    const onePath = qcdn(['cookie', '--key-id', emu.bucketKeyId, '--key', join(emu.keys, 'bucket.pem'),
      '--uri', 'videos/intro/master.m3u8', '--path', '/videos/intro/master.m3u8', '--domain', 'example.com'])
    const second = streamCheck(emu, HLS, ['--cookie', onePath, '--origin', PLAYER_ORIGIN])
    assert.equal(second.code, 1)
    assert.deepEqual(findings(second.report), ['cookie_single_file'])
    assert.ok(second.report.requests.slice(1).every((r) => !r.cookie_sent && r.status === 403))
  } finally {
    await context.close()
  }
})

test('failure: a cookie for the wrong folder — the first request is 403, named token_wrong_folder', async () => {
  const token = bucketToken('videos/other/')
  const setCookie = `Qencode-Auth-Token=${token}; Domain=example.com; Path=/videos/; Secure; HttpOnly; SameSite=Lax`
  const { context, page, log } = await openPlayer(browser, { setCookie })
  try {
    await runRecipe(page, recipes['recipe:dash-cookie'], { MANIFEST_URL: browserUrl(DASH) })
    const err = await waitPlayerError(page, 60000, 'e => e.engine === "dash.js"')
    assert.equal(log[0].kind, 'mpd')
    assert.equal(log[0].status, 403, 'the player got 403 for the manifest')
    assert.ok(log[0].cookie)
    assert.ok(err.status === 403 || err.status === undefined, JSON.stringify(err))
    await screenshot(page, 'refused-wrong-folder')
    const { code, report } = streamCheck(emu, DASH, ['--cookie', setCookie, '--origin', PLAYER_ORIGIN])
    assert.equal(code, 1)
    assert.deepEqual(findings(report), ['token_wrong_folder'])
    assert.equal(report.requests[0].status, 403)
  } finally {
    await context.close()
  }
})

test('failure: the bucket has no CORS policy — the edge answers 200, the player sees a network error (status 0), named cors_missing', async () => {
  await emu.api('DELETE', '/v1/buckets/demo-bucket/cors')
  const cookie = folderCookie()
  const { context, page, log } = await openPlayer(browser, { setCookie: cookie })
  try {
    await runRecipe(page, recipes['recipe:hls-cookie'], { MANIFEST_URL: browserUrl(HLS) })
    const err = await waitPlayerError(page, 60000, 'e => e.fatal')
    assert.equal(err.status, 0, JSON.stringify(err))
    assert.ok(log[0].failure, `the browser failed the request: ${JSON.stringify(log[0])}`)
    await screenshot(page, 'refused-cors-missing')
    const { code, report } = streamCheck(emu, HLS, ['--cookie', cookie, '--origin', PLAYER_ORIGIN])
    assert.equal(code, 1)
    assert.deepEqual(findings(report), ['cors_missing'])
    assert.equal(report.requests[0].status, 200, 'the edge itself served it')
    // Allowing any origin is not enough for a player sending cookies.
    await emu.api('POST', '/v1/buckets/demo-bucket/cors', { 'Access-Control-Allow-Origin': '*' })
    const star = streamCheck(emu, HLS, ['--cookie', cookie, '--origin', PLAYER_ORIGIN])
    assert.deepEqual(findings(star.report), ['cors_no_credentials'])
  } finally {
    await context.close()
    await emu.api('DELETE', '/v1/buckets/demo-bucket/cors')
    await emu.api('POST', '/v1/buckets/demo-bucket/cors', CORS)
  }
})

test('failure: a 20-second token expires mid-playback and playback stops (403, token_expired); with the refresh recipe it goes on', async () => {
  const url = live('20s')
  const before = streamCheck(emu, url, ['--propagate-token'])
  assert.equal(before.code, 0)
  assert.deepEqual(before.report.warnings.map((w) => w.code), ['token_expires_during_playback'])
  const expiring = await openPlayer(browser)
  const refreshed = await openPlayer(browser, { onToken: () => tokenOf(live('20s')) })
  try {
    await runRecipe(expiring.page, recipes['recipe:hls-token'], { MANIFEST_URL: browserUrl(url).split('?')[0], TOKEN: tokenOf(url) })
    await runRecipe(refreshed.page, recipes['recipe:hls-refresh'], {
      MANIFEST_URL: browserUrl(LIVE), TOKEN: tokenOf(url), TOKEN_URL: `${PLAYER_ORIGIN}/token`, REFRESH_MS: 5000,
    })
    await waitPlaying(expiring.page, 2)
    await waitPlaying(refreshed.page, 2)
    const err = await waitPlayerError(expiring.page, 40000, 'e => e.status === 403')
    assert.equal(err.status, 403)
    await screenshot(expiring.page, 'refused-token-expired')
    const refused = expiring.log.filter((r) => r.status === 403)
    assert.ok(refused.length >= 1 && refused.every((r) => r.auth), 'the refused requests carried the (expired) token')
    const after = streamCheck(emu, url, ['--propagate-token'])
    assert.equal(after.code, 1)
    assert.deepEqual(findings(after.report), ['token_expired'])
    // The refreshed page plays on past the first token's expiry, no request refused.
    const now = await refreshed.page.evaluate(() => document.getElementById('video').currentTime)
    await refreshed.page.waitForFunction((t) => document.getElementById('video').currentTime > t + 3, now, { timeout: 30000 })
    assert.deepEqual(refreshed.log.filter((r) => r.status !== 200 && r.status !== null), [])
    assert.deepEqual(await refreshed.page.evaluate(() => window.playerErrors.filter((e) => e.fatal)), [])
    assert.ok(new Set(refreshed.log.map((r) => new URL(r.url).searchParams.get('auth'))).size > 1, 'tokens were refreshed')
    await screenshot(refreshed.page, 'playing-live-refreshed')
  } finally {
    await expiring.context.close()
    await refreshed.context.close()
  }
})

test('every snippet of docs/streaming.md is run: the stream check outputs are what qcdn prints, the backend commands and the emulator command work', async () => {
  const used = new Set(['recipe:hls-plain', 'recipe:dash-plain', 'recipe:hls-token', 'recipe:dash-token', 'recipe:hls-cookie',
    'recipe:dash-cookie', 'recipe:hls-refresh', 'backend:folder-token'])
  for (const name of ['broken', 'working']) {
    const script = recipes[`check:${name}`]
    const want = recipes[`output:${name}`]
    assert.ok(script && want, `docs/streaming.md has check=${name} and output=${name}`)
    const r = runSnippet(script, docsEnv())
    assert.equal(r.status, name === 'working' ? 0 : 1, r.stderr)
    assert.equal(r.stdout, want)
    used.add(`check:${name}`).add(`output:${name}`)
  }
  await emu.api('DELETE', '/v1/buckets/demo-bucket/cors')
  for (const name of ['cookie', 'cors']) {
    const r = runSnippet(recipes[`backend:${name}`], {
      ...docsEnv(), QENCODE_API_KEY: 'emulator-api-key', QENCODE_API_URL: `http://127.0.0.1:${emu.port}`,
      QENCODE_AUTH_URL: `http://127.0.0.1:${emu.port}`,
    })
    assert.equal(r.status, 0, r.stderr)
    if (name === 'cookie') assert.match(r.stdout, /^Qencode-Auth-Token=eyJ[^;]+; Domain=example\.com; Path=\/videos\/intro\/; Max-Age=7200; Secure; HttpOnly; SameSite=Lax\n$/)
    used.add(`backend:${name}`)
  }
  assert.deepEqual((await emu.api('GET', '/v1/buckets/demo-bucket/cors')), CORS_OF_THE_DOCS)
  await emu.api('POST', '/v1/buckets/demo-bucket/cors', CORS)
  // The emulator command as written (its fixed ports), in a folder of its own, stopped once it is up.
  const dir = mkdtempSync(join(tmpdir(), 'qcdn-docs-'))
  try {
    const proc = spawn('bash', ['-euo', 'pipefail', '-c', `exec ${recipes['run:emulator']}`], {
      cwd: dir, env: { ...process.env, PATH: `${dirname(QCDN)}:${process.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    proc.stderr.on('data', (d) => { err += d })
    const up = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 30000)
      proc.on('exit', () => { clearTimeout(timer); resolve(false) })
      proc.stdout.on('data', (d) => { out += d; if (out.includes('keys written to')) { clearTimeout(timer); resolve(true) } })
    })
    proc.kill('SIGTERM')
    assert.ok(up, `the emulator of the docs started: ${out} ${err}`)
    assert.match(out, /^stream signing key: \S+$/m)
    assert.match(out, /^bucket signing key: \S+$/m)
    assert.match(out, /HTTPS on https:\/\/127\.0\.0\.1:8443/)
    for (const f of ['stream.pem', 'bucket.pem']) assert.equal(statSync(join(dir, 'keys', f)).mode & 0o777, 0o600, f)
    assert.ok(statSync(join(dir, 'keys', 'ca.pem')).size > 0)
    used.add('run:emulator')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  assert.deepEqual(Object.keys(recipes).filter((k) => !used.has(k)), [], 'every block of docs/streaming.md is run')
})
