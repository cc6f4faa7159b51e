// The arithmetic, shift and bitwise operators with Python 2 semantics, on the values of numbers.ts. `%` on a string
// formats (format.ts); `-`, `&`, `|` and `^` on sets are set algebra (containers.ts).
import {
  PyFloat,
  PyComplex,
  PyLong,
  beyondInt,
  isLong,
  mkLong,
  normBig,
  pyErr,
  typeErr,
  isList,
  isTuple,
  tuple,
  PySet,
} from './core.js'
import { isInt, isNum, intVal, intResult, toBig, toFloat } from './numbers.js'
import { typeName } from './classes.js'
import { percent } from './format.js'
import { setOps } from './containers.js'
import { asComplex, cabs, cadd, cdiv, cfloordiv, cmod, cmul, cpow, csub } from './complex.js'

function binErr(op: string, a: unknown, b: unknown): never {
  throw typeErr(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`)
}

// --- int kernels (a, b: number|bigint) ---------------------------------------------------------------------
function iadd(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b
    if (Number.isSafeInteger(r)) return r
  }
  return normBig(toBig(a) + toBig(b))
}
function isub(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b
    if (Number.isSafeInteger(r)) return r
  }
  return normBig(toBig(a) - toBig(b))
}
function imul(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b + 0
    if (Number.isSafeInteger(r)) return r
  }
  return normBig(toBig(a) * toBig(b))
}
function zeroDiv(): never {
  throw pyErr('ZeroDivisionError', 'integer division or modulo by zero')
}
function ifloordiv(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) zeroDiv()
    return Math.floor(a / b) + 0
  }
  const x = toBig(a),
    y = toBig(b)
  if (y === 0n) zeroDiv()
  let q = x / y
  if (x % y !== 0n && x < 0n !== y < 0n) q -= 1n
  return normBig(q)
}
function imod(a: number | bigint, b: number | bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    if (b === 0) zeroDiv()
    let r = a % b
    if (r !== 0 && r < 0 !== b < 0) r += b
    return r + 0
  }
  const x = toBig(a),
    y = toBig(b)
  if (y === 0n) zeroDiv()
  let r = x % y
  if (r !== 0n && r < 0n !== y < 0n) r += y
  return normBig(r)
}
function ipow(a: number | bigint, b: number | bigint): unknown {
  if (b < 0) {
    const fa = toFloat(a)
    if (fa === 0) throw pyErr('ZeroDivisionError', '0.0 cannot be raised to a negative power')
    return new PyFloat(Math.pow(fa, toFloat(b)))
  }
  if (typeof a === 'number' && typeof b === 'number') {
    let result = 1,
      base = a,
      e = b,
      ok = true
    while (e > 0) {
      if (e & 1) {
        result *= base
        if (!Number.isSafeInteger(result)) {
          ok = false
          break
        }
      }
      e = Math.floor(e / 2)
      if (e > 0) {
        base *= base
        if (!Number.isSafeInteger(base)) {
          ok = false
          break
        }
      }
    }
    if (ok) return result + 0
  }
  const bb = toBig(b)
  if (bb > 100000000n && a !== 0 && a !== 1 && a !== -1) throw pyErr('MemoryError', '')
  return normBig(toBig(a) ** bb)
}

// --- float kernels --------------------------------------------------------------------------------------------
function fmodPy(x: number, y: number): number {
  if (y === 0) throw pyErr('ZeroDivisionError', 'float modulo')
  let mod = x % y
  if (mod) {
    if (y < 0 !== mod < 0) mod += y
  } else mod = y < 0 ? -0 : 0
  return mod
}
function ffloordiv(x: number, y: number): number {
  if (y === 0) throw pyErr('ZeroDivisionError', 'float divmod()')
  const mod = x % y
  let div = (x - mod) / y
  if (mod) {
    if (y < 0 !== mod < 0) div -= 1
  }
  let fd: number
  if (div) {
    fd = Math.floor(div)
    if (div - fd > 0.5) fd += 1
  } else fd = x / y < 0 ? -0 : 0
  return fd
}
function fpow(x: number, y: number): number {
  if (x === 0 && y < 0) throw pyErr('ZeroDivisionError', '0.0 cannot be raised to a negative power')
  if (x < 0 && !Number.isInteger(y) && Number.isFinite(y)) throw valueErrNeg()
  if (x === 1 || y === 0) return 1
  const r = Math.pow(x, y)
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y))
    throw pyErr('OverflowError', "(34, 'Numerical result out of range')")
  return r
}
function valueErrNeg() {
  return pyErr('ValueError', 'negative number cannot be raised to a fractional power')
}

// --- generic dispatch -------------------------------------------------------------------------------------------
type IntK = (a: number | bigint, b: number | bigint) => unknown
type FltK = (a: number, b: number) => number
type CpxK = (a: PyComplex, b: PyComplex) => PyComplex

function numOp(op: string, a: unknown, b: unknown, ik: IntK, fk: FltK, ck: CpxK): unknown {
  if (isInt(a)) {
    if (isInt(b)) {
      const r = ik(intVal(a), intVal(b))
      return typeof r === 'number' || typeof r === 'bigint' ? intResult(a, b, r) : r
    }
    if (b instanceof PyFloat) return new PyFloat(fk(toFloat(a), b.v))
  } else if (a instanceof PyFloat) {
    if (b instanceof PyFloat) return new PyFloat(fk(a.v, b.v))
    if (isInt(b)) return new PyFloat(fk(a.v, toFloat(b)))
  }
  if (a instanceof PyComplex || b instanceof PyComplex) {
    const x = asComplex(a),
      y = asComplex(b)
    if (x !== null && y !== null) return ck(x, y)
  }
  return binErr(op, a, b)
}

function seqRepeat(s: unknown, n: unknown): unknown {
  if (!isInt(n)) {
    throw typeErr(`can't multiply sequence by non-int of type '${typeName(n)}'`)
  }
  let k = Number(intVal(n))
  if (k < 0) k = 0
  if (typeof s === 'string') {
    if (s.length * k > 0x3fffffff) throw pyErr('MemoryError', '')
    return s.repeat(k)
  }
  const a = s as unknown[]
  if (a.length * k > 0x3ffffff) throw pyErr('MemoryError', '')
  const out: unknown[] = []
  for (let i = 0; i < k; i++) for (let j = 0; j < a.length; j++) out.push(a[j])
  return isTuple(s) ? tuple(out) : out
}

