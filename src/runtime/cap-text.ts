// Bounds on text a guest makes and the host passes on: an exit reason or traceback, and one output message. A guest
// can grow these to the size of its memory quota; past the sandbox they would exceed a worker's heap, the IPC
// channel or a node-manager answer, and harm every vessel of the host.
import type { Outcome } from './api/types.js'

/** The most characters an exit reason (a description, a traceback) keeps. */
export const MAX_REASON_CHARS = 4096
/** The most characters one output message carries; longer output is split into several. */
export const MAX_OUTPUT_CHUNK_CHARS = 64 * 1024

/** The note that ends a text cut to its bound. The guest prelude writes the same note (see prelude.ts). */
export const cutNote = (dropped: number): string => `\n[... cut: ${dropped} more characters]`

/** `text` if it fits in `max` characters, else its start and a note saying how much was cut (max in all). */
export function capText(text: string, max = MAX_REASON_CHARS): string {
  if (text.length <= max) return text
  const keep = pairSafe(text, max - cutNote(text.length).length)
  return text.slice(0, keep) + cutNote(text.length - keep)
}

export function capOutcome(outcome: Outcome): Outcome {
  return outcome.reason.length <= MAX_REASON_CHARS ? outcome : { ...outcome, reason: capText(outcome.reason) }
}

/** `text` in pieces of at most `max` characters, none splitting a surrogate pair. */
export function outputChunks(text: string, max = MAX_OUTPUT_CHUNK_CHARS): string[] {
  if (text.length <= max) return [text]
  const chunks: string[] = []
  for (let i = 0; i < text.length;) {
    const end = i + max >= text.length ? text.length : pairSafe(text, i + max)
    chunks.push(text.slice(i, end))
    i = end
  }
  return chunks
}

/** `end`, or one less when text[end - 1] starts a surrogate pair that text[end] would finish. */
function pairSafe(text: string, end: number): number {
  const c = text.charCodeAt(end - 1)
  return end > 1 && c >= 0xd800 && c <= 0xdbff ? end - 1 : end
}
