// Type check of the installed package's declarations (tsc --noEmit --strict).
import { Signer, Verifier, storageUrl, type SignOptions, type Domain } from 'qencode-cdn'
import { Emulator } from 'qencode-cdn/testing'

const opts: SignOptions = { expiresIn: 60, now: 1700000000 }
const signer: Signer = new Signer('key-1', 'pem')
const token: string = signer.sign('abc', opts)
const uri: string = Verifier.fromSigner(signer).verify(token).claims.uri
const url: string = storageUrl('b', 'us-west', 'k', { token })
async function domains(): Promise<Domain[]> {
  return Emulator.start().client().listDomains()
}
void uri
void url
void domains
