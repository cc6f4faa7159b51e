// str methods (byte strings: char codes 0..255; case and class tests are ASCII-only, as in the C locale).
import { PyFloat, T, isTuple, pyErr, typeErr, tuple } from './core.js'
import { isInt, intVal, toFloat } from './numbers.js'
import { defMethods, typeName, getattr } from './classes.js'
import { toArray, getitem } from './containers.js'
import { str, repr, formatE, formatF, formatG } from './format.js'
import { truth } from './compare.js'

const WS = ' \t\n\r\x0b\x0c'
const isWs = (c: string) => WS.indexOf(c) >= 0
const isDigitC = (c: number) => c >= 48 && c <= 57
const isUpperC = (c: number) => c >= 65 && c <= 90
const isLowerC = (c: number) => c >= 97 && c <= 122

function strArg(x: unknown, what: string): string {
  if (typeof x !== 'string') throw typeErr(`${what} must be str, not ${typeName(x)}`)
  return x
}
function optInt(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt
  if (!isInt(v)) throw typeErr(`an integer is required`)
  return Number(intVal(v))
}
/** Clamps [start, end) like CPython's ADJUST_INDICES. */
function range(s: string, start: unknown, end: unknown): [number, number] {
  const n = s.length
  let a = optInt(start, 0),
    b = optInt(end, n)
  if (b > n) b = n
  else if (b < 0) {
    b += n
    if (b < 0) b = 0
  }
  if (a < 0) {
    a += n
    if (a < 0) a = 0
  }
  return [a, b]
}

function stripChars(chars: unknown): string {
  if (chars === undefined || chars === null) return WS
  return strArg(chars, 'strip arg')
}
function lstrip(s: string, cs: string): string {
  let i = 0
  while (i < s.length && cs.indexOf(s[i]!) >= 0) i++
  return s.slice(i)
}
function rstrip(s: string, cs: string): string {
  let j = s.length
  while (j > 0 && cs.indexOf(s[j - 1]!) >= 0) j--
  return s.slice(0, j)
}

export function split(s: string, sep: unknown, maxsplit: unknown): string[] {
  let max = optInt(maxsplit, -1)
  if (max < 0) max = Infinity
  const out: string[] = []
  if (sep === undefined || sep === null) {
    let i = 0
    const n = s.length
    while (true) {
      while (i < n && isWs(s[i]!)) i++
      if (i >= n) break
      if (out.length >= max) {
        out.push(rstripWsOnlyIfAll(s.slice(i)))
        break
      }
      let j = i
      while (j < n && !isWs(s[j]!)) j++
      out.push(s.slice(i, j))
      i = j
    }
    return out
  }
  const p = strArg(sep, 'expected a character buffer object; sep')
  if (p.length === 0) throw pyErr('ValueError', 'empty separator')
  let i = 0
  while (out.length < max) {
    const j = s.indexOf(p, i)
    if (j < 0) break
    out.push(s.slice(i, j))
    i = j + p.length
  }
  out.push(s.slice(i))
  return out
}
function rstripWsOnlyIfAll(s: string): string {
  return s
}

export function rsplit(s: string, sep: unknown, maxsplit: unknown): string[] {
  let max = optInt(maxsplit, -1)
  if (max < 0) return split(s, sep, -1)
  const out: string[] = []
  if (sep === undefined || sep === null) {
    let j = s.length
    while (true) {
      while (j > 0 && isWs(s[j - 1]!)) j--
      if (j <= 0) break
      if (out.length >= max) {
        out.push(s.slice(0, j))
        break
      }
      let i = j
      while (i > 0 && !isWs(s[i - 1]!)) i--
      out.push(s.slice(i, j))
      j = i
    }
    return out.reverse()
  }
  const p = strArg(sep, 'expected a character buffer object; sep')
  if (p.length === 0) throw pyErr('ValueError', 'empty separator')
  let end = s.length
  while (max-- > 0) {
    const j = end - p.length < 0 ? -1 : s.lastIndexOf(p, end - p.length)
    if (j < 0) break
    out.push(s.slice(j + p.length, end))
    end = j
  }
  out.push(s.slice(0, end))
  return out.reverse()
}

