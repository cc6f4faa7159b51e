// str() / repr() of every value, float formatting and the `%` operator on strings.
import {
  PyFloat,
  PyComplex,
  PyLong,
  PyDict,
  PySet,
  PyType,
  PyInstance,
  BoundMethod,
  PySlice,
  XRange,
  PyIter,
  isTuple,
  objId,
  pyErr,
  typeErr,
  beyondInt,
  isLong,
  type AnyFn,
} from './core.js'
import { isInt, intVal, floatToInt, toFloat } from './numbers.js'
import { lookup, typeName, typeOf } from './classes.js'
import { REPY_EXCEPTION_PARENTS } from '../../runtime/errors.js'
import { callSync } from './calls.js'

// --- floats ------------------------------------------------------------------------------------------------------
function expParts(s: string): [string, number] {
  // "d.ddde+X" -> ["dddd", X]
  const i = s.indexOf('e')
  return [s.slice(0, i).replace('.', ''), Number(s.slice(i + 1))]
}
function expSuffix(x: number): string {
  const a = Math.abs(x)
  return (x < 0 ? 'e-' : 'e+') + (a < 10 ? '0' + a : String(a))
}
function special(v: number): string | null {
  if (Number.isNaN(v)) return 'nan'
  if (v === Infinity) return 'inf'
  if (v === -Infinity) return '-inf'
  return null
}

/** repr(float): shortest round-trip, Python 2.7 style ('0.1', '1e+16', '1e-07', '1.0'; '1' without `dot`). */
export function floatRepr(v: number, dot = true): string {
  const sp = special(v)
  if (sp !== null) return sp
  if (v === 0) return (Object.is(v, -0) ? '-0' : '0') + (dot ? '.0' : '')
  const sign = v < 0 ? '-' : ''
  const [digits, exp] = expParts(Math.abs(v).toExponential())
  if (exp >= -4 && exp < 16) return sign + fixedFromDigits(digits, exp, dot)
  return sign + digits[0] + (digits.length > 1 ? '.' + digits.slice(1) : '') + expSuffix(exp)
}
function fixedFromDigits(digits: string, exp: number, forceDot: boolean): string {
  if (exp >= 0) {
    const ip = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
    const fp = digits.slice(exp + 1)
    return fp.length > 0 ? ip + '.' + fp : forceDot ? ip + '.0' : ip
  }
  return '0.' + '0'.repeat(-exp - 1) + digits
}

/** repr(complex) (`short`: the shortest round-trip parts) or str(complex) (12 significant digits), as CPython 2.7's
 *  complex_format: '2j' when the real part is +0, else '(1+2j)', '(-0-1j)'. */
export function complexText(c: PyComplex, short: boolean): string {
  const part = (v: number) => (short ? floatRepr(v, false) : formatG(v, 12))
  if (c.re === 0 && !Object.is(c.re, -0)) return part(c.im) + 'j'
  const im = part(c.im)
  return '(' + part(c.re) + (im[0] === '-' ? '' : '+') + im + 'j)'
}

