// Types of the public API of `qencode-cdn`, hand-written. The generated
// `../native.d.ts` describes the private native module underneath; the type
// test `test/native-api.ts` (run by `tsc --strict`) fails when a native method
// is not exposed here or the types of the two disagree.

/// <reference types="node" />

/** Unix seconds, or a `Date` (rounded down to the second). */
export type Time = number | Date

/**
 * Options of one signature, read by the Rust core (`SignOptions::from_json`).
 * Leave a key out for its default. A lifetime given as `null` or
 * `undefined` (`expiresIn`, `expiresAt`, `neverExpires`) is refused
 * (INVALID_ARGUMENT), so a missing configuration value never silently
 * changes the token; any other option given as `null`/`undefined` is not
 * given. Unknown keys and wrong types are INVALID_ARGUMENT.
 */
export interface SignOptions {
  /** Seconds from now until `exp` (default 3600). */
  expiresIn?: number
  /** Absolute `exp`; wins over `expiresIn`. */
  expiresAt?: Time
  /** Absolute `nbf`. */
  notBefore?: Time | null
  /** No `exp` at all. Only ever by name; cannot be combined with `expiresIn`/`expiresAt`. */
  neverExpires?: boolean
  /** Custom claims (JSON values; a `Date` is Unix seconds); `uri`, `exp` and `nbf` are reserved. */
  claims?: Record<string, unknown> | null
  /** Sign as if the time were this (tests, reproducible tokens). */
  now?: Time | null
}

export type SameSite = 'Lax' | 'Strict' | 'None' | 'lax' | 'strict' | 'none'

/**
 * Sign options plus the cookie's attributes, in one object
 * (`qencode_cdn::options::split_cookie_options`).
 */
export interface SignedCookieOptions extends SignOptions {
  /** `Domain=`: the application's primary domain, so every subdomain gets the cookie. */
  domain?: string | null
  /**
   * `Path=`; default the folder the token's `uri` covers (a `uri` ending in
   * `/`). A cookie for a single file needs that file's path here.
   */
  path?: string | null
  /** Default `Lax`. */
  sameSite?: SameSite | null
  /** Default `true`. */
  secure?: boolean
  /** Default `true`. */
  httpOnly?: boolean
}

/** A `Qencode-Auth-Token` cookie. */
export interface SignedCookie {
  name: 'Qencode-Auth-Token'
  /** The token. */
  value: string
  domain: string | null
  path: string
  /** Seconds; `null` for a token that never expires. */
  max_age: number | null
  secure: boolean
  http_only: boolean
  same_site: 'Lax' | 'Strict' | 'None'
  /** The whole `Set-Cookie` header value. */
  header: string
}

/** A token's claims: `uri`, `exp`, `nbf` and any custom claim. */
export interface Claims {
  uri: string
  exp?: number
  nbf?: number
  [claim: string]: unknown
}

/** What a request asks for, to check against a token's `uri`. */
export type Resource = { kind: 'live'; playbackId: string } | { kind: 'storage'; key: string }

/** Read by the Rust core (`VerifyOptions::from_json`); `null` is "not given". */
export interface VerifyOptions {
  /** Expect this `kid` (default: the verifier's own, if any). */
  keyId?: string | null
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  leeway?: number | null
  /** Require that the token covers this resource. */
  resource?: Resource | null
  /** Verify as if the time were this. */
  now?: Time | null
}

export type ExplainOptions = Omit<VerifyOptions, 'resource'>

export interface VerifiedToken {
  kid: string | null
  claims: Claims
}

/** One check of an explanation. */
export interface Check {
  /** `url`, `token_present`, `format`, `algorithm`, `key_id`, `signature`, `claims`, `expiry`, `not_before`, `resource`. */
  name: string
  passed: boolean
  detail: string
}

/** Something a token grants that may be more than meant (never makes `ok` false). */
export interface AuditWarning {
  code: 'PREFIX_COVERS_SIBLINGS' | 'WHOLE_BUCKET' | 'NEVER_EXPIRES' | 'LONG_LIFETIME' | 'LEADING_SLASH' | (string & {})
  message: string
}