function replace(s: string, old: unknown, nw: unknown, count: unknown): string {
  const o = strArg(old, 'expected a character buffer object; old'),
    r = strArg(nw, 'expected a character buffer object; new')
  let max = optInt(count, -1)
  if (max < 0) max = Infinity
  if (o.length === 0) {
    let out = ''
    let k = 0
    for (let i = 0; i <= s.length; i++) {
      if (k < max) {
        out += r
        k++
      }
      if (i < s.length) out += s[i]
    }
    return out
  }
  let out = ''
  let i = 0,
    k = 0
  while (k < max) {
    const j = s.indexOf(o, i)
    if (j < 0) break
    out += s.slice(i, j) + r
    i = j + o.length
    k++
  }
  return out + s.slice(i)
}

function find(s: string, sub: unknown, start: unknown, end: unknown): number {
  const p = strArg(sub, 'expected a character buffer object; sub')
  const [a, b] = range(s, start, end)
  if (a > b) return -1
  const j = s.indexOf(p, a)
  return j >= 0 && j + p.length <= b ? j : -1
}
function rfind(s: string, sub: unknown, start: unknown, end: unknown): number {
  const p = strArg(sub, 'expected a character buffer object; sub')
  const [a, b] = range(s, start, end)
  if (b - a < p.length) return -1
  const j = s.lastIndexOf(p, b - p.length)
  return j >= a ? j : -1
}
function count(s: string, sub: unknown, start: unknown, end: unknown): number {
  const p = strArg(sub, 'expected a character buffer object; sub')
  const [a, b] = range(s, start, end)
  if (a > b) return 0
  if (p.length === 0) return b - a + 1
  let c = 0,
    i = a
  while (true) {
    const j = s.indexOf(p, i)
    if (j < 0 || j + p.length > b) return c
    c++
    i = j + p.length
  }
}
function affix(s: string, x: unknown, start: unknown, end: unknown, atEnd: boolean, name: string): boolean {
  const [a, b] = range(s, start, end)
  const test = (p: unknown): boolean => {
    if (typeof p !== 'string') throw typeErr(`${name} first arg must be str, unicode, or tuple, not ${typeName(p)}`)
    if (a > s.length) return false
    if (b - a < p.length) return false
    return atEnd ? s.slice(b - p.length, b) === p : s.slice(a, a + p.length) === p
  }
  if (isTuple(x)) return x.some(test)
  return test(x)
}
const mapAscii = (s: string, f: (c: number) => number): string => {
  let out = ''
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(f(s.charCodeAt(i)))
  return out
}
const upper = (s: string) => mapAscii(s, (c) => (isLowerC(c) ? c - 32 : c))
const lower = (s: string) => mapAscii(s, (c) => (isUpperC(c) ? c + 32 : c))
const all = (s: string, f: (c: number) => boolean) => {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) if (!f(s.charCodeAt(i))) return false
  return true
}
function cased(s: string, want: (c: number) => boolean, other: (c: number) => boolean): boolean {
  let any = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (other(c)) return false
    if (want(c)) any = true
  }
  return any
}
function title(s: string): string {
  let out = '',
    prev = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const letter = isUpperC(c) || isLowerC(c)
    if (letter) out += String.fromCharCode(prev ? (isUpperC(c) ? c + 32 : c) : isLowerC(c) ? c - 32 : c)
    else out += s[i]
    prev = letter
  }
  return out
}
function fillArg(f: unknown): string {
  if (f === undefined) return ' '
  if (typeof f !== 'string' || f.length !== 1) throw typeErr('must be char, not ' + typeName(f))
  return f
}
function splitlines(s: string, keep: boolean): string[] {
  const out: string[] = []
  let i = 0
  const n = s.length
  while (i < n) {
    let j = i
    while (j < n && s[j] !== '\n' && s[j] !== '\r') j++
    let eol = j
    if (j < n) {
      eol = s[j] === '\r' && s[j + 1] === '\n' ? j + 2 : j + 1
    }
    out.push(s.slice(i, keep ? eol : j))
    i = eol
  }
  return out
}
function expandtabs(s: string, ts: number): string {
  let out = '',
    col = 0
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    if (ch === '\t') {
      if (ts > 0) {
        const k = ts - (col % ts)
        out += ' '.repeat(k)
        col += k
      }
    } else {
      out += ch
      col = ch === '\n' || ch === '\r' ? 0 : col + 1
    }
  }
  return out
}

