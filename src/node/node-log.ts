// The node manager's own log: requests (who called what on which vessel, and how it went), vessel lifecycle events,
// discovery, the node's own troubles. Each entry is one JSON line in a bounded ring, <data>/logs/node.log.old/.new
// (ring-log.ts, as the vessel logs), and at the chosen level also a line of text on stderr:
//   2025-06-01T12:00:00.123Z INFO  StartVessel v1 by AbCdEfGhIj from 12D3KooWAbCd…wxyz: ok
// JSON in the file so that no text a peer sends (a call name, an error message with a newline) can forge an entry;
// every field is cut to a size here, so one entry is a few KiB at most whatever its caller hands in.
//   const log = NodeLog.open(nodeLogPrefix(paths), { bytes, level: 'info', stderr: 'info' })
//   log.info('stopping')   log.error('could not record the exit of v1', { vessel: 'v1', detail: errorChain(err) })
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { inspect } from 'node:util'
import { DEFAULT_LOG_BYTES, RingLog } from '../runtime/ring-log.js'
import { capUtf8 } from './answer-bounds.js'
import { atLeast, BaseLogger, DEFAULT_LOG_LEVEL, type LogFields, type LogLevel, type LogValue } from '../log/logger.js'

/** One entry as stored: time (ISO), level, message, then fields of the kind that wrote it. */
export interface LogEntry {
  time: string
  level: LogLevel
  msg: string
  [field: string]: LogValue
}

export const MAX_MESSAGE_BYTES = 1024
/** The `detail` field: a stack with its causes. */
export const MAX_DETAIL_BYTES = 8192
export const MAX_FIELD_BYTES = 256
const MAX_LIST_ITEMS = 8
const MAX_FIELDS = 16

export interface NodeLogOptions {
  /** the ring's size in bytes (default 1 MiB) */
  bytes?: number
  /** entries at this level or more severe are kept (default info) */
  level?: LogLevel
  /** entries at this level or more severe also go to stderr as text (default 'off') */
  stderr?: LogLevel | 'off'
  /** where stderr lines go (default process.stderr) */
  writeStderr?(text: string): void
  /** receives every entry kept (tests) */
  sink?(entry: LogEntry): void
  /** the clock (tests); default Date.now */
  now?(): number
}

export class NodeLog extends BaseLogger {
  private readonly ring: RingLog | null
  private readonly level: LogLevel
  private readonly stderr: LogLevel | 'off'
  private fileFailed = false
  private stderrGone = false
  private readonly onStderrError = (): void => {
    this.stderrGone = true
  }

  private constructor(
    prefix: string | null,
    private readonly options: NodeLogOptions,
  ) {
    super()
    this.ring = prefix === null ? null : new RingLog(prefix, options.bytes ?? DEFAULT_LOG_BYTES)
    this.level = options.level ?? DEFAULT_LOG_LEVEL
    this.stderr = options.stderr ?? 'off'
    // stderr closed under a running node (its terminal or the pipe's reader went away: EPIPE) must not end it
    if (this.stderr !== 'off' && options.writeStderr === undefined) process.stderr.on('error', this.onStderrError)
  }

  /** A log kept in the ring `prefix`.old/.new (its folder is made if missing). */
  static open(prefix: string, options: NodeLogOptions = {}): NodeLog {
    mkdirSync(dirname(prefix), { recursive: true })
    return new NodeLog(prefix, options)
  }

  /** A log with no file: stderr and the sink only. */
  static memory(options: NodeLogOptions = {}): NodeLog {
    return new NodeLog(null, options)
  }

  enabled(level: LogLevel): boolean {
    return atLeast(level, this.level) || atLeast(level, this.stderr)
  }

  log(level: LogLevel, msg: string, fields: LogFields = {}): void {
    this.write(level, msg, fields, atLeast(level, this.stderr))
  }

  /** An entry for the file only: what the caller also tells the user its own way (a failed start). */
  fileOnly(level: LogLevel, msg: string, fields: LogFields = {}): void {
    this.write(level, msg, fields, false)
  }

  private write(level: LogLevel, msg: string, fields: LogFields, toStderr: boolean): void {
    const toFile = atLeast(level, this.level)
    if (!toFile && !toStderr) return
    const entry = boundEntry(new Date(this.options.now?.() ?? Date.now()).toISOString(), level, msg, fields)
    if (toFile) {
      this.writeFile(JSON.stringify(entry) + '\n')
      this.options.sink?.(entry)
    }
    if (toStderr && !this.stderrGone) (this.options.writeStderr ?? writeStderr)(entryText(entry, false))
  }

