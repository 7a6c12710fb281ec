// The stream tests' machinery: the emulator (`qcdn emulator --with-fixtures`
// over HTTP and HTTPS), `qcdn` for signing and `stream check`, one headless
// Debian Chromium driven by playwright-core, the player page served at
// https://player.example.com by a route, and the recipes of docs/streaming.md.

import { spawn, execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import tls from 'node:tls'
import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
export const root = process.env.QCDN_ROOT || join(here, '..', '..')
const target = process.env.CARGO_TARGET_DIR || join(root, 'target')
export const QCDN = process.env.QCDN || join(target, 'debug', 'qcdn')
export const PLAYER_ORIGIN = 'https://player.example.com'
export const screenshots = process.env.QCDN_STREAM_SCREENSHOTS || join(target, 'stream-screenshots')

/** Runs qcdn; returns stdout (trimmed). Throws on a non-zero exit. */
export function qcdn(args, env = {}) {
  return execFileSync(QCDN, args, { encoding: 'utf8', env: { ...process.env, ...env } }).trim()
}

/** Runs qcdn; returns {code, stdout, stderr} whatever the exit. */
export function qcdnRun(args, env = {}) {
  const r = spawnSync(QCDN, args, { encoding: 'utf8', env: { ...process.env, ...env } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Starts `qcdn emulator --with-fixtures` and reads what it prints. */
export async function startEmulator() {
  const keys = mkdtempSync(join(tmpdir(), 'qcdn-stream-'))
  const proc = spawn(QCDN, ['emulator', '--with-fixtures', '--write-keys', keys, '--listen', '127.0.0.1:0',
    '--tls-listen', '127.0.0.1:0', '--signing-key-bits', '2048'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${out}`)), 60000)
    proc.on('exit', (code) => reject(new Error(`the emulator exited (${code}): ${out}`)))
    proc.stdout.on('data', (d) => {
      out += d
      if (out.includes('keys written to')) { clearTimeout(timer); resolve() }
    })
  })
  const line = (re) => { const m = re.exec(out); if (!m) throw new Error(`no ${re} in ${out}`); return m[1] }
  const emu = {
    proc, keys, out,
    port: Number(line(/listening on http:\/\/127\.0\.0\.1:(\d+)/)),
    tlsPort: Number(line(/HTTPS on https:\/\/127\.0\.0\.1:(\d+)/)),
    streamKeyId: line(/stream signing key: (\S+)/),
    bucketKeyId: line(/bucket signing key: (\S+)/),
  }
  emu.stop = () => { proc.kill('SIGTERM'); rmSync(keys, { recursive: true, force: true }) }
  emu.api = await apiClient(emu.port)
  return emu
}

async function apiClient(port) {
  const base = `http://127.0.0.1:${port}`
  const { access_token: token } = await (await fetch(`${base}/v1/access_token/emulator-api-key`, { method: 'POST' })).json()
  return async (method, path, body) => {
    const r = await fetch(base + path, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
    return r.json()
  }
}

/** base64 SHA-256 of the emulator's TLS public key (one key for every name), read from a
 * connection verified against the emulator's own CA (`ca.pem` of `--write-keys`). */
export function spkiPin(port, caFile) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'media.example.com', ca: readFileSync(caFile) }, () => {
      const spki = s.getPeerX509Certificate().publicKey.export({ type: 'spki', format: 'der' })
      s.end()
      resolve(createHash('sha256').update(spki).digest('base64'))
    })
    s.on('error', reject)
  })
}

/** One Chromium for every case: Debian's, headless, as polyglot.md says to start it. */
export async function launchBrowser(emu) {
  const pin = await spkiPin(emu.tlsPort, join(emu.keys, 'ca.pem'))
  // playwright-core starts Chromium with a new empty --user-data-dir of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      // The edge hosts and the test custom domain are the emulator; the player origin is a route.
      '--host-resolver-rules=MAP *.qencode.com 127.0.0.1, MAP media.example.com 127.0.0.1',
      // Trust the emulator's certificates by their key (the test only), not every certificate.
      `--ignore-certificate-errors-spki-list=${pin}`,
      // Chromium refuses requests from a public origin to 127.0.0.1 (Local Network Access):
      // here the "public" edge is on loopback, which production never is.
      '--disable-features=LocalNetworkAccessChecks',
    ],
  })
  return browser
}

/**
 * The JavaScript recipes and shell snippets of docs/streaming.md, by name
 * (`recipe:hls-token`, `check:broken`, …). A code block without a name is
 * an error: every block of the guide is run by a test.
 */
export function docs() {
  const text = readFileSync(join(root, 'docs', 'streaming.md'), 'utf8')
  const blocks = {}
  for (const m of text.matchAll(/^```(\S*)(.*)\n([\s\S]*?)^```$/gm)) {
    const tag = /^ (\w+)=([\w-]+)$/.exec(m[2])
    if (!m[1] || !tag) throw new Error(`docs/streaming.md: a code block without a name (\`\`\`lang kind=name): ${m[0].slice(0, 80)}`)
    const name = `${tag[1]}:${tag[2]}`
    if (blocks[name] !== undefined) throw new Error(`docs/streaming.md: two blocks named ${name}`)
    blocks[name] = m[3]
  }
  return blocks
}

