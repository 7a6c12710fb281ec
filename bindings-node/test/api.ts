// Type-checked with `tsc --noEmit --strict -p test/tsconfig.json`: uses the
// whole public API through the package's own name, as a user would.
import {
  Signer,
  Verifier,
  Client,
  livePlaybackUrl,
  liveCustomDomainUrl,
  storageUrl,
  storageCustomDomainUrl,
  withToken,
  decodeUnverified,
  audit,
  streamCoverage,
  checkStream,
  errorCodes,
  VERSION,
  SIGNER_ENV,
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
  SignerFailedError,
} from 'qencode-cdn'
import type {
  SignOptions,
  SignedCookie,
  Explanation,
  VerifiedToken,
  Domain,
  TlsSubscription,
  SigningKey,
  NewSigningKey,
  StatusOk,
  ErrorCode,
  Jwk,
  Claims,
  AuditWarning,
  ClientOptions,
  JwkSet,
  KeyEntry,
  SignManyItem,
  SignManyResult,
  CacheSettings,
  ExternalSignFunction,
  StreamCheckOptions,
  StreamReport,
  StreamRequest,
} from 'qencode-cdn'
import { Emulator, hooks, type Fixtures } from 'qencode-cdn/testing'
import type { Counters, EdgeResponse } from 'qencode-cdn/testing'

