// The web page's tokens: a key's signed request for the call `WebToken`, with the pool's peer id as destination and a
// short lifetime, CBOR-encoded and base64url'd into a link (`flotilla pool open`). Reusing the signed request format
// (src/protocol/signing.ts) gives signature, destination and expiry checks for free. `WebToken` is no pool call (the
// pool refuses it as E_UNKNOWN_CALL) and a pool call's request is no token (the call name differs), so neither can
// stand in for the other. A token is a bearer credential for its lifetime: it is not replay-guarded, since the page
// uses it for every request; it grants only the actions of the key that signed it.
import type { Ed25519PrivateKey } from '../keys/key-files.js'
import { NodeError } from '../protocol/errors.js'
import { decodeRequest, encodeRequest } from '../protocol/messages.js'
import { signRequest, verifyRequest } from '../protocol/signing.js'

const TOKEN_CALL = 'WebToken'
/** How long a link from `flotilla pool open` works. */
export const WEB_TOKEN_LIFETIME_MS = 15 * 60_000
/** Longest token accepted: a signed request of no arguments is well under 400 characters in base64url. */
const MAX_TOKEN_CHARS = 1024
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** A token for `poolPeerId` signed by `privateKey`, valid for `lifetimeMs` from `now`. */
export function signWebToken(
  privateKey: Ed25519PrivateKey,
  poolPeerId: string,
  lifetimeMs = WEB_TOKEN_LIFETIME_MS,
  now = Date.now(),
): string {
  const request = signRequest(privateKey, {
    call: TOKEN_CALL,
    args: [],
    destination: poolPeerId,
    timestamp: now,
    lifetimeMs,
  })
  return Buffer.from(encodeRequest(request)).toString('base64url')
}

export interface WebIdentity {
  /** the public key text that signed the token */
  key: string
  expiry: number
}

/** The key a token speaks for; E_USAGE (malformed), E_SIGNATURE, E_DESTINATION (another pool) or E_EXPIRED. */
export function verifyWebToken(token: string, poolPeerId: string, now = Date.now()): WebIdentity {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS || !BASE64URL.test(token))
    throw new NodeError('E_USAGE', 'malformed token')
  const request = decodeRequest(new Uint8Array(Buffer.from(token, 'base64url')))
  if (request.call !== TOKEN_CALL || request.args.length !== 0)
    throw new NodeError('E_USAGE', 'not a web page token (make one with flotilla pool open)')
  // a token lives at most its own lifetime plus skew: a longer-lived one is refused as E_EXPIRED
  const signed = verifyRequest(request, { nodePeerId: poolPeerId, now, maxLifetimeMs: WEB_TOKEN_LIFETIME_MS })
  return { key: signed.key, expiry: signed.expiry }
}