/** The verdict on a signed URL or a bare token (the core's JSON document). */
export interface Explanation {
  /** The URL examined; `''` for `explainToken`. */
  url: string
  form: 'live_playback' | 'live_custom_domain' | 'storage' | 'storage_custom_domain' | null
  resource: { kind: 'live'; playback_id: string } | { kind: 'storage'; key: string } | null
  key_id: string | null
  claims: Claims | null
  checks: Check[]
  warnings: AuditWarning[]
  ok: boolean
}

/** An RSA public key as a JWK. */
export interface Jwk {
  kty: 'RSA'
  n: string
  e: string
  kid?: string
  alg?: string
  use?: string
  [member: string]: unknown
}

/** A JWK Set: `{ keys: [...] }` (RFC 7517 §5). */
export interface JwkSet {
  keys: Jwk[]
  [member: string]: unknown
}

/** One key of `Verifier.fromKeys`: its key id and the public key in any form `new Verifier` reads. */
export interface KeyEntry {
  kid: string
  key: string | Uint8Array
}

/**
 * The signature function of `Signer.external`: the RS256
 * (RSASSA-PKCS1-v1_5, SHA-256) signature of `signingInput` as raw bytes —
 * exactly the key's modulus length (256 bytes for RSA-2048). A Promise of
 * it is awaited by `signAsync`/`signManyAsync` only.
 */
export type ExternalSignFunction = (
  signingInput: Buffer,
) => Uint8Array | ArrayBuffer | PromiseLike<Uint8Array | ArrayBuffer>

export interface ExternalSignerOptions {
  /** Seconds `signAsync` waits for the function's Promise (more than 0, at most 86400; default 30), then TIMEOUT. */
  timeout?: number | null
}

/** One item of `signMany`: a uri (default options), or a uri with its sign options. */
export type SignManyItem = string | { uri: string; options?: SignOptions | null }

export interface SignManyOptions {
  /** At most this many threads (1–1024; default every core). For a JavaScript signer: signatures awaited at once. */
  threads?: number | null
}

/** One item's outcome: its token, or its error (`token` is then `null`). */
export type SignManyResult = { token: string; error: null } | { token: null; error: QencodeError }

/** `signer.cached(options)`. */
export interface CacheOptions {
  /** Whole seconds (1–86400): `exp` is rounded up to a multiple of it, and tokens are shared inside it. */
  window: number
  /** The most tokens kept (least recently used dropped first); default 100000. */
  capacity?: number | null
  /** Cache calls that pin `now` too (tests); default `false`. */
  cachePinnedClock?: boolean | null
}

/** A cached signer's settings. */
export interface CacheSettings {
  window: number
  capacity: number
  cachePinnedClock: boolean
}

