'use strict'
// The DESIGN §5 table: every code reaches JS as its own Error subclass, from
// a synchronous call and from the libuv pool; panics become INTERNAL.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const q = require('qencode-cdn')
const { hooks } = require('qencode-cdn/testing')

const EXPECTED = {
  INVALID_ARGUMENT: 'InvalidArgumentError',
  INVALID_KEY: 'InvalidKeyError',
  MALFORMED_TOKEN: 'MalformedTokenError',
  INVALID_SIGNATURE: 'InvalidSignatureError',
  TOKEN_EXPIRED: 'TokenExpiredError',
  TOKEN_NOT_YET_VALID: 'TokenNotYetValidError',
  URI_MISMATCH: 'UriMismatchError',
  UNKNOWN_KEY_ID: 'UnknownKeyIdError',
  UNAUTHORIZED: 'UnauthorizedError',
  NOT_FOUND: 'NotFoundError',
  RATE_LIMITED: 'RateLimitedError',
  API_ERROR: 'ApiError',
  TRANSPORT: 'TransportError',
  TIMEOUT: 'TimeoutError',
  DECODE: 'DecodeError',
  INTERNAL: 'InternalError',
}
const HTTP = new Set(['UNAUTHORIZED', 'NOT_FOUND', 'RATE_LIMITED', 'API_ERROR'])
const TOKEN = new Set(['MALFORMED_TOKEN', 'INVALID_SIGNATURE', 'TOKEN_EXPIRED', 'TOKEN_NOT_YET_VALID', 'URI_MISMATCH', 'UNKNOWN_KEY_ID'])

test('the native code list is DESIGN §5, in order, and each code has a class', () => {
  assert.deepEqual(q.errorCodes(), Object.keys(EXPECTED))
})

for (const code of Object.keys(EXPECTED)) {
  test(`${code} (sync) is a ${EXPECTED[code]}`, () => {
    let e
    try {
      hooks.raiseError(code, `message of ${code}`)
    } catch (err) {
      e = err
    }
    assert.ok(e instanceof Error)
    assert.ok(e instanceof q.QencodeError)
    assert.ok(e instanceof q[EXPECTED[code]])
    assert.equal(e.name, EXPECTED[code])
    assert.equal(e.code, code)
    assert.ok(e.message.endsWith(`message of ${code}`), e.message)
    assert.equal(e instanceof q.ApiError, HTTP.has(code))
    assert.equal(e instanceof q.TokenError, TOKEN.has(code))
    assert.match(util.inspect(e), new RegExp(`code: '${code}'`))
    // No HTTP answer: status and retryAfter are null, present, never absent.
    assert.ok(Object.prototype.hasOwnProperty.call(e, 'status'))
    assert.equal(e.status, null)
    assert.equal(e.retryAfter, null)
  })
  test(`${code} (from the libuv pool) is a ${EXPECTED[code]}${HTTP.has(code) ? ' with status and body' : ''}`, async () => {
    const e = await hooks.rejectError(code, `async ${code}`, 418, 7).then(
      () => assert.fail('no rejection'),
      (err) => err,
    )
    assert.ok(e instanceof q[EXPECTED[code]])
    assert.equal(e.code, code)
    if (HTTP.has(code)) {
      assert.equal(e.status, 418)
      assert.equal(e.body, `{"error":"async ${code}"}`)
      assert.equal(e.requestId, 'req-test')
      assert.equal(e.retryAfter, 7)
      assert.match(e.message, /^HTTP 418: async /)
    } else {
      assert.equal(e.message, `async ${code}`)
      assert.equal(e.status, null)
      assert.equal(e.retryAfter, null)
    }
  })
}

test('a panic, on the JS thread or on the pool, is INTERNAL and the process lives on', async () => {
  assert.throws(() => hooks.panic(), (e) => e instanceof q.InternalError && e.code === 'INTERNAL')
  await assert.rejects(hooks.panicOnPool(), (e) => e instanceof q.InternalError && e.code === 'INTERNAL')
  assert.equal(typeof new q.Signer('k', require('./helpers.js').key('rsa2048.pkcs1.pem')).sign('x'), 'string')
})

test('napi argument conversion errors become INVALID_ARGUMENT without the value', () => {
  const native = require('../native.js')
  let raw
  try {
    native.livePlaybackUrl(12345)
  } catch (e) {
    raw = e
  }
  assert.ok(raw)
  const converted = require('../lib/errors.js').fromNative(raw)
  assert.ok(converted instanceof q.InvalidArgumentError)
  assert.ok(!converted.message.includes('12345'))
})

test('user code can construct and match the classes', () => {
  const e = new q.NotFoundError('NOT_FOUND', 'gone', { status: 404, body: '{}' })
  assert.ok(e instanceof q.ApiError && e instanceof q.QencodeError && e instanceof Error)
  assert.equal(e.status, 404)
  assert.equal(e.retryAfter, null)
  assert.equal(e.requestId, null)
  assert.equal(e.name, 'NotFoundError')
  assert.equal(new q.TimeoutError('TIMEOUT', 'slow').status, null)
})
