'use strict'
// The Node runner of the conformance cases (tests/conformance/README.md): every
// case of every tests/conformance/*.json against the package as a Node user
// calls it — options objects with camelCase keys (a JSON `null` is an
// explicit `null`), `process.env` set and restored for `from_env`, one
// in-process Emulator from `qencode-cdn/testing` for the `client` cases. A
// case is skipped only when its `skip` map names `node`. After the run it
// prints the README's summary line, which tests/suites/40-node.sh hands to
// tests/conformance/check-summary.
//
// Expected errors: `code`, `status` (`null` when the error has none — Node
// errors always carry `status`), `retry_after` (`retryAfter`) and
// `message_contains`. `type_error` is not checked: Node has no type-error
// class of its own (a wrong type is an InvalidArgumentError like any other
// INVALID_ARGUMENT; see docs/node.md).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { isDeepStrictEqual } = require('node:util')
const q = require('qencode-cdn')
const { Emulator } = require('qencode-cdn/testing')
const { ROOT, loadCases, keyInput, camel } = require('./helpers.js')

const LANGUAGE = 'node'
const cases = loadCases()

const counts = { passed: 0, failed: 0 }
const skipped = []

/** Signers by their spec, loaded once (a bad key is cached as its error). */
const signers = new Map()
function signer(spec) {
  const id = JSON.stringify(spec)
  if (!signers.has(id)) {
    try {
      signers.set(id, { ok: new q.Signer(spec.kid, keyInput(spec.key)) })
    } catch (e) {
      signers.set(id, { err: e })
    }
  }
  const s = signers.get(id)
  if (s.err) throw s.err
  return s.ok
}

function verifier(spec) {
  if ('public_key' in spec) return new q.Verifier(keyInput(spec.public_key))
  if ('jwk' in spec) return q.Verifier.fromJwk(spec.jwk)
  if ('signer' in spec) return q.Verifier.fromSigner(signer(spec.signer))
  if ('jwks' in spec) return q.Verifier.fromJwks(spec.jwks)
  if ('keys' in spec) return q.Verifier.fromKeys(spec.keys.map((k) => ({ kid: k.kid, key: keyInput(k.key) })))
  throw new Error(`bad verifier spec ${JSON.stringify(spec)}`)
}

/** `sign_many` items as a Node user writes them: `{ uri, options }` with camelCase options. */
const batchItems = (items) => items.map((it) => ({ uri: it.uri, options: signOptions(it.options) }))

/** Results of a batch (`{ token, error }` each) as the cases write them. */
function batchExpect(results) {
  return {
    tokens: results.map((r) => r.token),
    errors: results.map((r) => {
      if (r.error === null) return null
      assert.ok(r.error instanceof q.QencodeError, `an item's error is a QencodeError: ${r.error}`)
      return r.error.code
    }),
    exps: results.map((r) => (r.token === null ? null : (q.decodeUnverified(r.token).claims.exp ?? null))),
  }
}

/** Sign options as a Node user writes them. */
const signOptions = (o) => camel(o)

/** Verify options: camelCase keys, the resource's too (`playbackId`). */
function verifyOptions(o) {
  const v = camel(o)
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && v.resource !== null && typeof v.resource === 'object') {
    return { ...v, resource: camel(v.resource) }
  }
  return v
}

/** An explanation as the cases write it. */
function explanation(e) {
  return {
    ok: e.ok,
    checks: e.checks.map((c) => `${c.name}:${c.passed ? 'ok' : 'FAIL'}`),
    details: Object.fromEntries(e.checks.map((c) => [c.name, c.detail])),
    warnings: e.warnings.map((w) => w.code),
  }
}

function signedUrl(s, form, a, o) {
  switch (form) {
    case 'live':
      return s.signedLiveUrl(a.playback_id, o)
    case 'live_custom_domain':
      return s.signedLiveCustomDomainUrl(a.domain, a.playback_id, o)
    case 'storage':
      return s.signedStorageUrl(a.bucket, a.region, a.key, o)
    case 'storage_custom_domain':
      return s.signedStorageCustomDomainUrl(a.domain, a.key, o)
    default:
      throw new Error(`unknown form ${form}`)
  }
}

function url(form, a, o) {
  switch (form) {
    case 'live':
      return q.livePlaybackUrl(a.playback_id, o)
    case 'live_custom_domain':
      return q.liveCustomDomainUrl(a.domain, a.playback_id, o)
    case 'storage':
      return q.storageUrl(a.bucket, a.region, a.key, o)
    case 'storage_custom_domain':
      return q.storageCustomDomainUrl(a.domain, a.key, o)
    default:
      throw new Error(`unknown form ${form}`)
  }
}