/** A signing key loaded once; signs many tokens. */
export declare class Signer {
  /**
   * @param keyId the signing key id (the JWT `kid` header)
   * @param privateKey PKCS#1 or PKCS#8 PEM, DER, PEM with `\n` escapes/CRLF/spaces, or base64 of a PEM
   */
  constructor(keyId: string, privateKey: string | Uint8Array)
  /** Reads the private key from a file (a path or a `file:` URL). */
  static fromFile(keyId: string, path: string | URL): Signer
  /**
   * The private key from `QENCODE_SIGNING_KEY`; the key id is `keyId`, or
   * `QENCODE_SIGNING_KEY_ID` when none is given. Values are trimmed; a blank
   * variable counts as not set (INVALID_ARGUMENT naming it).
   */
  static fromEnv(keyId?: string | null): Signer
  /**
   * A signer whose private key never enters this process (a KMS, an HSM
   * service, Vault): `sign` returns the RS256 signature of the signing
   * input. Every signature is verified with `publicKey` before a token is
   * returned; a failing or wrong signer is a `SignerFailedError` (its
   * `cause` is what the function threw), never a token.
   */
  static external(
    keyId: string,
    publicKey: string | Uint8Array,
    sign: ExternalSignFunction,
    options?: ExternalSignerOptions | null,
  ): Signer
  /** A signer whose key stays on a PKCS#11 token (an HSM). The PIN never appears in an error. */
  static fromPkcs11(module: string | URL, tokenLabel: string, keyLabel: string, pin: string, keyId: string): Signer
  readonly keyId: string
  readonly keyBits: number
  /** True when the private key is outside this process (`external`, `fromPkcs11`). */
  readonly isExternal: boolean
  publicKeyPem(): string
  publicKeyJwk(): Jwk
  /** Signs a token for `uri`: a playback id, an object key or key prefix, or `''` for a whole bucket. */
  sign(uri: string, options?: SignOptions | null): string
  /** `sign` on the libuv thread pool; a JavaScript signer's function runs on this thread and its Promise is awaited. */
  signAsync(uri: string, options?: SignOptions | null): Promise<string>
  signedLiveUrl(playbackId: string, options?: SignOptions | null): string
  signedLiveCustomDomainUrl(domain: string, playbackId: string, options?: SignOptions | null): string
  signedStorageUrl(bucket: string, region: string, key: string, options?: SignOptions | null): string
  signedStorageCustomDomainUrl(domain: string, key: string, options?: SignOptions | null): string
  /** Signs `uri` and adds the token to any URL as `auth`, keeping its query. */
  signUrl(url: string, uri: string, options?: SignOptions | null): string
  /** A `Qencode-Auth-Token` cookie; for HLS/DASH `uri` is the folder of the master playlist (ending in `/`). */
  signedCookie(uri: string, options?: SignedCookieOptions | null): SignedCookie
  /**
   * Signs every item on all cores (synchronously: it blocks the event loop
   * for the batch); one result per item, in order. A bad item gets its own
   * error and does not fail the batch.
   */
  signMany(items: SignManyItem[], options?: SignManyOptions | null): SignManyResult[]
  /** `signMany` off the event loop (one libuv pool thread, plus the threads the core starts). */
  signManyAsync(items: SignManyItem[], options?: SignManyOptions | null): Promise<SignManyResult[]>
  /**
   * This signer with a token cache: the same `uri`, claims and lifetime
   * inside one window share one token, whose `exp` is rounded up to the
   * window (valid at least as long as asked, at most one window longer).
   */
  cached(options: CacheOptions): Signer
  /** How many tokens the cache holds (0 without a cache). */
  readonly cachedTokens: number
  /** The cache's settings, or `null` for a signer without a cache. */
  readonly cacheSettings: CacheSettings | null
  /** What `token` grants that may be more than meant, at this signer's clock (see `audit`). */
  audit(token: string): AuditWarning[]
}

/** Checks RS256 tokens against one public key, or a key set whose key is chosen by the token's `kid`. */
export declare class Verifier {
  /**
   * SPKI or PKCS#1 (PEM or DER), base64 of either, a JWK (or a JWK Set of one
   * key) as JSON text — whose `kid` is then the expected key id — or a
   * private key. `keyId` names the expected key id.
   */
  constructor(publicKey: string | Uint8Array, options?: { keyId?: string | null } | null)
  /** From a JWK; its `kid`, when present, becomes the expected key id. */
  static fromJwk(jwk: string | Jwk): Verifier
  /**
   * A key set from a JWK Set (object or JSON text): RSA keys, each with a
   * `kid`. A token whose `kid` is not in the set is UNKNOWN_KEY_ID; another
   * key type, a missing or duplicate `kid` is INVALID_KEY.
   */
  static fromJwks(jwks: string | JwkSet): Verifier
  /**
   * A key set from `[kid, publicKey]` pairs or `{ kid, key }` objects (an
   * array, a `Map`, any iterable; for an object of kid → key pass
   * `Object.entries(it)`). An empty set is INVALID_ARGUMENT; a duplicate or
   * empty `kid`, or a key that cannot be read, INVALID_KEY naming the kid.
   */
  static fromKeys(keys: Iterable<KeyEntry | readonly [string, string | Uint8Array]>): Verifier
  /** The verifier of a signer's own tokens (expects its `kid`). */
  static fromSigner(signer: Signer): Verifier
  /** The expected key id, or `null` for any. */
  readonly keyId: string | null
  /** The key ids this verifier knows: a key set's, or the one expected id (`[]` when any is accepted). */
  readonly keyIds: string[]
  /** The public key as SPKI PEM; INVALID_ARGUMENT for a key set (use `jwks()`). */
  publicKeyPem(): string
  /** The public keys as a JWK Set (each with `kid`, `alg`, `use`), for publishing; `fromJwks` reads it back. */
  jwks(): JwkSet
  /** Checks signature, `kid`, `exp`/`nbf` and, when asked, the resource; throws a `TokenError` otherwise. */
  verify(token: string, options?: VerifyOptions | null): VerifiedToken
  /** Why the edge would accept or refuse this signed URL, check by check. Never throws for a bad token. */
  explain(url: string, options?: ExplainOptions | null): Explanation
  /** Every check of `verify` on a bare token, passed or failed, in words (the shape of `explain`). */
  explainToken(token: string, options?: VerifyOptions | null): Explanation
  /** What `token` grants that may be more than meant, at this verifier's clock (see `audit`). */
  audit(token: string): AuditWarning[]
}