/** '%.<prec>g' (alt: '#' flag keeps trailing zeros). */
export function formatG(v: number, prec: number, alt = false, upper = false): string {
  const sp = special(v)
  if (sp !== null) return upper ? sp.toUpperCase() : sp
  if (prec === 0) prec = 1
  const sign = v < 0 || Object.is(v, -0) ? '-' : ''
  const a = Math.abs(v)
  const [digits, exp0] = a === 0 ? ['0'.repeat(prec), 0] : expParts(expEven(a, Math.min(prec - 1, 100)))
  let out: string
  if (exp0 >= -4 && exp0 < prec) {
    // fixed with prec-1-exp decimals
    const decs = prec - 1 - exp0
    let ip: string, fp: string
    if (exp0 >= 0) {
      ip = digits.slice(0, exp0 + 1)
      fp = digits.slice(exp0 + 1)
    } else {
      ip = '0'
      fp = '0'.repeat(-exp0 - 1) + digits
    }
    fp = fp.slice(0, decs).padEnd(decs, '0')
    if (!alt) fp = fp.replace(/0+$/, '')
    out = ip + (fp.length > 0 || alt ? '.' + fp : '')
  } else {
    let fp = digits.slice(1)
    if (!alt) fp = fp.replace(/0+$/, '')
    out = digits[0] + (fp.length > 0 || alt ? '.' + fp : '') + expSuffix(exp0)
  }
  if (upper) out = out.toUpperCase()
  return sign + out
}
export function formatE(v: number, prec: number, alt = false, upper = false): string {
  const sp = special(v)
  if (sp !== null) return upper ? sp.toUpperCase() : sp
  const sign = v < 0 || Object.is(v, -0) ? '-' : ''
  const s = expEven(Math.abs(v), Math.min(prec, 100))
  const i = s.indexOf('e')
  let m = s.slice(0, i)
  if (alt && m.indexOf('.') < 0) m += '.'
  const out = m + expSuffix(Number(s.slice(i + 1)))
  return sign + (upper ? out.toUpperCase() : out)
}
export function formatF(v: number, prec: number, alt = false, upper = false): string {
  const sp = special(v)
  if (sp !== null) return upper ? sp.toUpperCase() : sp
  const sign = v < 0 || Object.is(v, -0) ? '-' : ''
  const a = Math.abs(v)
  let s: string
  if (a < 1e21) s = fixedEven(a, Math.min(prec, 100))
  else s = BigInt(a).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '')
  if (alt && s.indexOf('.') < 0) s += '.'
  return sign + s
}

/** str(float): '%.12g', plus '.0' when it looks like an integer. As CPython 2.7 (format_float_short with the '.0'
 *  flag) it takes the exponent form one digit sooner than '%.12g' does: an integer part of 12 digits is written
 *  d.ddddddddddde+11 (str(1e11) is '1e+11'). */
export function floatStr(v: number): string {
  const s = formatG(v, 12)
  const twelve = /^(-?\d)(\d{11})$/.exec(s)
  if (twelve !== null) {
    const fraction = twelve[2]!.replace(/0+$/, '')
    return twelve[1]! + (fraction === '' ? '' : '.' + fraction) + 'e+11'
  }
  if (/^-?\d+$/.test(s)) return s + '.0'
  return s
}

// --- repr / str ---------------------------------------------------------------------------------------------------

export function reprStr(s: string): string {
  const q = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'"
  let out = q
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const ch = s[i]
    if (ch === q || ch === '\\') out += '\\' + ch
    else if (c === 10) out += '\\n'
    else if (c === 13) out += '\\r'
    else if (c === 9) out += '\\t'
    else if (c < 32 || c >= 127) out += '\\x' + (c < 16 ? '0' : '') + c.toString(16)
    else out += ch
  }
  return out + q
}

export function addr(o: object): string {
  return '0x' + (0x7f0000000000 + objId(o) * 32).toString(16)
}

const active = new Set<unknown>()

function reprSeq(x: unknown[], open: string, close: string, oneComma: boolean): string {
  if (active.has(x)) return open + '...' + close
  active.add(x)
  try {
    let s = open
    for (let i = 0; i < x.length; i++) s += (i > 0 ? ', ' : '') + repr(x[i])
    if (oneComma && x.length === 1) s += ','
    return s + close
  } finally {
    active.delete(x)
  }
}

function typeRepr(t: PyType): string {
  if (t.user) return t.classic ? `<class ${t.module}.${t.name} at ${addr(t)}>` : `<class '${t.module}.${t.name}'>`
  if (t.isExc)
    return t.name in REPY_EXCEPTION_PARENTS
      ? `<class 'exception_hierarchy.${t.name}'>`
      : `<type 'exceptions.${t.name}'>`
  return `<type '${t.name}'>`
}

function userHook(x: PyInstance | PyDict, name: string): string | null {
  const cls = x instanceof PyInstance ? x.cls : x.cls
  if (cls === null) return null
  const f = lookup(cls, name)
  if (f === undefined) return null
  if (typeof f === 'function' && (f as AnyFn).$nat !== undefined && !(f as AnyFn).$nat!.method) return null
  const r = callSync(f, [x])
  if (typeof r !== 'string') throw typeErr(`${name} returned non-string (type ${typeName(r)})`)
  return r
}

