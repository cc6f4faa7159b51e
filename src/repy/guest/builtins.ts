// Builtin type objects (callable as constructors) and the allowed builtin functions (safe.py's _BUILTIN_OK).
import {
  PyType,
  PyFloat,
  PyComplex,
  PyDict,
  PySet,
  PyInstance,
  PySlice,
  XRange,
  STOP,
  T,
  EXC,
  G,
  isTuple,
  tuple,
  tupleOwn,
  pyErr,
  typeErr,
  mkNative,
  type NativeImpl,
  objId,
  normBig,
  PyLong,
  isLong,
  mkLong,
  type AnyFn,
} from './core.js'
import { isInt, intVal, toBig, toFloat, floatToInt, parseInt2, parseFloat2 } from './numbers.js'
import { divmod, pow, powMod, abs, add } from './arithmetic.js'
import { computeMro, defMethods, typeOf, typeName, isinstance, issubclass, objectInit } from './classes.js'
import { toArray, toList, newSet, dictUpdate, len, iter, initContainerMethods } from './containers.js'
import { initStrMethods } from './strings.js'
import { complexCtor } from './complex.js'
import { cmp3, truth, lt, gt } from './compare.js'
import { str, repr } from './format.js'
import { call } from './calls.js'
import { initExceptions, HIDDEN_EXCEPTIONS } from './exceptions.js'

const Gen = G as unknown as new () => object
type Gn = Generator<unknown, unknown, unknown>

function noKw(name: string, kw: Map<string, unknown> | null): void {
  if (kw !== null && kw.size > 0) throw typeErr(`${name}() does not take keyword arguments`)
}
function cannotCreate(name: string) {
  return () => {
    throw typeErr(`cannot create '${name}' instances`)
  }
}
function argCount(name: string, args: unknown[], max: number): void {
  if (args.length > max)
    throw typeErr(`${name}() takes at most ${max} argument${max === 1 ? '' : 's'} (${args.length} given)`)
}

function toInt(name: string, x: unknown, base: unknown, hasBase: boolean): number | bigint {
  if (hasBase) {
    if (typeof x !== 'string') throw typeErr("int() can't convert non-string with explicit base")
    if (!isInt(base)) throw typeErr('an integer is required')
    return parseInt2(x, Number(intVal(base)))
  }
  if (isInt(x)) return intVal(x)
  if (x instanceof PyFloat) return floatToInt(x.v)
  if (typeof x === 'string') return parseInt2(x, 10)
  if (x instanceof PyComplex) throw typeErr(`can't convert complex to ${name}`)
  throw typeErr(`int() argument must be a string or a number, not '${typeName(x)}'`)
}

/** The most items range() makes (MemoryError beyond: the guest heap could not hold them anyway). */
export const MAX_RANGE_ITEMS = 50_000_000
const MAX_SSIZE = 2n ** 63n - 1n
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER)

function intRange(name: string, v: unknown, what: string): number {
  if (typeof v === 'number') return v
  if (v instanceof PyLong) return intRange(name, intVal(v), what)
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'bigint') {
    // xrange keeps its bounds as numbers: a long that is a whole JavaScript number is fine (xrange(5L))
    if (v >= -MAX_SAFE_BIG && v <= MAX_SAFE_BIG) return Number(v)
    if (v > MAX_SSIZE || v < -MAX_SSIZE - 1n) throw pyErr('OverflowError', 'Python int too large to convert to C long')
    throw pyErr('OverflowError', `${name}() arguments beyond 2**53 are not supported`)
  }
  throw typeErr(`${name}() integer ${what} argument expected, got ${typeName(v)}.`)
}
function rangeArgs(name: string, args: unknown[]): [number, number, number] {
  if (args.length === 0) throw typeErr(`${name}() requires 1-3 int arguments`)
  argCount(name, args, 3)
  let start = 0,
    stop: number,
    step = 1
  if (args.length === 1) stop = intRange(name, args[0], 'end')
  else {
    start = intRange(name, args[0], 'start')
    stop = intRange(name, args[1], 'end')
    if (args.length === 3) step = intRange(name, args[2], 'step')
  }
  if (step === 0) throw pyErr('ValueError', `${name}() step argument must not be zero`)
  return [start, stop, step]
}
/** range() with a long argument (or one beyond 2^53): Python 2's range takes longs, so the items are computed
 *  exactly with BigInt. As many items as fit are refused as a plain range() is: MemoryError past 50 million. */
