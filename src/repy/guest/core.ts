// Core value representation of the Python 2 runtime that runs inside QuickJS (see contract.ts for the table).
// This module only defines classes, markers and small helpers; the type objects are built by initTypes()
// (classes.ts) when the runtime is created, and stored in `T`.
import type { FunctionMeta } from './contract.js'

/** A Python float. */
export class PyFloat {
  constructor(readonly v: number) {}
}

/** A Python long whose value an int could hold (below 2^63 in size: `0L`, `long(5)`, `5L + 1`). A long beyond that is
 *  a bare bigint, as an int is never that large; a long keeps its type through arithmetic as in Python 2. */
export class PyLong {
  constructor(readonly v: bigint) {}
}

/** A Python complex: two doubles. */
export class PyComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
}

/** Generator objects are `instanceof G`. */
export const G = (function () {
  const g = function () {} as unknown as { prototype: object }
  g.prototype = (Object.getPrototypeOf(function* () {}) as { prototype: object }).prototype
  return g
})() as unknown as abstract new () => object

export const STOP: object = Object.freeze({ STOP: true })

const TUPLE = Symbol('tuple')
/** An array that may carry the tuple mark. */
type Marked = unknown[] & { [TUPLE]?: true }

export function tuple(items: unknown[]): unknown[] {
  const a = items.slice()
  ;(a as Marked)[TUPLE] = true
  return Object.freeze(a) as unknown[]
}
/** Marks `a` (a fresh array nobody else holds) as a tuple without copying. */
export function tupleOwn(a: unknown[]): unknown[] {
  ;(a as Marked)[TUPLE] = true
  return Object.freeze(a) as unknown[]
}
export function isTuple(x: unknown): x is unknown[] {
  return Array.isArray(x) && (x as Marked)[TUPLE] === true
}
export function isList(x: unknown): x is unknown[] {
  return Array.isArray(x) && (x as Marked)[TUPLE] !== true
}

/** A Python type or class. */
export class PyType {
  mro: PyType[] = []
  /** Builtin exact type: constructor (args, kw map or null) -> value or Step. */
  ctor: ((args: unknown[], kw: Map<string, unknown> | null) => unknown) | undefined = undefined
  /** Creates a bare instance of `cls` (inherited through the MRO). */
  alloc: ((cls: PyType, args: unknown[]) => unknown) | undefined = undefined
  /** True for classes made by makeClass. */
  user = false
  /** Old-style class (class Foo:). */
  classic = false
  module = '__builtin__'
  isExc = false
  constructor(
    public name: string,
    public bases: PyType[],
    public dict: Map<string, unknown>,
  ) {}
}

/** An instance of a user class (or a native class). */
export class PyInstance {
  attrs: Map<string, unknown> = new Map()
  payload: unknown = undefined
  /** Traceback frames (innermost first) for exception instances. */
  frames: Frame[] | undefined = undefined
  constructor(public cls: PyType) {}
}

export class BoundMethod {
  constructor(
    readonly self: unknown,
    readonly fn: unknown,
  ) {}
}

export class PySlice {
  constructor(
    readonly start: unknown,
    readonly stop: unknown,
    readonly step: unknown,
  ) {}
}

export class XRange {
  constructor(
    readonly start: number,
    readonly step: number,
    readonly len: number,
  ) {}
}

/** Python dict. Keys are stored under their hash key (see hashKey); `ks` remembers the original key when different. */
export class PyDict {
  m: Map<unknown, unknown> = new Map()
  ks: Map<unknown, unknown> | null = null
  /** Set for instances of a dict subclass. */
  cls: PyType | null = null
  attrs: Map<string, unknown> | null = null
  /** Checks every key given to get/set/has/delete (Repy's SafeDict); it throws to refuse one. */
  check: ((k: unknown) => void) | null = null
  /** Changes at every set, delete and clear: compiled code keeps what a global name held while its globals dict
   *  stays at the same version (contract.ts). */
  ver = 0
  get(k: unknown): unknown {
    if (this.check !== null) this.check(k)
    return this.m.get(hashKey(k))
  }
  set(k: unknown, v: unknown): void {
    // a string key already held passed the check when it was added (a module's loop sets its globals each pass)
    if (this.check !== null && (typeof k !== 'string' || !this.m.has(k))) this.check(k)
    const h = hashKey(k)
    if (h !== k && !this.m.has(h)) (this.ks ??= new Map()).set(h, k)
    this.m.set(h, v)
    this.ver++
  }
  has(k: unknown): boolean {
    if (this.check !== null) this.check(k)
    return this.m.has(hashKey(k))
  }
  delete(k: unknown): boolean {
    if (this.check !== null) this.check(k)
    const h = hashKey(k)
    if (this.ks !== null) this.ks.delete(h)
    this.ver++
    return this.m.delete(h)
  }
  origKey(h: unknown): unknown {
    if (this.ks === null) return h
    const o = this.ks.get(h)
    return o !== undefined ? o : h
  }
  keys(): unknown[] {
    const out: unknown[] = []
    for (const h of this.m.keys()) out.push(this.origKey(h))
    return out
  }
  get size(): number {
    return this.m.size
  }
}