function excStr(x: PyInstance): string {
  const args = x.attrs.get('args')
  if (isTuple(args)) {
    if (args.length === 0) return ''
    if (args.length === 1) return x.cls.name === 'KeyError' || isKeyErrorSub(x.cls) ? repr(args[0]) : str(args[0])
    if (args.length === 2 && isEnvErr(x.cls)) return `[Errno ${str(args[0])}] ${str(args[1])}`
    return repr(args)
  }
  return str(args)
}
function isKeyErrorSub(c: PyType): boolean {
  return c.mro.some((t) => t.name === 'KeyError' && !t.user)
}
function isEnvErr(c: PyType): boolean {
  return c.mro.some((t) => t.name === 'EnvironmentError' && !t.user)
}

export function repr(x: unknown): string {
  switch (typeof x) {
    case 'string':
      return reprStr(x)
    case 'number':
      return String(x)
    case 'boolean':
      return x ? 'True' : 'False'
    case 'bigint':
      return String(x) + (beyondInt(x) ? 'L' : '')
    case 'function': {
      const f = x as AnyFn
      if (f.$nat !== undefined) return `<built-in function ${f.$nat.name}>`
      if (f.$py !== undefined) return `<function ${f.$py.name} at ${addr(f)}>`
      return `<function ${f.name || '?'} at ${addr(f)}>`
    }
    case 'undefined':
      return 'None'
  }
  if (x === null) return 'None'
  if (x instanceof PyFloat) return floatRepr(x.v)
  if (x instanceof PyLong) return String(x.v) + 'L'
  if (x instanceof PyComplex) return complexText(x, true)
  if (Array.isArray(x)) return isTuple(x) ? reprSeq(x, '(', ')', true) : reprSeq(x, '[', ']', false)
  if (x instanceof PyDict) {
    if (x.cls !== null) {
      const h = userHook(x, '__repr__')
      if (h !== null) return h
    }
    if (active.has(x)) return '{...}'
    active.add(x)
    try {
      const parts: string[] = []
      for (const [h, v] of x.m) parts.push(repr(x.origKey(h)) + ': ' + repr(v))
      return '{' + parts.join(', ') + '}'
    } finally {
      active.delete(x)
    }
  }
  if (x instanceof PySet) {
    const name = x.frozen ? 'frozenset' : 'set'
    if (active.has(x)) return name + '(...)'
    active.add(x)
    try {
      return name + '(' + reprSeq(x.values(), '[', ']', false) + ')'
    } finally {
      active.delete(x)
    }
  }
  if (x instanceof PyInstance) {
    const h = userHook(x, '__repr__')
    if (h !== null) return h
    if (x.cls.isExc) {
      const args = x.attrs.get('args')
      return x.cls.name + (isTuple(args) ? repr(args) : '()')
    }
    if (x.cls.classic) return `<${x.cls.module}.${x.cls.name} instance at ${addr(x)}>`
    return `<${x.cls.module}.${x.cls.name} object at ${addr(x)}>`
  }
  if (x instanceof PyType) return typeRepr(x)
  if (x instanceof BoundMethod) {
    const f = x.fn as AnyFn
    const cname = typeName(x.self)
    if (f.$nat !== undefined) return `<built-in method ${f.$nat.name} of ${cname} object at ${addr(x.self as object)}>`
    return `<bound method ${cname}.${f.$py?.name ?? '?'} of ${repr(x.self)}>`
  }
  if (x instanceof XRange) {
    const stop = x.start + x.len * x.step
    if (x.start === 0 && x.step === 1) return `xrange(${stop})`
    if (x.step === 1) return `xrange(${x.start}, ${stop})`
    return `xrange(${x.start}, ${stop}, ${x.step})`
  }
  if (x instanceof PySlice) return `slice(${repr(x.start)}, ${repr(x.stop)}, ${repr(x.step)})`
  if (x instanceof PyIter) return `<${typeOf(x).name} object at ${addr(x)}>`
  return `<${typeName(x)} object at ${addr(x as object)}>`
}