function bigRange(args: unknown[]): unknown[] {
  argCount('range', args, 3)
  const big = (v: unknown, what: string) => (isInt(v) ? toBig(v) : BigInt(intRange('range', v, what)))
  let start = 0n,
    stop: bigint,
    step = 1n
  if (args.length === 1) stop = big(args[0], 'end')
  else {
    start = big(args[0], 'start')
    stop = big(args[1], 'end')
    if (args.length === 3) step = big(args[2], 'step')
  }
  if (step === 0n) throw pyErr('ValueError', 'range() step argument must not be zero')
  let n = 0n
  if (step > 0n && start < stop) n = (stop - start - 1n) / step + 1n
  else if (step < 0n && start > stop) n = (start - stop - 1n) / -step + 1n
  if (n > MAX_SSIZE) throw pyErr('OverflowError', 'range() result has too many items')
  if (n > BigInt(MAX_RANGE_ITEMS)) throw pyErr('MemoryError', '')
  const out = new Array<unknown>(Number(n))
  for (let i = 0; i < out.length; i++) out[i] = normBig(start + BigInt(i) * step)
  return out
}

export function rangeLen(start: number, stop: number, step: number): number {
  if (step > 0) return start < stop ? Math.floor((stop - start - 1) / step) + 1 : 0
  return start > stop ? Math.floor((start - stop - 1) / -step) + 1 : 0
}

function hexOct(x: unknown, radix: number, name: string): string {
  if (!isInt(x)) throw typeErr(`${name}() argument can't be converted to ${name}`)
  const v = intVal(x)
  const neg = v < 0
  const a = neg ? -v : v
  let s = a.toString(radix)
  s = radix === 16 ? '0x' + s : s === '0' ? '0' : '0' + s
  if (isLong(x)) s += 'L'
  return (neg ? '-' : '') + s
}

function pyRound(x: unknown, nd: unknown): PyFloat {
  const v = toFloat(x)
  const n = nd === undefined ? 0 : Number(intVal(nd as number))
  if (!Number.isFinite(v) || v === 0) return new PyFloat(v)
  if (n >= 0 && n <= 100 && Math.abs(v) < 1e21) {
    const s = Math.abs(v).toFixed(n)
    const r = Number(s)
    return new PyFloat(v < 0 ? -r : r)
  }
  if (n < 0) {
    const m = Math.pow(10, -n)
    const r = Math.round(Math.abs(v) / m) * m
    return new PyFloat(v < 0 ? -r : r)
  }
  return new PyFloat(v)
}

const primIds = new Map<unknown, number>()
function pyId(x: unknown): number {
  if ((typeof x === 'object' && x !== null) || typeof x === 'function') return objId(x) * 16 + 0x7f0000000000
  let i = primIds.get(x)
  if (i === undefined) {
    i = 0x5f0000000000 + primIds.size * 16
    primIds.set(x, i)
  }
  return i
}

function kwSplit(args: unknown[]): [unknown[], Map<string, unknown> | null] {
  if (args.length > 0 && args[args.length - 1] instanceof Map)
    return [args.slice(0, -1), args[args.length - 1] as Map<string, unknown>]
  return [args, null]
}

function* minmax(name: string, isMax: boolean, rawArgs: unknown[]): Gn {
  const [args, kw] = kwSplit(rawArgs)
  let key: unknown = null
  if (kw !== null) {
    for (const [k, v] of kw) {
      if (k === 'key') key = v
      else throw typeErr(`${name}() got an unexpected keyword argument '${k}'`)
    }
  }
  if (args.length === 0) throw typeErr(`${name} expected 1 arguments, got 0`)
  const items = args.length === 1 ? toArray(args[0]) : args
  if (items.length === 0) throw pyErr('ValueError', `${name}() arg is an empty sequence`)
  let best = items[0]
  let bestK: unknown = best
  if (key !== null) {
    let r = call(key, [best])
    if (r instanceof Gen) r = yield* r as Gn
    bestK = r
  }
  for (let i = 1; i < items.length; i++) {
    const v = items[i]
    let k: unknown = v
    if (key !== null) {
      let r = call(key, [v])
      if (r instanceof Gen) r = yield* r as Gn
      k = r
    }
    if (isMax ? gt(k, bestK) : lt(k, bestK)) {
      best = v
      bestK = k
    }
  }
  return best
}