/** Python set / frozenset: hash key -> original key. */
export class PySet {
  m: Map<unknown, unknown> = new Map()
  constructor(readonly frozen: boolean) {}
  add(k: unknown): void {
    const h = hashKey(k)
    if (!this.m.has(h)) this.m.set(h, k)
  }
  has(k: unknown): boolean {
    return this.m.has(hashKey(k))
  }
  delete(k: unknown): boolean {
    return this.m.delete(hashKey(k))
  }
  values(): unknown[] {
    return Array.from(this.m.values())
  }
  get size(): number {
    return this.m.size
  }
}

/** Base of every runtime iterator: next() returns a value or STOP. Python sees a `next` method. */
export abstract class PyIter {
  abstract next(): unknown
}
export class ListIter extends PyIter {
  i = 0
  constructor(readonly a: ArrayLike<unknown>) {
    super()
  }
  next(): unknown {
    return this.i < this.a.length ? this.a[this.i++] : STOP
  }
}
export class StrIter extends PyIter {
  i = 0
  constructor(readonly s: string) {
    super()
  }
  next(): unknown {
    return this.i < this.s.length ? this.s[this.i++] : STOP
  }
}
/** xrange iterator (use xrangeIter() to make one). */
export class XRangeIter extends PyIter {
  constructor(
    public cur: number,
    readonly step: number,
    readonly stop: number,
  ) {
    super()
  }
  next(): unknown {
    const v = this.cur
    if (v >= this.stop) return STOP
    this.cur = v + this.step
    return v
  }
}
class XRangeIterDown extends XRangeIter {
  override next(): unknown {
    const v = this.cur
    if (v <= this.stop) return STOP
    this.cur = v + this.step
    return v
  }
}
export function xrangeIter(start: number, step: number, len: number): XRangeIter {
  const stop = start + len * step
  return step > 0 ? new XRangeIter(start, step, stop) : new XRangeIterDown(start, step, stop)
}
/** Iterates a dict's keys, raising RuntimeError when the dict changes size. */
export class DictIter extends PyIter {
  it: Iterator<unknown>
  size: number
  constructor(
    readonly d: PyDict,
    readonly mode: 0 | 1 | 2,
  ) {
    super()
    this.it = d.m.keys()
    this.size = d.m.size
  }
  next(): unknown {
    if (this.d.m.size !== this.size) {
      this.size = -1
      throw pyErr('RuntimeError', 'dictionary changed size during iteration')
    }
    const r = this.it.next()
    if (r.done) return STOP
    const h = r.value
    if (this.mode === 0) return this.d.origKey(h)
    if (this.mode === 1) return this.d.m.get(h)
    return tupleOwn([this.d.origKey(h), this.d.m.get(h)])
  }
}
export class SetIter extends PyIter {
  it: Iterator<unknown>
  size: number
  constructor(readonly s: PySet) {
    super()
    this.it = s.m.values()
    this.size = s.m.size
  }
  next(): unknown {
    if (this.s.m.size !== this.size) throw pyErr('RuntimeError', 'Set changed size during iteration')
    const r = this.it.next()
    return r.done ? STOP : r.value
  }
}

// ---------------------------------------------------------------------------------------------------------
// Type registry (filled by initTypes)

export interface Types {
  object: PyType
  type: PyType
  NoneType: PyType
  bool: PyType
  int: PyType
  long: PyType
  float: PyType
  complex: PyType
  str: PyType
  list: PyType
  tuple: PyType
  dict: PyType
  set: PyType
  frozenset: PyType
  function: PyType
  builtin: PyType
  instancemethod: PyType
  xrange: PyType
  slice: PyType
  iterator: PyType
  generator: PyType
  NotImplementedType: PyType
  ellipsis: PyType
}
export const T = {} as Types

/** Exception classes by name (filled by initExceptions). */
export const EXC = new Map<string, PyType>()

/** Creates a Python exception instance of class `name` (one arg: msg). */
export function pyErr(name: string, msg?: unknown): PyInstance {
  const cls = EXC.get(name)
  if (cls === undefined) throw new Error(`no exception class ${name}`)
  return makeExc(cls, msg === undefined ? [] : [msg])
}
export function makeExc(cls: PyType, args: unknown[]): PyInstance {
  const e = new PyInstance(cls)
  e.attrs.set('args', tuple(args))
  e.attrs.set('message', args.length === 1 ? args[0] : '')
  return e
}
export const typeErr = (msg: string): PyInstance => pyErr('TypeError', msg)

// ---------------------------------------------------------------------------------------------------------
// Functions

