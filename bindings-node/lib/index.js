'use strict'
// The public API of `qencode-cdn`: thin classes around the generated native
// binding (`../index.js`). This file converts arguments (types, `Date` →
// seconds, claims → JSON) and errors (native → QencodeError subclasses);
// every decision about tokens, URLs and the API lives in the Rust core.

const fs = require('node:fs')
const { inspect } = require('node:util')
const errors = require('./errors.js')
const { native, call, callAsync, str, describe, keyInput, checkOptions, seconds, number, bool, claimsJson, invalid } = require('./util.js')

const SIGN_KEYS = ['expiresIn', 'expiresAt', 'notBefore', 'neverExpires', 'claims', 'now']
const COOKIE_KEYS = ['domain', 'path', 'sameSite', 'secure', 'httpOnly']
const SIGN_ALLOWED = new Set(SIGN_KEYS)
const COOKIE_ALLOWED = new Set([...SIGN_KEYS, ...COOKIE_KEYS])

/** The native sign options of a checked options object. */
function nativeSignOptions(o) {
  const out = {}
  if (o.expiresIn !== undefined) out.expiresIn = number('expiresIn', o.expiresIn)
  if (o.expiresAt !== undefined) out.expiresAt = seconds('expiresAt', o.expiresAt)
  if (o.notBefore !== undefined) out.notBefore = seconds('notBefore', o.notBefore)
  if (o.neverExpires !== undefined) out.neverExpires = bool('neverExpires', o.neverExpires)
  if (o.claims !== undefined) out.claims = claimsJson(o.claims)
  if (o.now !== undefined) out.now = seconds('now', o.now)
  return out
}

function signOptions(o) {
  const checked = checkOptions('sign options', o, SIGN_ALLOWED)
  return checked === undefined ? undefined : nativeSignOptions(checked)
}

let nativeSigner // (signer: Signer) => NativeSigner, set in Signer's static block

/** The environment variables `Signer.fromEnv()` reads by default. */
const SIGNER_ENV = Object.freeze({ keyId: 'QENCODE_SIGNING_KEY_ID', privateKey: 'QENCODE_SIGNING_KEY' })

/** A signing key loaded once; signs many tokens. */
class Signer {
  #n

  /**
   * @param {string} keyId the signing key id (the JWT `kid`)
   * @param {string | Buffer | Uint8Array} privateKey PEM (PKCS#1/PKCS#8), DER, env-mangled PEM or base64 of a PEM
   */
  constructor(keyId, privateKey) {
    str('keyId', keyId)
    const key = keyInput('privateKey', privateKey)
    this.#n = call(() => new native.NativeSigner(keyId, key))
  }

  static {
    nativeSigner = (s) => s.#n
  }

  /** Reads the private key from a file. */
  static fromFile(keyId, path) {
    str('keyId', keyId)
    if (typeof path !== 'string' && !(path instanceof URL)) throw invalid(`path must be a string or a URL, got ${describe(path)}`)
    let key
    try {
      key = fs.readFileSync(path)
    } catch (e) {
      throw invalid(`cannot read the key file ${String(path)}: ${e && /** @type {any} */ (e).code ? /** @type {any} */ (e).code : 'error'}`)
    }
    return new Signer(keyId, key)
  }

  /**
   * Reads the private key from an environment variable (default
   * `QENCODE_SIGNING_KEY`; newlines mangled to `\\n` or spaces are fine).
   * Without `keyId`, the key id comes from `QENCODE_SIGNING_KEY_ID`.
   * @param {string} [keyId]
   * @param {string} [varName]
   */
  static fromEnv(keyId, varName) {
    const keyVar = varName === undefined ? SIGNER_ENV.privateKey : str('varName', varName)
    let kid = keyId
    if (kid === undefined) {
      kid = process.env[SIGNER_ENV.keyId]
      if (!kid) throw invalid(`no keyId given and environment variable ${SIGNER_ENV.keyId} is not set`)
    }
    str('keyId', kid)
    const key = process.env[keyVar]
    if (!key) throw invalid(`environment variable ${keyVar} (the private key) is not set`)
    return new Signer(kid, key)
  }

  /** The signing key id (`kid`). */
  get keyId() {
    return this.#n.keyId
  }

  /** The RSA modulus size in bits. */
  get keyBits() {
    return this.#n.keyBits
  }

