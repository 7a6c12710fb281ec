'use strict'
// The public API of `qencode-cdn`: thin classes around the generated native
// binding (`../native.js`). Every argument goes to the native module as
// given — options objects included, which the Rust core reads (unknown keys,
// wrong types, `null` lifetimes are its decisions) — and every error comes
// back as a QencodeError subclass (errors.js). Nothing else happens here.

const { inspect } = require('node:util')
const { fileURLToPath } = require('node:url')
const errors = require('./errors.js')
const { native, call, callAsync, internals } = require('./util.js')

const ENV = native.envNames()

/** Threads of `signMany` when not told: every core (the core's `default_threads`). */
const DEFAULT_THREADS = native.defaultThreads()

/** The environment variables `Signer.fromEnv()` reads (the core's names). */
const SIGNER_ENV = Object.freeze({ keyId: ENV.signingKeyId, privateKey: ENV.signingKey })

/** A path, or the path of a `file:` URL (another URL is an InvalidArgumentError, through `call`). */
const filePath = (p) => (p instanceof URL ? fileURLToPath(p) : p)

/** Marks a native object handed to a constructor from inside this package. */
const FROM_NATIVE = Symbol('fromNative')

let nativeSigner // (signer: Signer) => NativeSigner, set in Signer's static block

// ---- External signers written in JavaScript ----------------------------------
//
// The native side calls the function on this thread, inside the native call
// that signs (src/external.rs). What is left here is Promise plumbing: a
// function that returns a Promise inside `signAsync`/`signManyAsync` is
// awaited (with the signer's timeout) and the token finished by the core
// (`finishExternal`), and a thrown value becomes the `cause` of the
// SignerFailedError.

/** The state of one JavaScript signer function (shared by a signer and its cached copies). */
class JsSignerState {
  /** @param {Function} fn the user's function */
  constructor(fn) {
    this.fn = fn
    /** Inside `signAsync`: a returned Promise is kept to be awaited, not refused. */
    this.awaiting = false
    /** What the function threw during the current native call. */
    this.thrown = undefined
    /** `{ promise, signingInput }` the function returned during the current native call. */
    this.pending = undefined
  }

  /**
   * Runs `fn` (a native call) with fresh per-call state; returns `[value, error, thrown, pending]`
   * (what `fn` returned or threw, and what the signer function threw or returned as a Promise).
   */
  around(awaiting, fn) {
    const saved = [this.awaiting, this.thrown, this.pending]
    this.awaiting = awaiting
    this.thrown = undefined
    this.pending = undefined
    try {
      const value = fn()
      return [value, undefined, this.thrown, this.pending]
    } catch (e) {
      return [undefined, e, this.thrown, this.pending]
    } finally {
      ;[this.awaiting, this.thrown, this.pending] = saved
    }
  }
}

/** Thrown by the callback to stop a native call whose signature will be awaited. */
const PENDING = Symbol('the signature is awaited')
/** The rejection of a signer's deadline. */
const TIMED_OUT = Symbol('timed out')
const noop = () => {}

function isThenable(v) {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function'
}

/** The function the native side calls: the user's, with its thrown value and Promise noted. */
function signerCallback(state) {
  const callback = (signingInput) => {
    // Copied before the user's function sees (and could change) the Buffer.
    const text = state.awaiting ? signingInput.toString('latin1') : undefined
    let r
    try {
      r = state.fn(signingInput)
    } catch (e) {
      state.thrown = e
      throw e
    }
    if (isThenable(r)) {
      if (state.awaiting) {
        state.pending = { promise: r, signingInput: text }
        throw PENDING
      }
      // A synchronous call cannot wait for it (the native side says so);
      // its rejection must not become an unhandled one.
      Promise.resolve(r).catch(noop)
    }
    return r
  }
  Object.defineProperty(callback, 'name', { value: state.fn.name })
  return callback
}

