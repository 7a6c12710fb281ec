'use strict'
// Every ```js / ```mjs example of docs/node.md, of the package's README.md
// (and of the repository's README.md, if it has any) runs as written, in a fresh Node process, from this package
// (the PKCS#11 one against a SoftHSM2 token made here).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { ROOT, key, softhsm, SOFTHSM_MODULE, HSM_PIN } = require('./helpers.js')

// The PKCS#11 example signs on a SoftHSM2 token made for these tests.
let hsm
test.before(() => {
  hsm = softhsm([{ label: 'video-signing', keys: [['rsa2048.pkcs8.pem', 'video-key']] }])
})
test.after(() => fs.rmSync(hsm.dir, { recursive: true, force: true }))

function blocks(file) {
  if (!fs.existsSync(file)) return []
  const text = fs.readFileSync(file, 'utf8')
  const out = []
  const re = /^```(js|javascript|mjs)\n([\s\S]*?)^```/gm
  let m
  while ((m = re.exec(text)) !== null) {
    const line = text.slice(0, m.index).split('\n').length
    out.push({ lang: m[1], code: m[2], where: `${path.relative(ROOT, file)}:${line}` })
  }
  return out
}

const docs = blocks(path.join(ROOT, 'docs', 'node.md'))
const readme = [...blocks(path.join(ROOT, 'README.md')), ...blocks(path.join(__dirname, '..', 'README.md'))]

test('docs/node.md has JavaScript examples', () => {
  assert.ok(docs.length >= 8, `found ${docs.length}`)
})

for (const b of [...docs, ...readme]) {
  test(`example at ${b.where} runs`, () => {
    const env = {
      ...process.env,
      QENCODE_SIGNING_KEY: key('rsa2048.pkcs1.pem'),
      QENCODE_SIGNING_KEY_ID: 'docs-key-id',
      SOFTHSM2_CONF: hsm.conf,
      PKCS11_MODULE: SOFTHSM_MODULE,
      HSM_PIN,
    }
    delete env.QENCODE_API_KEY
    const r = spawnSync(process.execPath, [`--input-type=${b.lang === 'mjs' ? 'module' : 'commonjs'}`, '-'], {
      input: b.code,
      cwd: path.join(__dirname, '..'),
      env,
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(r.status, 0, `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`)
    assert.equal(r.stderr, '', r.stderr)
    assert.ok(r.stdout.length > 0, 'the example prints something')
  })
}
