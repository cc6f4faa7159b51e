// Running one task on many targets: bounded concurrency, a timeout per target, progress callbacks, and
// the outcomes grouped so that each distinct error is reported once with the targets it hit.
import { getMaxListeners, setMaxListeners } from 'node:events'
import { isErrorCode, type ErrorCode } from '../protocol/errors.js'
import type { FanoutReport, Progress, TargetError } from './types.js'

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: TargetError }

export interface FanoutOptions {
  concurrency: number
  /** per target; 0 or less means no limit */
  timeoutMs: number
  onProgress?: (p: Omit<Progress, 'command'>) => void
  /** once aborted, targets not yet started fail with E_CANCELLED and those in flight stop being waited for */
  signal?: AbortSignal
}

export class CancelledError extends Error {
  readonly code: ErrorCode = 'E_CANCELLED'
  constructor() {
    super('cancelled (Ctrl-C)')
  }
}

/** `promise`, or a CancelledError as soon as `signal` is aborted (a late answer is ignored). */
export function untilCancelled<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise
  if (signal.aborted) return Promise.reject(new CancelledError())
  promise.catch(() => {})
  let onAbort!: () => void
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CancelledError())
    signal.addEventListener('abort', onAbort, { once: true })
  })
  return Promise.race([promise, cancelled]).finally(() => signal.removeEventListener('abort', onAbort))
}

/** Waits `ms`, or until the command is cancelled (then rejects with CancelledError). */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await untilCancelled(
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms)
    }),
    signal,
  ).finally(() => clearTimeout(timer))
}

/** Turns anything thrown by a node call into a stable code and a one-line message. */
export function toTargetError(err: unknown): TargetError {
  if (typeof err === 'object' && err !== null) {
    const e = err as { code?: unknown; message?: unknown; name?: unknown }
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the last resort for an object without a message
    const message = typeof e.message === 'string' && e.message !== '' ? firstLine(e.message) : String(err)
    if (isErrorCode(e.code)) return { code: e.code, message }
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return { code: 'E_UNREACHABLE', message }
    return { code: 'E_CLIENT', message }
  }
  return { code: 'E_CLIENT', message: String(err) }
}

function firstLine(text: string): string {
  const line = text.split('\n')[0]!
  return line.length > 300 ? line.slice(0, 300) + '…' : line
}

export class TimeoutError extends Error {
  readonly code: ErrorCode = 'E_TIMEOUT'
}

/** `promise`, or a TimeoutError after `ms` (a late answer is ignored). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  if (ms <= 0) return promise
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} timed out after ${formatSeconds(ms)}`)), ms)
  })
  promise.catch(() => {})
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`
}

/** A duration for humans: milliseconds below a second. */
export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatSeconds(ms)
}

/** Runs `task` on every item with at most `concurrency` in flight; results in the items' order. */
export async function fanout<I, T>(
  items: readonly I[],
  task: (item: I) => Promise<T>,
  options: FanoutOptions,
): Promise<Outcome<T>[]> {
  const outcomes = new Array<Outcome<T>>(items.length)
  let next = 0
  let done = 0
  let failed = 0
  const report = () => options.onProgress?.({ total: items.length, done, failed })
  report()
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      try {
        if (options.signal?.aborted) throw new CancelledError()
        const value = await untilCancelled(
          withTimeout(
            Promise.resolve().then(() => task(items[i]!)),
            options.timeoutMs,
            'request',
          ),
          options.signal,
        )
        outcomes[i] = { ok: true, value }
      } catch (err) {
        outcomes[i] = { ok: false, error: toTargetError(err) }
        failed++
      }
      done++
      report()
    }
  }
  const width = Math.max(1, Math.min(options.concurrency, items.length))
  // each target in flight listens for the command's cancel: not a leak, so no warning on the user's terminal
  const signal = options.signal
  if (signal !== undefined) setMaxListeners(getMaxListeners(signal) + width, signal)
  try {
    await Promise.all(Array.from({ length: width }, worker))
  } finally {
    if (signal !== undefined) setMaxListeners(getMaxListeners(signal) - width, signal)
  }
  return outcomes
}

/** Groups outcomes (keyed by target name) into a report: good names, and each distinct error with its targets. */
export function groupOutcomes<T>(
  named: ReadonlyArray<{ name: string; outcome: Outcome<T> }>,
  elapsedMs: number,
  toJson: (value: T) => unknown = (v) => v,
): FanoutReport {
  const good: string[] = []
  const errors = new Map<string, TargetError & { targets: string[] }>()
  const results: Record<string, unknown> = {}
  for (const { name, outcome } of named) {
    if (outcome.ok) {
      good.push(name)
      results[name] = toJson(outcome.value)
    } else {
      const key = `${outcome.error.code}\0${outcome.error.message}`
      const entry = errors.get(key) ?? { ...outcome.error, targets: [] }
      entry.targets.push(name)
      errors.set(key, entry)
      results[name] = { error: outcome.error }
    }
  }
  return { good, failed: [...errors.values()], results, elapsedMs, groups: [] }
}

/** The summary lines of a report: a count line, then each distinct error once with the targets it hit. */
export function reportLines(command: string, report: FanoutReport, what = 'vessel'): string[] {
  const failedCount = report.failed.reduce((n, f) => n + f.targets.length, 0)
  const total = report.good.length + failedCount
  const plural = total === 1 ? what : `${what}s`
  const head =
    failedCount === 0
      ? `${command}: ok on ${total} ${plural} (${formatElapsed(report.elapsedMs)})`
      : `${command}: ${report.good.length} ok, ${failedCount} failed of ${total} ${plural} (${formatElapsed(report.elapsedMs)})`
  const lines = [head]
  for (const f of report.failed) lines.push(`  failed on ${listNames(f.targets)}: ${f.message} [${f.code}]`)
  if (report.groups.length > 0) lines.push(`  groups: ${report.groups.join(', ')}`)
  return lines
}

function listNames(names: string[], max = 8): string {
  if (names.length <= max) return names.join(', ')
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`
}