/** Runs a shell snippet of docs/streaming.md with `env`, qcdn on the PATH. */
export function runSnippet(script, env, options = {}) {
  return spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    encoding: 'utf8', timeout: 60000, ...options, env: { ...process.env, ...env, PATH: `${dirname(QCDN)}:${process.env.PATH}` },
  })
}

const libs = {
  '/lib/hls.min.js': join(here, 'node_modules', 'hls.js', 'dist', 'hls.min.js'),
  '/lib/dash.all.min.js': join(here, 'node_modules', 'dashjs', 'dist', 'modern', 'umd', 'dash.all.min.js'),
}

/** What kind of request a player made, from its URL. */
export function kindOf(url) {
  const path = new URL(url).pathname
  if (path.endsWith('/playlist.m3u8') || path.endsWith('/master.m3u8') || /^\/[\w-]+\.m3u8$/.test(path)) return 'master'
  if (path.endsWith('.m3u8')) return 'media_playlist'
  if (path.endsWith('.mpd')) return 'mpd'
  if (/\/init-[^/]*\.m4s$/.test(path)) return 'init'
  if (path.endsWith('.m4s') || path.endsWith('.ts')) return 'segment'
  return 'other'
}

/**
 * A fresh context and page at https://player.example.com/ (its own cookies),
 * the Set-Cookie header `setCookie` on the page when given, `tokenUrl`
 * answered by `onToken()`. Every request to the edge is logged with whether
 * it carried `auth` and the cookie, and the status the player got.
 */
export async function openPlayer(browser, { setCookie, onToken } = {}) {
  const context = await browser.newContext({ viewport: { width: 640, height: 400 } })
  const page = await context.newPage()
  const log = []
  await page.route(`${PLAYER_ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname
    if (path === '/') {
      const headers = { 'content-type': 'text/html; charset=utf-8' }
      if (setCookie) headers['set-cookie'] = setCookie
      return route.fulfill({ status: 200, headers, body: readFileSync(join(here, 'page.html')) })
    }
    if (libs[path]) return route.fulfill({ status: 200, contentType: 'text/javascript', body: readFileSync(libs[path]) })
    if (path === '/token' && onToken) {
      return route.fulfill({ status: 200, contentType: 'text/plain', headers: { 'cache-control': 'no-store' }, body: onToken() })
    }
    return route.fulfill({ status: 404, body: 'no such page' })
  })
  page.on('request', async (req) => {
    if (req.url().startsWith(PLAYER_ORIGIN)) return
    const entry = { url: req.url(), kind: kindOf(req.url()), auth: new URL(req.url()).searchParams.has('auth'), status: null, failure: null }
    log.push(entry)
    const headers = await req.allHeaders().catch(() => ({}))
    entry.cookie = /Qencode-Auth-Token=/.test(headers.cookie || '')
  })
  page.on('response', (resp) => {
    const e = log.findLast((x) => x.url === resp.url() && x.status === null)
    if (e) e.status = resp.status()
  })
  page.on('requestfailed', (req) => {
    const e = log.findLast((x) => x.url === req.url() && x.status === null)
    if (e) e.failure = req.failure()?.errorText || 'failed'
  })
  await page.goto(`${PLAYER_ORIGIN}/`)
  return { context, page, log }
}

/** Runs a recipe of docs/streaming.md in the page with its placeholders bound. */
export async function runRecipe(page, snippet, bindings) {
  await page.evaluate(([s, b]) => window.run(s, b), [snippet, bindings])
}

/** Waits until the video has played `seconds` past where it started. */
export async function waitPlaying(page, seconds, timeout = 45000) {
  await page.waitForFunction((s) => {
    const v = document.getElementById('video')
    if (window.startedAt === undefined && v.currentTime > 0) window.startedAt = v.currentTime
    return window.startedAt !== undefined && v.currentTime - window.startedAt >= s
  }, seconds, { timeout, polling: 100 })
  return page.evaluate(() => document.getElementById('video').currentTime)
}

/** Waits for the first player error matching `pred` and returns it. */
export async function waitPlayerError(page, timeout = 60000, pred = 'e => true') {
  const handle = await page.waitForFunction((p) => window.playerErrors.find(eval(p)) || null, pred, { timeout, polling: 100 })
  return handle.jsonValue()
}

export async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true })
  await page.screenshot({ path: join(screenshots, `${name}.png`) })
}

/** `qcdn stream check … --output json` through the emulator's HTTPS port. */
export function streamCheck(emu, url, extra = []) {
  const r = qcdnRun(['stream', 'check', url, '--connect-to', `127.0.0.1:${emu.tlsPort}`, '--cacert',
    join(emu.keys, 'ca.pem'), '--output', 'json', ...extra])
  if (r.code !== 0 && r.code !== 1) throw new Error(`qcdn stream check failed (${r.code}): ${r.stderr}`)
  return { code: r.code, report: JSON.parse(r.stdout) }
}

/** A browser URL for an edge URL: the same host, on the emulator's HTTPS port. */
export function onPort(url, port) {
  const u = new URL(url)
  u.port = String(port)
  return u.href
}