// --- str.format -------------------------------------------------------------------------------------------------
function groupThousands(digits: string): string {
  let out = ''
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ','
    out += digits[i]
  }
  return out
}

/** format(value, spec) for the format mini-language. */
export function formatSpec(x: unknown, spec: string): string {
  const m = /^(?:(.)?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?(,)?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s.exec(spec)
  if (m === null) throw pyErr('ValueError', 'Invalid conversion specification')
  let [, fill, align, sign, alt, zero, widthS, comma, precS, type] = m
  const width = widthS ? Number(widthS) : 0
  const prec = precS !== undefined ? Number(precS) : -1
  if (zero && !align) {
    fill = '0'
    align = '='
  }
  if (fill === undefined) fill = ' '
  const num = isInt(x) || x instanceof PyFloat
  let body: string
  let sgn = ''
  let prefix = ''
  if (!num || type === 's') {
    if (type !== undefined && type !== 's')
      throw pyErr('ValueError', `Unknown format code '${type}' for object of type '${typeName(x)}'`)
    body = str(x)
    if (prec >= 0) body = body.slice(0, prec)
    align = align ?? '<'
  } else {
    let t = type ?? (x instanceof PyFloat ? '' : 'd')
    if (t === 'n') t = x instanceof PyFloat ? 'g' : 'd'
    if ('bcdoxX'.includes(t)) {
      const v =
        x instanceof PyFloat
          ? (() => {
              throw pyErr('ValueError', `Unknown format code '${t}' for object of type 'float'`)
            })()
          : intVal(x)
      if (t === 'c') body = String.fromCharCode(Number(v))
      else {
        const neg = v < 0
        const a = neg ? -v : v
        body = a.toString(t === 'b' ? 2 : t === 'o' ? 8 : t === 'd' ? 10 : 16)
        if (t === 'X') body = body.toUpperCase()
        if (comma) body = groupThousands(body)
        if (alt && t !== 'd') prefix = t === 'b' ? '0b' : t === 'o' ? '0o' : t === 'x' ? '0x' : '0X'
        sgn = neg ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : ''
      }
    } else {
      let v = toFloat(x)
      const p = prec < 0 ? 6 : prec
      if (t === '%') {
        v *= 100
      }
      if (t === '') body = prec < 0 ? (x instanceof PyFloat ? str(x) : String(intVal(x))) : formatG(v, p, !!alt)
      else if (t === 'e' || t === 'E') body = formatE(v, p, !!alt, t === 'E')
      else if (t === 'f' || t === 'F' || t === '%') body = formatF(v, p, !!alt, t === 'F')
      else body = formatG(v, p, !!alt, t === 'G')
      if (t === '%') body += '%'
      if (body[0] === '-') {
        sgn = '-'
        body = body.slice(1)
      } else sgn = sign === '+' ? '+' : sign === ' ' ? ' ' : ''
      if (comma) {
        const k = body.search(/[^0-9]/)
        body = k < 0 ? groupThousands(body) : groupThousands(body.slice(0, k)) + body.slice(k)
      }
    }
    align = align ?? '>'
  }
  const total = sgn.length + prefix.length + body.length
  if (total >= width) return sgn + prefix + body
  const padn = width - total
  switch (align) {
    case '<':
      return sgn + prefix + body + fill.repeat(padn)
    case '^': {
      const l = Math.floor(padn / 2)
      return fill.repeat(l) + sgn + prefix + body + fill.repeat(padn - l)
    }
    case '=':
      return sgn + prefix + fill.repeat(padn) + body
    default:
      return fill.repeat(padn) + sgn + prefix + body
  }
}

export function strFormat(s: string, args: unknown[], kw: Map<string, unknown> | null): string {
  let out = ''
  let auto = 0
  let i = 0
  const n = s.length
  while (i < n) {
    const ch = s[i]
    if (ch === '{') {
      if (s[i + 1] === '{') {
        out += '{'
        i += 2
        continue
      }
      let depth = 1,
        j = i + 1
      while (j < n && depth > 0) {
        if (s[j] === '{') depth++
        else if (s[j] === '}') depth--
        j++
      }
      if (depth > 0) throw pyErr('ValueError', "Single '{' encountered in format string")
      const field = s.slice(i + 1, j - 1)
      i = j
      let spec = '',
        conv = ''
      const colon = field.indexOf(':')
      let name = colon >= 0 ? field.slice(0, colon) : field
      if (colon >= 0) spec = field.slice(colon + 1)
      const bang = name.indexOf('!')
      if (bang >= 0) {
        conv = name.slice(bang + 1)
        name = name.slice(0, bang)
      }
      if (spec.indexOf('{') >= 0) spec = strFormat(spec, args, kw)
      const m = /^([^.[]*)(.*)$/s.exec(name)!
      const first = m[1]!
      let v: unknown
      if (first === '') {
        if (auto >= args.length) throw pyErr('IndexError', 'tuple index out of range')
        v = args[auto++]
      } else if (/^\d+$/.test(first)) {
        const k = Number(first)
        if (k >= args.length) throw pyErr('IndexError', 'tuple index out of range')
        v = args[k]
      } else {
        if (kw === null || !kw.has(first)) throw pyErr('KeyError', first)
        v = kw.get(first)
      }
      let rest = m[2]!
      while (rest.length > 0) {
        const a = /^\.(\w+)/.exec(rest)
        if (a) {
          v = getattr(v, a[1]!)
          rest = rest.slice(a[0].length)
          continue
        }
        const b = /^\[([^\]]*)\]/.exec(rest)
        if (b) {
          v = getitem(v, /^\d+$/.test(b[1]!) ? Number(b[1]) : b[1])
          rest = rest.slice(b[0].length)
          continue
        }
        throw pyErr('ValueError', "Only '.' or '[' may follow ']' in format field specifier")
      }
      if (conv === 'r') v = repr(v)
      else if (conv === 's') v = str(v)
      out += formatSpec(v, spec)
      continue
    }
    if (ch === '}') {
      if (s[i + 1] === '}') {
        out += '}'
        i += 2
        continue
      }
      throw pyErr('ValueError', "Single '}' encountered in format string")
    }
    out += ch
    i++
  }
  return out
}

export function initStrMethods(): void {
  defMethods(T.str, {
    split: [(s: string, sep?: unknown, max?: unknown) => split(s, sep, max), 0, 2],
    rsplit: [(s: string, sep?: unknown, max?: unknown) => rsplit(s, sep, max), 0, 2],
    join: [
      (s: string, it: unknown) => {
        const items = toArray(it)
        for (let i = 0; i < items.length; i++) {
          if (typeof items[i] !== 'string')
            throw typeErr(`sequence item ${i}: expected string, ${typeName(items[i])} found`)
        }
        return items.join(s)
      },
      1,
    ],
    strip: [
      (s: string, c?: unknown) => {
        const cs = stripChars(c)
        return rstrip(lstrip(s, cs), cs)
      },
      0,
      1,
    ],
    lstrip: [(s: string, c?: unknown) => lstrip(s, stripChars(c)), 0, 1],
    rstrip: [(s: string, c?: unknown) => rstrip(s, stripChars(c)), 0, 1],
    replace: [(s: string, o: unknown, n: unknown, c?: unknown) => replace(s, o, n, c), 2, 3],
    find: [(s: string, sub: unknown, a?: unknown, b?: unknown) => find(s, sub, a, b), 1, 3],
    rfind: [(s: string, sub: unknown, a?: unknown, b?: unknown) => rfind(s, sub, a, b), 1, 3],
    index: [
      (s: string, sub: unknown, a?: unknown, b?: unknown) => {
        const r = find(s, sub, a, b)
        if (r < 0) throw pyErr('ValueError', 'substring not found')
        return r
      },
      1,
      3,
    ],
    rindex: [
      (s: string, sub: unknown, a?: unknown, b?: unknown) => {
        const r = rfind(s, sub, a, b)
        if (r < 0) throw pyErr('ValueError', 'substring not found')
        return r
      },
      1,
      3,
    ],
    count: [(s: string, sub: unknown, a?: unknown, b?: unknown) => count(s, sub, a, b), 1, 3],
    startswith: [(s: string, p: unknown, a?: unknown, b?: unknown) => affix(s, p, a, b, false, 'startswith'), 1, 3],
    endswith: [(s: string, p: unknown, a?: unknown, b?: unknown) => affix(s, p, a, b, true, 'endswith'), 1, 3],
    upper: [upper, 0],
    lower: [lower, 0],
    swapcase: [(s: string) => mapAscii(s, (c) => (isLowerC(c) ? c - 32 : isUpperC(c) ? c + 32 : c)), 0],
    title: [title, 0],
    capitalize: [(s: string) => (s.length === 0 ? s : upper(s[0]!) + lower(s.slice(1))), 0],
    isdigit: [(s: string) => all(s, isDigitC), 0],
    isalpha: [(s: string) => all(s, (c) => isUpperC(c) || isLowerC(c)), 0],
    isalnum: [(s: string) => all(s, (c) => isUpperC(c) || isLowerC(c) || isDigitC(c)), 0],
    isspace: [(s: string) => all(s, (c) => WS.indexOf(String.fromCharCode(c)) >= 0), 0],
    isupper: [(s: string) => cased(s, isUpperC, isLowerC), 0],
    islower: [(s: string) => cased(s, isLowerC, isUpperC), 0],
    istitle: [(s: string) => s.length > 0 && title(s) === s && /[A-Za-z]/.test(s), 0],
    splitlines: [(s: string, keep?: unknown) => splitlines(s, keep !== undefined && truth(keep)), 0, 1],
    partition: [
      (s: string, sep: unknown) => {
        const p = strArg(sep, 'expected a character buffer object; sep')
        if (p.length === 0) throw pyErr('ValueError', 'empty separator')
        const j = s.indexOf(p)
        return j < 0 ? tuple([s, '', '']) : tuple([s.slice(0, j), p, s.slice(j + p.length)])
      },
      1,
    ],
    rpartition: [
      (s: string, sep: unknown) => {
        const p = strArg(sep, 'expected a character buffer object; sep')
        if (p.length === 0) throw pyErr('ValueError', 'empty separator')
        const j = s.lastIndexOf(p)
        return j < 0 ? tuple(['', '', s]) : tuple([s.slice(0, j), p, s.slice(j + p.length)])
      },
      1,
    ],
    center: [
      (s: string, w: unknown, f?: unknown) => {
        const width = optInt(w, 0),
          fill = fillArg(f)
        const marg = width - s.length
        if (marg <= 0) return s
        const left = Math.floor(marg / 2) + (marg & width & 1)
        return fill.repeat(left) + s + fill.repeat(marg - left)
      },
      1,
      2,
    ],
    ljust: [
      (s: string, w: unknown, f?: unknown) => {
        const n = optInt(w, 0) - s.length
        return n > 0 ? s + fillArg(f).repeat(n) : s
      },
      1,
      2,
    ],
    rjust: [
      (s: string, w: unknown, f?: unknown) => {
        const n = optInt(w, 0) - s.length
        return n > 0 ? fillArg(f).repeat(n) + s : s
      },
      1,
      2,
    ],
    zfill: [
      (s: string, w: unknown) => {
        const n = optInt(w, 0) - s.length
        if (n <= 0) return s
        const signed = s[0] === '+' || s[0] === '-'
        return signed ? s[0] + '0'.repeat(n) + s.slice(1) : '0'.repeat(n) + s
      },
      1,
    ],
    expandtabs: [(s: string, t?: unknown) => expandtabs(s, optInt(t, 8)), 0, 1],
    translate: [
      (s: string, table: unknown, del?: unknown) => {
        const d = del === undefined ? '' : strArg(del, 'deletechars')
        if (table !== null && (typeof table !== 'string' || table.length !== 256)) {
          throw pyErr('ValueError', 'translation table must be 256 characters long')
        }
        let out = ''
        for (let i = 0; i < s.length; i++) {
          if (d.indexOf(s[i]!) >= 0) continue
          out += table === null ? s[i] : table[s.charCodeAt(i)]
        }
        return out
      },
      1,
      2,
    ],
    format: [
      (s: string, ...rest: unknown[]) => {
        let kw: Map<string, unknown> | null = null
        if (rest.length > 0 && rest[rest.length - 1] instanceof Map) kw = rest.pop() as Map<string, unknown>
        return strFormat(s, rest, kw)
      },
      0,
      Infinity,
      true,
    ],
  })
}
