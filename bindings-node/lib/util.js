'use strict'
// Argument conversion shared by the wrapper classes (internal, not exported).

const native = require('../index.js')
const { fromNative, invalid } = require('./errors.js')

/** Runs a native call and converts what it throws. */
function call(fn) {
  try {
    return fn()
  } catch (e) {
    throw fromNative(e)
  }
}

/** Awaits a native promise and converts its rejection. */
async function callAsync(fn) {
  let p
  try {
    p = fn()
  } catch (e) {
    throw fromNative(e)
  }
  try {
    return await p
  } catch (e) {
    throw fromNative(e)
  }
}

function str(name, v) {
  if (typeof v !== 'string') throw invalid(`${name} must be a string, got ${describe(v)}`)
  return v
}

function describe(v) {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : typeof v
}

/** A key as the native side takes it: a string or a Buffer (any Uint8Array). */
function keyInput(name, v) {
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength)
  throw invalid(`${name} must be a string or a Buffer, got ${describe(v)}`)
}

/**
 * Checks an options object: a plain object whose keys are all known and
 * none present-but-undefined/null (a missing config value must not silently
 * pick a default).
 */
function checkOptions(what, o, allowed) {
  if (o === undefined) return undefined
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw invalid(`${what} must be an object, got ${describe(o)}`)
  }
  for (const k of Object.keys(o)) {
    if (!allowed.has(k)) throw invalid(`${what}: unknown option \`${k}\``)
    const v = o[k]
    if (v === undefined || v === null) {
      throw invalid(
        `${what}: \`${k}\` is present but ${v}; leave it out to get the default` +
          (k === 'expiresIn' || k === 'expiresAt' ? ' (a token that never expires needs neverExpires: true)' : ''),
      )
    }
  }
  return o
}

/** Unix seconds from a number or a Date. */
function seconds(name, v) {
  if (v instanceof Date) {
    const ms = v.getTime()
    if (Number.isNaN(ms)) throw invalid(`${name} is an invalid Date`)
    return Math.floor(ms / 1000)
  }
  if (typeof v !== 'number') throw invalid(`${name} must be a number of seconds or a Date, got ${describe(v)}`)
  return v
}

function number(name, v) {
  if (typeof v !== 'number') throw invalid(`${name} must be a number, got ${describe(v)}`)
  return v
}

function bool(name, v) {
  if (typeof v !== 'boolean') throw invalid(`${name} must be a boolean, got ${describe(v)}`)
  return v
}

function claimsJson(v) {
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`claims must be a plain object, got ${describe(v)}`)
  let json
  try {
    json = JSON.stringify(v)
  } catch (e) {
    throw invalid(`claims cannot be written as JSON: ${e instanceof Error ? e.message : 'unknown reason'}`)
  }
  return json
}

module.exports = { native, call, callAsync, str, describe, keyInput, checkOptions, seconds, number, bool, claimsJson, invalid }
