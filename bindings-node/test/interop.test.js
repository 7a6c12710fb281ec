'use strict'
// Interoperability both ways with `jsonwebtoken` (the reference's own Node
// sample, run as written) and `jose`.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const vm = require('node:vm')
const jwt = require('jsonwebtoken')
const { Signer, Verifier, TokenExpiredError } = require('qencode-cdn')
const { key, loadCases, keyInput } = require('./helpers.js')

const KID = 'ec25a6a6-b31e-4ac9-af01-711460421c6b'

/**
 * Runs the reference's Node sample (test/fixtures/reference-sample.js, copied
 * exactly as printed) the way a user would: only its three placeholders
 * replaced by real values. Returns the token it prints and its context (for
 * calling its generateSignedToken again).
 */
function runReferenceSample(keyId, pem, playbackId) {
  let code = fs.readFileSync(path.join(__dirname, 'fixtures', 'reference-sample.js'), 'utf8')
  for (const [placeholder, value] of [
    ["'your_signing_key_id'", keyId],
    ["'your_signing_key_private_key'", pem],
    ["'your_stream_playback_id'", playbackId],
  ]) {
    assert.ok(code.includes(placeholder), `placeholder ${placeholder} is in the sample`)
    code = code.replace(placeholder, JSON.stringify(value))
  }
  const printed = []
  const context = vm.createContext({ require, console: { log: (x) => printed.push(x) } })
  vm.runInContext(code, context)
  assert.equal(printed.length, 1, 'the sample prints one token')
  return { token: printed[0], generateSignedToken: context.generateSignedToken }
}

/**
 * The token of every success case of `sign`, `signed_url` and `cookie` in
 * tests/conformance, with what it must say: the exact bytes there are what
 * every language signs, so jsonwebtoken and jose (OpenSSL) must accept each.
 */
function conformanceTokens() {
  const out = []
  for (const c of loadCases()) {
    if (!['sign', 'signed_url', 'cookie'].includes(c.op) || 'error' in c.expect) continue
    let token
    if (c.op === 'sign') token = c.expect.token
    else if (c.op === 'signed_url') token = new URL(c.expect.url).searchParams.get('auth')
    else token = /^Qencode-Auth-Token=([^;]+)/.exec(c.expect.set_cookie)[1]
    // The public key, derived by OpenSSL from the case's private key file.
    const publicKey = crypto.createPublicKey(crypto.createPrivateKey(keyInput(c.input.signer.key)))
    out.push({ name: c.name, token, kid: c.input.signer.kid, uri: c.op === 'signed_url' ? undefined : c.input.uri, publicKey })
  }
  return out
}

const CASES = conformanceTokens()

test('the conformance cases hold tokens for sign, signed_url and cookie', () => {
  assert.ok(CASES.length >= 40, `found ${CASES.length}`)
  for (const op of ['sign/', 'urls/', 'cookies/']) assert.ok(CASES.some((c) => c.name.startsWith(op)), op)
})

test('jsonwebtoken verifies every token the conformance cases expect (RS256, header, uri)', () => {
  for (const c of CASES) {
    // Times are checked by the cases themselves; here the signature and header.
    const decoded = jwt.verify(c.token, c.publicKey, { algorithms: ['RS256'], complete: true, ignoreExpiration: true, ignoreNotBefore: true })
    // jws (under jsonwebtoken 9) decodes the header's bytes as latin1, so a
    // non-ASCII kid comes back mangled; read its bytes again as UTF-8.
    const kid = Buffer.from(decoded.header.kid, 'latin1').toString('utf8')
    assert.deepEqual({ ...decoded.header, kid }, { alg: 'RS256', typ: 'JWT', kid: c.kid }, c.name)
    if (c.uri !== undefined) assert.equal(decoded.payload.uri, c.uri, c.name)
    assert.throws(() => jwt.verify(c.token, c.publicKey, { algorithms: ['HS256'] }), /invalid algorithm/, c.name)
  }
})

test('jose verifies the signature of every token the conformance cases expect', async () => {
  const jose = await import('jose')
  for (const c of CASES) {
    const { payload, protectedHeader } = await jose.compactVerify(c.token, c.publicKey, { algorithms: ['RS256'] })
    assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT', kid: c.kid }, c.name)
    const claims = JSON.parse(Buffer.from(payload).toString('utf8'))
    if (c.uri !== undefined) assert.equal(claims.uri, c.uri, c.name)
    // One flipped signature byte is refused.
    const [h, p, sig] = c.token.split('.')
    const bad = Buffer.from(sig, 'base64url')
    bad[0] ^= 1
    await assert.rejects(jose.compactVerify(`${h}.${p}.${bad.toString('base64url')}`, c.publicKey), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, c.name)
  }
})