/** Makes `thrown` (what the signer function threw) the `cause` of a SIGNER_FAILED error. */
function withCause(error, thrown) {
  if (thrown !== undefined && error instanceof errors.SignerFailedError) {
    Object.defineProperty(error, 'cause', { value: thrown, writable: true, configurable: true, enumerable: false })
  }
  return error
}

/** `promise`, or a rejection with TIMED_OUT after `seconds`. */
function withDeadline(promise, seconds) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(reject, seconds * 1000, TIMED_OUT)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A native batch result as the public `{ token, error }`. */
function batchResult(r, thrown) {
  if (r.error === null) return { token: r.token, error: null }
  return { token: null, error: withCause(errors.fromNative(r.error), thrown) }
}

/** A signing key loaded once; signs many tokens. */
class Signer {
  #n
  /** @type {JsSignerState | undefined} the function of a JavaScript signer */
  #js

  /**
   * @param {string} keyId the signing key id (the JWT `kid`)
   * @param {string | Uint8Array} privateKey PEM (PKCS#1/PKCS#8), DER, env-mangled PEM or base64 of a PEM
   */
  constructor(keyId, privateKey, ...rest) {
    if (keyId === FROM_NATIVE) {
      this.#n = privateKey
      this.#js = rest[0]
    } else {
      this.#n = call(() => new native.NativeSigner(keyId, privateKey))
    }
  }

  /**
   * A signer whose private key never enters this process (a KMS, an HSM
   * service, Vault): `sign(signingInput: Buffer)` returns the RS256
   * signature as a Buffer, Uint8Array or ArrayBuffer. The core assembles the
   * token and verifies every signature with `publicKey` before returning
   * it. `sign()`, the signed URLs, `signedCookie()` and `signMany()` call the
   * function synchronously on this thread; `signAsync()`/`signManyAsync()`
   * also await a Promise it returns, for at most `options.timeout` seconds
   * (default 30).
   */
  static external(keyId, publicKey, sign, options) {
    const state = typeof sign === 'function' ? new JsSignerState(sign) : undefined
    const n = call(() => native.NativeSigner.external(keyId, publicKey, state ? signerCallback(state) : sign, options))
    return new Signer(FROM_NATIVE, n, state)
  }

  /**
   * A signer whose key stays on a PKCS#11 token (an HSM): the module's path
   * (e.g. `/usr/lib/softhsm/libsofthsm2.so`), the token's label, the private
   * key's label, the user PIN, and the key id of its tokens.
   */
  static fromPkcs11(module, tokenLabel, keyLabel, pin, keyId) {
    return new Signer(FROM_NATIVE, call(() => native.NativeSigner.fromPkcs11(filePath(module), tokenLabel, keyLabel, pin, keyId)))
  }

  /** Runs a native call that may call a JavaScript signer's function (which may throw). */
  #run(fn) {
    if (this.#js === undefined) return call(fn)
    const [value, error, thrown] = this.#js.around(false, () => call(fn))
    if (error !== undefined) throw withCause(error, thrown)
    return value
  }

