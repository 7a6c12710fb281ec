// ESM entry of `qencode-cdn/testing`.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const t = require('./testing.js')

export const { Emulator, hooks } = t
export default t