  /** The public key as SPKI PEM. */
  publicKeyPem() {
    return call(() => this.#n.publicKeyPem())
  }

  /** The public key as a JWK object (with `kid`, `alg`, `use`). */
  publicKeyJwk() {
    return JSON.parse(call(() => this.#n.publicKeyJwk()))
  }

  /** Signs a token for `uri` (playback id, object key or prefix, or `''` for a whole bucket). Synchronous. */
  sign(uri, options) {
    str('uri', uri)
    const o = signOptions(options)
    return call(() => this.#n.sign(uri, o))
  }

  /** Like `sign`, on the libuv pool. */
  signAsync(uri, options) {
    return callAsync(() => {
      str('uri', uri)
      return this.#n.signAsync(uri, signOptions(options))
    })
  }

  signedLiveUrl(playbackId, options) {
    str('playbackId', playbackId)
    const o = signOptions(options)
    return call(() => this.#n.signedLiveUrl(playbackId, o))
  }

  signedLiveCustomDomainUrl(domain, playbackId, options) {
    str('domain', domain)
    str('playbackId', playbackId)
    const o = signOptions(options)
    return call(() => this.#n.signedLiveCustomDomainUrl(domain, playbackId, o))
  }

  signedStorageUrl(bucket, region, key, options) {
    str('bucket', bucket)
    str('region', region)
    str('key', key)
    const o = signOptions(options)
    return call(() => this.#n.signedStorageUrl(bucket, region, key, o))
  }

  signedStorageCustomDomainUrl(domain, key, options) {
    str('domain', domain)
    str('key', key)
    const o = signOptions(options)
    return call(() => this.#n.signedStorageCustomDomainUrl(domain, key, o))
  }

  /** Signs `uri` and adds the token to any URL as `auth`. */
  signUrl(url, uri, options) {
    str('url', url)
    str('uri', uri)
    const o = signOptions(options)
    return call(() => this.#n.signUrl(url, uri, o))
  }

  /** A `Qencode-Auth-Token` cookie for `uri`; options are sign options plus cookie attributes. */
  signedCookie(uri, options) {
    str('uri', uri)
    const o = checkOptions('cookie options', options, COOKIE_ALLOWED) || {}
    const sign = nativeSignOptions(o)
    const cookie = {}
    if (o.domain !== undefined) cookie.domain = str('domain', o.domain)
    if (o.path !== undefined) cookie.path = str('path', o.path)
    if (o.sameSite !== undefined) cookie.sameSite = str('sameSite', o.sameSite)
    if (o.secure !== undefined) cookie.secure = bool('secure', o.secure)
    if (o.httpOnly !== undefined) cookie.httpOnly = bool('httpOnly', o.httpOnly)
    return call(() => this.#n.signedCookie(uri, sign, cookie))
  }

  [inspect.custom]() {
    return `Signer { keyId: ${inspect(this.keyId)}, keyBits: ${this.keyBits} }`
  }
}

const VERIFY_ALLOWED = new Set(['kid', 'leeway', 'resource', 'now'])

function verifyOptions(what, options) {
  const o = checkOptions(what, options, VERIFY_ALLOWED)
  if (o === undefined) return undefined
  const out = {}
  if (o.kid !== undefined) out.keyId = str('kid', o.kid)
  if (o.leeway !== undefined) out.leeway = number('leeway', o.leeway)
  if (o.now !== undefined) out.now = seconds('now', o.now)
  if (o.resource !== undefined) {
    const r = o.resource
    if (typeof r !== 'object' || Array.isArray(r)) throw invalid('resource must be an object')
    if (r.kind === 'live') {
      out.resourceKind = 'live'
      out.resourceValue = str('resource.playbackId', r.playbackId !== undefined ? r.playbackId : r.playback_id)
    } else if (r.kind === 'storage') {
      out.resourceKind = 'storage'
      out.resourceValue = str('resource.key', r.key)
    } else {
      throw invalid("resource.kind must be 'live' or 'storage'")
    }
  }
  return out
}

/** Checks RS256 tokens against one public key. */
class Verifier {
  #n

  /**
   * @param {string | Buffer | Uint8Array} publicKey SPKI or PKCS#1, PEM or DER, base64, a JWK, or a private key
   * @param {{ keyId?: string }} [options] expect this `kid`
   */
  constructor(publicKey, options) {
    if (publicKey === FROM_NATIVE) {
      this.#n = options
      return
    }
    const key = keyInput('publicKey', publicKey)
    const o = checkOptions('verifier options', options, new Set(['keyId'])) || {}
    const keyId = o.keyId === undefined ? undefined : str('keyId', o.keyId)
    this.#n = call(() => new native.NativeVerifier(key, keyId))
  }

  /** From a JWK (object or JSON text); its `kid`, when present, is expected. */
  static fromJwk(jwk) {
    const text = typeof jwk === 'string' ? jwk : claimsJson(jwk)
    return new Verifier(FROM_NATIVE, call(() => native.NativeVerifier.fromJwk(text)))
  }

  /** The verifier of a signer's own tokens (expects its `kid`). */
  static fromSigner(signer) {
    if (!(signer instanceof Signer)) throw invalid('fromSigner needs a Signer')
    return new Verifier(FROM_NATIVE, call(() => native.NativeVerifier.fromSigner(nativeSigner(signer))))
  }

  /** The expected key id, if any. */
  get keyId() {
    const k = this.#n.keyId
    return k === null || k === undefined ? undefined : k
  }

  publicKeyPem() {
    return call(() => this.#n.publicKeyPem())
  }

  /** Verifies signature, `kid`, `exp`/`nbf` and (when asked) the resource; returns `{ kid, claims }`. */
  verify(token, options) {
    str('token', token)
    const o = verifyOptions('verify options', options)
    return call(() => this.#n.verify(token, o))
  }

  /** Why the edge would accept or refuse this signed URL, check by check. */
  explain(url, options) {
    str('url', url)
    const o = verifyOptions('explain options', options)
    return call(() => this.#n.explain(url, o))
  }

  [inspect.custom]() {
    return `Verifier { keyId: ${inspect(this.keyId)} }`
  }
}

const FROM_NATIVE = Symbol('fromNative')

const TOKEN_ALLOWED = new Set(['token'])
function tokenOption(options) {
  const o = checkOptions('url options', options, TOKEN_ALLOWED)
  return o === undefined ? undefined : str('token', o.token)
}

/** `https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8`, with `?auth=` when a token is given. */
function livePlaybackUrl(playbackId, options) {
  str('playbackId', playbackId)
  const token = tokenOption(options)
  return call(() => native.livePlaybackUrl(playbackId, token))
}

/** `https://{domain}/{playbackId}.m3u8`. */
function liveCustomDomainUrl(domain, playbackId, options) {
  str('domain', domain)
  str('playbackId', playbackId)
  const token = tokenOption(options)
  return call(() => native.liveCustomDomainUrl(domain, playbackId, token))
}

/** `https://{bucket}.media-storage.{region}.qencode.com/{key}`. */
function storageUrl(bucket, region, key, options) {
  str('bucket', bucket)
  str('region', region)
  str('key', key)
  const token = tokenOption(options)
  return call(() => native.storageUrl(bucket, region, key, token))
}

/** `https://{domain}/{key}`. */
function storageCustomDomainUrl(domain, key, options) {
  str('domain', domain)
  str('key', key)
  const token = tokenOption(options)
  return call(() => native.storageCustomDomainUrl(domain, key, token))
}

/** Adds `auth=<token>` to any URL, keeping its query. */
function withToken(url, token) {
  str('url', url)
  str('token', token)
  return call(() => native.withToken(url, token))
}

/** Header and claims of a token, checking nothing (for debugging). */
function decodeUnverified(token) {
  str('token', token)
  return call(() => native.decodeUnverified(token))
}

/** Every DESIGN §5 error code, from the native core. */
function errorCodes() {
  return call(() => native.errorCodes())
}

const VERSION = native.version()

const { Client } = require('./client.js')

module.exports = {
  Signer,
  Verifier,
  Client,
  decodeUnverified,
  SIGNER_ENV,
  livePlaybackUrl,
  liveCustomDomainUrl,
  storageUrl,
  storageCustomDomainUrl,
  withToken,
  errorCodes,
  VERSION,
  QencodeError: errors.QencodeError,
  InvalidArgumentError: errors.InvalidArgumentError,
  InvalidKeyError: errors.InvalidKeyError,
  TokenError: errors.TokenError,
  MalformedTokenError: errors.MalformedTokenError,
  InvalidSignatureError: errors.InvalidSignatureError,
  TokenExpiredError: errors.TokenExpiredError,
  TokenNotYetValidError: errors.TokenNotYetValidError,
  UriMismatchError: errors.UriMismatchError,
  UnknownKeyIdError: errors.UnknownKeyIdError,
  ApiError: errors.ApiError,
  UnauthorizedError: errors.UnauthorizedError,
  NotFoundError: errors.NotFoundError,
  RateLimitedError: errors.RateLimitedError,
  TransportError: errors.TransportError,
  TimeoutError: errors.TimeoutError,
  DecodeError: errors.DecodeError,
  InternalError: errors.InternalError,
}
