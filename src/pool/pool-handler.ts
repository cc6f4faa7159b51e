// The pool's request pipeline, the node's (src/node/request-handler.ts) for the pool's calls: decode and shape →
// call (E_UNKNOWN_CALL) → signature, destination and time window (signed calls) → arguments (POOL_CALLS) → replay
// guard → the call. Every refusal is a stable E_* code before anything changes; anything unexpected is E_INTERNAL.
import { NodeError } from '../protocol/errors.js'
import { MAX_MESSAGE_BYTES, decodeRequest, errorResponse, type Response } from '../protocol/messages.js'
import type { ReplayGuard } from '../protocol/replay-guard.js'
import { verifyRequest } from '../protocol/signing.js'
import { poolCallSignature, validatePoolCall, type ValidPoolCall } from './pool-calls.js'

/** Runs a checked call; `signer` is the verified key of a signed call (null for public calls). */
export type PoolDispatch = (call: ValidPoolCall, signer: string | null, peer: string) => Promise<unknown>

export interface PoolPipeline {
  peerId: string
  guard: ReplayGuard
  dispatch: PoolDispatch
  onInternalError?(err: unknown, call: string): void
}

/** Handles one encoded pool request; never throws. */
export async function handlePoolRequest(
  bytes: Uint8Array,
  peer: string,
  pipeline: PoolPipeline,
): Promise<Response<unknown>> {
  let call = '?'
  try {
    if (bytes.length > MAX_MESSAGE_BYTES)
      throw new NodeError('E_SIZE', `request is ${bytes.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`)
    const request = decodeRequest(bytes)
    call = request.call
    const signature = poolCallSignature(request.call)
    const now = Date.now()
    const signed = signature.tier === 'public' ? null : verifyRequest(request, { nodePeerId: pipeline.peerId, now })
    const valid = validatePoolCall(request.call, request.args)
    if (signed !== null)
      await pipeline.guard.check({ key: signed.key, nonce: signed.nonce, expiry: signed.expiry }, now)
    return { ok: true, value: await pipeline.dispatch(valid, signed?.key ?? null, peer) }
  } catch (err) {
    if (!(err instanceof NodeError)) pipeline.onInternalError?.(err, call)
    return errorResponse(err)
  }
}
