// ESM consumers get the same types (checked by tsc with test/tsconfig.json).
import qencode, { Signer, Verifier, type SignOptions } from 'qencode-cdn'
import { Emulator, type EmulatorOptions } from 'qencode-cdn/testing'

const options: SignOptions = { expiresIn: 60 }
const signer: Signer = new qencode.Signer('key-1', 'pem')
const ok: boolean = Verifier.fromSigner(signer).explain(signer.signedLiveUrl('abc', options)).ok
const emuOptions: EmulatorOptions = { signingKeyBits: 2048 }
const emu: Emulator = Emulator.start(emuOptions)
console.log(ok, emu.url)