  /**
   * One native call that may call a JavaScript signer's function, for
   * `signAsync`: a Promise it returns is awaited (with the signer's
   * timeout) and the token finished by the core. `fn` returns the token.
   */
  async #runAwaiting(fn) {
    const [value, error, thrown, pending] = this.#js.around(true, () => call(fn))
    if (pending === undefined) {
      if (error !== undefined) throw withCause(error, thrown)
      return value
    }
    let signature
    try {
      signature = await withDeadline(pending.promise, this.#n.externalTimeout)
    } catch (e) {
      const timedOut = e === TIMED_OUT
      try {
        call(() => this.#n.externalFailure(timedOut ? null : e, timedOut))
      } catch (failure) {
        throw timedOut ? failure : withCause(failure, e)
      }
    }
    return call(() => this.#n.finishExternal(pending.signingInput, signature))
  }

  static {
    nativeSigner = (s) => s.#n
    internals.nativeSigner = nativeSigner
  }

  /** Reads the private key from a file (a path or a `file:` URL). */
  static fromFile(keyId, path) {
    return new Signer(FROM_NATIVE, call(() => native.NativeSigner.fromFile(keyId, filePath(path))))
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

  /** True when the private key is outside this process (`Signer.external`, `Signer.fromPkcs11`). */
  get isExternal() {
    return this.#n.isExternal
  }

  /** Signs a token for `uri` (playback id, object key or prefix, or `''` for a whole bucket). Synchronous. */
  sign(uri, options) {
    return this.#run(() => this.#n.sign(uri, options))
  }

  /**
   * Like `sign`, on the libuv pool. A JavaScript signer (`Signer.external`)
   * runs its function on this thread and awaits the Promise it returns.
   */
  signAsync(uri, options) {
    if (this.#js === undefined) return callAsync(() => this.#n.signAsync(uri, options))
    return this.#runAwaiting(() => this.#n.sign(uri, options))
  }

  signedLiveUrl(playbackId, options) {
    return this.#run(() => this.#n.signedLiveUrl(playbackId, options))
  }

  signedLiveCustomDomainUrl(domain, playbackId, options) {
    return this.#run(() => this.#n.signedLiveCustomDomainUrl(domain, playbackId, options))
  }

  signedStorageUrl(bucket, region, key, options) {
    return this.#run(() => this.#n.signedStorageUrl(bucket, region, key, options))
  }

  signedStorageCustomDomainUrl(domain, key, options) {
    return this.#run(() => this.#n.signedStorageCustomDomainUrl(domain, key, options))
  }

  /** Signs `uri` and adds the token to any URL as `auth`. */
  signUrl(url, uri, options) {
    return this.#run(() => this.#n.signUrl(url, uri, options))
  }

  /** A `Qencode-Auth-Token` cookie for `uri`; options are sign options plus cookie attributes. */
  signedCookie(uri, options) {
    return this.#run(() => this.#n.signedCookie(uri, options))
  }

  /**
   * Signs every item (a uri, or `{ uri, options }`) on all cores (`{ threads }`
   * caps them) and returns one `{ token, error }` per item, in order: a bad
   * item gets its own error (`token: null`) and does not fail the batch.
   * Blocks the event loop for the whole batch; see `signManyAsync`.
   */
  signMany(items, options) {
    if (this.#js === undefined || !Array.isArray(items)) {
      return this.#run(() => this.#n.signMany(items, options)).map((r) => batchResult(r))
    }
    // A JavaScript signer: item by item, so that each error keeps its own cause.
    call(() => this.#n.signMany([], options)) // the options are checked, even for an empty batch
    return items.map((item, i) => {
      const [value, error, thrown] = this.#js.around(false, () => call(() => this.#n.signManyItem(item, i, options)))
      if (error !== undefined) return { token: null, error: withCause(error, thrown) }
      return batchResult(value, thrown)
    })
  }

  /**
   * `signMany` off the event loop: the batch runs on one libuv pool thread
   * and the threads the core starts for it. A JavaScript signer's function
   * runs on this thread instead, with at most `threads` (default: the
   * number of cores) signatures awaited at once.
   */
  async signManyAsync(items, options) {
    if (this.#js === undefined || !Array.isArray(items)) {
      return (await callAsync(() => this.#n.signManyAsync(items, options))).map((r) => batchResult(r))
    }
    call(() => this.#n.signMany([], options))
    const limit = options != null && options.threads != null ? options.threads : DEFAULT_THREADS
    const out = new Array(items.length)
    let next = 0
    const worker = async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await this.#signOneAwaiting(items[i], i, options)
      }
    }
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
    return out
  }

  /** One item of `signManyAsync` with a JavaScript signer. */
  async #signOneAwaiting(item, index, options) {
    try {
      const token = await this.#runAwaiting(() => {
        const r = this.#n.signManyItem(item, index, options)
        if (r.error === null) return r.token
        throw errors.fromNative(r.error)
      })
      return { token, error: null }
    } catch (e) {
      return { token: null, error: e }
    }
  }

  /**
   * This signer with a token cache: requests for the same `uri`, claims and
   * lifetime inside one `window` (whole seconds) share one token whose `exp`
   * is rounded up to the window — valid at least as long as asked, at most
   * one window longer. `capacity` bounds the tokens kept (default 100000);
   * `cachePinnedClock` caches calls that pin `now` too (tests).
   */
  cached(options) {
    return new Signer(FROM_NATIVE, call(() => this.#n.cached(options)), this.#js)
  }

  /** How many tokens the cache holds (0 without a cache). */
  get cachedTokens() {
    return this.#n.cachedTokens
  }

  /** `{ window, capacity, cachePinnedClock }` of a cached signer, or `null`. */
  get cacheSettings() {
    return this.#n.cacheSettings
  }

  /** What `token` grants that may be more than meant, at this signer's clock (see `audit`). */
  audit(token) {
    return call(() => this.#n.audit(token))
  }

  [inspect.custom]() {
    const extra = []
    if (this.isExternal) extra.push('external: true')
    const cache = this.cacheSettings
    if (cache !== null) extra.push(`cached: { window: ${cache.window}, capacity: ${cache.capacity} }`)
    return `Signer { keyId: ${inspect(this.keyId)}, keyBits: ${this.keyBits}${extra.map((e) => `, ${e}`).join('')} }`
  }
}

/** Checks RS256 tokens against one public key, or a key set chosen by `kid`. */
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

  /**
   * A key set from a JWK Set (`{ keys: [...] }`, an object or JSON text):
   * each token is checked with the key its `kid` names.
   */
  static fromJwks(jwks) {
    return new Verifier(FROM_NATIVE, call(() => native.NativeVerifier.fromJwks(jwks)))
  }

  /**
   * A key set from `[kid, publicKey]` pairs or `{ kid, key }` objects — an
   * array, a `Map`, or any iterable of them (for a plain object of kid →
   * key, pass `Object.entries(obj)`). Keys in any form `new Verifier` reads.
   */
  static fromKeys(keys) {
    if (keys === null || typeof keys !== 'object' || typeof keys[Symbol.iterator] !== 'function') {
      throw errors.invalid(
        'Verifier.fromKeys takes an array (or Map, or iterable) of [kid, key] pairs or { kid, key } objects; for an object of kid → key, pass Object.entries(it)',
      )
    }
    const entries = Array.from(keys, (e) => (Array.isArray(e) ? { kid: e[0], key: e[1] } : e))
    return new Verifier(FROM_NATIVE, call(() => native.NativeVerifier.fromKeys(entries)))
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

  /** The key ids this verifier knows: a key set's, or the one expected id (`[]` for any). */
  get keyIds() {
    return this.#n.keyIds
  }

  /** The public key as SPKI PEM; a key set holds several (INVALID_ARGUMENT: use `jwks()`). */
  publicKeyPem() {
    return call(() => this.#n.publicKeyPem())
  }

  /** The public keys as a JWK Set object (`{ keys: [...] }`), to publish; `Verifier.fromJwks` reads it back. */
  jwks() {
    return call(() => this.#n.jwks())
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
    return `Verifier { keyId: ${inspect(this.keyId)}, keyIds: ${inspect(this.keyIds)} }`
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

/**
 * Which request of an HLS or DASH playback a query token or the signed
 * cookie covers, from the manifest's text alone (no HTTP): the variant
 * playlists, init and first media segments it names, relative URIs
 * resolved. `{ cookie, segments, stream, now }`; the report is the core's.
 */
function streamCoverage(manifestUrl, manifestText, options) {
  return call(() => native.streamCoverage(manifestUrl, manifestText, options))
}

/**
 * Checks a whole stream over HTTP as a player would (off the event loop):
 * the options of `streamCoverage` and `{ connectTo, origin, caPem, timeout,
 * propagateToken }`. A refused request is in the report (`ok: false`); no
 * answer at all for the manifest rejects with TRANSPORT or TIMEOUT.
 */
function checkStream(url, options) {
  return callAsync(() => native.checkStream(url, options))
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
  streamCoverage,
  checkStream,
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
  SignerFailedError: errors.SignerFailedError,
}