  /** Stops watching stderr and closes the file; entries may still be written (the file opens again). */
  close(): void {
    process.stderr.off('error', this.onStderrError)
    this.ring?.close()
  }

  private writeFile(line: string): void {
    if (this.ring === null) return
    try {
      this.ring.write(line)
      this.fileFailed = false
    } catch (err) {
      // a full disk must not stop the node; say so once per run of failures, where the operator may see it
      if (!this.fileFailed)
        writeStderr(`flotilla node: cannot write the node log ${this.ring.newPath}: ${(err as Error).message}\n`)
      this.fileFailed = true
    }
  }
}

const writeStderr = (text: string): void => {
  process.stderr.write(text)
}

/** The entry with every field cut to its bound (a few KiB in all). */
function boundEntry(time: string, level: LogLevel, msg: string, fields: LogFields): LogEntry {
  const entry: LogEntry = { time, level, msg: capUtf8(msg, MAX_MESSAGE_BYTES) }
  for (const [name, value] of Object.entries(fields).slice(0, MAX_FIELDS)) {
    if (name === 'time' || name === 'level' || name === 'msg') continue
    entry[name] = name === 'detail' && typeof value === 'string' ? capUtf8(value, MAX_DETAIL_BYTES) : boundValue(value)
  }
  return entry
}

function boundValue(value: LogValue): LogValue {
  if (typeof value === 'string') return capUtf8(value, MAX_FIELD_BYTES)
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LIST_ITEMS).map((v) => capUtf8(String(v), MAX_FIELD_BYTES))
    return value.length > MAX_LIST_ITEMS ? [...items, `… ${value.length - MAX_LIST_ITEMS} more`] : items
  }
  if (value !== null && typeof value === 'object') {
    const counts = Object.entries(value as Record<string, number>).slice(0, MAX_FIELDS)
    return Object.fromEntries(counts.map(([k, n]) => [capUtf8(k, 64), Number(n)]))
  }
  return value
}

/** Control characters, and those that reorder text on a terminal, as \u escapes: what a peer sent cannot move the
 *  cursor, clear the screen or make one line look like two. */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- finding control characters is what this does
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** An entry as text: `<time> <LEVEL> <message>`, and its detail (a stack) on indented lines below; without the
 *  detail (stderr: no stack traces in a terminal), a pointer to it. */
export function entryText(entry: LogEntry, withDetail = true): string {
  const head = `${entry.time} ${entry.level.toUpperCase().padEnd(5)} ${printable(entry.msg)}`
  if (typeof entry.detail !== 'string' || entry.detail === '') return `${head}\n`
  if (!withDetail) return `${head} (details: flotilla node log)\n`
  return `${head}\n${entry.detail
    .split('\n')
    .map((line) => `    ${printable(line)}\n`)
    .join('')}`
}

/** Everything about an error for the log: its stack, then each `cause` in turn (and an AggregateError's errors). */
export function errorChain(err: unknown, maxDepth = 8): string {
  const parts: string[] = []
  const seen = new Set<unknown>()
  let current: unknown = err
  for (let depth = 0; depth < maxDepth && current !== undefined && !seen.has(current); depth++) {
    seen.add(current)
    parts.push((depth === 0 ? '' : 'caused by: ') + describeError(current))
    if (current instanceof AggregateError) {
      for (const [i, inner] of current.errors.slice(0, 4).entries())
        parts.push(`error ${i + 1} of ${current.errors.length}: ${describeError(inner)}`)
    }
    current = current instanceof Error ? current.cause : undefined
  }
  if (current !== undefined && !seen.has(current)) parts.push('caused by: … (more causes)')
  return capUtf8(parts.join('\n'), MAX_DETAIL_BYTES)
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return inspect(err, { depth: 2, breakLength: Infinity })
  const text = err.stack ?? `${err.name}: ${err.message}`
  const code = (err as { code?: unknown }).code
  const codeText = typeof code === 'string' || typeof code === 'number' ? String(code) : undefined
  // an errno error's code is in its message; others (LevelDB's, libp2p's) keep it only as a property
  return codeText !== undefined && !text.includes(codeText) ? `${text}\n  code: ${codeText}` : text
}
