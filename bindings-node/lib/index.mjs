// ESM entry: the same objects as the CommonJS entry (one native module).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const q = require('./index.js')

export const {
  Signer,
  Verifier,
  Client,
  decodeUnverified,
  audit,
  SIGNER_ENV,
  livePlaybackUrl,
  liveCustomDomainUrl,
  storageUrl,
  storageCustomDomainUrl,
  withToken,
  streamCoverage,
  checkStream,
  errorCodes,
  VERSION,
  QencodeError,
  InvalidArgumentError,
  InvalidKeyError,
  TokenError,
  MalformedTokenError,
  InvalidSignatureError,
  TokenExpiredError,
  TokenNotYetValidError,
  UriMismatchError,
  UnknownKeyIdError,
  ApiError,
  UnauthorizedError,
  NotFoundError,
  RateLimitedError,
  TransportError,
  TimeoutError,
  DecodeError,
  InternalError,
  SignerFailedError,
} = q
export default q
