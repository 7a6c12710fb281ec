'use strict'
// `Client`: the management API. Every method returns a Promise; the request
// runs in the native core on the libuv pool (napi AsyncTask), never on the
// event loop. Results are the API's JSON documents with its own field names.

const { inspect } = require('node:util')
const { native, call, callAsync } = require('./util.js')

/** Marks a native client handed to the constructor from inside this package. */
const FROM_NATIVE = Symbol('fromNative')

/** One client per API key; share it. */
class Client {
  #n

  /**
   * @param {string} apiKey the project's API key (never shown in errors or `inspect`)
   * @param {{ apiUrl?: string, authUrl?: string, timeout?: number, connectTimeout?: number, maxRetries?: number }} [options]
   *   timeouts in seconds
   */
  constructor(apiKey, options) {
    this.#n = apiKey === FROM_NATIVE ? options : call(() => new native.NativeClient(apiKey, options))
  }

  /** The API key from `QENCODE_API_KEY` (trimmed; unset or blank is INVALID_ARGUMENT), with `options`. */
  static fromEnv(options) {
    return new Client(FROM_NATIVE, call(() => native.NativeClient.fromEnv(options)))
  }

  get apiUrl() {
    return this.#n.apiUrl
  }

  get authUrl() {
    return this.#n.authUrl
  }

  get userAgent() {
    return this.#n.userAgent
  }

  createDomain(name, type) {
    return callAsync(() => this.#n.createDomain(name, type))
  }

  getDomain(id) {
    return callAsync(() => this.#n.getDomain(id))
  }

  listDomains(type) {
    return callAsync(() => this.#n.listDomains(type))
  }

  deleteDomain(id) {
    return callAsync(() => this.#n.deleteDomain(id))
  }

  createTlsSubscription(domainId) {
    return callAsync(() => this.#n.createTlsSubscription(domainId))
  }

  getTlsSubscription(id) {
    return callAsync(() => this.#n.getTlsSubscription(id))
  }

  listTlsSubscriptions() {
    return callAsync(() => this.#n.listTlsSubscriptions())
  }

  deleteTlsSubscription(id) {
    return callAsync(() => this.#n.deleteTlsSubscription(id))
  }

  /**
   * A signing key for a stream, a domain or a bucket: `{ stream }` (a stream
   * id), `{ domain }` (a domain id) or `{ bucket }` (a bucket name). The
   * result's `private_key` is returned once; it is not enumerable, so logging
   * the result does not print it.
   */
  createSigningKey(target) {
    return callAsync(() => this.#n.createSigningKey(target))
  }

  getSigningKey(id) {
    return callAsync(() => this.#n.getSigningKey(id))
  }

  listSigningKeys() {
    return callAsync(() => this.#n.listSigningKeys())
  }

  renameSigningKey(id, name) {
    return callAsync(() => this.#n.renameSigningKey(id, name))
  }

  deleteSigningKey(id) {
    return callAsync(() => this.#n.deleteSigningKey(id))
  }

  /** `policy` is `'public'` or `'authenticated'`. */
  setBucketPolicy(bucket, policy) {
    return callAsync(() => this.#n.setBucketPolicy(bucket, policy))
  }

  /** `cors` maps CORS header names to values, e.g. `{ 'Access-Control-Allow-Origin': '*' }`. */
  setBucketCors(bucket, cors) {
    return callAsync(() => this.#n.setBucketCors(bucket, cors))
  }

  getBucketCors(bucket) {
    return callAsync(() => this.#n.getBucketCors(bucket))
  }

  deleteBucketCors(bucket) {
    return callAsync(() => this.#n.deleteBucketCors(bucket))
  }

  deleteBucketCorsHeader(bucket, header) {
    return callAsync(() => this.#n.deleteBucketCorsHeader(bucket, header))
  }

  purgeBucketCache(bucket) {
    return callAsync(() => this.#n.purgeBucketCache(bucket))
  }

  purgeObjectCache(bucket, path) {
    return callAsync(() => this.#n.purgeObjectCache(bucket, path))
  }

  [inspect.custom]() {
    return `Client { apiUrl: ${inspect(this.apiUrl)}, authUrl: ${inspect(this.authUrl)} }`
  }
}

module.exports = { Client }
