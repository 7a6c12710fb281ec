// The package works as ESM: named imports, the default export, and the same
// classes as the CommonJS entry (one native module, so instanceof holds).
import test from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { Signer, Verifier, Client, storageUrl, QencodeError, InvalidArgumentError, errorCodes } from 'qencode-cdn'
import qencode from 'qencode-cdn'
import { Emulator } from 'qencode-cdn/testing'

const require = createRequire(import.meta.url)
const { key } = require('./helpers.js')

test('named ESM imports work and are the CommonJS objects', () => {
  const cjs = require('qencode-cdn')
  assert.equal(Signer, cjs.Signer)
  assert.equal(qencode.Verifier, Verifier)
  assert.equal(require('qencode-cdn/testing').Emulator, Emulator)
  assert.equal(errorCodes().length, 17)
  assert.ok(errorCodes().includes('SIGNER_FAILED'))
  const signer = new Signer('k', key('rsa2048.pkcs1.pem'))
  assert.equal(Verifier.fromSigner(signer).verify(signer.sign('x')).claims.uri, 'x')
  assert.equal(storageUrl('bkt', 'us-west', 'k'), 'https://bkt.media-storage.us-west.qencode.com/k')
  assert.throws(() => new Signer('k', 'nope'), (e) => e instanceof QencodeError && e.code === 'INVALID_KEY')
  assert.throws(() => new Client(''), InvalidArgumentError)
})

test('ESM: a client call against the emulator', async () => {
  const emu = Emulator.start()
  try {
    assert.deepEqual(await emu.client().listDomains(), [])
  } finally {
    emu.stop()
  }
})
