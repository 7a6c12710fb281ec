'use strict'
// Shared by the tests: repository paths, the test keys (TEST keys, not
// secret) and the conformance cases of tests/conformance/*.json.
const path = require('node:path')
const fs = require('node:fs')

const ROOT = process.env.QCDN_ROOT || path.resolve(__dirname, '..', '..')
const keyPath = (name) => path.join(ROOT, 'tests', 'keys', name)
const key = (name) => fs.readFileSync(keyPath(name), 'utf8')
const keyBytes = (name) => fs.readFileSync(keyPath(name))

/** Every case of every tests/conformance/*.json, in file order (README). */
function loadCases() {
  const dir = path.join(ROOT, 'tests', 'conformance')
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
  return files.flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).cases)
}

/** A case's key spec as the bytes or text a user passes: a file path, `{ text }` or `{ base64 }`. */
function keyInput(spec) {
  if (typeof spec === 'string') return fs.readFileSync(path.join(ROOT, spec))
  if (spec && typeof spec.text === 'string') return spec.text
  if (spec && typeof spec.base64 === 'string') return Buffer.from(spec.base64, 'base64')
  throw new Error(`bad key spec ${JSON.stringify(spec)}`)
}

/** `expires_in` → `expiresIn`. */
const camelName = (k) => k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

/**
 * An object of a case with its keys in camelCase, one level deep (values —
 * claims, CORS headers — are data and stay as they are); anything that is
 * not a plain object is returned unchanged.
 */
function camel(o) {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return o
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [camelName(k), v]))
}

/** Asserts that `fn` throws (or rejects) a QencodeError of `code`. */
async function rejectsWith(assert, fn, code, Class) {
  let caught
  try {
    await fn()
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `expected ${code}, nothing was thrown`)
  assert.equal(caught.code, code, `expected ${code}, got ${caught && caught.code}: ${caught && caught.message}`)
  if (Class) assert.ok(caught instanceof Class, `expected ${Class.name}, got ${caught.constructor.name}`)
  return caught
}

function throwsWith(assert, fn, code, Class) {
  let caught
  try {
    fn()
  } catch (e) {
    caught = e
  }
  assert.ok(caught, `expected ${code}, nothing was thrown`)
  assert.equal(caught.code, code, `expected ${code}, got ${caught && caught.code}: ${caught && caught.message}`)
  if (Class) assert.ok(caught instanceof Class, `expected ${Class.name}, got ${caught.constructor.name}`)
  return caught
}

module.exports = { ROOT, keyPath, key, keyBytes, loadCases, keyInput, camel, rejectsWith, throwsWith }
