'use strict'
// `Client`: the management API. Every method returns a Promise; the request
// runs in the native core on the libuv pool (napi AsyncTask), never on the
// event loop. Results are the API's JSON documents with its own field names.

const { inspect } = require('node:util')
const { native, call, callAsync, checkOptions, str, number, invalid, describe } = require('./util.js')

const CLIENT_ALLOWED = new Set(['apiUrl', 'authUrl', 'timeoutMs', 'connectTimeoutMs', 'maxRetries'])

function clientOptions(options) {
  const o = checkOptions('client options', options, CLIENT_ALLOWED)
  if (o === undefined) return undefined
  const out = {}
  if (o.apiUrl !== undefined) out.apiUrl = str('apiUrl', o.apiUrl)
  if (o.authUrl !== undefined) out.authUrl = str('authUrl', o.authUrl)
  if (o.timeoutMs !== undefined) out.timeoutMs = number('timeoutMs', o.timeoutMs)
  if (o.connectTimeoutMs !== undefined) out.connectTimeoutMs = number('connectTimeoutMs', o.connectTimeoutMs)
  if (o.maxRetries !== undefined) out.maxRetries = number('maxRetries', o.maxRetries)
  return out
}

/** Hides the private key of a new signing key from `console.log`/`JSON.stringify`; `key.private_key` still reads it. */
function hidePrivateKey(doc) {
  if (doc !== null && typeof doc === 'object' && typeof doc.private_key === 'string') {
    Object.defineProperty(doc, 'private_key', { value: doc.private_key, enumerable: false, writable: false, configurable: false })
  }
  return doc
}

const TARGETS = [
  ['streamId', 'stream'],
  ['domainId', 'domain'],
  ['bucket', 'bucket'],
]

/** One client per API key; share it. */
class Client {
  #n

  /**
   * @param {string} apiKey the project's API key (never shown in errors or `inspect`)
   * @param {{ apiUrl?: string, authUrl?: string, timeoutMs?: number, connectTimeoutMs?: number, maxRetries?: number }} [options]
   */
  constructor(apiKey, options) {
    if (apiKey === FROM_ENV) {
      const o = clientOptions(options)
      this.#n = call(() => native.NativeClient.fromEnv(o))
      return
    }
    if (typeof apiKey !== 'string') throw invalid(`apiKey must be a string, got ${describe(apiKey)}`)
    const o = clientOptions(options)
    this.#n = call(() => new native.NativeClient(apiKey, o))
  }

  /** The API key from `QENCODE_API_KEY`. */
  static fromEnv(options) {
    return new Client(FROM_ENV, options)
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
    return callAsync(() => this.#n.createDomain(str('name', name), str('type', type)))
  }

  getDomain(id) {
    return callAsync(() => this.#n.getDomain(str('id', id)))
  }

  listDomains(type) {
    return callAsync(() => this.#n.listDomains(type === undefined ? undefined : str('type', type)))
  }

  deleteDomain(id) {
    return callAsync(() => this.#n.deleteDomain(str('id', id)))
  }

  createTlsSubscription(domainId) {
    return callAsync(() => this.#n.createTlsSubscription(str('domainId', domainId)))
  }

  getTlsSubscription(id) {
    return callAsync(() => this.#n.getTlsSubscription(str('id', id)))
  }

  listTlsSubscriptions() {
    return callAsync(() => this.#n.listTlsSubscriptions())
  }

  deleteTlsSubscription(id) {
    return callAsync(() => this.#n.deleteTlsSubscription(str('id', id)))
  }

  /**
   * A signing key for a stream, a domain or a bucket: `{ streamId }`,
   * `{ domainId }` or `{ bucket }`. The result's `private_key` is returned
   * once; it is not enumerable, so logging the result does not print it.
   */
  createSigningKey(target) {
    return callAsync(() => {
      const t = checkOptions('signing key target', target, new Set(TARGETS.map(([k]) => k)))
      const given = t === undefined ? [] : TARGETS.filter(([k]) => t[k] !== undefined)
      if (given.length !== 1) throw invalid('createSigningKey needs exactly one of { streamId }, { domainId }, { bucket }')
      const [[field, kind]] = given
      return this.#n.createSigningKey(kind, str(field, t[field]))
    }).then(hidePrivateKey)
  }

  getSigningKey(id) {
    return callAsync(() => this.#n.getSigningKey(str('id', id)))
  }

  listSigningKeys() {
    return callAsync(() => this.#n.listSigningKeys())
  }

  renameSigningKey(id, name) {
    return callAsync(() => this.#n.renameSigningKey(str('id', id), str('name', name)))
  }

  deleteSigningKey(id) {
    return callAsync(() => this.#n.deleteSigningKey(str('id', id)))
  }

  /** `policy` is `'public'` or `'authenticated'`. */
  setBucketPolicy(bucket, policy) {
    return callAsync(() => this.#n.setBucketPolicy(str('bucket', bucket), str('policy', policy)))
  }

  /** `cors` maps CORS header names to values, e.g. `{ 'Access-Control-Allow-Origin': '*' }`. */
  setBucketCors(bucket, cors) {
    return callAsync(() => {
      str('bucket', bucket)
      if (cors === null || typeof cors !== 'object' || Array.isArray(cors)) throw invalid('cors must be an object of header names to values')
      for (const [k, v] of Object.entries(cors)) str(`cors[${JSON.stringify(k)}]`, v)
      return this.#n.setBucketCors(bucket, cors)
    })
  }

  getBucketCors(bucket) {
    return callAsync(() => this.#n.getBucketCors(str('bucket', bucket)))
  }

  deleteBucketCors(bucket) {
    return callAsync(() => this.#n.deleteBucketCors(str('bucket', bucket)))
  }

  deleteBucketCorsHeader(bucket, header) {
    return callAsync(() => this.#n.deleteBucketCorsHeader(str('bucket', bucket), str('header', header)))
  }

  purgeBucketCache(bucket) {
    return callAsync(() => this.#n.purgeBucketCache(str('bucket', bucket)))
  }

  purgeObjectCache(bucket, path) {
    return callAsync(() => this.#n.purgeObjectCache(str('bucket', bucket), str('path', path)))
  }

  [inspect.custom]() {
    return `Client { apiUrl: ${inspect(this.apiUrl)}, authUrl: ${inspect(this.authUrl)} }`
  }
}

const FROM_ENV = Symbol('fromEnv')

module.exports = { Client }