/** a + b for a bigint (so |a| > 2**53 - 1) and an int in the safe range. */
export function bigAddNum(a: bigint, b: number): number | bigint | PyLong {
  const r = a + BigInt(b)
  // with the same signs the sum is still beyond the safe range: no normalization needed
  if (b >= 0 ? a > 0 : a < 0) return r
  // a long stays a long as it shrinks
  if (beyondInt(a)) return mkLong(r)
  return r > 9007199254740991 || r < -9007199254740991 ? r : Number(r)
}

export function add(a: unknown, b: unknown): unknown {
  // compiled code adds two safe ints inline: longs come first here
  if (typeof a === 'bigint') {
    if (typeof b === 'number') {
      // the sum keeps its sign, so stays beyond the safe range
      if (b >= 0 ? a > 0n : a < 0n) return a + BigInt(b)
      return bigAddNum(a, b)
    }
  } else if (typeof a === 'number') {
    if (typeof b === 'number') {
      const r = a + b
      if (r <= 9007199254740991 && r >= -9007199254740991) return r
      return BigInt(a) + BigInt(b)
    }
    if (typeof b === 'bigint') return bigAddNum(b, a)
  } else if (a instanceof PyFloat) {
    if (b instanceof PyFloat) return new PyFloat(a.v + b.v)
    if (typeof b === 'number') return new PyFloat(a.v + b)
  }
  if (typeof a === 'string') {
    if (typeof b === 'string') return a + b
    throw typeErr(`cannot concatenate 'str' and '${typeName(b)}' objects`)
  }
  if (Array.isArray(a)) {
    if (isList(a)) {
      if (isList(b)) return a.concat(b)
      throw typeErr(`can only concatenate list (not "${typeName(b)}") to list`)
    }
    if (isTuple(b)) return tuple(a.concat(b))
    throw typeErr(`can only concatenate tuple (not "${typeName(b)}") to tuple`)
  }
  return numOp('+', a, b, iadd, (x, y) => x + y, cadd)
}
export function sub(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b
    if (r <= 9007199254740991 && r >= -9007199254740991) return r
    return BigInt(a) - BigInt(b)
  }
  // a float minus a float or an int: a program's time differences
  if (a instanceof PyFloat) {
    if (b instanceof PyFloat) return new PyFloat(a.v - b.v)
    if (typeof b === 'number') return new PyFloat(a.v - b)
  }
  if (a instanceof PySet && b instanceof PySet) return setOps.difference(a, b)
  return numOp('-', a, b, isub, (x, y) => x - y, csub)
}
export function mul(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b + 0
    if (r <= 9007199254740991 && r >= -9007199254740991) return r
    return normBig(BigInt(a) * BigInt(b))
  }
  if (a instanceof PyFloat) {
    if (b instanceof PyFloat) return new PyFloat(a.v * b.v)
    if (typeof b === 'number') return new PyFloat(a.v * b)
  }
  if (typeof a === 'string' || Array.isArray(a)) return seqRepeat(a, b)
  if (typeof b === 'string' || Array.isArray(b)) return seqRepeat(b, a)
  return numOp('*', a, b, imul, (x, y) => x * y, cmul)
}
export function div(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0) return Math.floor(a / b) + 0
  // a float divided by a float or an int: rates and averages
  if (a instanceof PyFloat) {
    const y = b instanceof PyFloat ? b.v : typeof b === 'number' ? b : NaN
    if (y !== 0 && !Number.isNaN(y)) return new PyFloat(a.v / y)
  }
  return numOp(
    '/',
    a,
    b,
    ifloordiv,
    (x, y) => {
      if (y === 0) throw pyErr('ZeroDivisionError', 'float division by zero')
      return x / y
    },
    cdiv,
  )
}
export function floordiv(a: unknown, b: unknown): unknown {
  return numOp('//', a, b, ifloordiv, ffloordiv, cfloordiv)
}
export function mod(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0) {
    let r = a % b
    if (r !== 0 && r < 0 !== b < 0) r += b
    return r + 0
  }
  if (typeof a === 'string') return percent(a, b)
  return numOp('%', a, b, imod, fmodPy, cmod)
}
export function pow(a: unknown, b: unknown): unknown {
  return numOp('** or pow()', a, b, ipow, fpow, cpow)
}
export function divmod(a: unknown, b: unknown): unknown {
  return tuple([floordiv(a, b), mod(a, b)])
}
export function powMod(a: unknown, b: unknown, m: unknown): unknown {
  if (a instanceof PyComplex || b instanceof PyComplex || m instanceof PyComplex) {
    throw pyErr('ValueError', 'complex modulo')
  }
  if (!isInt(a) || !isInt(b) || !isInt(m)) {
    throw typeErr('pow() 3rd argument not allowed unless all arguments are integers')
  }
  let base = toBig(a),
    e = toBig(b)
  const long = isLong(a) || isLong(b) || isLong(m)
  const md = toBig(m)
  if (e < 0n) throw typeErr('pow() 2nd argument cannot be negative when 3rd argument specified')
  if (md === 0n) throw pyErr('ValueError', 'pow() 3rd argument cannot be 0')
  let result = 1n
  base %= md
  while (e > 0n) {
    if (e & 1n) result = (result * base) % md
    e >>= 1n
    base = (base * base) % md
  }
  if (result !== 0n && result < 0n !== md < 0n) result += md
  return long ? mkLong(result) : normBig(result)
}

