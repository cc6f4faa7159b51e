// Python 2.7's complex numbers: the operators' kernels (as CPython's complexobject.c computes them), complex(...)
// with its string syntax, and the attributes. Formatting is in format.ts, comparisons in compare.ts.
import { PyComplex, PyFloat, isLong, mkLong, pyErr, typeErr } from './core.js'
import { isInt, toBig, toFloat, type IntLike } from './numbers.js'

/** An int, long, bool, float or complex as a complex; null for anything else. */
export function asComplex(x: unknown): PyComplex | null {
  if (x instanceof PyComplex) return x
  if (x instanceof PyFloat) return new PyComplex(x.v, 0)
  if (isInt(x)) return new PyComplex(toFloat(x), 0)
  return null
}

export const cadd = (a: PyComplex, b: PyComplex): PyComplex => new PyComplex(a.re + b.re, a.im + b.im)
export const csub = (a: PyComplex, b: PyComplex): PyComplex => new PyComplex(a.re - b.re, a.im - b.im)
export const cmul = (a: PyComplex, b: PyComplex): PyComplex =>
  new PyComplex(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re)

/** a / b by Smith's method (CPython's _Py_c_quot); null where CPython sets EDOM (b is 0). */
function quot(a: PyComplex, b: PyComplex): PyComplex | null {
  const absRe = Math.abs(b.re),
    absIm = Math.abs(b.im)
  if (absRe >= absIm) {
    if (absRe === 0) return null
    const ratio = b.im / b.re
    const denom = b.re + b.im * ratio
    return new PyComplex((a.re + a.im * ratio) / denom, (a.im - a.re * ratio) / denom)
  }
  if (absIm >= absRe) {
    const ratio = b.re / b.im
    const denom = b.re * ratio + b.im
    return new PyComplex((a.re * ratio + a.im) / denom, (a.im * ratio - a.re) / denom)
  }
  return new PyComplex(NaN, NaN)
}

export function cdiv(a: PyComplex, b: PyComplex): PyComplex {
  const q = quot(a, b)
  if (q === null) throw pyErr('ZeroDivisionError', 'complex division by zero')
  return q
}
function divmodParts(a: PyComplex, b: PyComplex, what: string): [PyComplex, PyComplex] {
  const q = quot(a, b)
  if (q === null) throw pyErr('ZeroDivisionError', what)
  const d = new PyComplex(Math.floor(q.re), 0)
  return [d, csub(a, cmul(b, d))]
}
export const cfloordiv = (a: PyComplex, b: PyComplex): PyComplex => divmodParts(a, b, 'complex divmod()')[0]
export const cmod = (a: PyComplex, b: PyComplex): PyComplex => divmodParts(a, b, 'complex remainder')[1]

const ONE = new PyComplex(1, 0)
function powGeneral(a: PyComplex, b: PyComplex): PyComplex | null {
  if (b.re === 0 && b.im === 0) return ONE
  if (a.re === 0 && a.im === 0) return b.im !== 0 || b.re < 0 ? null : new PyComplex(0, 0)
  const vabs = Math.hypot(a.re, a.im)
  let len = Math.pow(vabs, b.re)
  const at = Math.atan2(a.im, a.re)
  let phase = at * b.re
  if (b.im !== 0) {
    len /= Math.exp(at * b.im)
    phase += b.im * Math.log(vabs)
  }
  return new PyComplex(len * Math.cos(phase), len * Math.sin(phase))
}
function powUnsigned(x: PyComplex, n: number): PyComplex {
  let r = ONE,
    p = x
  for (let m = n; m > 0; m = Math.floor(m / 2)) {
    if (m % 2 === 1) r = cmul(r, p)
    p = cmul(p, p)
  }
  return r
}
/** a ** b as CPython's complex_pow: exact repeated products for small integer exponents. */
export function cpow(a: PyComplex, b: PyComplex): PyComplex {
  let p: PyComplex | null
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 100) {
    p = b.re >= 0 ? powUnsigned(a, b.re) : quot(ONE, powUnsigned(a, -b.re))
  } else p = powGeneral(a, b)
  if (p === null) throw pyErr('ZeroDivisionError', '0.0 to a negative or complex power')
  if (Math.abs(p.re) === Infinity || Math.abs(p.im) === Infinity) {
    throw pyErr('OverflowError', 'complex exponentiation')
  }
  return p
}

export function cabs(a: PyComplex): PyFloat {
  const r = Math.hypot(a.re, a.im)
  if (r === Infinity && Number.isFinite(a.re) && Number.isFinite(a.im)) {
    throw pyErr('OverflowError', 'absolute value too large')
  }
  return new PyFloat(r)
}

