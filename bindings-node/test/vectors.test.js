'use strict'
// Golden vectors (tests/vectors/tokens.json): every token byte for byte, every invalid case by code.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { Signer, QencodeError } = require('qencode-cdn')
const { ROOT } = require('./helpers.js')

const file = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'vectors', 'tokens.json'), 'utf8'))

/** The vector's snake_case options as Node sign options. */
function options(o, now) {
  const out = { now }
  if ('expires_in' in o) out.expiresIn = o.expires_in
  if ('expires_at' in o) out.expiresAt = o.expires_at
  if ('not_before' in o) out.notBefore = o.not_before
  if ('never_expires' in o) out.neverExpires = o.never_expires
  if ('claims' in o) out.claims = o.claims
  const known = new Set(['expires_in', 'expires_at', 'not_before', 'never_expires', 'claims'])
  for (const k of Object.keys(o)) assert.ok(known.has(k), `vector option ${k} is not mapped`)
  return out
}

test('the vector file has valid and invalid cases', () => {
  assert.ok(file.vectors.length >= 10)
  assert.ok(file.invalid.length >= 5)
})

for (const v of file.vectors) {
  test(`vector ${v.name}: same token byte for byte`, () => {
    const signer = new Signer(v.kid, fs.readFileSync(path.join(ROOT, v.key_file)))
    assert.equal(signer.sign(v.uri, options(v.options, v.now)), v.token)
  })
  test(`vector ${v.name}: signAsync gives the same token`, async () => {
    const signer = Signer.fromFile(v.kid, path.join(ROOT, v.key_file))
    assert.equal(await signer.signAsync(v.uri, options(v.options, v.now)), v.token)
  })
}

for (const v of file.invalid) {
  test(`invalid ${v.name}: ${v.code}`, () => {
    let caught
    try {
      const signer = new Signer(v.kid, fs.readFileSync(path.join(ROOT, v.key_file)))
      signer.sign(v.uri, options(v.options, v.now))
    } catch (e) {
      caught = e
    }
    assert.ok(caught instanceof QencodeError, `expected a QencodeError ${v.code}`)
    assert.equal(caught.code, v.code)
  })
}
