// Types of `qencode-cdn/testing`.

/// <reference types="node" />

import type { Client, ClientOptions, ErrorCode, Signer, SignManyResult } from './index'

export interface EmulatorOptions {
  /** Accepted API keys; default `['emulator-api-key']`. */
  apiKeys?: string[]
  /** Lifetime of access tokens; short values force renewals. Default 24 h. */
  tokenLifetimeMs?: number
  /** Size of generated signing keys: 2048 (default here), 3072, 4096 or 8192. */
  signingKeyBits?: number
  /** Most custom domains at once; default 20. */
  maxDomains?: number
}

/**
 * A fault for the next `times` (default 1) requests on `route`, read by the
 * emulator's one fault parser (`qencode_cdn_emulator::Fault::from_json`, keys
 * in camelCase): a bad fault is INVALID_ARGUMENT.
 */
export type Fault =
  | { route: string; times?: number; kind: 'status'; status: number; retryAfter?: number }
  | { route: string; times?: number; kind: 'delay'; delayMs: number }
  | { route: string; times?: number; kind: 'drop' | 'truncate' | 'not_json' }

export interface Counters {
  /** Requests per route pattern, e.g. `'GET /v1/domains/*'`, `'GET edge:storage'`. */
  requests: Record<string, number>
  token_requests: number
  connections: number
}

export interface EdgeResponse {
  status: number
  /** Why the edge refused (`X-Qencode-Emulator-Reason`). */
  reason: string | null
  body: Buffer
}

/** What `Emulator.loadFixtures` made: the signing keys of the live stream and the bucket, and the fixture URLs. */
export interface Fixtures {
  streamKeyId: string
  streamPrivateKey: string
  bucketKeyId: string
  bucketPrivateKey: string
  domainId: string
  /** The keys stored in `demo-bucket`. */
  keys: string[]
  /** Name (`live (HLS)`, `storage HLS`, …) to the unsigned URL. */
  urls: Record<string, string>
}

/** An in-process emulator of the API and the playback edge on 127.0.0.1. */
export declare class Emulator {
  constructor(options?: EmulatorOptions)
  static start(options?: EmulatorOptions): Emulator
  /** `http://127.0.0.1:PORT`: both the API and the auth URL. */
  readonly url: string
  readonly port: number
  readonly apiKey: string
  /** A `Client` pointed at this emulator. */
  client(options?: Omit<ClientOptions, 'apiUrl' | 'authUrl'> | null): Client
  addStream(streamId: string, playbackId: string): void
  addObject(bucket: string, key: string, body: string | Uint8Array): void
  /** Loads the demo fixtures of `qcdn emulator --with-fixtures` (see `Fixtures`). */
  loadFixtures(): Fixtures
  mapStorageDomain(domain: string, bucket: string): void
  injectFault(fault: Fault): void
  counters(): Counters
  /** Drops every fault not yet used; state and counters are kept. */
  clearFaults(): void
  /** Forgets all state, faults and counters. */
  reset(): void
  /** GETs a playback/storage URL against the emulated edge; `cookie` is a token or a cookie header. */
  fetch(url: string, options?: { cookie?: string | null } | null): Promise<EdgeResponse>
  /** Stops the server and frees the port. Idempotent. */
  stop(): void
}

/** Test hooks that produce each error code as the native module does. */
export declare const hooks: {
  readonly raiseError: (code: ErrorCode, message: string, status?: number, retryAfter?: number) => never
  readonly rejectError: (code: ErrorCode, message: string, status?: number, retryAfter?: number) => Promise<never>
  readonly panic: () => never
  readonly panicOnPool: () => Promise<never>
  /** Asks `signer` for one token from each of `threads` new native threads at once (never the JS thread). */
  readonly signFromThreads: (signer: Signer, threads: number) => SignManyResult[]
}
