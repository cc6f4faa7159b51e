// One log entry per request: who (the signing key's fingerprint, or "anonymous"), from which peer, what call on which
// vessels, and how it went.
//   info   a handled request, ok or not (E_STATE, E_QUOTA… are answers to an allowed caller)
//   debug  the read-only calls clients poll: the public GetVessels, GetVesselResources, GetOffcutResources, and
//          TailVesselLog and GetVesselUsage (the console asks for them every second or so; at info they would fill
//          the log with polling and push out the calls that change something)
//   warn   a refusal: the request did not pass its checks (E_SIGNATURE, E_PERMISSION, E_REPLAY, E_USAGE, E_BUSY…)
//   error  an internal error, with its whole cause chain
// What a stranger can make the node write (refusals, public calls, internal errors: everything but a handled request
// of a key the vessel knows) passes through a FloodLimiter; the lines it drops are counted and summarised.
import { inspect } from 'node:util'
import { keyFingerprint } from '../keys/key-text.js'
import { NodeError } from '../protocol/errors.js'
import { capUtf8 } from './answer-bounds.js'
import { DEFAULT_FLOOD_LIMITS, FloodLimiter, type Dropped, type FloodLimits } from './flood-limiter.js'
import type { Logger, LogLevel } from '../log/logger.js'
import { errorChain } from './node-log.js'
import type { RequestOutcome } from './request-handler.js'

const POLLED_CALLS: ReadonlySet<string> = new Set([
  'GetVessels',
  'GetVesselResources',
  'GetOffcutResources',
  'TailVesselLog',
  'GetVesselUsage',
])
/** Summaries of dropped lines written per window, one per peer; the rest are added up in one more. */
const MAX_SUMMARIES = 10

/** "12D3KooWAbCd…wxyz": enough to tell peers apart in a line of text (the entry keeps the whole id). */
export const shortPeer = (peer: string): string => (peer.length <= 17 ? peer : `${peer.slice(0, 12)}…${peer.slice(-4)}`)

export class RequestLog {
  private readonly limiter: FloodLimiter

  constructor(
    private readonly log: Logger,
    private readonly limits: FloodLimits = DEFAULT_FLOOD_LIMITS,
  ) {
    this.limiter = new FloodLimiter(limits, (dropped) => this.summarise(dropped))
  }

  /** Logs one request: from the pipeline, or refused at the door (E_BUSY, E_TIMEOUT, E_SIZE while being read). */
  record(peer: string, o: RequestOutcome): void {
    const internal = o.error !== undefined && !(o.error instanceof NodeError)
    const code = o.error === undefined ? 'ok' : o.error instanceof NodeError ? o.error.code : 'E_INTERNAL'
    const level: LogLevel = internal
      ? 'error'
      : !o.handled
        ? 'warn'
        : o.call !== null && POLLED_CALLS.has(o.call)
          ? 'debug'
          : 'info'
    if (!this.log.enabled(level)) return
    const known = o.handled && o.key !== null && !internal
    if (!known && !this.limiter.admit(peer, code)) return
    const call = o.call === null ? null : capUtf8(o.call, 64)
    const vessels = o.vessels.slice(0, 2).map((v) => capUtf8(v, 32))
    const caller = o.key === null ? 'anonymous' : keyFingerprint(o.key)
    const message =
      o.error === undefined
        ? null
        : capUtf8(o.error instanceof Error ? o.error.message : inspect(o.error, { breakLength: Infinity }), 300)
    const what = [call ?? 'request', ...vessels].join(' ')
    const result = message === null ? 'ok' : `${code} ${message}`
    this.log.log(
      level,
      `${internal ? 'internal error in ' : ''}${what} by ${caller} from ${shortPeer(peer)}: ${result}`,
      {
        call,
        vessels,
        caller,
        key: o.key,
        peer,
        result: code,
        ...(message === null ? {} : { error: message }),
        ...(internal ? { detail: errorChain(o.error) } : {}),
      },
    )
  }

  /** Stops counting and writes what the current window dropped. */
  close(): void {
    this.limiter.close()
  }

  private summarise(dropped: Dropped[]): void {
    const windowS = Math.round(this.limits.windowMs / 1000)
    const rule = `at most ${this.limits.perKind} of one kind per peer, ${this.limits.total} in all, are written every ${windowS} s`
    const kinds = (counts: Record<string, number>): string =>
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')
    const shown = dropped.filter((d) => d.peer !== null).slice(0, MAX_SUMMARIES)
    for (const d of shown) {
      this.log.warn(
        `dropped ${d.lines} log lines about requests from ${shortPeer(d.peer!)} (${kinds(d.kinds)}): ${rule}`,
        { peer: d.peer, dropped: d.lines, kinds: d.kinds, windowS },
      )
    }
    const rest = dropped.filter((d) => !shown.includes(d))
    if (rest.length === 0) return
    const counts: Record<string, number> = {}
    for (const d of rest) for (const [k, n] of Object.entries(d.kinds)) counts[k] = (counts[k] ?? 0) + n
    const lines = rest.reduce((n, d) => n + d.lines, 0)
    this.log.warn(`dropped ${lines} log lines about requests from other peers (${kinds(counts)}): ${rule}`, {
      peer: null,
      dropped: lines,
      kinds: counts,
      windowS,
    })
  }
}