export interface UrlOptions {
  /** Adds `?auth=<token>`. */
  token?: string | null
}

/** `https://play-{playbackId}.qencode.com/qhls/qlive/playlist.m3u8` */
export declare function livePlaybackUrl(playbackId: string, options?: UrlOptions | null): string
/** `https://{domain}/{playbackId}.m3u8` */
export declare function liveCustomDomainUrl(domain: string, playbackId: string, options?: UrlOptions | null): string
/** `https://{bucket}.media-storage.{region}.qencode.com/{key}` (regions `us-west`, `eu-central`) */
export declare function storageUrl(bucket: string, region: string, key: string, options?: UrlOptions | null): string
/** `https://{domain}/{key}` */
export declare function storageCustomDomainUrl(domain: string, key: string, options?: UrlOptions | null): string
/** Adds `auth=<token>` to any URL, keeping its query. */
export declare function withToken(url: string, token: string): string
/** Header and claims of a token, checking nothing (for debugging). */
export declare function decodeUnverified(token: string): { header: Record<string, unknown>; claims: Claims }
/**
 * What a token grants that may be wider or longer than meant, in words;
 * verifies nothing. `now` pins the clock. MALFORMED_TOKEN if it cannot be read.
 */
export declare function audit(token: string, options?: { now?: Time | null } | null): AuditWarning[]
/** Options of `streamCoverage` (read by the core's `CoverageOptions::from_json`). */
export interface StreamCoverageOptions {
  /** The viewer's signed cookie, as a `Set-Cookie` value (its `Path`, `Domain` and `Secure` apply). */
  cookie?: string | null
  /** Media segments listed per playlist or representation, 1 to 50 (default 3). */
  segments?: number | null
  /** Read a custom domain's URLs as a live stream or as storage (default: from the URL and the token). */
  stream?: 'live' | 'storage' | null
  /** Judge token times at this instant (default: now). */
  now?: Time | null
}
/** Options of `checkStream` (read by the core's `StreamCheckOptions::from_json`). */
export interface StreamCheckOptions extends StreamCoverageOptions {
  /** Send every request to `ADDR:PORT`, keeping the URL's host as `Host` and TLS name (curl's `--connect-to`). */
  connectTo?: string | null
  /** Check each response's CORS headers for a player on this page's origin. */
  origin?: string | null
  /** Trust these PEM certificates instead of the system's (TLS is always verified). */
  caPem?: string | null
  /** Seconds per request, 1 to 3600 (default 20). */
  timeout?: number | null
  /** Add the URL's token to every request, as a player request modifier does. */
  propagateToken?: boolean | null
}
/** One request of a stream (the core's JSON, snake_case keys). */
export interface StreamRequest {
  url: string
  kind: 'master_playlist' | 'media_playlist' | 'mpd' | 'init_segment' | 'media_segment' | (string & {})
  token_in_query: boolean
  cookie_sent: boolean
  /** Which credential the request carried: `'query'`, `'cookie'`, or null for none. */
  carrier: 'query' | 'cookie' | null
  token_uri: string | null
  covered: boolean
  /** Why it is (or would be) refused: a stable code such as `query_token_not_propagated`. */
  finding: string | null
  detail: string
  /** The edge's HTTP status; null when nothing was fetched (`streamCoverage`). */
  status: number | null
  edge_reason: string | null
  ok: boolean
  [key: string]: unknown
}
/** What `streamCoverage` and `checkStream` found (the core's report). */
export interface StreamReport {
  url: string
  format: string | null
  stream: 'live' | 'storage'
  fetched: boolean
  requests: StreamRequest[]
  findings: string[]
  /** Finding code to what to change. */
  advice: Record<string, string>
  warnings: { code: string; message: string }[]
  refused: number
  ok: boolean
}
/**
 * Which request of an HLS or DASH playback a query token or the signed
 * cookie covers, from the manifest's text alone (no HTTP).
 */
