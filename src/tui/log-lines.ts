// A followed log as lines: chunks of bytes (from TailVesselLog) appended to a bounded list. Pure.
import type { LogChunk } from '../protocol/results.js'

export interface LogState {
  lines: string[]
  /** The unfinished last line (no newline yet). */
  partial: string
  /** Offset to ask from next. */
  nextOffset: number
  /** Bytes that the node's ring had already dropped when we asked, in all. */
  dropped: number
}

export const emptyLog = (): LogState => ({ lines: [], partial: '', nextOffset: 0, dropped: 0 })

/** Adds a chunk; returns the same object when nothing changed. A chunk that starts before our offset means the
 *  log was reset: start over. */
export function appendLog(state: LogState, chunk: LogChunk, maxLines: number): LogState {
  if (chunk.nextOffset < state.nextOffset || chunk.offset < state.nextOffset) {
    return appendLog(emptyLog(), chunk, maxLines)
  }
  if (chunk.data.length === 0 && chunk.nextOffset === state.nextOffset) return state
  const lines = [...state.lines]
  let dropped = state.dropped
  let partial = state.partial
  if (chunk.offset > state.nextOffset) {
    const gap = chunk.offset - state.nextOffset
    dropped += gap
    if (partial !== '') lines.push(partial)
    partial = ''
    lines.push(`… ${gap} bytes of older log no longer kept by the node …`)
  }
  const text = partial + Buffer.from(chunk.data).toString('utf8')
  const parts = text.split('\n')
  partial = parts.pop() ?? ''
  for (const line of parts) lines.push(line.replace(/\r$/, ''))
  const kept = lines.length > maxLines ? lines.slice(lines.length - maxLines) : lines
  return { lines: kept, partial, nextOffset: chunk.nextOffset, dropped }
}

/** All lines to show, the unfinished one included. */
export function visibleLines(state: LogState): string[] {
  return state.partial === '' ? state.lines : [...state.lines, state.partial]
}

/** Replaces control characters and those that reorder or break text (tabs become spaces), so that a line a program
 *  logged cannot move the cursor or make the console's other lines read differently. (The node's log escapes the
 *  same set instead, src/node/node-log.ts: there the exact text matters more than the width.) */
export function printable(line: string): string {
  return line.replace(/\t/g, '    ').replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?') // eslint-disable-line no-control-regex -- control characters are what it replaces
}