function intArgs(op: string, a: unknown, b: unknown): [number | bigint, number | bigint] {
  if (!isInt(a) || !isInt(b)) binErr(op, a, b)
  return [intVal(a), intVal(b)]
}
export function lshift(a: unknown, b: unknown): unknown {
  // two small ints (hashes, checksums and packing shift and mask 32-bit words): no argument checks, no bigint
  if (typeof a === 'number' && typeof b === 'number' && b >= 0 && b < 31 && (a | 0) === a) {
    const s = a * (1 << b)
    if (s <= 9007199254740991 && s >= -9007199254740991) return s
  }
  return intResult(a, b, lshiftInt(a, b))
}
function lshiftInt(a: unknown, b: unknown): number | bigint {
  const [x, y] = intArgs('<<', a, b)
  if (y < 0) throw pyErr('ValueError', 'negative shift count')
  if (typeof x === 'number' && typeof y === 'number' && y < 53) {
    const r = x * Math.pow(2, y)
    if (Number.isSafeInteger(r)) return r + 0
  }
  if (x === 0) return 0
  if (toBig(y) > 100000000n) throw pyErr('OverflowError', 'outrageous left shift count')
  return normBig(toBig(x) << toBig(y))
}
export function rshift(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && b >= 0 && (a | 0) === a) return b < 32 ? a >> b : a < 0 ? -1 : 0
  return intResult(a, b, rshiftInt(a, b))
}
function rshiftInt(a: unknown, b: unknown): number | bigint {
  const [x, y] = intArgs('>>', a, b)
  if (y < 0) throw pyErr('ValueError', 'negative shift count')
  if (typeof x === 'number' && typeof y === 'number') {
    if (y >= 64) return x < 0 ? -1 : 0
    return Math.floor(x / Math.pow(2, y)) + 0
  }
  if (toBig(y) > 100000000n) return x < 0 ? -1 : 0
  return normBig(toBig(x) >> toBig(y))
}
function bitop(
  op: string,
  a: unknown,
  b: unknown,
  f: (x: bigint, y: bigint) => bigint,
  g: (x: number, y: number) => number,
  s: 'union' | 'intersection' | 'symmetric_difference',
): unknown {
  if (typeof a === 'boolean' && typeof b === 'boolean') return g(a ? 1 : 0, b ? 1 : 0) !== 0
  if (a instanceof PySet && b instanceof PySet) return setOps[s](a, b)
  const [x, y] = intArgs(op, a, b)
  if (typeof x === 'number' && typeof y === 'number' && (x | 0) === x && (y | 0) === y) {
    // a long is the only int-like object
    return typeof a === 'object' || typeof b === 'object' ? mkLong(g(x, y)) : g(x, y)
  }
  return intResult(a, b, normBig(f(toBig(x), toBig(y))))
}
// each operator's first case: two ints of 32 bits, whose JavaScript result is Python's
export function bitand(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && (a | 0) === a && (b | 0) === b) return a & b
  return bitop('&', a, b, bigAnd, numAnd, 'intersection')
}
export function bitor(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && (a | 0) === a && (b | 0) === b) return a | b
  return bitop('|', a, b, bigOr, numOr, 'union')
}
export function bitxor(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && (a | 0) === a && (b | 0) === b) return a ^ b
  return bitop('^', a, b, bigXor, numXor, 'symmetric_difference')
}
const bigAnd = (x: bigint, y: bigint) => x & y
const numAnd = (x: number, y: number) => x & y
const bigOr = (x: bigint, y: bigint) => x | y
const numOr = (x: number, y: number) => x | y
const bigXor = (x: bigint, y: bigint) => x ^ y
const numXor = (x: number, y: number) => x ^ y