/** a == b when either is complex (false for a non-number). */
export function complexEq(a: unknown, b: unknown): boolean {
  const x = asComplex(a),
    y = asComplex(b)
  if (x === null || y === null) return false
  // an int compares exactly with the real part: 2**53 + 1 != complex(2**53, 0)
  if (isInt(a) || isInt(b)) {
    const c = x === a ? x : y
    const i = x === a ? b : a
    if (c.im !== 0 || !Number.isFinite(c.re) || !Number.isInteger(c.re)) return false
    return BigInt(c.re) === toBig(i as IntLike)
  }
  return x.re === y.re && x.im === y.im
}

export const noOrdering = () => typeErr('no ordering relation is defined for complex numbers')

// --- complex(...) -------------------------------------------------------------------------------------------------
const SPACE = /^[ \t\n\v\f\r]*/
const FLOAT_PREFIX = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)/i

function parseDouble(s: string): number {
  const t = s.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity')
  return /nan$/i.test(t) ? NaN : Number(t)
}

/** complex('1+2j'), complex(' (3-j) '), complex('1e3'): CPython 2.7's grammar. */
export function parseComplex(s: string): PyComplex {
  const bad = () => pyErr('ValueError', 'complex() arg is a malformed string')
  let p = SPACE.exec(s)![0].length
  let bracket = false
  if (s[p] === '(') {
    bracket = true
    p++
    p += SPACE.exec(s.slice(p))![0].length
  }
  let re = 0,
    im = 0
  const first = FLOAT_PREFIX.exec(s.slice(p))
  const isJ = (c: string | undefined) => c === 'j' || c === 'J'
  if (first !== null) {
    const z = parseDouble(first[0])
    p += first[0].length
    if (s[p] === '+' || s[p] === '-') {
      re = z
      const second = FLOAT_PREFIX.exec(s.slice(p))
      if (second !== null) {
        im = parseDouble(second[0])
        p += second[0].length
      } else {
        im = s[p] === '+' ? 1 : -1
        p++
      }
      if (!isJ(s[p])) throw bad()
      p++
    } else if (isJ(s[p])) {
      im = z
      p++
    } else re = z
  } else {
    if (s[p] === '+' || s[p] === '-') {
      im = s[p] === '+' ? 1 : -1
      p++
    } else im = 1
    if (!isJ(s[p])) throw bad()
    p++
  }
  p += SPACE.exec(s.slice(p))![0].length
  if (bracket) {
    if (s[p] !== ')') throw bad()
    p++
    p += SPACE.exec(s.slice(p))![0].length
  }
  if (p !== s.length) throw bad()
  return new PyComplex(re, im)
}

/** The complex type's constructor: complex([real[, imag]]), also by keyword. */
export function complexCtor(args: unknown[], kw: Map<string, unknown> | null): unknown {
  if (args.length > 2) throw typeErr(`complex() takes at most 2 arguments (${args.length} given)`)
  let r: unknown = args.length > 0 ? args[0] : undefined
  let i: unknown = args.length > 1 ? args[1] : undefined
  if (kw !== null) {
    for (const [k, v] of kw) {
      const pos = k === 'real' ? 0 : k === 'imag' ? 1 : -1
      if (pos < 0) throw typeErr(`'${k}' is an invalid keyword argument for this function`)
      if (args.length > pos) throw typeErr(`Argument given by name ('${k}') and position (${pos + 1})`)
      if (pos === 0) r = v
      else i = v
    }
  }
  if (r === undefined) r = 0
  if (r instanceof PyComplex && i === undefined) return r
  if (typeof r === 'string') {
    if (i !== undefined) throw typeErr("complex() can't take second arg if first is a string")
    return parseComplex(r)
  }
  if (typeof i === 'string') throw typeErr("complex() second arg can't be a string")
  const cr = asComplex(r),
    ci = i === undefined ? new PyComplex(0, 0) : asComplex(i)
  if (cr === null || ci === null) throw typeErr('complex() argument must be a string or a number')
  let re = cr.re,
    im = ci.re
  if (i instanceof PyComplex) re -= ci.im
  if (r instanceof PyComplex) im += cr.im
  return new PyComplex(re, im)
}

/** x.real and x.imag of an int, float or complex; undefined for other values or names. */
export function numberPart(x: unknown, name: string): unknown {
  if (x instanceof PyComplex) return new PyFloat(name === 'real' ? x.re : x.im)
  if (x instanceof PyFloat) return name === 'real' ? x : new PyFloat(0)
  if (isInt(x)) return name === 'real' ? (typeof x === 'boolean' ? (x ? 1 : 0) : x) : isLong(x) ? mkLong(0) : 0
  return undefined
}
