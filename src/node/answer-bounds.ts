// Bounds on what a node manager stores and answers about its vessels, so that GetVessels (public), node status and
// node top fit in one message (MAX_MESSAGE_BYTES) whatever users put in their vessels or their programs do:
//  - an exit reason is cut to MAX_REASON_BYTES where it is recorded, and again when the store loads a record (a store
//    written by an older node may hold longer ones);
//  - a summary shows at most MAX_SUMMARY_ARGS_BYTES of a program's arguments (the record keeps them all, for restarts);
//  - a summary lists at most MAX_SUMMARY_ADVERTISED keys' announce results, each error cut to MAX_ANNOUNCE_ERROR_BYTES.
// The other per-vessel fields are bounded when they come in (validate.ts): owner information 256 characters, 256 user
// keys, file names of 120 characters. test/node/answer-bounds.test.ts checks the whole answer's worst case.
import type { AdvertisedKey } from '../protocol/results.js'

export const MAX_REASON_BYTES = 4096
export const MAX_SUMMARY_ARGS_BYTES = 4096
export const MAX_SUMMARY_ADVERTISED = 10_000
export const MAX_ANNOUNCE_ERROR_BYTES = 200
/** What a stored owner information may take (validate.ts allows 256 characters; 3 bytes each at most). */
export const MAX_OWNER_INFO_BYTES = 768

const utf8 = new TextEncoder()
const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8')

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
function utf8Prefix(text: string, maxBytes: number): string {
  const { read } = utf8.encodeInto(text.slice(0, maxBytes), new Uint8Array(Math.max(0, maxBytes)))
  return text.slice(0, read)
}

/** `text` if it fits in `maxBytes` of UTF-8; else its beginning and a note saying it was cut, within `maxBytes`.
 *  (runtime/cap-text.ts bounds a guest's text in characters where it is made; an answer's limit is in bytes.) */
export function capUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes) return text
  const bytes = byteLength(text)
  if (bytes <= maxBytes) return text
  const note = ` [… cut: ${bytes} bytes in all]`
  return utf8Prefix(text, maxBytes - byteLength(note)) + note
}

export const capReason = (reason: string): string => capUtf8(reason, MAX_REASON_BYTES)

/** The arguments as a summary shows them: all of them if they fit in MAX_SUMMARY_ARGS_BYTES, else the first ones
 *  that do and a last entry saying how many were left out. */
export function summaryArgs(args: readonly string[]): string[] {
  const total = args.reduce((n, a) => n + byteLength(a), 0)
  if (total <= MAX_SUMMARY_ARGS_BYTES) return [...args]
  const shown: string[] = []
  let left = MAX_SUMMARY_ARGS_BYTES - 100
  for (const arg of args) {
    const bytes = byteLength(arg)
    if (bytes > left) break
    shown.push(arg)
    left -= bytes
  }
  shown.push(`[… ${args.length - shown.length} more arguments not shown: ${total} bytes of arguments in all]`)
  return shown
}

/** Announce results as a summary shows them. */
export function summaryAdvertising(keys: readonly AdvertisedKey[]): {
  advertising: AdvertisedKey[]
  advertisingLeftOut?: number
} {
  const advertising = keys
    .slice(0, MAX_SUMMARY_ADVERTISED)
    .map((k) => (k.error === null ? k : { ...k, error: capUtf8(k.error, MAX_ANNOUNCE_ERROR_BYTES) }))
  return keys.length > MAX_SUMMARY_ADVERTISED
    ? { advertising, advertisingLeftOut: keys.length - MAX_SUMMARY_ADVERTISED }
    : { advertising }
}