function unsafeStub(name: string): AnyFn {
  return mkNative(
    name,
    (...rawArgs: unknown[]) => {
      const [args, kw] = kwSplit(rawArgs)
      const kd = new PyDict()
      if (kw !== null) for (const [k, v] of kw) kd.set(k, v)
      throw pyErr('RunBuiltinException', `Unsafe call '${name}' with args '${str(tuple(args))}', kwargs '${str(kd)}'`)
    },
    { kw: true },
  )
}

const FORBIDDEN = [
  'open',
  'file',
  'eval',
  'compile',
  'getattr',
  'setattr',
  'hasattr',
  'delattr',
  'globals',
  'locals',
  'vars',
  'dir',
  'callable',
  'iter',
  'next',
  'enumerate',
  'sorted',
  'reversed',
  'any',
  'all',
  'hash',
  'super',
  'property',
  'staticmethod',
  'classmethod',
  'unicode',
  'unichr',
  'input',
  'raw_input',
  'exit',
  'quit',
  'help',
  'reload',
  '__import__',
  'execfile',
  'buffer',
  'intern',
  'coerce',
  'apply',
  'format',
  'memoryview',
  'bytearray',
  'print',
  'basestring',
  'bin',
  'next',
  'exec',
]

/** Creates the builtin type objects. */
export function initTypes(): void {
  const mk = (name: string, bases: PyType[] = []) => {
    const t = new PyType(name, bases, new Map())
    computeMro(t)
    return t
  }
  T.object = mk('object')
  T.object.mro = [T.object]
  T.object.dict.set('__init__', objectInit)
  const names = [
    'type',
    'NoneType',
    'int',
    'long',
    'float',
    'complex',
    'str',
    'list',
    'tuple',
    'dict',
    'set',
    'frozenset',
    'function',
    'xrange',
    'slice',
    'generator',
    'NotImplementedType',
    'ellipsis',
  ] as const
  for (const n of names) (T as unknown as Record<string, PyType>)[n] = mk(n, [T.object])
  T.bool = mk('bool', [T.int])
  T.builtin = mk('builtin_function_or_method', [T.object])
  T.instancemethod = mk('instancemethod', [T.object])
  T.iterator = mk('iterator', [T.object])

  T.type.ctor = (args, kw) => {
    if (args.length !== 1 || (kw !== null && kw.size > 0)) {
      throw pyErr('RunBuiltinException', 'type() may only take exactly one non-keyword argument.')
    }
    return typeOf(args[0])
  }
  T.NoneType.ctor = cannotCreate('NoneType')
  for (const t of [
    T.function,
    T.builtin,
    T.instancemethod,
    T.iterator,
    T.generator,
    T.NotImplementedType,
    T.ellipsis,
  ]) {
    t.ctor = cannotCreate(t.name)
  }
  const intCtor = (name: string) => (args: unknown[], kw: Map<string, unknown> | null) => {
    let base: unknown,
      hasBase = false
    if (kw !== null)
      for (const [k, v] of kw) {
        if (k === 'base') {
          base = v
          hasBase = true
        } else throw typeErr(`'${k}' is an invalid keyword argument for this function`)
      }
    argCount(name, args, 2)
    if (args.length === 2) {
      base = args[1]
      hasBase = true
    }
    const v = args.length === 0 ? 0 : toInt(name, args[0], base, hasBase)
    return name === 'long' ? mkLong(v) : v
  }
  T.int.ctor = intCtor('int')
  T.long.ctor = intCtor('long')
  T.bool.ctor = (args, kw) => {
    noKw('bool', kw)
    argCount('bool', args, 1)
    return args.length === 0 ? false : truth(args[0])
  }
  T.float.ctor = (args, kw) => {
    noKw('float', kw)
    argCount('float', args, 1)
    if (args.length === 0) return new PyFloat(0)
    const x = args[0]
    if (x instanceof PyFloat) return x
    if (typeof x === 'string') return new PyFloat(parseFloat2(x))
    if (isInt(x)) return new PyFloat(toFloat(x))
    if (x instanceof PyComplex) throw typeErr("can't convert complex to float")
    throw typeErr('float() argument must be a string or a number')
  }
  T.complex.ctor = complexCtor
  const conjugate = (x: unknown) => {
    if (x instanceof PyComplex) return new PyComplex(x.re, -x.im)
    throw typeErr(`descriptor 'conjugate' requires a 'complex' object but received a '${typeName(x)}'`)
  }
  defMethods(T.complex, { conjugate: [conjugate, 0] })
  T.str.ctor = (args, kw) => {
    noKw('str', kw)
    argCount('str', args, 1)
    return args.length === 0 ? '' : str(args[0])
  }
  T.list.ctor = (args, kw) => {
    noKw('list', kw)
    argCount('list', args, 1)
    return args.length === 0 ? [] : toList(args[0])
  }
  T.tuple.ctor = (args, kw) => {
    noKw('tuple', kw)
    argCount('tuple', args, 1)
    if (args.length === 0) return tuple([])
    return isTuple(args[0]) ? args[0] : tupleOwn(toList(args[0]))
  }
  T.dict.alloc = (cls) => {
    const d = new PyDict()
    d.cls = cls
    d.attrs = new Map()
    return d
  }
  T.dict.ctor = (args, kw) => {
    argCount('dict', args, 1)
    const d = new PyDict()
    if (args.length === 1) dictUpdate(d, args[0])
    if (kw !== null) for (const [k, v] of kw) d.set(k, v)
    return d
  }
  T.set.ctor = (args, kw) => {
    noKw('set', kw)
    argCount('set', args, 1)
    return newSet(args[0], false)
  }
  T.frozenset.ctor = (args, kw) => {
    noKw('frozenset', kw)
    argCount('frozenset', args, 1)
    if (args[0] instanceof PySet && args[0].frozen) return args[0]
    return newSet(args[0], true)
  }
  T.xrange.ctor = (args, kw) => {
    noKw('xrange', kw)
    const [start, stop, step] = rangeArgs('xrange', args)
    return new XRange(start, step, rangeLen(start, stop, step))
  }
  T.slice.ctor = (args, kw) => {
    noKw('slice', kw)
    if (args.length === 0 || args.length > 3) throw typeErr(`slice expected at least 1 arguments, got ${args.length}`)
    if (args.length === 1) return new PySlice(null, args[0], null)
    return new PySlice(args[0], args[1], args.length === 3 ? args[2] : null)
  }
  initExceptions()
  initContainerMethods()
  initStrMethods()
}