/** Metadata of a compiled Python function (stored as `$py` on the generator function). */
export interface FuncInfo extends FunctionMeta {
  /** The number of parameters. */
  n: number
  /** No *args or **kwargs: a call with exactly n positional arguments binds them as they are. */
  simple: boolean
  attrs?: Map<string, unknown>
}
/** Metadata of a native function (stored as `$nat`). */
export interface NativeInfo {
  name: string
  min: number
  max: number
  kw: boolean
  /** A method: binds to the instance when found on a class. */
  method: boolean
  /** Owner type name for messages. */
  owner?: string
  /** What a call with a count outside min..max raises instead of the TypeError (given: not counting self). */
  wrongCount?: (given: number) => unknown
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a native function declares its own parameter types and checks the Python values it is given
export type AnyFn = ((...args: any[]) => unknown) & {
  $py?: FuncInfo
  $nat?: NativeInfo
  /** compiled functions: the number of params when the signature is plain (no defaults needed, *, **), else -1 */ $n?: number
}

/** A native function declares its own parameter types and checks the Python values it is given. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: each native narrows its own arguments
export type NativeImpl = (...args: any[]) => unknown

export function mkNative(
  name: string,
  fn: NativeImpl,
  opts: { min?: number; max?: number; kw?: boolean; method?: boolean; owner?: string } = {},
): AnyFn {
  const f = fn as AnyFn
  f.$nat = {
    name,
    min: opts.min ?? 0,
    max: opts.max ?? Infinity,
    kw: opts.kw ?? false,
    method: opts.method ?? false,
    owner: opts.owner,
  }
  return f
}

// ---------------------------------------------------------------------------------------------------------
// Identity and hashing

const ids = new WeakMap<object, number>()
let nextId = 1
export function objId(o: object): number {
  let i = ids.get(o)
  if (i === undefined) {
    i = nextId++
    ids.set(o, i)
  }
  return i
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MIN_SAFE = -MAX_SAFE
/** Normalizes a bigint: a number when in the safe range. */
export function normBig(b: bigint): number | bigint {
  return b >= MIN_SAFE && b <= MAX_SAFE ? Number(b) : b
}

const INT64_MAX = (1n << 63n) - 1n
const INT64_MIN = -(1n << 63n)
/** Is this bigint beyond what an int holds (so a long)? */
export const beyondInt = (b: bigint): boolean => b > INT64_MAX || b < INT64_MIN

/** A long with this value: a PyLong while an int could hold it, else the bigint itself. */
export function mkLong(x: number | bigint): PyLong | bigint {
  if (typeof x === 'number') return new PyLong(BigInt(x))
  return beyondInt(x) ? x : new PyLong(x)
}

/** Is this Python value a long (of either form)? */
export const isLong = (x: unknown): x is PyLong | bigint =>
  typeof x === 'number' ? false : typeof x === 'bigint' ? beyondInt(x) : x instanceof PyLong

function floatKey(v: number): unknown {
  if (Number.isInteger(v) && !Number.isSafeInteger(v)) return BigInt(v)
  return v
}

function keyPart(k: unknown): string {
  const h = hashKey(k)
  switch (typeof h) {
    case 'string':
      return (k === h ? 's' : '') + h.length + ':' + h
    case 'number':
    case 'bigint':
      return 'n' + String(h)
    default:
      if (h === null) return 'N'
      return 'o' + objId(h as object) + ';'
  }
}

/** The Map key of a Python value: equal Python values (1 == 1.0 == True, equal tuples) get the same key. */
export function hashKey(k: unknown): unknown {
  switch (typeof k) {
    case 'string':
    case 'number':
    case 'bigint':
      return k
    case 'boolean':
      return k ? 1 : 0
    case 'object':
      if (k === null) return null
      if (k instanceof PyFloat) return floatKey(k.v)
      if (k instanceof PyLong) return normBig(k.v)
      // equal to the float (or int) of its real part when the imaginary part is 0, as in Python
      if (k instanceof PyComplex) return k.im === 0 ? floatKey(k.re) : '\u0103' + String(k.re) + ',' + String(k.im)
      if (Array.isArray(k)) {
        if ((k as Marked)[TUPLE] !== true) throw typeErr("unhashable type: 'list'")
        let s = '\u0100('
        for (let i = 0; i < k.length; i++) s += keyPart(k[i]) + ','
        return s + ')'
      }
      if (k instanceof PyDict) throw typeErr("unhashable type: 'dict'")
      if (k instanceof PySet) {
        if (!k.frozen) throw typeErr("unhashable type: 'set'")
        const parts: string[] = []
        for (const v of k.m.values()) parts.push(keyPart(v))
        parts.sort()
        return '\u0101{' + parts.join(',') + '}'
      }
      if (k instanceof BoundMethod) return '\u0102' + keyPart(k.self) + keyPart(k.fn)
      if (k instanceof PySlice) throw typeErr('unhashable type')
      return k
    default:
      return k
  }
}

/** One traceback entry; `caught` while the function it names is handling the exception. */
export interface Frame {
  file: string
  func: string
  line: number
  caught: boolean
}
