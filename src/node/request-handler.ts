// The request pipeline: size → decode → call and tier → (non-public) signature, destination, time window →
// arguments → permission → replay guard → handler → response. Every failure is a stable code and a clear message;
// anything unexpected is E_INTERNAL and the node keeps serving. Refusals happen before any effect.
// The replay guard comes last so that only requests a vessel's owner or user signed can make the node remember
// a nonce: strangers and malformed requests cost the guard nothing.
// Each request's outcome (call, vessels, verified key, whether it got past the checks, error) goes to onOutcome once,
// for the node's log (request-log.ts).
import { NodeError } from '../protocol/errors.js'
import {
  MAX_MESSAGE_BYTES,
  decodeRequest,
  errorResponse,
  isSigned,
  type Request,
  type Response,
  type SignedRequest,
} from '../protocol/messages.js'
import type { ReplayGuard } from '../protocol/replay-guard.js'
import { verifyRequest } from '../protocol/signing.js'
import { callSignature, isCallName, validateCall, type ValidCall } from '../protocol/validate.js'
import { HANDLERS, type CallInfo, type HandlerContext } from './handlers/index.js'

export interface PipelineOptions {
  guard: ReplayGuard
  /** the node's clock (tests); default Date.now */
  now?: () => number
  /** called with unexpected errors (they are answered as E_INTERNAL) */
  onInternalError?(err: unknown, call: string): void
  /** called once per request with what it was and how it went (the node's log) */
  onOutcome?(outcome: RequestOutcome): void
}

/** What a request was and how it went, for the node's log. Its fields are as the peer sent them (unchecked, unless
 *  `handled`). */
export interface RequestOutcome {
  /** null when the request could not be decoded */
  call: string | null
  /** what the arguments in the call's vessel places hold, if they are strings */
  vessels: string[]
  /** the signing key, once its signature has checked out; null for unsigned requests and bad signatures */
  key: string | null
  /** it passed every check (signature, destination, time, arguments, permission, replay) and reached its handler */
  handled: boolean
  /** why it failed; undefined when it succeeded */
  error?: unknown
}

/** Handles one encoded request; never throws. */
export async function handleRequest(
  bytes: Uint8Array,
  ctx: HandlerContext,
  options: PipelineOptions,
): Promise<Response<unknown>> {
  const outcome: RequestOutcome = { call: null, vessels: [], key: null, handled: false }
  let request: Request | undefined
  let response: Response<unknown>
  try {
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new NodeError('E_SIZE', `request is ${bytes.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`)
    }
    request = decodeRequest(bytes)
    outcome.call = request.call
    outcome.vessels = namedVessels(request)
    const signature = callSignature(request.call)
    let info: CallInfo = { signer: null }
    let signed: SignedRequest | undefined
    const now = options.now?.() ?? Date.now()
    if (signature.tier !== 'public') {
      signed = verifyRequest(request, { nodePeerId: ctx.peerId, now })
      outcome.key = signed.key
      info = { signer: signed.key }
    }
    const valid = validateCall(request.call, request.args)
    if (signed !== undefined && signature.tier !== 'public') {
      const role = await checkPermission(ctx, valid, signature.tier, signed.key)
      await options.guard.check(
        { key: signed.key, nonce: signed.nonce, expiry: signed.expiry, owner: role === 'owner' },
        now,
      )
    }
    outcome.handled = true
    response = { ok: true, value: await dispatch(ctx, valid, info) }
  } catch (err) {
    // verifyRequest checks the destination and the time window only once the signature has checked out
    if (
      err instanceof NodeError &&
      (err.code === 'E_DESTINATION' || err.code === 'E_EXPIRED') &&
      request !== undefined &&
      isSigned(request)
    ) {
      outcome.key = request.key
    }
    if (!(err instanceof NodeError)) options.onInternalError?.(err, outcome.call ?? '?')
    outcome.error = err
    response = errorResponse(err)
  }
  try {
    options.onOutcome?.(outcome)
  } catch {
    // the log's trouble is not the requester's
  }
  return response
}

/** The strings in a known call's vessel places, as sent (for the log: checked only if the request gets handled). */
function namedVessels(request: Request): string[] {
  if (!isCallName(request.call)) return []
  const specs = callSignature(request.call).args
  return specs.flatMap((spec, i) => {
    const value = request.args[i]
    return spec.kind === 'vessel' && typeof value === 'string' ? [value] : []
  })
}

function dispatch(ctx: HandlerContext, valid: ValidCall, info: CallInfo): Promise<unknown> {
  const handler = HANDLERS[valid.call] as (c: HandlerContext, a: unknown, i: CallInfo) => Promise<unknown>
  return handler(ctx, valid.args, info)
}

/** The vessels a call names (its arguments of kind 'vessel'). */
function vesselArgs(valid: ValidCall): string[] {
  const specs = callSignature(valid.call).args
  return specs.flatMap((spec, i) => (spec.kind === 'vessel' ? [valid.args[i] as string] : []))
}

/**
 * Owner calls need the vessel's owner key; user calls the owner key or one of its user keys.
 * Answers 'owner' when the signer owns every vessel the call names.
 */
async function checkPermission(
  ctx: HandlerContext,
  valid: ValidCall,
  tier: 'user' | 'owner',
  signer: string,
): Promise<'owner' | 'user'> {
  const names = vesselArgs(valid)
  if (names.length === 0) throw new NodeError('E_PERMISSION', `${valid.call} names no vessel to check the key against`)
  let role: 'owner' | 'user' = 'owner'
  for (const name of names) {
    const v = ctx.state.vesselKeys(name)
    if (signer === v.ownerKey) continue
    if (tier === 'user' && v.userKeys.includes(signer)) {
      role = 'user'
      continue
    }
    throw new NodeError(
      'E_PERMISSION',
      tier === 'owner'
        ? `${valid.call} needs the owner key of ${name}; the request was signed by another key`
        : `${valid.call} needs the owner key or a user key of ${name}; the request was signed by another key`,
    )
  }
  return role
}