async function main(pem: string): Promise<void> {
  const signer: Signer = new Signer('key-1', pem)
  const fromFile: Signer = Signer.fromFile('key-1', '/tmp/key.pem')
  const fromEnv: Signer = Signer.fromEnv('key-1')
  const fromEnv2: Signer = Signer.fromEnv()
  const envName: 'QENCODE_SIGNING_KEY' = SIGNER_ENV.privateKey
  const bits: number = signer.keyBits + fromFile.keyBits + fromEnv.keyBits + fromEnv2.keyBits
  const kid: string = signer.keyId
  const jwk: Jwk = signer.publicKeyJwk()
  const spki: string = signer.publicKeyPem()

  const opts: SignOptions = { expiresIn: 600, notBefore: new Date(), claims: { viewer: 'u-42' }, now: 1_700_000_000 }
  const optsWithNulls: SignOptions = { notBefore: null, claims: null, now: null }
  const token: string = signer.sign('abc123', opts)
  const t2: string = signer.sign('', { expiresAt: new Date(Date.now() + 60_000) })
  const t3: string = signer.sign('x', { neverExpires: true })
  const t4: string = await signer.signAsync('abc123')
  const u1: string = signer.signedLiveUrl('abc123')
  const u2: string = signer.signedLiveCustomDomainUrl('live.example.com', 'abc123', { expiresIn: 60 })
  const u3: string = signer.signedStorageUrl('my-bucket', 'us-west', 'videos/a.mp4')
  const u4: string = signer.signedStorageCustomDomainUrl('media.example.com', 'videos/a.mp4')
  const u5: string = signer.signUrl('https://example.com/x?y=1', 'x')
  const cookie: SignedCookie = signer.signedCookie('videos/a/', { domain: 'example.com', sameSite: 'Strict', expiresIn: 60 })
  const header: string = cookie.header
  const maxAge: number | null = cookie.max_age

  const verifier: Verifier = Verifier.fromSigner(signer)
  const v2 = new Verifier(spki, { keyId: kid })
  const v3 = Verifier.fromJwk(jwk)
  const v4 = Verifier.fromJwk(JSON.stringify(jwk))
  const ok: VerifiedToken = verifier.verify(token, { leeway: 30, resource: { kind: 'live', playbackId: 'abc123' }, keyId: kid })
  const bare: Explanation = verifier.explainToken(token, { now: 1_700_000_000, resource: { kind: 'storage', key: 'a/b' } })
  const warnings: AuditWarning[] = [...audit(token, { now: new Date() }), ...signer.audit(token), ...verifier.audit(token), ...bare.warnings]
  const claims: Claims = ok.claims
  const uri: string = claims.uri
  const exp: number | undefined = claims.exp
  const e: Explanation = v2.explain(u3, { now: new Date() })
  const passed: boolean = e.ok && e.checks.every((c) => c.passed && c.name.length > 0 && c.detail.length > 0)
  const keyIds: Array<string | null> = [v3.keyId, v4.keyId]
  const decoded = decodeUnverified(t2)
  const hdr: unknown = decoded.header['kid']

  const emu0: Emulator = Emulator.start()
  // Key sets, external signers, PKCS#11, batches and the cache (issues 17 and 18).
  const set: JwkSet = verifier.jwks()
  const ks1: Verifier = Verifier.fromJwks(set)
  const ks2: Verifier = Verifier.fromJwks(JSON.stringify(set))
  const entries: KeyEntry[] = [{ kid: 'key-1', key: spki }]
  const ks3: Verifier = Verifier.fromKeys(entries)
  const ks4: Verifier = Verifier.fromKeys([['key-1', spki], ['key-2', Buffer.from(spki)]])
  const ks5: Verifier = Verifier.fromKeys(new Map([['key-1', spki]]))
  const knownIds: string[] = [...ks1.keyIds, ...ks2.keyIds, ...ks3.keyIds, ...ks4.keyIds, ...ks5.keyIds]
  const kms: ExternalSignFunction = (input: Buffer) => input
  const ext: Signer = Signer.external('key-1', spki, kms, { timeout: 10 })
  const ext2: Signer = Signer.external('key-1', Buffer.from(spki), async (input) => new Uint8Array(input), null)
  const ext3: Signer = Signer.external('key-1', spki, () => new ArrayBuffer(256))
  const hsm: Signer = Signer.fromPkcs11('/usr/lib/softhsm/libsofthsm2.so', 'token', 'key', '1234', 'key-1')
  const hsm2: Signer = Signer.fromPkcs11(new URL('file:///usr/lib/softhsm/libsofthsm2.so'), 'token', 'key', '1234', 'key-1')
  const external: boolean = ext.isExternal && ext2.isExternal && ext3.isExternal && hsm.isExternal && hsm2.isExternal
  const items: SignManyItem[] = ['videos/a/', { uri: 'videos/b/', options: { expiresIn: 600 } }, { uri: 'videos/c/' }]
  const results: SignManyResult[] = signer.signMany(items, { threads: 2 })
  const asyncResults: SignManyResult[] = await signer.signManyAsync(items)
  for (const r of [...results, ...asyncResults]) {
    if (r.error === null) {
      const t: string = r.token
      console.log(t)
    } else {
      const failed: QencodeError = r.error
      const none: null = r.token
      console.log(failed.code, none)
    }
  }
  const cached: Signer = signer.cached({ window: 300, capacity: 10_000, cachePinnedClock: false })
  const held: number = cached.cachedTokens
  const settings: CacheSettings | null = cached.cacheSettings
  const failure = new SignerFailedError('SIGNER_FAILED', 'm')
  const cause: unknown = failure.cause
  emu0.clearFaults()

  const urls: string[] = [
    livePlaybackUrl('abc123'),
    liveCustomDomainUrl('live.example.com', 'abc123', { token }),
    storageUrl('my-bucket', 'eu-central', 'a/b.mp4', { token: t3 }),
    storageCustomDomainUrl('media.example.com', 'a/b.mp4'),
    withToken('https://example.com/a', t4),
    u1, u2, u4, u5,
  ]

  const emu: Emulator = Emulator.start({ signingKeyBits: 2048, tokenLifetimeMs: 60_000 })
  const clientOptions: ClientOptions = { apiUrl: emu.url, authUrl: emu.url, timeout: 5, connectTimeout: 1.5, maxRetries: 1, deadline: 20 }
  const client: Client = new Client(emu.apiKey, clientOptions)
  const c2: Client = emu.client({ maxRetries: 0 })
  const c3: Client = Client.fromEnv({ apiUrl: emu.url })
  const ua: string = client.userAgent + c2.apiUrl + c3.authUrl
  emu.addStream('s1', 'abc123')
  emu.addObject('my-bucket', 'videos/a.mp4', Buffer.from('x'))
  emu.addObject('my-bucket', 'videos/b.mp4', 'y')
  emu.mapStorageDomain('media.example.com', 'my-bucket')
  const fixtures: Fixtures = emu.loadFixtures()
  const streamOptions: StreamCheckOptions = { connectTo: `127.0.0.1:${emu.port}`, segments: 1, propagateToken: true, timeout: 5, origin: null }
  const coverage: StreamReport = streamCoverage(fixtures.urls['storage HLS'], '#EXTM3U\n', { cookie: null, stream: 'storage', now: new Date() })
  const checked: StreamReport = await checkStream(fixtures.urls['storage HLS'], streamOptions)
  const requests: StreamRequest[] = [...coverage.requests, ...checked.requests]
  void (requests.map((r) => r.status ?? r.finding ?? r.carrier).length + fixtures.bucketKeyId.length)
  emu.injectFault({ route: 'GET /v1/domains', kind: 'status', status: 503, retryAfter: 1, times: 1 })
  emu.injectFault({ route: '*', kind: 'delay', delayMs: 10 })
  emu.injectFault({ route: '*', kind: 'not_json' })

  const d: Domain = await client.createDomain('live.example.com', 'live')
  const d2: Domain = await client.getDomain(d.id)
  const ds: Domain[] = await client.listDomains()
  const dl: Domain[] = await client.listDomains('live')
  const del: StatusOk = await client.deleteDomain(d2.id)
  const tls: TlsSubscription = await client.createTlsSubscription(d.id)
  const tls2: TlsSubscription = await client.getTlsSubscription(tls.id)
  const tlss: TlsSubscription[] = await client.listTlsSubscriptions()
  await client.deleteTlsSubscription(tls2.id)
  const nk: NewSigningKey = await client.createSigningKey({ stream: 's1' })
  const pk: string = nk.private_key
  await client.createSigningKey({ domain: d.id })
  await client.createSigningKey({ bucket: 'my-bucket' })
  const sk: SigningKey = await client.getSigningKey(nk.id)
  const sks: SigningKey[] = await client.listSigningKeys()
  const renamed: SigningKey = await client.renameSigningKey(sk.id, 'main')
  const name: string | null = renamed.name
  await client.deleteSigningKey(sk.id)
  await client.setBucketPolicy('my-bucket', 'authenticated')
  await client.setBucketCors('my-bucket', { 'Access-Control-Allow-Origin': '*' })
  const cors: Record<string, string> = await client.getBucketCors('my-bucket')
  await client.deleteBucketCorsHeader('my-bucket', 'Access-Control-Allow-Origin')
  await client.deleteBucketCors('my-bucket')
  await client.purgeBucketCache('my-bucket')
  const purged: StatusOk = await client.purgeObjectCache('my-bucket', 'videos/a.mp4')

  const edge: EdgeResponse = await emu.fetch(u3, { cookie: cookie.header })
  const counters: Counters = emu.counters()
  emu.reset()
  emu.stop()

  try {
    await client.getDomain('missing')
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof UnauthorizedError || err instanceof RateLimitedError) {
      const status: number | null = err.status
      const body: string = err.body
      const after: number | null = err.retryAfter
      const req: string | null = err.requestId
      console.log(status, body, after, req)
    } else if (err instanceof ApiError) {
      console.log(err.status)
    } else if (err instanceof QencodeError) {
      const code: ErrorCode = err.code
      const none: number | null = err.status
      console.log(code, err.message, none)
    }
  }
  const classes = [
    InvalidArgumentError, InvalidKeyError, TokenError, MalformedTokenError, InvalidSignatureError,
    TokenExpiredError, TokenNotYetValidError, UriMismatchError, UnknownKeyIdError, TransportError,
    TimeoutError, DecodeError, InternalError,
  ]
  const codes: ErrorCode[] = errorCodes()
  try {
    hooks.raiseError('TIMEOUT', 'm')
  } catch (err) {
    if (err instanceof TimeoutError) console.log(err.code)
  }
  await hooks.rejectError('RATE_LIMITED', 'm', 429, 2).catch((err: unknown) => err)
  console.log(envName, optsWithNulls, warnings, bits, t2, passed, keyIds, hdr, urls, ua, ds, dl, del, tlss, pk, sks, name, cors, purged, edge.status,
    edge.body.length, edge.reason, counters.requests, header, maxAge, classes.length, codes, VERSION, uri, exp,
    knownIds, external, held, settings, cause)
}

