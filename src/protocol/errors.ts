// Stable error codes of the node-manager protocol and the pool protocol. Every failure answers with one of these and a message; the
// experimenter's side (client, shell) reports its own failures with the last ones too.

export const ERROR_CODES = {
  E_USAGE: 'malformed request or bad argument',
  E_SIGNATURE: 'missing or bad signature, or unusable key',
  E_REPLAY: 'this request (key and nonce) was already seen',
  E_EXPIRED: 'request expired, dated too far in the future, or valid for too long',
  E_DESTINATION: 'request was signed for another node',
  E_PERMISSION: 'the signing key may not do this',
  E_NO_VESSEL: 'no such vessel',
  E_STATE: 'the vessel is not in a state that allows this',
  E_QUOTA: 'not enough resources',
  E_SIZE: 'message or file too large',
  E_NOT_FOUND: 'no such file',
  E_UNKNOWN_CALL: 'no such call',
  E_BUSY: 'the node cannot take this request now (limits of live requests); retry later',
  E_TIMEOUT: 'the operation did not finish in time',
  E_UNREACHABLE: 'the node could not be reached (dial failed or the connection was lost)',
  E_INTERNAL: 'internal error of the node',
  // Answered by a pool (src/pool/).
  E_ALLOWANCE: "more vessels than the key's allowance in the pool",
  E_NO_FREE: 'the pool has not enough free vessels',
  E_NOT_DONATED: 'the node has no vessel owned by the pool, or lied about its vessels',
  // Made on the experimenter's side only: no node answers these.
  E_CLIENT: 'the client failed on its own side (not an answer of the node)',
  E_CANCELLED: 'cancelled by the user (Ctrl-C) before the node answered',
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}

/** A failure to report to the requester. Anything else thrown by a handler is reported as E_INTERNAL. A NodeError
 *  made from another error keeps it as its `cause` (the node's log shows it; the requester gets the message only). */
export class NodeError extends Error {
  override name = 'NodeError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