test('a token of the reference Node sample (jsonwebtoken) verifies with our Verifier', () => {
  const pem = key('rsa2048.pkcs1.pem')
  const { token, generateSignedToken } = runReferenceSample(KID, pem, 'my-playback-id')
  const verifier = new Verifier(key('rsa2048.spki.pem'), { keyId: KID })
  const ok = verifier.verify(token, { resource: { kind: 'live', playbackId: 'my-playback-id' } })
  assert.equal(ok.kid, KID)
  assert.equal(ok.claims.uri, 'my-playback-id')
  assert.ok(ok.claims.exp > Date.now() / 1000)
  assert.equal(typeof ok.claims.iat, 'number', 'jsonwebtoken adds iat; it is kept as a custom claim')
  // With nbf, as the sample allows.
  const nbf = Math.floor(Date.now() / 1000) - 10
  const t2 = generateSignedToken(KID, pem, 'videos/', 60, nbf)
  assert.equal(verifier.verify(t2, { resource: { kind: 'storage', key: 'videos/a.mp4' } }).claims.nbf, nbf)
})

test('the reference sample with exp = 0 makes a token without exp; we accept it only as never-expiring', () => {
  const { generateSignedToken } = runReferenceSample(KID, key('rsa2048.pkcs1.pem'), 'x')
  const token = generateSignedToken(KID, key('rsa2048.pkcs1.pem'), 'x', 0)
  const ok = Verifier.fromSigner(new Signer(KID, key('rsa2048.pkcs1.pem'))).verify(token)
  assert.equal(ok.claims.exp, undefined)
})

test('our tokens verify with jsonwebtoken (PEM string and KeyObject), header and claims intact', () => {
  const signer = new Signer(KID, key('rsa4096.pkcs1.pem'))
  const token = signer.sign('videos/a/', { expiresIn: 600, notBefore: Math.floor(Date.now() / 1000) - 60, claims: { viewer: 'u-42' } })
  for (const pub of [key('rsa4096.spki.pem'), crypto.createPublicKey(key('rsa4096.spki.pem'))]) {
    const decoded = jwt.verify(token, pub, { algorithms: ['RS256'], complete: true })
    assert.deepEqual(decoded.header, { alg: 'RS256', typ: 'JWT', kid: KID })
    assert.equal(decoded.payload.uri, 'videos/a/')
    assert.equal(decoded.payload.viewer, 'u-42')
    assert.equal(typeof decoded.payload.nbf, 'number')
  }
})

test('jsonwebtoken refuses our token with the wrong key', () => {
  const token = new Signer(KID, key('rsa4096.pkcs1.pem')).sign('x')
  assert.throws(() => jwt.verify(token, key('rsa4096-b.spki.pem'), { algorithms: ['RS256'] }), /invalid signature/)
})

test('an expired jsonwebtoken token is TOKEN_EXPIRED for us', () => {
  const token = jwt.sign({ uri: 'x', exp: Math.floor(Date.now() / 1000) - 120 }, key('rsa2048.pkcs1.pem'), {
    algorithm: 'RS256',
    header: { alg: 'RS256', typ: 'JWT', kid: KID },
  })
  assert.throws(() => new Verifier(key('rsa2048.spki.pem')).verify(token), TokenExpiredError)
})

test('jose: our token verifies with jwtVerify, and jose signs the same bytes we do', async () => {
  const jose = await import('jose')
  const signer = new Signer(KID, key('rsa2048.pkcs8.pem'))
  const now = 1_700_000_000
  const ours = signer.sign('abc123', { now, expiresIn: 3600, claims: { tier: 3 } })
  const pub = await jose.importSPKI(key('rsa2048.spki.pem'), 'RS256')
  const { payload, protectedHeader } = await jose.jwtVerify(ours, pub, { currentDate: new Date((now + 10) * 1000) })
  assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT', kid: KID })
  assert.deepEqual(payload, { uri: 'abc123', exp: now + 3600, tier: 3 })
  const priv = await jose.importPKCS8(key('rsa2048.pkcs8.pem'), 'RS256')
  const theirs = await new jose.SignJWT({ uri: 'abc123', exp: now + 3600, tier: 3 })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: KID })
    .sign(priv)
  assert.equal(theirs, ours, 'RS256 is deterministic: jose and qencode-cdn give the same token')
})

test('jose: a jose token verifies with our Verifier built from a JWK that jose exported', async () => {
  const jose = await import('jose')
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'jose-key' }
  const token = await new jose.SignJWT({ uri: 'videos/' })
    .setProtectedHeader({ alg: 'RS256', kid: 'jose-key' })
    .setExpirationTime('10m')
    .sign(privateKey)
  const verifier = Verifier.fromJwk(jwk)
  assert.equal(verifier.keyId, 'jose-key')
  assert.equal(verifier.verify(token, { resource: { kind: 'storage', key: 'videos/x.mp4' } }).claims.uri, 'videos/')
  // Our public JWK imports into jose.
  const signer = new Signer(KID, key('rsa2048.pkcs1.pem'))
  const ourJwk = signer.publicKeyJwk()
  assert.equal(ourJwk.kid, KID)
  const imported = await jose.importJWK(ourJwk, 'RS256')
  await jose.jwtVerify(signer.sign('x'), imported)
})