export function str(x: unknown): string {
  if (typeof x === 'string') return x
  if (typeof x === 'number') return String(x)
  if (typeof x === 'bigint') return String(x)
  if (x instanceof PyFloat) return floatStr(x.v)
  if (x instanceof PyLong) return String(x.v)
  if (x instanceof PyComplex) return complexText(x, false)
  if (x instanceof PyInstance) {
    const h = userHook(x, '__str__')
    if (h !== null) return h
    if (x.cls.isExc) return excStr(x)
    return repr(x)
  }
  if (x instanceof PyDict && x.cls !== null) {
    const h = userHook(x, '__str__')
    if (h !== null) return h
  }
  return repr(x)
}

// --- % formatting ----------------------------------------------------------------------------------------------
function intForFormat(c: string, x: unknown): number | bigint {
  if (isInt(x)) return intVal(x)
  if (x instanceof PyFloat) return floatToInt(x.v)
  throw typeErr(`%${c} format: a number is required, not ${typeName(x)}`)
}
function floatForFormat(x: unknown): number {
  if (isInt(x) || x instanceof PyFloat) return toFloat(x)
  throw typeErr('float argument required, not ' + typeName(x))
}

function pad(body: string, sign: string, prefix: string, width: number, left: boolean, zero: boolean): string {
  const len = sign.length + prefix.length + body.length
  if (len >= width) return sign + prefix + body
  if (left) return sign + prefix + body + ' '.repeat(width - len)
  if (zero) return sign + prefix + '0'.repeat(width - len) + body
  return ' '.repeat(width - len) + sign + prefix + body
}

/** Formats one conversion; exported for str.format. */
export function formatOne(c: string, x: unknown, flags: string, width: number, prec: number): string {
  const left = flags.includes('-')
  const zero = flags.includes('0') && !left
  const plus = flags.includes('+')
  const space = flags.includes(' ')
  const alt = flags.includes('#')
  switch (c) {
    case 's':
    case 'r': {
      let s = c === 's' ? str(x) : repr(x)
      if (prec >= 0) s = s.slice(0, prec)
      return pad(s, '', '', width, left, false)
    }
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      const v = intForFormat(c, x)
      const negv = v < 0
      const a = negv ? -v : v
      let body = a.toString(c === 'x' || c === 'X' ? 16 : c === 'o' ? 8 : 10)
      if (c === 'X') body = body.toUpperCase()
      if (prec >= 0 && body.length < prec) body = '0'.repeat(prec - body.length) + body
      let prefix = ''
      if (alt) {
        if (c === 'x') prefix = '0x'
        else if (c === 'X') prefix = '0X'
        else if (c === 'o' && body[0] !== '0') prefix = '0'
      }
      const sign = negv ? '-' : plus ? '+' : space ? ' ' : ''
      return pad(body, sign, prefix, width, left, zero)
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      const v = floatForFormat(x)
      const p = prec < 0 ? 6 : prec
      const lc = c.toLowerCase()
      const up = c === 'E' || c === 'G' || c === 'F'
      let s = lc === 'e' ? formatE(v, p, alt, up) : lc === 'f' ? formatF(v, p, alt, up) : formatG(v, p, alt, up)
      let sign = ''
      if (s[0] === '-') {
        sign = '-'
        s = s.slice(1)
      } else if (plus) sign = '+'
      else if (space) sign = ' '
      return pad(s, sign, '', width, left, zero && Number.isFinite(v))
    }
    case 'c': {
      let s: string
      if (typeof x === 'string') {
        if (x.length !== 1) throw typeErr('%c requires int or char')
        s = x
      } else if (isInt(x)) {
        const n = Number(intVal(x))
        if (n < 0 || n > 255) throw pyErr('OverflowError', 'unsigned byte integer is greater than maximum')
        s = String.fromCharCode(n)
      } else throw typeErr('%c requires int or char')
      return pad(s, '', '', width, left, false)
    }
  }
  throw pyErr('ValueError', `unsupported format character '${c}' (0x${c.charCodeAt(0).toString(16)})`)
}