void main

// Mistakes the types catch (tsc fails if any of these stops being an error).
function mistakes(signer: Signer, client: Client): void {
  // @ts-expect-error expiresIn is a number of seconds
  signer.sign('x', { expiresIn: '3600' })
  // @ts-expect-error unknown option
  signer.sign('x', { expiresin: 3600 })
  // @ts-expect-error neverExpires is a boolean
  signer.sign('x', { neverExpires: 'yes' })
  // @ts-expect-error a signing key needs a target
  void client.createSigningKey({})
  // @ts-expect-error the targets are stream, domain, bucket
  void client.createSigningKey({ streamId: 's1' })
  // @ts-expect-error a lifetime is never null (leave it out for the default)
  signer.sign('x', { expiresIn: null })
  // @ts-expect-error client timeouts are seconds, under their own names
  void new Client('k', { timeoutMs: 5000 })
  // @ts-expect-error fromEnv takes only a key id
  Signer.fromEnv('k', 'MY_KEY')
  // @ts-expect-error the domain type is live or storage
  void client.createDomain('x.example.com', 'vod')
  // @ts-expect-error the bucket policy is public or authenticated
  void client.setBucketPolicy('b', 'private')
  // @ts-expect-error the private key of a listed key is not in the type
  void client.listSigningKeys().then((keys) => keys[0].private_key.length)
  // @ts-expect-error an external signer returns bytes, not text
  Signer.external('k', 'pem', () => 'c2ln')
  // @ts-expect-error the cache window is required
  signer.cached({ capacity: 10 })
  // @ts-expect-error a batch item's options go under `options`
  signer.signMany([{ uri: 'x', expiresIn: 60 }])
  // @ts-expect-error a batch result's token may be null: check `error` first
  const t: string = signer.signMany(['x'])[0].token
  void t
  // @ts-expect-error fromKeys takes pairs or entries, not an object of kid → key
  Verifier.fromKeys({ 'key-1': 'pem' })
}
void mistakes
