'use strict'
// `require('qencode-cdn/testing')`: an in-process emulator of the Qencode
// API and playback edge for tests (a real HTTP server on 127.0.0.1).

const { inspect } = require('node:util')
const { native, call, callAsync, checkOptions, str, number, invalid, describe } = require('./util.js')
const { Client } = require('./client.js')

const EMULATOR_ALLOWED = new Set(['apiKeys', 'tokenLifetimeMs', 'signingKeyBits', 'maxDomains'])
const FAULT_ALLOWED = new Set(['route', 'times', 'kind', 'status', 'retryAfter', 'delayMs'])
const FAULT_KINDS = { status: 'status', delay: 'delay', drop: 'drop', truncate: 'truncate', notJson: 'not_json', not_json: 'not_json' }

/** A running emulator. Start with `Emulator.start()`, stop with `stop()`. */
class Emulator {
  #n

  /**
   * @param {{ apiKeys?: string[], tokenLifetimeMs?: number, signingKeyBits?: number, maxDomains?: number }} [options]
   *   signing keys default to 2048 bits here (the real service's 4096 is slow in tests)
   */
  constructor(options) {
    const o = checkOptions('emulator options', options, EMULATOR_ALLOWED)
    let n
    if (o !== undefined) {
      n = {}
      if (o.apiKeys !== undefined) {
        if (!Array.isArray(o.apiKeys)) throw invalid('apiKeys must be an array of strings')
        n.apiKeys = o.apiKeys.map((k, i) => str(`apiKeys[${i}]`, k))
      }
      if (o.tokenLifetimeMs !== undefined) n.tokenLifetimeMs = number('tokenLifetimeMs', o.tokenLifetimeMs)
      if (o.signingKeyBits !== undefined) n.signingKeyBits = number('signingKeyBits', o.signingKeyBits)
      if (o.maxDomains !== undefined) n.maxDomains = number('maxDomains', o.maxDomains)
    }
    this.#n = call(() => new native.NativeEmulator(n))
  }

  /** Starts an emulator on a free port. */
  static start(options) {
    return new Emulator(options)
  }

  /** `http://127.0.0.1:PORT`: both the API and the auth URL. */
  get url() {
    return this.#n.url
  }

  get port() {
    return this.#n.port
  }

  /** The first accepted API key (a test value). */
  get apiKey() {
    return this.#n.apiKey
  }

  /** A `Client` for this emulator (`options` as for `new Client`, minus the URLs). */
  client(options) {
    return new Client(this.apiKey, { ...(options || {}), apiUrl: this.url, authUrl: this.url })
  }

  /** A live stream: `streamId` is what signing keys name, `playbackId` what playback URLs name. */
  addStream(streamId, playbackId) {
    call(() => this.#n.addStream(str('streamId', streamId), str('playbackId', playbackId)))
  }

  /** Stores an object in a bucket. */
  addObject(bucket, key, body) {
    let buf
    if (typeof body === 'string') buf = Buffer.from(body, 'utf8')
    else if (body instanceof Uint8Array) buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
    else throw invalid(`body must be a string or a Buffer, got ${describe(body)}`)
    call(() => this.#n.addObject(str('bucket', bucket), str('key', key), buf))
  }

  /** Says which bucket a storage custom domain serves. */
  mapStorageDomain(domain, bucket) {
    call(() => this.#n.mapStorageDomain(str('domain', domain), str('bucket', bucket)))
  }

  /**
   * Faults the next `times` (default 1) requests on `route` (`'*'`,
   * `'GET /v1/domains/*'`, `'POST /v1/access_token/*'`, `'GET edge:storage'` …):
   * `{ kind: 'status', status, retryAfter? }`, `{ kind: 'delay', delayMs }`,
   * `{ kind: 'drop' }`, `{ kind: 'truncate' }`, `{ kind: 'notJson' }`.
   */
  injectFault(fault) {
    const f = checkOptions('fault', fault, FAULT_ALLOWED)
    if (f === undefined) throw invalid('injectFault needs a fault')
    const kind = FAULT_KINDS[str('kind', f.kind)]
    if (kind === undefined) throw invalid('fault kind must be status, delay, drop, truncate or notJson')
    const n = { route: str('route', f.route), kind }
    if (f.times !== undefined) n.times = number('times', f.times)
    if (f.status !== undefined) n.status = number('status', f.status)
    if (f.retryAfter !== undefined) n.retryAfter = number('retryAfter', f.retryAfter)
    if (f.delayMs !== undefined) n.delayMs = number('delayMs', f.delayMs)
    call(() => this.#n.injectFault(n))
  }

  /** `{ requests: { 'GET /v1/domains': 2, … }, token_requests, connections }`. */
  counters() {
    return call(() => this.#n.counters())
  }

  /** Forgets all state, faults and counters. */
  reset() {
    call(() => this.#n.reset())
  }

  /**
   * GETs a playback or storage URL against the emulated edge.
   * @param {string} url any of the four URL forms
   * @param {{ cookie?: string }} [options] a token or a `Cookie`/`Set-Cookie` value
   * @returns {Promise<{ status: number, reason: string | null, body: Buffer }>}
   */
  fetch(url, options) {
    return callAsync(() => {
      const o = checkOptions('fetch options', options, new Set(['cookie']))
      const cookie = o === undefined || o.cookie === undefined ? undefined : str('cookie', o.cookie)
      return this.#n.fetch(str('url', url), cookie)
    }).then((r) => ({ status: r.status, reason: r.reason === undefined ? null : r.reason, body: r.body }))
  }

  /** Stops the server and frees the port. Idempotent. */
  stop() {
    call(() => this.#n.stop())
  }

  [inspect.custom]() {
    return `Emulator { url: ${inspect(this.url)} }`
  }
}

/** Test hooks: the error of each code, thrown synchronously or from the libuv pool, and a panic. */
const hooks = Object.freeze({
  raiseError: (code, message, status, retryAfter) => call(() => native.raiseErrorForTests(code, message, status, retryAfter)),
  rejectError: (code, message, status, retryAfter) => callAsync(() => native.rejectErrorForTests(code, message, status, retryAfter)),
  panic: () => call(() => native.panicForTests()),
  panicOnPool: () => callAsync(() => native.panicOnPoolForTests()),
})

module.exports = { Emulator, hooks }