/** `fmt % args` */
export function percent(f: string, args: unknown): string {
  let items: unknown[]
  let mapping: PyDict | null = null
  if (isTuple(args)) items = args
  else {
    items = [args]
    if (args instanceof PyDict) mapping = args
  }
  const lenient = mapping !== null || (Array.isArray(args) && !isTuple(args))
  let idx = 0
  let usedMap = false
  const next = (): unknown => {
    if (idx >= items.length) throw typeErr('not enough arguments for format string')
    return items[idx++]
  }
  let out = ''
  const n = f.length
  let i = 0
  while (i < n) {
    const p = f.indexOf('%', i)
    if (p < 0) {
      out += f.slice(i)
      break
    }
    out += f.slice(i, p)
    i = p + 1
    if (i >= n) throw pyErr('ValueError', 'incomplete format')
    let key: string | null = null
    if (f[i] === '(') {
      let depth = 1,
        j = i + 1
      while (j < n && depth > 0) {
        if (f[j] === '(') depth++
        else if (f[j] === ')') depth--
        j++
      }
      if (depth > 0) throw pyErr('ValueError', 'incomplete format key')
      key = f.slice(i + 1, j - 1)
      i = j
    }
    let flags = ''
    while (i < n && '-+ #0'.includes(f[i]!)) flags += f[i++]
    let width = -1
    if (f[i] === '*') {
      const w = next()
      i++
      if (!isInt(w) || isLong(w)) throw typeErr('* wants int')
      width = Number(intVal(w))
      if (width < 0) {
        flags += '-'
        width = -width
      }
    } else {
      let w = ''
      while (i < n && f[i]! >= '0' && f[i]! <= '9') w += f[i++]
      if (w) width = Number(w)
    }
    let prec = -1
    if (f[i] === '.') {
      i++
      if (f[i] === '*') {
        const pv = next()
        i++
        if (!isInt(pv) || isLong(pv)) throw typeErr('* wants int')
        prec = Math.max(0, Number(intVal(pv)))
      } else {
        let w = ''
        while (i < n && f[i]! >= '0' && f[i]! <= '9') w += f[i++]
        prec = w ? Number(w) : 0
      }
    }
    while (i < n && 'hlL'.includes(f[i]!)) i++
    if (i >= n) throw pyErr('ValueError', 'incomplete format')
    const c = f[i++]!
    if (c === '%') {
      out += '%'
      continue
    }
    let x: unknown
    if (key !== null) {
      if (mapping === null) throw typeErr('format requires a mapping')
      usedMap = true
      if (!mapping.has(key)) throw pyErr('KeyError', key)
      x = mapping.get(key)
    } else x = next()
    out += formatOne(c, x, flags, width, prec)
  }
  if (idx < items.length && !usedMap && !lenient) throw typeErr('not all arguments converted during string formatting')
  return out
}

// JavaScript's toFixed and toExponential round an exact tie up; Python's formatting rounds it to even
// ('%.0f' % 0.5 is '0', '%.0f' % 2.5 is '2'). 25 more digits show whether the value is exactly a tie.
const TIE = '5' + '0'.repeat(24)

function fixedEven(a: number, prec: number): string {
  const s = a.toFixed(prec)
  if (prec + 25 > 100) return s
  const long = a.toFixed(prec + 25)
  if (long.slice(-25) !== TIE) return s
  const cut = long.slice(0, -25).replace(/\.$/, '')
  return (cut.charCodeAt(cut.length - 1) - 48) % 2 === 0 ? cut : s
}

function expEven(a: number, prec: number): string {
  const s = a.toExponential(prec)
  if (prec + 25 > 100) return s
  const long = a.toExponential(prec + 25)
  const e = long.indexOf('e')
  if (long.slice(e - 25, e) !== TIE) return s
  const cut = long.slice(0, e - 25).replace(/\.$/, '')
  return (cut.charCodeAt(cut.length - 1) - 48) % 2 === 0 ? cut + long.slice(e) : s
}