export const NotImplemented = {} as { v: PyInstance }

/** Builds the builtins namespace. */
export function makeBuiltins(): PyDict {
  const b = new PyDict()
  const def = (name: string, v: unknown) => b.set(name, v)
  const fn = (name: string, f: NativeImpl, min: number, max = min, kw = false) =>
    def(name, mkNative(name, f, { min, max, kw }))

  def('True', true)
  def('False', false)
  def('None', null)
  def('__debug__', true)
  const ni = new PyInstance(T.NotImplementedType)
  NotImplemented.v = ni
  def('NotImplemented', ni)
  def('Ellipsis', new PyInstance(T.ellipsis))
  for (const [name, cls] of EXC) if (!HIDDEN_EXCEPTIONS.has(name)) def(name, cls)
  for (const t of [
    T.bool,
    T.dict,
    T.float,
    T.complex,
    T.frozenset,
    T.int,
    T.list,
    T.long,
    T.object,
    T.set,
    T.slice,
    T.str,
    T.tuple,
    T.xrange,
    T.type,
  ])
    def(t.name, t)
  for (const n of ['copyright', 'credits', 'license']) def(n, '')

  fn('abs', abs, 1)
  fn('cmp', cmp3, 2)
  fn('divmod', divmod, 2)
  fn(
    'pow',
    (a: unknown, b: unknown, m?: unknown) => (m === undefined || m === null ? pow(a, b) : powMod(a, b, m)),
    2,
    3,
  )
  fn('len', len, 1)
  fn('repr', repr, 1)
  fn('hex', (x: unknown) => hexOct(x, 16, 'hex'), 1)
  fn('oct', (x: unknown) => hexOct(x, 8, 'oct'), 1)
  fn('id', pyId, 1)
  fn('isinstance', isinstance, 2)
  fn('issubclass', issubclass, 2)
  fn('round', (x: unknown, n?: unknown) => pyRound(x, n), 1, 2)
  fn(
    'ord',
    (c: unknown) => {
      if (typeof c !== 'string') throw typeErr(`ord() expected string of length 1, but ${typeName(c)} found`)
      if (c.length !== 1) throw typeErr(`ord() expected a character, but string of length ${c.length} found`)
      return c.charCodeAt(0)
    },
    1,
  )
  fn(
    'chr',
    (i: unknown) => {
      if (!isInt(i)) throw typeErr('an integer is required')
      const n = Number(intVal(i))
      if (n < 0 || n > 255) throw pyErr('ValueError', 'chr() arg not in range(256)')
      return String.fromCharCode(n)
    },
    1,
  )
  fn(
    'range',
    (...args: unknown[]) => {
      if (args.some((a) => isInt(a) && typeof intVal(a) === 'bigint')) return bigRange(args)
      const [start, stop, step] = rangeArgs('range', args)
      const n = rangeLen(start, stop, step)
      if (n > MAX_RANGE_ITEMS) throw pyErr('MemoryError', '')
      const out = new Array<number>(n)
      for (let i = 0, v = start; i < n; i++, v += step) out[i] = v
      return out
    },
    1,
    3,
  )
  fn(
    'sum',
    (seq: unknown, start?: unknown) => {
      let acc: unknown = start === undefined ? 0 : start
      if (typeof acc === 'string') throw typeErr("sum() can't sum strings [use ''.join(seq) instead]")
      const it = iter(seq)
      for (let v = it.next(); v !== STOP; v = it.next()) acc = add(acc, v)
      return acc
    },
    1,
    2,
  )
  fn(
    'zip',
    (...seqs: unknown[]) => {
      if (seqs.length === 0) return []
      const arrs = seqs.map((s, i) => {
        try {
          return toArray(s)
        } catch (e) {
          if (e instanceof PyInstance && e.cls === EXC.get('TypeError'))
            throw typeErr(`zip argument #${i + 1} must support iteration`)
          throw e
        }
      })
      const n = Math.min(...arrs.map((a) => a.length))
      const out: unknown[] = new Array(n)
      for (let i = 0; i < n; i++) out[i] = tupleOwn(arrs.map((a) => a[i]))
      return out
    },
    0,
    Infinity,
  )
  fn(
    'map',
    function* (f: unknown, ...seqs: unknown[]): Gn {
      if (seqs.length === 0) throw typeErr('map() requires at least two args')
      const arrs = seqs.map(toArray)
      const n = Math.max(...arrs.map((a) => a.length))
      const out: unknown[] = new Array(n)
      for (let i = 0; i < n; i++) {
        const args = arrs.map((a) => (i < a.length ? a[i] : null))
        if (f === null) {
          out[i] = args.length === 1 ? args[0] : tupleOwn(args)
          continue
        }
        let r = call(f, args)
        if (r instanceof Gen) r = yield* r as Gn
        out[i] = r === undefined ? null : r
      }
      return out
    },
    2,
    Infinity,
  )
  fn(
    'filter',
    function* (f: unknown, seq: unknown): Gn {
      const items = toArray(seq)
      const out: unknown[] = []
      for (const v of items) {
        let keep: unknown = v
        if (f !== null) {
          let r = call(f, [v])
          if (r instanceof Gen) r = yield* r as Gn
          keep = r
        }
        if (truth(keep)) out.push(v)
      }
      if (typeof seq === 'string') return out.join('')
      if (isTuple(seq)) return tupleOwn(out)
      return out
    },
    2,
  )
  fn(
    'reduce',
    function* (f: unknown, seq: unknown, init?: unknown): Gn {
      const items = toArray(seq)
      let i = 0
      let acc: unknown
      if (init !== undefined) acc = init
      else {
        if (items.length === 0) throw typeErr('reduce() of empty sequence with no initial value')
        acc = items[i++]
      }
      for (; i < items.length; i++) {
        let r = call(f, [acc, items[i]])
        if (r instanceof Gen) r = yield* r as Gn
        acc = r === undefined ? null : r
      }
      return acc
    },
    2,
    3,
  )
  fn(
    'max',
    function (...a: unknown[]) {
      return minmax('max', true, a)
    },
    0,
    Infinity,
    true,
  )
  fn(
    'min',
    function (...a: unknown[]) {
      return minmax('min', false, a)
    },
    0,
    Infinity,
    true,
  )
  for (const name of FORBIDDEN) def(name, unsafeStub(name))
  return b
}

export { normBig }
