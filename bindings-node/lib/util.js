'use strict'
// Promise and error plumbing around the native module (internal, not
// exported): every native call goes through `call` or `callAsync`, which
// turn what it throws into the QencodeError subclasses of errors.js.

const native = require('../native.js')
const { fromNative } = require('./errors.js')

/** Runs a native call and converts what it throws. */
function call(fn) {
  try {
    return fn()
  } catch (e) {
    throw fromNative(e)
  }
}

/**
 * Runs a native call that returns a Promise: a synchronous throw (a napi
 * argument conversion) becomes a rejection, and every rejection is converted.
 */
async function callAsync(fn) {
  try {
    return await fn()
  } catch (e) {
    throw fromNative(e)
  }
}

module.exports = { native, call, callAsync }
