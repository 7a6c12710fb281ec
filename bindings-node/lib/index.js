'use strict'
// The public API of `qencode-cdn`: thin classes around the generated native
// binding (`../native.js`). Every argument goes to the native module as
// given — options objects included, which the Rust core reads (unknown keys,
// wrong types, `null` lifetimes are its decisions) — and every error comes
// back as a QencodeError subclass (errors.js). Nothing else happens here.

const { inspect } = require('node:util')
const { fileURLToPath } = require('node:url')
const errors = require('./errors.js')
const { native, call, callAsync } = require('./util.js')

const ENV = native.envNames()

/** The environment variables `Signer.fromEnv()` reads (the core's names). */
const SIGNER_ENV = Object.freeze({ keyId: ENV.signingKeyId, privateKey: ENV.signingKey })

/** Marks a native object handed to a constructor from inside this package. */
const FROM_NATIVE = Symbol('fromNative')

let nativeSigner // (signer: Signer) => NativeSigner, set in Signer's static block

/** A signing key loaded once; signs many tokens. */
class Signer {
  #n

  /**
   * @param {string} keyId the signing key id (the JWT `kid`)
   * @param {string | Uint8Array} privateKey PEM (PKCS#1/PKCS#8), DER, env-mangled PEM or base64 of a PEM
   */
  constructor(keyId, privateKey) {
    this.#n = keyId === FROM_NATIVE ? privateKey : call(() => new native.NativeSigner(keyId, privateKey))
  }

  static {
    nativeSigner = (s) => s.#n
  }

  /** Reads the private key from a file (a path or a `file:` URL). */
  static fromFile(keyId, path) {
    return new Signer(FROM_NATIVE, call(() => native.NativeSigner.fromFile(keyId, path instanceof URL ? fileURLToPath(path) : path)))
  }

  /**
   * The private key from `QENCODE_SIGNING_KEY` (newlines mangled to `\\n` or
   * spaces are fine); the key id is `keyId`, or `QENCODE_SIGNING_KEY_ID`
   * when none is given. Values are trimmed; a blank variable is not set.
   * @param {string} [keyId]
   */
  static fromEnv(keyId, ...removed) {
    // The variable is always QENCODE_SIGNING_KEY: a caller of the old
    // `fromEnv(keyId, varName)` gets an error, never another key.
    if (removed.length > 0) throw errors.invalid('Signer.fromEnv takes only a key id; the private key is always read from QENCODE_SIGNING_KEY')
    return new Signer(FROM_NATIVE, call(() => native.NativeSigner.fromEnv(keyId)))
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
    return call(() => this.#n.publicKeyJwk())
  }

  /** Signs a token for `uri` (playback id, object key or prefix, or `''` for a whole bucket). Synchronous. */
  sign(uri, options) {
    return call(() => this.#n.sign(uri, options))
  }

  /** Like `sign`, on the libuv pool. */
  signAsync(uri, options) {
    return callAsync(() => this.#n.signAsync(uri, options))
  }

  signedLiveUrl(playbackId, options) {
    return call(() => this.#n.signedLiveUrl(playbackId, options))
  }

  signedLiveCustomDomainUrl(domain, playbackId, options) {
    return call(() => this.#n.signedLiveCustomDomainUrl(domain, playbackId, options))
  }

  signedStorageUrl(bucket, region, key, options) {
    return call(() => this.#n.signedStorageUrl(bucket, region, key, options))
  }

  signedStorageCustomDomainUrl(domain, key, options) {
    return call(() => this.#n.signedStorageCustomDomainUrl(domain, key, options))
  }

  /** Signs `uri` and adds the token to any URL as `auth`. */
  signUrl(url, uri, options) {
    return call(() => this.#n.signUrl(url, uri, options))
  }

  /** A `Qencode-Auth-Token` cookie for `uri`; options are sign options plus cookie attributes. */
  signedCookie(uri, options) {
    return call(() => this.#n.signedCookie(uri, options))
  }

  /** What `token` grants that may be more than meant, at this signer's clock (see `audit`). */
  audit(token) {
    return call(() => this.#n.audit(token))
  }

  [inspect.custom]() {
    return `Signer { keyId: ${inspect(this.keyId)}, keyBits: ${this.keyBits} }`
  }
}

/** Checks RS256 tokens against one public key. */
class Verifier {
  #n

  /**
   * @param {string | Uint8Array} publicKey SPKI or PKCS#1, PEM or DER, base64, a JWK (its `kid` is expected), or a private key
   * @param {{ keyId?: string }} [options] expect this `kid`
   */
  constructor(publicKey, options) {
    this.#n = publicKey === FROM_NATIVE ? options : call(() => new native.NativeVerifier(publicKey, options))
  }

  /** From a JWK (object or JSON text); its `kid`, when present, is expected. */
  static fromJwk(jwk) {
    return new Verifier(FROM_NATIVE, call(() => native.NativeVerifier.fromJwk(jwk)))
  }

  /** The verifier of a signer's own tokens (expects its `kid`). */
  static fromSigner(signer) {
    if (!(signer instanceof Signer)) throw errors.invalid('fromSigner needs a Signer')
    return new Verifier(FROM_NATIVE, call(() => native.NativeVerifier.fromSigner(nativeSigner(signer))))
  }

  /** The expected key id, or `null`. */
  get keyId() {
    return this.#n.keyId
  }

  publicKeyPem() {
    return call(() => this.#n.publicKeyPem())
  }

  /** Verifies signature, `kid`, `exp`/`nbf` and (when asked) the resource; returns `{ kid, claims }`. */
  verify(token, options) {
    return call(() => this.#n.verify(token, options))
  }

  /** Why the edge would accept or refuse this signed URL, check by check. */
  explain(url, options) {
    return call(() => this.#n.explain(url, options))
  }

  /** Every check of `verify` on a bare token, passed or failed, in words (the shape of `explain`). */
  explainToken(token, options) {
    return call(() => this.#n.explainToken(token, options))
  }

  /** What `token` grants that may be more than meant, at this verifier's clock (see `audit`). */
  audit(token) {
    return call(() => this.#n.audit(token))
  }

  [inspect.custom]() {
    return `Verifier { keyId: ${inspect(this.keyId)} }`
  }
}

/** `https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8`, with `?auth=` when a token is given. */
function livePlaybackUrl(playbackId, options) {
  return call(() => native.livePlaybackUrl(playbackId, options))
}

/** `https://{domain}/{playbackId}.m3u8`. */
function liveCustomDomainUrl(domain, playbackId, options) {
  return call(() => native.liveCustomDomainUrl(domain, playbackId, options))
}

/** `https://{bucket}.media-storage.{region}.qencode.com/{key}`. */
function storageUrl(bucket, region, key, options) {
  return call(() => native.storageUrl(bucket, region, key, options))
}

/** `https://{domain}/{key}`. */
function storageCustomDomainUrl(domain, key, options) {
  return call(() => native.storageCustomDomainUrl(domain, key, options))
}

/** Adds `auth=<token>` to any URL, keeping its query. */
function withToken(url, token) {
  return call(() => native.withToken(url, token))
}

/** Header and claims of a token, checking nothing (for debugging). */
function decodeUnverified(token) {
  return call(() => native.decodeUnverified(token))
}

/**
 * What a token grants that may be wider or longer than meant — a prefix that
 * covers siblings, the whole bucket, no expiry, more than a day — in words.
 * Verifies nothing (no key needed). `{ now }` pins the clock.
 */
function audit(token, options) {
  return call(() => native.audit(token, options))
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
  audit,
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