export declare function streamCoverage(manifestUrl: string, manifestText: string, options?: StreamCoverageOptions | null): StreamReport
/** Checks a whole stream over HTTP as a player would; a refused request is in the report, not a rejection. */
export declare function checkStream(url: string, options?: StreamCheckOptions | null): Promise<StreamReport>
/** Every DESIGN §5 error code. */
export declare function errorCodes(): ErrorCode[]
/** The environment variables `Signer.fromEnv()` reads. */
export declare const SIGNER_ENV: { readonly keyId: 'QENCODE_SIGNING_KEY_ID'; readonly privateKey: 'QENCODE_SIGNING_KEY' }
export declare const VERSION: string

// ---- Client -----------------------------------------------------------------

/** Read by the Rust core (`ClientBuilder::options_json`); `null` keeps a default. */
export interface ClientOptions {
  /** Default `https://api-cdn.qencode.com`. */
  apiUrl?: string | null
  /** Default `https://api-live.qencode.com`. */
  authUrl?: string | null
  /** Whole-request timeout per attempt, in seconds (fractions allowed), default 30. */
  timeout?: number | null
  /** Connect timeout in seconds, default 10. */
  connectTimeout?: number | null
  /** Retries after the first attempt (safe requests only), default 3. */
  maxRetries?: number | null
  /**
   * One deadline for the whole call, retries and waits included, in seconds
   * (default 60, or `timeout` when that is longer); past it the call fails
   * with TIMEOUT.
   */
  deadline?: number | null
}

export type DomainType = 'live' | 'storage'

/** A custom playback domain (the API's fields). */
export interface Domain {
  id: string
  domain_name: string
  type: DomainType | (string & {})
  created?: string
  [field: string]: unknown
}

export interface TlsSubscription {
  id: string
  domain_id: string
  status: 'pending' | 'active' | 'failed' | (string & {})
  created?: string
  message?: string
  [field: string]: unknown
}

export interface SigningKey {
  id: string
  name: string | null
  created?: string
  stream_id?: string
  domain_id?: string
  bucket_name?: string
  [field: string]: unknown
}

/** A new signing key. `private_key` is returned once and is not enumerable (not logged, not in `JSON.stringify`). */
export interface NewSigningKey extends SigningKey {
  readonly private_key: string
}

/** Exactly one of a stream id, a custom domain's id, a bucket name. */
export type SigningKeyTarget = { stream: string } | { domain: string } | { bucket: string }

export type BucketPolicy = 'public' | 'authenticated'

/** The API's `{"status": "ok"}`. */
export interface StatusOk {
  status: 'ok'
}

