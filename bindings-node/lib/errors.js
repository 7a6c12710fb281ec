'use strict'
// Error classes of DESIGN.md §5 and the conversion of native errors into them.
// A native error carries `code` (the §5 string) and, for HTTP failures,
// `status`, `body`, `requestId` and `retryAfter`. Errors raised by napi-rs's
// own argument conversion (codes such as `StringExpected`) become
// INVALID_ARGUMENT; any echoed JS value is cut from their message so that a
// secret passed in the wrong place cannot end up in a log.
//
// Every QencodeError has `status` and `retryAfter`: a number, or `null` when
// the error has none (the core's `Error::status()` / `retry_after()` are
// `None`) — never absent, so `e.status === null` means "not an HTTP answer".

/** `v` if it is a number, else `null`. */
const numberOrNull = (v) => (typeof v === 'number' ? v : null)

class QencodeError extends Error {
  /**
   * @param {string} code one of DESIGN §5
   * @param {string} message for people; never holds a secret
   * @param {{status?: number | null, retryAfter?: number | null}} [http]
   */
  constructor(code, message, http = {}) {
    super(message)
    this.code = code
    /** The HTTP status of the answer that failed, or `null`. */
    this.status = numberOrNull(http && http.status)
    /** Seconds from `Retry-After`, or `null`. */
    this.retryAfter = numberOrNull(http && http.retryAfter)
  }
}
Object.defineProperty(QencodeError.prototype, 'name', { value: 'QencodeError', writable: true, configurable: true })

function subclass(name, Base) {
  const C = { [name]: class extends Base {} }[name]
  Object.defineProperty(C.prototype, 'name', { value: name, writable: true, configurable: true })
  return C
}

const InvalidArgumentError = subclass('InvalidArgumentError', QencodeError)
const InvalidKeyError = subclass('InvalidKeyError', QencodeError)
const TokenError = subclass('TokenError', QencodeError)
const MalformedTokenError = subclass('MalformedTokenError', TokenError)
const InvalidSignatureError = subclass('InvalidSignatureError', TokenError)
const TokenExpiredError = subclass('TokenExpiredError', TokenError)
const TokenNotYetValidError = subclass('TokenNotYetValidError', TokenError)
const UriMismatchError = subclass('UriMismatchError', TokenError)
const UnknownKeyIdError = subclass('UnknownKeyIdError', TokenError)

class ApiError extends QencodeError {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{status?: number | null, body?: string, requestId?: string | null, retryAfter?: number | null}} [http]
   */
  constructor(code, message, http = {}) {
    super(code, message, http)
    /** The response body (capped). */
    this.body = http && typeof http.body === 'string' ? http.body : ''
    /** The server's request id header, or `null`. */
    this.requestId = http && typeof http.requestId === 'string' ? http.requestId : null
  }
}
Object.defineProperty(ApiError.prototype, 'name', { value: 'ApiError', writable: true, configurable: true })

const UnauthorizedError = subclass('UnauthorizedError', ApiError)
const NotFoundError = subclass('NotFoundError', ApiError)
const RateLimitedError = subclass('RateLimitedError', ApiError)
const TransportError = subclass('TransportError', QencodeError)
const TimeoutError = subclass('TimeoutError', QencodeError)
const DecodeError = subclass('DecodeError', QencodeError)
const InternalError = subclass('InternalError', QencodeError)

/** Every DESIGN §5 code and its class: one table, checked by the tests against the native list. */
const CLASS_BY_CODE = Object.freeze({
  INVALID_ARGUMENT: InvalidArgumentError,
  INVALID_KEY: InvalidKeyError,
  MALFORMED_TOKEN: MalformedTokenError,
  INVALID_SIGNATURE: InvalidSignatureError,
  TOKEN_EXPIRED: TokenExpiredError,
  TOKEN_NOT_YET_VALID: TokenNotYetValidError,
  URI_MISMATCH: UriMismatchError,
  UNKNOWN_KEY_ID: UnknownKeyIdError,
  UNAUTHORIZED: UnauthorizedError,
  NOT_FOUND: NotFoundError,
  RATE_LIMITED: RateLimitedError,
  API_ERROR: ApiError,
  TRANSPORT: TransportError,
  TIMEOUT: TimeoutError,
  DECODE: DecodeError,
  INTERNAL: InternalError,
})

/** napi-rs's own status for a caught panic during argument conversion. */
const NAPI_PANIC = 'GenericFailure'

/** Removes a JS value napi-rs may echo in a conversion message. */
function scrub(message) {
  return String(message).replace(/JavaScript value `[^`]*`/g, 'JavaScript value')
}

/**
 * Builds the error of `code` with `message`.
 * @param {string} code
 * @param {string} message
 * @param {object} [http]
 */
function makeError(code, message, http) {
  const C = CLASS_BY_CODE[code]
  if (C === undefined) return new InternalError('INTERNAL', `unknown error code ${code}: ${message}`)
  return new C(code, message, http)
}

/** INVALID_ARGUMENT, for checks done in this wrapper. */
function invalid(message) {
  return new InvalidArgumentError('INVALID_ARGUMENT', message)
}

/**
 * Converts whatever the native module threw into a QencodeError subclass.
 * @param {unknown} e
 * @returns {Error}
 */
function fromNative(e) {
  if (e instanceof QencodeError) return e
  if (e === null || typeof e !== 'object') return new InternalError('INTERNAL', 'a non-error value was thrown')
  const code = /** @type {any} */ (e).code
  const message = typeof (/** @type {any} */ (e).message) === 'string' ? /** @type {any} */ (e).message : ''
  if (typeof code === 'string' && Object.prototype.hasOwnProperty.call(CLASS_BY_CODE, code)) {
    return makeError(code, message, /** @type {any} */ (e))
  }
  if (code === NAPI_PANIC) return new InternalError('INTERNAL', 'a panic was caught inside qencode-cdn (this is a bug, please report it)')
  // napi-rs argument conversion (StringExpected, NumberExpected, InvalidArg, ...).
  return invalid(`invalid argument: ${scrub(message)}`)
}

module.exports = {
  QencodeError,
  InvalidArgumentError,
  InvalidKeyError,
  TokenError,
  MalformedTokenError,
  InvalidSignatureError,
  TokenExpiredError,
  TokenNotYetValidError,
  UriMismatchError,
  UnknownKeyIdError,
  ApiError,
  UnauthorizedError,
  NotFoundError,
  RateLimitedError,
  TransportError,
  TimeoutError,
  DecodeError,
  InternalError,
  CLASS_BY_CODE,
  fromNative,
  invalid,
  makeError,
}