export function neg(a: unknown): unknown {
  if (typeof a === 'number') return 0 - a
  if (typeof a === 'boolean') return a ? -1 : 0
  if (typeof a === 'bigint') return beyondInt(a) ? mkLong(-a) : normBig(-a)
  if (a instanceof PyFloat) return new PyFloat(-a.v)
  if (a instanceof PyLong) return mkLong(-a.v)
  if (a instanceof PyComplex) return new PyComplex(-a.re, -a.im)
  throw typeErr(`bad operand type for unary -: '${typeName(a)}'`)
}
export function pos(a: unknown): unknown {
  if (typeof a === 'boolean') return a ? 1 : 0
  if (isNum(a) || a instanceof PyComplex) return a
  throw typeErr(`bad operand type for unary +: '${typeName(a)}'`)
}
export function invert(a: unknown): unknown {
  if (typeof a === 'number') return isub(0 - a, 1)
  if (isInt(a)) return intResult(a, a, normBig(-toBig(a) - 1n))
  throw typeErr(`bad operand type for unary ~: '${typeName(a)}'`)
}
export function abs(a: unknown): unknown {
  if (typeof a === 'number') return Math.abs(a)
  if (typeof a === 'boolean') return a ? 1 : 0
  if (typeof a === 'bigint') return a >= 0n ? a : beyondInt(a) ? mkLong(-a) : normBig(-a)
  if (a instanceof PyFloat) return new PyFloat(Math.abs(a.v))
  if (a instanceof PyLong) return a.v >= 0n ? a : new PyLong(-a.v)
  if (a instanceof PyComplex) return cabs(a)
  throw typeErr(`bad operand type for abs(): '${typeName(a)}'`)
}