/** The management API. Every method returns a Promise and runs off the event loop. */
export declare class Client {
  /** @param apiKey the project's API key; never appears in errors or `inspect` output */
  constructor(apiKey: string, options?: ClientOptions | null)
  /** The API key from `QENCODE_API_KEY` (trimmed; unset or blank is INVALID_ARGUMENT), then `options`. */
  static fromEnv(options?: ClientOptions | null): Client
  readonly apiUrl: string
  readonly authUrl: string
  readonly userAgent: string
  createDomain(name: string, type: DomainType): Promise<Domain>
  getDomain(id: string): Promise<Domain>
  listDomains(type?: DomainType | null): Promise<Domain[]>
  deleteDomain(id: string): Promise<StatusOk>
  createTlsSubscription(domainId: string): Promise<TlsSubscription>
  getTlsSubscription(id: string): Promise<TlsSubscription>
  listTlsSubscriptions(): Promise<TlsSubscription[]>
  deleteTlsSubscription(id: string): Promise<StatusOk>
  createSigningKey(target: SigningKeyTarget): Promise<NewSigningKey>
  getSigningKey(id: string): Promise<SigningKey>
  listSigningKeys(): Promise<SigningKey[]>
  renameSigningKey(id: string, name: string): Promise<SigningKey>
  deleteSigningKey(id: string): Promise<StatusOk>
  setBucketPolicy(bucket: string, policy: BucketPolicy): Promise<StatusOk>
  setBucketCors(bucket: string, cors: Record<string, string>): Promise<StatusOk>
  getBucketCors(bucket: string): Promise<Record<string, string>>
  deleteBucketCors(bucket: string): Promise<StatusOk>
  deleteBucketCorsHeader(bucket: string, header: string): Promise<StatusOk>
  purgeBucketCache(bucket: string): Promise<StatusOk>
  purgeObjectCache(bucket: string, path: string): Promise<StatusOk>
}

// ---- Errors (DESIGN §5) -----------------------------------------------------

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_KEY'
  | 'MALFORMED_TOKEN'
  | 'INVALID_SIGNATURE'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'URI_MISMATCH'
  | 'UNKNOWN_KEY_ID'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'API_ERROR'
  | 'TRANSPORT'
  | 'TIMEOUT'
  | 'DECODE'
  | 'INTERNAL'
  | 'SIGNER_FAILED'

/** Every error this package throws. Messages never hold a key, an API key or an access token. */
export declare class QencodeError extends Error {
  constructor(code: ErrorCode, message: string, http?: { status?: number | null; retryAfter?: number | null })
  readonly code: ErrorCode
  /** The HTTP status of the answer that failed; `null` for every error without one (never absent). */
  readonly status: number | null
  /** Seconds from `Retry-After` (RATE_LIMITED), or `null`. */
  readonly retryAfter: number | null
  /** SIGNER_FAILED of an external signer: what its function threw (or its Promise rejected with). */
  cause?: unknown
}
export declare class InvalidArgumentError extends QencodeError {}
export declare class InvalidKeyError extends QencodeError {}
/** Verification failures. */
export declare class TokenError extends QencodeError {}
export declare class MalformedTokenError extends TokenError {}
export declare class InvalidSignatureError extends TokenError {}
export declare class TokenExpiredError extends TokenError {}
export declare class TokenNotYetValidError extends TokenError {}
export declare class UriMismatchError extends TokenError {}
export declare class UnknownKeyIdError extends TokenError {}
/** A non-success HTTP answer of the API. */
export declare class ApiError extends QencodeError {
  constructor(
    code: ErrorCode,
    message: string,
    http?: { status?: number | null; body?: string; requestId?: string | null; retryAfter?: number | null },
  )
  /** The response body (capped). */
  readonly body: string
  /** The server's request id, or `null`. */
  readonly requestId: string | null
}
export declare class UnauthorizedError extends ApiError {}
export declare class NotFoundError extends ApiError {}
export declare class RateLimitedError extends ApiError {}
export declare class TransportError extends QencodeError {}
export declare class TimeoutError extends QencodeError {}
export declare class DecodeError extends QencodeError {}
export declare class InternalError extends QencodeError {}
/** SIGNER_FAILED: an external signer failed or returned a signature that does not verify; no token was made. */
export declare class SignerFailedError extends QencodeError {}
