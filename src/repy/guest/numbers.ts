// Python 2 number values: ints are JS numbers when safe integers, else bigints; a long is a PyLong while an int could
// hold it, else a bigint; floats are PyFloat. Tests, conversions and parsing; the operators are in arithmetic.ts.
import { PyComplex, PyFloat, PyLong, isLong, mkLong, normBig, pyErr, typeErr } from './core.js'

/** An int-like value: int, long or bool. */
export type IntLike = number | bigint | boolean | PyLong
export const isInt = (x: unknown): x is IntLike =>
  typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean' || x instanceof PyLong
export const isNum = (x: unknown): boolean => isInt(x) || x instanceof PyFloat

/** int-like to number|bigint (bools become 0/1, a long its value). */
export function intVal(x: IntLike): number | bigint {
  if (typeof x === 'boolean') return x ? 1 : 0
  return x instanceof PyLong ? normBig(x.v) : x
}
export function toBig(x: IntLike): bigint {
  if (typeof x === 'bigint') return x
  if (x instanceof PyLong) return x.v
  return BigInt(typeof x === 'boolean' ? (x ? 1 : 0) : x)
}
/** The result of an int operation on a and b: a long when either is one, as in Python 2. */
export function intResult(a: unknown, b: unknown, r: number | bigint): number | bigint | PyLong {
  return isLong(a) || isLong(b) ? mkLong(r) : r
}
/** Python number -> JS float (OverflowError for huge longs). */
export function toFloat(x: unknown): number {
  if (typeof x === 'number') return x
  if (x instanceof PyFloat) return x.v
  if (typeof x === 'boolean') return x ? 1 : 0
  if (typeof x === 'bigint' || x instanceof PyLong) {
    const f = Number(x instanceof PyLong ? x.v : x)
    if (!Number.isFinite(f)) throw pyErr('OverflowError', 'long int too large to convert to float')
    return f
  }
  if (x instanceof PyComplex) throw typeErr("can't convert complex to float")
  throw typeErr('a float is required')
}

// --- conversions -----------------------------------------------------------------------------------------------
/** Python int(x) for a float: truncates; huge values become bigints. */
export function floatToInt(v: number): number | bigint {
  if (Number.isNaN(v)) throw pyErr('ValueError', 'cannot convert float NaN to integer')
  if (!Number.isFinite(v)) throw pyErr('OverflowError', 'cannot convert float infinity to integer')
  const t = Math.trunc(v) + 0
  return Number.isSafeInteger(t) ? t : BigInt(t)
}

/** Parses a Python int literal string (int('12'), int('ff', 16), int('0x1f', 0)). */
export function parseInt2(s: string, base: number, orig: unknown = s): number | bigint {
  const bad = () => pyErr('ValueError', `invalid literal for int() with base ${base}: ${reprStrLite(orig)}`)
  let t = s.trim()
  let negv = false
  if (t.startsWith('-')) {
    negv = true
    t = t.slice(1)
  } else if (t.startsWith('+')) t = t.slice(1)
  if ((t.endsWith('l') || t.endsWith('L')) && base !== 16 && base <= 21) t = t.slice(0, -1)
  let b = base
  const low = t.toLowerCase()
  if (b === 0) {
    if (low.startsWith('0x')) {
      b = 16
      t = t.slice(2)
    } else if (low.startsWith('0o')) {
      b = 8
      t = t.slice(2)
    } else if (low.startsWith('0b')) {
      b = 2
      t = t.slice(2)
    } else if (low.length > 1 && low.startsWith('0')) {
      b = 8
      t = t.slice(1)
    } else b = 10
  } else if (b === 16 && low.startsWith('0x')) t = t.slice(2)
  else if (b === 8 && low.startsWith('0o')) t = t.slice(2)
  else if (b === 2 && low.startsWith('0b')) t = t.slice(2)
  if (b < 2 || b > 36) throw pyErr('ValueError', 'int() base must be >= 2 and <= 36')
  if (t.length === 0) throw bad()
  let r = 0n
  const bb = BigInt(b)
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i)
    let d: number
    if (c >= 48 && c <= 57) d = c - 48
    else if (c >= 97 && c <= 122) d = c - 87
    else if (c >= 65 && c <= 90) d = c - 55
    else throw bad()
    if (d >= b) throw bad()
    r = r * bb + BigInt(d)
  }
  return normBig(negv ? -r : r)
}
function reprStrLite(x: unknown): string {
  return typeof x === 'string' ? "'" + x.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'" : String(x)
}

/** float('1.5'), float('inf'), float('  -2e3 '). */
export function parseFloat2(s: string): number {
  const t = s.trim().toLowerCase()
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity
  if (/^[+-]?nan$/.test(t)) return NaN
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    throw pyErr('ValueError', `could not convert string to float: ${s}`)
  }
  return Number(t)
}