/** Runs `fn` with exactly the case's variables set (`null` removes one), then restores them. */
function withEnv(env, fn) {
  const saved = Object.keys(env).map((k) => [k, Object.prototype.hasOwnProperty.call(process.env, k) ? process.env[k] : undefined])
  try {
    for (const [k, v] of Object.entries(env)) {
      if (v === null) delete process.env[k]
      else if (typeof v === 'string') process.env[k] = v
      else process.env[k] = fs.readFileSync(path.join(ROOT, v.file), 'utf8')
    }
    return fn()
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

/** The positional arguments of each client method, from the case's named ones (README). */
const CLIENT_ARGS = {
  create_domain: (a) => [a.name, a.type],
  get_domain: (a) => [a.id],
  list_domains: (a) => ('type' in a ? [a.type] : []),
  delete_domain: (a) => [a.id],
  create_tls_subscription: (a) => [a.domain_id],
  get_tls_subscription: (a) => [a.id],
  list_tls_subscriptions: () => [],
  delete_tls_subscription: (a) => [a.id],
  create_signing_key: (a) => [a], // { stream } | { domain } | { bucket }: the same names in Node
  get_signing_key: (a) => [a.id],
  list_signing_keys: () => [],
  rename_signing_key: (a) => [a.id, a.name],
  delete_signing_key: (a) => [a.id],
  set_bucket_policy: (a) => [a.bucket, a.policy],
  set_bucket_cors: (a) => [a.bucket, a.headers],
  get_bucket_cors: (a) => [a.bucket],
  delete_bucket_cors: (a) => [a.bucket],
  delete_bucket_cors_header: (a) => [a.bucket, a.header],
  purge_bucket_cache: (a) => [a.bucket],
  purge_object_cache: (a) => [a.bucket, a.path],
}

function clientCall(client, call, args) {
  const toArgs = CLIENT_ARGS[call]
  if (toArgs === undefined) throw new Error(`unknown client call ${call}`)
  const method = call.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
  assert.equal(typeof client[method], 'function', `Client has no method ${method}`)
  return client[method](...toArgs(args || {}))
}

let emulator
function emu() {
  if (emulator === undefined) emulator = Emulator.start({ signingKeyBits: 2048 })
  return emulator
}

/** Runs one case's operation; resolves to what it produced (errors are thrown). */
async function produce(c) {
  const i = c.input
  switch (c.op) {
    case 'load_key': {
      const s = new q.Signer(i.kid, keyInput(i.key))
      return { bits: s.keyBits, public_key_pem: s.publicKeyPem(), public_key_jwk: s.publicKeyJwk() }
    }
    case 'sign':
      return { token: signer(i.signer).sign(i.uri, signOptions(i.options)) }
    case 'signed_url':
      return { url: signedUrl(signer(i.signer), i.form, i.args, signOptions(i.options)) }
    case 'url':
      return { url: url(i.form, i.args, 'token' in i ? { token: i.token } : undefined) }
    case 'cookie': {
      const options = { ...signOptions(i.options), ...camel(i.cookie) }
      return { set_cookie: signer(i.signer).signedCookie(i.uri, options).header }
    }
    case 'verify': {
      const v = verifier(i.verifier).verify(i.token, verifyOptions(i.options))
      return { kid: v.kid, claims: v.claims }
    }
    case 'explain':
      return explanation(verifier(i.verifier).explain(i.url, verifyOptions(i.options)))
    case 'explain_token':
      return explanation(verifier(i.verifier).explainToken(i.token, verifyOptions(i.options)))
    case 'stream_coverage': {
      const r = q.streamCoverage(i.manifest_url, i.manifest_text, camel(i.options))
      return {
        ok: r.ok,
        format: r.format,
        findings: r.findings,
        requests: r.requests.map((x) => [x.kind, x.carrier, x.covered, x.finding]),
      }
    }
    case 'audit':
      return { warnings: q.audit(i.token, 'now' in i ? { now: i.now } : undefined).map((w) => w.code) }
    case 'decode': {
      const { header, claims } = q.decodeUnverified(i.token)
      return { header, claims }
    }
    case 'from_env':
      return withEnv(i.env, () => {
        const s = 'key_id' in i ? q.Signer.fromEnv(i.key_id) : q.Signer.fromEnv()
        return { kid: s.keyId, bits: s.keyBits }
      })
    case 'client_from_env':
      return withEnv(i.env, () => {
        assert.ok(q.Client.fromEnv() instanceof q.Client)
        return { ok: true }
      })
    case 'jwks':
      return { jwks: verifier(i.verifier).jwks() }
    case 'sign_many': {
      const s = signer(i.signer)
      const options = 'threads' in i ? { threads: i.threads } : undefined
      const got = batchExpect(s.signMany(batchItems(i.items), options))
      // The same batch off the event loop gives the same results.
      assert.deepStrictEqual(batchExpect(await s.signManyAsync(batchItems(i.items), options)), got, 'signManyAsync')
      return got
    }
    case 'cached_sign': {
      const cached = signer(i.signer).cached({
        window: i.window,
        cachePinnedClock: true,
        ...('capacity' in i ? { capacity: i.capacity } : {}),
      })
      const results = i.requests.map((r) => {
        try {
          return { token: cached.sign(r.uri, signOptions(r.options)), error: null }
        } catch (e) {
          return { token: null, error: e }
        }
      })
      return { ...batchExpect(results), cached_tokens: cached.cachedTokens }
    }
    case 'client': {
      const e = emu()
      e.reset()
      for (const f of i.faults || []) e.injectFault(camel(f))
      const client = new q.Client(e.apiKey, { ...camel(i.options), apiUrl: e.url, authUrl: e.url })
      for (const step of i.setup || []) await clientCall(client, step.call, step.args)
      return { result: await clientCall(client, i.call, i.args) }
    }
    default:
      throw new Error(`${c.name}: unknown op ${c.op}`)
  }
}

/** Whether `got` contains `want`: objects by member (extra members allowed), arrays element by element. */
function contains(got, want) {
  if (Array.isArray(want)) return Array.isArray(got) && got.length === want.length && want.every((w, k) => contains(got[k], w))
  if (want !== null && typeof want === 'object') {
    return got !== null && typeof got === 'object' && !Array.isArray(got) && Object.keys(want).every((k) => k in got && contains(got[k], want[k]))
  }
  return isDeepStrictEqual(got, want)
}

/** The produced value as JSON (what the cases compare). */
const json = (v) => JSON.parse(JSON.stringify(v))

function checkSuccess(want, got) {
  for (const [k, w] of Object.entries(want)) {
    if (k === 'detail_contains') {
      for (const [check, text] of Object.entries(w)) {
        const detail = (got.details && got.details[check]) || ''
        assert.ok(detail.includes(text), `detail of \`${check}\` is \`${detail}\`, which lacks \`${text}\``)
      }
    } else if (k === 'same') {
      // Equal labels exactly where the tokens are equal.
      for (let a = 0; a < w.length; a++) {
        for (let b = 0; b < w.length; b++) {
          const sameLabel = w[a] === w[b]
          const sameToken = got.tokens[a] === got.tokens[b]
          assert.equal(sameToken, sameLabel, `requests ${a} and ${b}: labels ${w[a]} and ${w[b]} but tokens ${sameToken ? 'equal' : 'differ'}`)
        }
      }
    } else if (k === 'cached_at_most') {
      assert.ok(got.cached_tokens <= w, `the cache holds ${got.cached_tokens} tokens, more than ${w}`)
    } else if (k === 'result') {
      assert.ok(contains(json(got.result), w), `result ${JSON.stringify(got.result)} does not contain ${JSON.stringify(w)}`)
    } else {
      assert.ok(k in got, `\`${k}\` was not produced`)
      assert.deepStrictEqual(json(got[k]), w, `\`${k}\``)
    }
  }
}

function checkError(want, e) {
  assert.ok(e instanceof q.QencodeError, `expected a QencodeError ${want.error}, got ${e && e.stack}`)
  assert.equal(e.code, want.error, `expected ${want.error}, got ${e.code}: ${e.message}`)
  if ('status' in want) {
    assert.ok('status' in e, 'the error has no status property')
    assert.equal(e.status, want.status, `status of ${e.code}: ${e.message}`)
  }
  if ('retry_after' in want) assert.equal(e.retryAfter, want.retry_after, 'retryAfter')
  for (const s of want.message_contains || []) {
    assert.ok(e.message.includes(s), `the message does not contain \`${s}\`: ${e.message}`)
  }
  // `type_error` is not checked (see the top of this file).
}

test('the conformance cases are loaded, with unique names', () => {
  assert.ok(cases.length > 0)
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length)
})

for (const c of cases) {
  const reason = c.skip && Object.prototype.hasOwnProperty.call(c.skip, LANGUAGE) ? String(c.skip[LANGUAGE]) : null
  test(c.name, async (t) => {
    if (reason !== null) {
      skipped.push([c.name, reason])
      t.skip(reason)
      return
    }
    try {
      let got
      let err
      try {
        got = await produce(c)
      } catch (e) {
        err = e
      }
      if ('error' in c.expect) {
        assert.ok(err !== undefined, `expected ${c.expect.error}, got success ${JSON.stringify(got)}`)
        checkError(c.expect, err)
      } else {
        if (err !== undefined) throw err
        checkSuccess(c.expect, got)
      }
      counts.passed++
    } catch (e) {
      counts.failed++
      throw e
    }
  })
}

test.after(() => {
  if (emulator !== undefined) emulator.stop()
  const lines = [`conformance: ${LANGUAGE}: ${cases.length} cases, ${counts.passed} passed, ${skipped.length} skipped, ${counts.failed} failed`]
  for (const [name, why] of skipped) lines.push(`  skipped ${name}: ${why}`)
  // On a line of its own: a reporter may have left dots on the current one.
  console.log(`\n${lines.join('\n')}`)
})
