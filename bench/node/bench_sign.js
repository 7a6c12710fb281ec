'use strict'
// Tokens per second: qencode-cdn's `Signer.sign` (without options, and with a
// small options object, which the core reads as JSON) against jsonwebtoken (PEM
// string per call, as the reference's Node sample does, and a KeyObject
// created once) and jose (`SignJWT` with a KeyObject), and against the Rust
// core signing in a Rust loop in the same process and build. One process,
// pinned to one CPU by run.sh; RSA 2048 and 4096 (the repository's test keys).
//
// Targets: qencode-cdn >= 0.9x core; at 4096 bits >= 2.5x jsonwebtoken (PEM).
// `--check` exits 1 when a target is missed; `--seconds N` per measurement.
const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const os = require('node:os')
const { pathToFileURL } = require('node:url')

const pkg = path.resolve(__dirname, '..', '..', 'bindings-node')
const ROOT = process.env.QCDN_ROOT || path.resolve(__dirname, '..', '..')
const { Signer, VERSION } = require(path.join(pkg, 'lib', 'index.js'))
const native = require(path.join(pkg, 'native.js'))
const jwt = require(path.join(pkg, 'node_modules', 'jsonwebtoken'))

const KID = 'ec25a6a6-b31e-4ac9-af01-711460421c6b'
const URI = '1f1ab6a3-d867-4787-b882-7f2fb1203634'
const args = process.argv.slice(2)
const seconds = args.includes('--seconds') ? Number(args[args.indexOf('--seconds') + 1]) : 2
const check = args.includes('--check')

/** Calls `fn` for about `seconds` after a warm-up; returns calls per second. */
function rate(fn) {
  for (let i = 0; i < 5; i++) fn()
  let n = 0
  const start = process.hrtime.bigint()
  const deadline = start + BigInt(Math.round(seconds * 1e9))
  for (;;) {
    for (let i = 0; i < 10; i++) fn()
    n += 10
    const now = process.hrtime.bigint()
    if (now >= deadline) return n / (Number(now - start) / 1e9)
  }
}

async function rateAsync(fn) {
  for (let i = 0; i < 5; i++) await fn()
  let n = 0
  const start = process.hrtime.bigint()
  const deadline = start + BigInt(Math.round(seconds * 1e9))
  for (;;) {
    for (let i = 0; i < 10; i++) await fn()
    n += 10
    const now = process.hrtime.bigint()
    if (now >= deadline) return n / (Number(now - start) / 1e9)
  }
}

/**
 * The core alone (a Rust loop in the same addon, no JS boundary) and our
 * JS calls `fns`, measured in ten alternating slices each, so that load from
 * other processes drifting during the run hits every contender alike and the
 * ratios to the core stay meaningful. Returns calls per second, core first.
 */
function interleaved(nativeSigner, fns) {
  const slice = seconds / 10
  native.benchCoreSign(nativeSigner, URI, 5)
  for (const fn of fns) for (let i = 0; i < 5; i++) fn()
  const core = { n: 0, s: 0 }
  const acc = fns.map(() => ({ n: 0, s: 0 }))
  let coreN = 5
  for (let round = 0; round < 10; round++) {
    const took = native.benchCoreSign(nativeSigner, URI, coreN)
    core.n += coreN
    core.s += took
    coreN = Math.max(1, Math.round((coreN * slice) / Math.max(took, 1e-6)))
    fns.forEach((fn, k) => {
      const start = process.hrtime.bigint()
      const end = start + BigInt(Math.round(slice * 1e9))
      let n = 0
      let now
      do {
        fn()
        n++
        now = process.hrtime.bigint()
      } while (now < end)
      acc[k].n += n
      acc[k].s += Number(now - start) / 1e9
    })
  }
  return [core.n / core.s, ...acc.map((a) => a.n / a.s)]
}

async function main() {
  const jose = await import(pathToFileURL(path.join(pkg, 'node_modules', 'jose', 'dist', 'webapi', 'index.js')).href)
  const addon = process.env.NAPI_RS_NATIVE_LIBRARY_PATH || 'qencode-cdn.linux-x64-gnu.node (package build)'
  console.log(`qencode-cdn ${VERSION} (${path.basename(addon)}), jsonwebtoken ${require(path.join(pkg, 'node_modules', 'jsonwebtoken', 'package.json')).version}, jose ${require(path.join(pkg, 'node_modules', 'jose', 'package.json')).version}`)
  console.log(`Node ${process.version} on ${os.arch()} (${os.cpus()[0] && os.cpus()[0].model}), ${seconds} s each\n`)
  const cols = ['bits', 'core', 'ours', 'opts', 'jwt-pem', 'jwt-key', 'jose', 'vs core', 'opts/core', 'vs pem', 'vs key', 'vs jose']
  console.log(cols.map((c, i) => c.padStart(i === 0 ? 5 : 9)).join(' '))
  let ok = true
  for (const [bits, file] of [[2048, 'rsa2048.pkcs1.pem'], [4096, 'rsa4096.pkcs1.pem']]) {
    const pem = fs.readFileSync(path.join(ROOT, 'tests', 'keys', file), 'utf8')
    const signer = new Signer(KID, pem)
    const nativeSigner = new native.NativeSigner(KID, pem)
    const keyObject = crypto.createPrivateKey(pem)
    const header = { alg: 'RS256', typ: 'JWT', kid: KID }
    const payload = () => ({ uri: URI, exp: Math.floor(Date.now() / 1000) + 3600 })
    // Same bytes checked once: ours equals jose's (deterministic RS256).
    const ours = () => signer.sign(URI)
    const withOptions = () => signer.sign(URI, { expiresIn: 3600, claims: { viewer: 'u-42' } })
    const jwtPem = () => jwt.sign(payload(), pem, { algorithm: 'RS256', header, noTimestamp: true })
    const jwtKey = () => jwt.sign(payload(), keyObject, { algorithm: 'RS256', header, noTimestamp: true })
    const joseSign = () => new jose.SignJWT(payload()).setProtectedHeader(header).sign(keyObject)
    const pinned = signer.sign(URI, { now: 1_700_000_000 })
    const viaJose = await new jose.SignJWT({ uri: URI, exp: 1_700_003_600 }).setProtectedHeader(header).sign(keyObject)
    if (pinned !== viaJose) throw new Error('qencode-cdn and jose disagree on the token bytes')

    const [rCore, rOurs, rOpts] = interleaved(nativeSigner, [ours, withOptions])
    const rPem = rate(jwtPem)
    const rKey = rate(jwtKey)
    const rJose = await rateAsync(joseSign)
    const vsCore = rOurs / rCore
    const vsPem = rOurs / rPem
    const row = [bits, rCore, rOurs, rOpts, rPem, rKey, rJose].map((v, i) => (i === 0 ? String(v).padStart(5) : v.toFixed(0).padStart(9)))
    const ratios = [vsCore, rOpts / rCore, vsPem, rOurs / rKey, rOurs / rJose].map((r) => `${r.toFixed(2)}x`.padStart(9))
    console.log([...row, ...ratios].join(' '))
    if (vsCore < 0.9 || rOpts / rCore < 0.9 || (bits === 4096 && vsPem < 2.5)) ok = false
  }
  console.log(`\ntokens per second; targets: ours and opts >= 0.90x core, and at 4096 bits >= 2.50x jwt-pem: ${ok ? 'met' : 'MISSED'}`)
  if (check && !ok) process.exitCode = 1
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 2
})
