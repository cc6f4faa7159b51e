// The node log's parts on their own: the flood limiter's counting, an entry's bounds, text that cannot pass for
// another line, the cause chain of an error, and reading a ring whose oldest line lost its beginning.
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FloodLimiter, type Dropped } from '../../src/node/flood-limiter.js'
import { readNodeLog } from '../../src/node/node-log-reader.js'
import {
  entryText,
  errorChain,
  MAX_DETAIL_BYTES,
  MAX_FIELD_BYTES,
  MAX_MESSAGE_BYTES,
  NodeLog,
  type LogEntry,
} from '../../src/node/node-log.js'

const limiters: FloodLimiter[] = []
const dirs: string[] = []
afterEach(() => {
  for (const l of limiters.splice(0)) l.close()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function limiter(limits: Partial<ConstructorParameters<typeof FloodLimiter>[0]> = {}): {
  l: FloodLimiter
  reports: Dropped[][]
} {
  const reports: Dropped[][] = []
  const l = new FloodLimiter({ windowMs: 3_600_000, perKind: 2, total: 5, peers: 2, ...limits }, (d) => reports.push(d))
  limiters.push(l)
  return { l, reports }
}

describe('FloodLimiter', () => {
  it('lets perKind lines of a peer and kind through per window, counts the rest, and starts over after reporting', () => {
    const { l, reports } = limiter()
    expect([1, 2, 3, 4].map(() => l.admit('A', 'E_PERMISSION'))).toEqual([true, true, false, false])
    expect(l.admit('A', 'E_SIGNATURE')).toBe(true)
    expect(reports).toEqual([])
    l.flush()
    expect(reports).toEqual([[{ peer: 'A', lines: 2, kinds: { E_PERMISSION: 2 } }]])
    expect(l.admit('A', 'E_PERMISSION')).toBe(true)
    l.flush()
    expect(reports).toHaveLength(1)
  })

  it('caps all peers together, and counts the peers beyond its table as one', () => {
    const { l, reports } = limiter({ perKind: 10, total: 3 })
    expect(['A', 'A', 'B', 'B'].map((p) => l.admit(p, 'E_USAGE'))).toEqual([true, true, true, false])
    expect(l.admit('C', 'E_USAGE')).toBe(false) // a third peer: beyond `peers`
    expect(l.admit('D', 'E_BUSY')).toBe(false)
    l.close()
    expect(reports).toEqual([
      [
        { peer: null, lines: 2, kinds: { E_USAGE: 1, E_BUSY: 1 } },
        { peer: 'B', lines: 1, kinds: { E_USAGE: 1 } },
      ],
    ])
  })
})

describe('NodeLog', () => {
  const temp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'flotilla-nodelog-'))
    dirs.push(d)
    return d
  }

  it('cuts every field to its bound, keeps levels apart for the file and stderr, and writes stderr without stacks', () => {
    const dir = temp()
    const stderr: string[] = []
    const log = NodeLog.open(join(dir, 'logs', 'node.log'), {
      level: 'info',
      stderr: 'warn',
      writeStderr: (t) => stderr.push(t),
      now: () => 0,
    })
    const huge = 'é'.repeat(100_000)
    log.error(huge, { call: huge, vessels: Array.from({ length: 50 }, () => huge), detail: huge })
    log.info('kept, not on stderr')
    log.debug('neither')
    const [first, second, ...rest] = readNodeLog(join(dir, 'logs', 'node.log'))!
    expect(rest).toEqual([])
    expect(Buffer.byteLength(first!.msg)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES)
    expect(Buffer.byteLength(first!.call as string)).toBeLessThanOrEqual(MAX_FIELD_BYTES)
    expect(first!.vessels).toHaveLength(9)
    expect((first!.vessels as string[])[8]).toBe('… 42 more')
    expect(Buffer.byteLength(first!.detail as string)).toBeLessThanOrEqual(MAX_DETAIL_BYTES)
    expect(statSync(join(dir, 'logs', 'node.log.new')).size).toBeLessThan(
      MAX_MESSAGE_BYTES + MAX_DETAIL_BYTES + 9 * MAX_FIELD_BYTES + 1024,
    )
    expect(second).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'kept, not on stderr' })
    expect(stderr).toHaveLength(1)
    expect(stderr[0]).toMatch(
      /^1970-01-01T00:00:00\.000Z ERROR éé.*\[… cut: 200000 bytes in all\] \(details: flotilla node log\)\n$/,
    )
  })

  it('shows control characters as escapes, so that a line cannot pose as another or move the cursor', () => {
    const entry: LogEntry = { time: 't', level: 'warn', msg: 'a\nt INFO  b\u001b[2J\u202ec', detail: 'x\ny\u0007' }
    expect(entryText(entry)).toBe('t WARN  a\\u000at INFO  b\\u001b[2J\\u202ec\n    x\n    y\\u0007\n')
  })

  it('describes an error with its causes, and stops at a cycle', () => {
    const root = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
    const mid = Object.assign(new Error('database failed', { cause: root }), { code: 'LEVEL_IO_ERROR' })
    const top = new Error('cannot store v1', { cause: mid })
    const text = errorChain(top)
    expect(text).toMatch(/^Error: cannot store v1\n {4}at /)
    expect(text).toMatch(
      /\ncaused by: Error: database failed\n {4}at [\s\S]*\n {2}code: LEVEL_IO_ERROR\ncaused by: Error: EACCES: permission denied\n/,
    )
    expect(text).not.toMatch(/code: EACCES/) // already in its message
    const a = new Error('a') as Error & { cause?: unknown }
    a.cause = new Error('b', { cause: a })
    expect(errorChain(a).match(/caused by/g)).toHaveLength(1)
    expect(errorChain('a string')).toBe("'a string'")
  })

  it('reads back a ring whose oldest line lost its beginning, and a line cut at the end', () => {
    const dir = temp()
    const prefix = join(dir, 'node.log')
    const log = NodeLog.open(prefix, { bytes: 2048 })
    for (let i = 0; i < 40; i++) log.info(`entry ${i}`)
    appendFileSync(`${prefix}.new`, '{"time":"t","level":"info","msg":"half a li')
    const kept = readNodeLog(prefix)!.map((e) => e.msg)
    expect(kept.at(-1)).toBe('entry 39')
    expect(kept).toEqual(kept.map((_, i) => `entry ${40 - kept.length + i}`))
    expect(readNodeLog(join(dir, 'none'))).toBeNull()
  })
})
