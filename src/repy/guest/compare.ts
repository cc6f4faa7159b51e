// Truth values and comparisons with Python 2 rules (mixed types ordered: None < numbers < others by type name).
import { PyFloat, PyComplex, PyLong, PyDict, PySet, XRange, BoundMethod, isTuple, objId, typeErr } from './core.js'
import { complexEq, noOrdering } from './complex.js'
import { isInt, intVal, toBig } from './numbers.js'
import { typeOf, typeName } from './classes.js'

export function truth(a: unknown): boolean {
  if (a === true) return true
  if (a === false || a === null || a === undefined) return false
  switch (typeof a) {
    case 'number':
      return a !== 0
    case 'string':
      return a.length > 0
    case 'bigint':
      return a !== 0n
    case 'object':
      if (a instanceof PyFloat) return a.v !== 0
      if (a instanceof PyLong) return a.v !== 0n
      if (a instanceof PyComplex) return a.re !== 0 || a.im !== 0
      if (Array.isArray(a)) return a.length > 0
      if (a instanceof PyDict) return a.m.size > 0
      if (a instanceof PySet) return a.m.size > 0
      if (a instanceof XRange) return a.len > 0
      return true
  }
  return true
}

/** Compares two Python numbers: -1, 0, 1, or NaN when unordered (float nan). */
function numCmp(a: unknown, b: unknown): number {
  if (a instanceof PyFloat || b instanceof PyFloat) {
    const x = a instanceof PyFloat ? a.v : a
    const y = b instanceof PyFloat ? b.v : b
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN
    // float vs int/bool/bigint: compare exactly
    const f = (typeof x === 'number' ? x : y) as number
    const i = typeof x === 'number' ? intVal(y as number) : intVal(x as number)
    const sgn = typeof x === 'number' ? 1 : -1
    if (Number.isNaN(f)) return NaN
    if (f === Infinity) return sgn
    if (f === -Infinity) return -sgn
    const fi = Math.floor(f)
    const bi = toBig(i)
    const bf = BigInt(fi)
    let r: number
    if (bf < bi) r = -1
    else if (bf > bi) r = 1
    else r = f > fi ? 1 : 0
    return r * sgn
  }
  const x = intVal(a as number),
    y = intVal(b as number)
  return x < y ? -1 : x > y ? 1 : 0
}

const isNumber = (x: unknown): boolean => isInt(x) || x instanceof PyFloat || x instanceof PyComplex

export function eq(a: unknown, b: unknown): boolean {
  if (a === b) return !(a instanceof PyFloat && Number.isNaN(a.v))
  const ta = typeof a
  if (ta === 'string' || typeof b === 'string') return false
  if (a instanceof PyComplex || b instanceof PyComplex) return complexEq(a, b)
  if (isNumber(a)) return isNumber(b) && numCmp(a, b) === 0
  if (a === null || b === null || a === undefined || b === undefined) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || isTuple(a) !== isTuple(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !eq(a[i], b[i])) return false
    return true
  }
  if (a instanceof PyDict) {
    if (!(b instanceof PyDict) || a.m.size !== b.m.size) return false
    for (const [h, v] of a.m) {
      if (!b.m.has(h)) return false
      const w = b.m.get(h)
      if (v !== w && !eq(v, w)) return false
    }
    return true
  }
  if (a instanceof PySet) {
    if (!(b instanceof PySet) || a.m.size !== b.m.size) return false
    for (const h of a.m.keys()) if (!b.m.has(h)) return false
    return true
  }
  if (a instanceof BoundMethod) return b instanceof BoundMethod && a.fn === b.fn && a.self === b.self
  if (a instanceof XRange) return false
  return false
}
export const ne = (a: unknown, b: unknown): boolean => !eq(a, b)

function typeOrder(a: unknown, b: unknown): number {
  // None is smallest; numbers before everything else; then by type name; then by identity.
  if (a === null) return b === null ? 0 : -1
  if (b === null) return 1
  const na = isNumber(a),
    nb = isNumber(b)
  if (na && !nb) return -1
  if (nb && !na) return 1
  const sa = typeName(a),
    sb = typeName(b)
  if (sa !== sb) return sa < sb ? -1 : 1
  const ta = typeOf(a),
    tb = typeOf(b)
  if (ta !== tb) return objId(ta) < objId(tb) ? -1 : 1
  if (a === b) return 0
  return objId(a as object) < objId(b as object) ? -1 : 1
}

/** cmp(a, b): -1, 0 or 1. (A nan compares as 0 against anything, as in CPython's cmp fallback order.) */
export function cmp3(a: unknown, b: unknown): number {
  if (a === b) return 0
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (isNumber(a) && isNumber(b)) {
    if (a instanceof PyComplex || b instanceof PyComplex) {
      if (complexEq(a, b)) return 0
      throw noOrdering()
    }
    const r = numCmp(a, b)
    return Number.isNaN(r) ? 0 : r
  }
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) {
      if (a[i] === b[i] || eq(a[i], b[i])) continue
      return cmp3(a[i], b[i])
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
  }
  if (a instanceof PyDict && b instanceof PyDict && a.cls === b.cls) {
    if (a.m.size !== b.m.size) return a.m.size < b.m.size ? -1 : 1
    if (eq(a, b)) return 0
    return objId(a) < objId(b) ? -1 : 1
  }
  if (a instanceof PySet && b instanceof PySet) {
    throw typeErr('cannot compare sets using cmp()')
  }
  return typeOrder(a, b)
}

function setCmp(a: PySet, b: PySet, op: string): boolean {
  const sub = (x: PySet, y: PySet) => {
    for (const h of x.m.keys()) if (!y.m.has(h)) return false
    return true
  }
  switch (op) {
    case '<':
      return a.m.size < b.m.size && sub(a, b)
    case '<=':
      return sub(a, b)
    case '>':
      return a.m.size > b.m.size && sub(b, a)
    default:
      return sub(b, a)
  }
}

function rich(a: unknown, b: unknown, op: string): boolean {
  if (a instanceof PySet && b instanceof PySet) return setCmp(a, b, op)
  if ((a instanceof PyComplex || b instanceof PyComplex) && isNumber(a) && isNumber(b)) throw noOrdering()
  if ((a instanceof PyFloat || b instanceof PyFloat) && isNumber(a) && isNumber(b)) {
    const r = numCmp(a, b)
    if (Number.isNaN(r)) return false
    return op === '<' ? r < 0 : op === '<=' ? r <= 0 : op === '>' ? r > 0 : r >= 0
  }
  const r = cmp3(a, b)
  return op === '<' ? r < 0 : op === '<=' ? r <= 0 : op === '>' ? r > 0 : r >= 0
}

export function lt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b
  if (typeof a === 'string' && typeof b === 'string') return a < b
  return rich(a, b, '<')
}
export function le(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a <= b
  if (typeof a === 'string' && typeof b === 'string') return a <= b
  return rich(a, b, '<=')
}
export function gt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b
  if (typeof a === 'string' && typeof b === 'string') return a > b
  return rich(a, b, '>')
}
export function ge(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a >= b
  if (typeof a === 'string' && typeof b === 'string') return a >= b
  return rich(a, b, '>=')
}
