// Repy's argument checks (docs/REPY.md, 'Validation rules'): exact argument counts, typed arguments, and the
// shared rules for filenames, IP addresses and ports. Every failure is a RepyArgumentError naming the function and
// the argument.
import { RepyError } from '../errors.js'
import { GuestBytes, NotCopied, type GuestValue } from './types.js'

/** A character a byte string cannot hold. Here rather than in guest-strings.ts, which uses it too: importing that
 *  file loads QuickJS's host library, and the CLI and the front-end registry check arguments without it. */
// eslint-disable-next-line no-control-regex -- the Latin-1 range starts at NUL; this finds what lies beyond it
export const WIDE_CHAR = /[^\x00-\xff]/

const fail = (fn: string, message: string): never => {
  throw new RepyError('RepyArgumentError', `${fn}: ${message}`)
}

const kind = (v: GuestValue): string =>
  v === null ? 'null' : v instanceof NotCopied ? v.kind : Array.isArray(v) ? 'array' : typeof v

export function argCount(fn: string, args: GuestValue[], n: number): void {
  if (args.length !== n) fail(fn, `takes exactly ${n} argument${n === 1 ? '' : 's'} (${args.length} given)`)
}

export function str(fn: string, name: string, v: GuestValue, max = Infinity, min = 0): string {
  if (typeof v !== 'string') return fail(fn, `${name} must be a string, not ${kind(v)}`)
  if (v.length > max) fail(fn, `${name} is longer than ${max} characters`)
  if (v.length < min) fail(fn, `${name} is shorter than ${min} characters`)
  return v
}

export function int(fn: string, name: string, v: GuestValue, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) return fail(fn, `${name} must be an integer, not ${kind(v)}`)
  if (v < min) fail(fn, `${name} must be at least ${min}`)
  return v
}

export function intOrNull(fn: string, name: string, v: GuestValue, min = 0): number | null {
  return v === null || v === undefined ? null : int(fn, name, v, min)
}

/** Repy's Float processor: any number, negative rejected. */
export function seconds(fn: string, name: string, v: GuestValue): number {
  if (typeof v !== 'number' || Number.isNaN(v)) return fail(fn, `${name} must be a number, not ${kind(v)}`)
  if (v < 0) fail(fn, `${name} must not be negative`)
  return v
}

export function bool(fn: string, name: string, v: GuestValue): boolean {
  if (typeof v !== 'boolean') return fail(fn, `${name} must be true or false, not ${kind(v)}`)
  return v
}

/** Data is a byte string: one character per byte. Returns it. */
export function byteString(fn: string, name: string, v: GuestValue): string {
  const s = str(fn, name, v)
  const at = s.search(WIDE_CHAR)
  if (at >= 0) fail(fn, `${name} has a character above \\xff at index ${at}; data is a byte string`)
  return s
}

/** A socket's data: a byte string, or a narrow guest string lent where it is (a byte string by its kind). */
export function byteData(fn: string, name: string, v: GuestValue): string | GuestBytes {
  return v instanceof GuestBytes ? v : byteString(fn, name, v)
}

/** Data is a byte string: one character per byte. Returns the bytes. */
export function data(fn: string, name: string, v: GuestValue): Buffer {
  return Buffer.from(byteString(fn, name, v), 'latin1')
}

export const MAX_FILENAME_LENGTH = 120
const FILENAME_CHARS = /^[a-z0-9._-]+$/

/** Repy's filename rule: a-z 0-9 . _ -, at most 120 characters, not '.', '..' or starting with '.'. */
export function filenameProblem(name: string): string | null {
  if (name.length === 0) return 'a filename must not be empty'
  if (name.length > MAX_FILENAME_LENGTH) return `a filename is at most ${MAX_FILENAME_LENGTH} characters`
  if (!FILENAME_CHARS.test(name)) return 'a filename may only contain a-z, 0-9, ".", "_" and "-"'
  if (name.startsWith('.')) return 'a filename must not start with "."'
  return null
}

export function filename(fn: string, v: GuestValue): string {
  const name = str(fn, 'filename', v)
  const problem = filenameProblem(name)
  if (problem) fail(fn, `'${name.slice(0, 130)}': ${problem}`)
  return name
}

/** Repy's IP rule: a dotted quad, first octet neither 0 nor >= 224, and not 192.168.0.0. Names are not accepted. */
export function isValidIp(ip: string): boolean {
  const parts = ip.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)) return false
  const first = Number(parts[0])
  return first !== 0 && first < 224 && ip !== '192.168.0.0'
}

export function ip(fn: string, name: string, v: GuestValue): string {
  const s = str(fn, name, v)
  if (!isValidIp(s)) fail(fn, `${name} '${s.slice(0, 64)}' is not a valid IP address`)
  return s
}

export function port(fn: string, name: string, v: GuestValue): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) return fail(fn, `${name} must be an integer, not ${kind(v)}`)
  if (v < 1 || v > 65535) fail(fn, `${name} ${v} is not a port (1-65535)`)
  return v
}

export const isLoopback = (address: string): boolean => address.startsWith('127.')
