'use strict'
// `require('qencode-cdn/testing')`: an in-process emulator of the Qencode
// API and playback edge for tests (a real HTTP server on 127.0.0.1).

const { inspect } = require('node:util')
const { native, call, callAsync, internals } = require('./util.js')
const { Client } = require('./client.js')
require('./index.js') // sets internals.nativeSigner
const { fromNative } = require('./errors.js')

/** A running emulator. Start with `Emulator.start()`, stop with `stop()`. */
class Emulator {
  #n

  /**
   * @param {{ apiKeys?: string[], tokenLifetimeMs?: number, signingKeyBits?: number, maxDomains?: number }} [options]
   *   signing keys default to 2048 bits here (the real service's 4096 is slow in tests)
   */
  constructor(options) {
    this.#n = call(() => new native.NativeEmulator(options))
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
    return new Client(this.apiKey, { ...options, apiUrl: this.url, authUrl: this.url })
  }

  /** A live stream: `streamId` is what signing keys name, `playbackId` what playback URLs name. */
  addStream(streamId, playbackId) {
    call(() => this.#n.addStream(streamId, playbackId))
  }

  /**
   * Loads the demo fixtures of `qcdn emulator --with-fixtures`: live stream
   * `demo-playback-id` (real HLS), bucket `demo-bucket` (us-west,
   * authenticated) holding the HLS and DASH folder `videos/intro/`, custom
   * domain `media.example.com`. Returns their signing keys and URLs.
   */
  loadFixtures() {
    return call(() => this.#n.loadFixtures())
  }

  /** Stores an object in a bucket (a string is UTF-8). */
  addObject(bucket, key, body) {
    call(() => this.#n.addObject(bucket, key, body))
  }

  /** Says which bucket a storage custom domain serves. */
  mapStorageDomain(domain, bucket) {
    call(() => this.#n.mapStorageDomain(domain, bucket))
  }

  /**
   * Faults the next `times` (default 1) requests on `route` (`'*'`,
   * `'GET /v1/domains/*'`, `'POST /v1/access_token/*'`, `'GET edge:storage'` …):
   * `{ kind: 'status', status, retryAfter? }`, `{ kind: 'delay', delayMs }`,
   * `{ kind: 'drop' }`, `{ kind: 'truncate' }`, `{ kind: 'not_json' }`. Read by
   * the emulator's own fault parser; a bad fault is INVALID_ARGUMENT.
   */
  injectFault(fault) {
    call(() => this.#n.injectFault(fault))
  }

  /** `{ requests: { 'GET /v1/domains': 2, … }, token_requests, connections }`. */
  counters() {
    return call(() => this.#n.counters())
  }

  /** Drops every fault not yet used; state and counters are kept (tests that inspect state after random faults). */
  clearFaults() {
    call(() => this.#n.clearFaults())
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
    return callAsync(() => this.#n.fetch(url, options))
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
  signFromThreads: (signer, threads) =>
    call(() => native.signFromThreadsForTests(internals.nativeSigner(signer), threads)).map((r) =>
      r.error === null ? { token: r.token, error: null } : { token: null, error: fromNative(r.error) },
    ),
})

module.exports = { Emulator, hooks }
