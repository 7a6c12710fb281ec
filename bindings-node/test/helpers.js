'use strict'
// Shared by the tests: repository paths and the test keys (TEST keys, not secret).
const path = require('node:path')
const fs = require('node:fs')

const ROOT = process.env.QCDN_ROOT || path.resolve(__dirname, '..', '..')
const keyPath = (name) => path.join(ROOT, 'tests', 'keys', name)
const key = (name) => fs.readFileSync(keyPath(name), 'utf8')
const keyBytes = (name) => fs.readFileSync(keyPath(name))

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

module.exports = { ROOT, keyPath, key, keyBytes, rejectsWith, throwsWith }
