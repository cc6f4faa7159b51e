// list / tuple / dict / set / xrange: items, slices, iteration, membership and methods.
import {
  PyDict,
  PySet,
  PyInstance,
  PyIter,
  PyFloat,
  PyLong,
  beyondInt,
  PySlice,
  XRange,
  ListIter,
  StrIter,
  xrangeIter,
  DictIter,
  SetIter,
  STOP,
  G,
  T,
  isTuple,
  isList,
  tupleOwn,
  pyErr,
  typeErr,
  mkNative,
} from './core.js'
import { isInt, intVal } from './numbers.js'
import { eq, cmp3, truth } from './compare.js'
import { getattr, lookup, typeName, defMethods, type MethodSpec } from './classes.js'
import { call, callSync } from './calls.js'
import { repr } from './format.js'

const Gen = G as unknown as new () => object

// --- iteration ---------------------------------------------------------------------------------------------------
class InstIter extends PyIter {
  f: unknown
  constructor(readonly obj: unknown) {
    super()
    this.f = getattr(obj, 'next')
  }
  next(): unknown {
    try {
      return callSync(this.f, [])
    } catch (e) {
      if (e instanceof PyInstance && e.cls.mro.includes(excClass('StopIteration'))) return STOP
      throw e
    }
  }
}
function excClass(name: string) {
  return lookupExc(name)
}
import { EXC } from './core.js'
const lookupExc = (n: string) => EXC.get(n)!

export function iter(x: unknown): PyIter {
  if (Array.isArray(x)) return new ListIter(x)
  if (typeof x === 'string') return new StrIter(x)
  if (x instanceof XRange) return xrangeIter(x.start, x.step, x.len)
  if (x instanceof PyDict) return new DictIter(x, 0)
  if (x instanceof PySet) return new SetIter(x)
  if (x instanceof PyIter) return x
  if (x instanceof PyInstance) {
    const f = lookup(x.cls, '__iter__')
    if (f !== undefined) {
      const r = callSync(getattr(x, '__iter__'), [])
      if (r instanceof PyIter) return r
      if (r instanceof PyInstance) return new InstIter(r)
      throw typeErr(`iter() returned non-iterator of type '${typeName(r)}'`)
    }
  }
  throw typeErr(`'${typeName(x)}' object is not iterable`)
}

/** The items of an iterable as an array (the array itself for lists and tuples: do not mutate). */
export function toArray(x: unknown): unknown[] {
  if (Array.isArray(x)) return x
  if (typeof x === 'string') return x.split('')
  if (x instanceof PyDict) return x.keys()
  if (x instanceof PySet) return x.values()
  const it = iter(x)
  const out: unknown[] = []
  for (let v = it.next(); v !== STOP; v = it.next()) out.push(v)
  return out
}
/** A fresh array of the items. */
export function toList(x: unknown): unknown[] {
  return Array.isArray(x) ? x.slice() : toArray(x)
}

export function len(x: unknown): number {
  if (typeof x === 'string' || Array.isArray(x)) return x.length
  if (x instanceof PyDict || x instanceof PySet) return x.m.size
  if (x instanceof XRange) return x.len
  throw typeErr(`object of type '${typeName(x)}' has no len()`)
}

export function contains(c: unknown, item: unknown): boolean {
  if (typeof c === 'string') {
    if (typeof item !== 'string') throw typeErr("'in <string>' requires string as left operand")
    return c.indexOf(item) >= 0
  }
  if (Array.isArray(c)) {
    for (let i = 0; i < c.length; i++) if (c[i] === item || eq(c[i], item)) return true
    return false
  }
  if (c instanceof PyDict || c instanceof PySet) return c.has(item)
  if (c instanceof XRange) {
    if (!isInt(item) && !(item instanceof PyFloat)) return false
    const it = xrangeIter(c.start, c.step, c.len)
    for (let v = it.next(); v !== STOP; v = it.next()) if (eq(v, item)) return true
    return false
  }
  if (c instanceof PyInstance || c instanceof PyIter) {
    const it = iter(c)
    for (let v = it.next(); v !== STOP; v = it.next()) if (v === item || eq(v, item)) return true
    return false
  }
  throw typeErr(`argument of type '${typeName(c)}' is not iterable`)
}

export function unpack(x: unknown, n: number): unknown[] {
  const a = Array.isArray(x) ? x : toArray(x)
  if (a.length === n) return a
  if (a.length > n) throw pyErr('ValueError', 'too many values to unpack')
  throw pyErr('ValueError', `need more than ${a.length} value${a.length === 1 ? '' : 's'} to unpack`)
}

// --- indices -------------------------------------------------------------------------------------------------------
function seqKind(o: unknown): string {
  return isTuple(o) ? 'tuple' : typeof o === 'string' ? 'string' : 'list'
}

function index(o: { length: number }, k: unknown, what: string, kind: string): number {
  if (typeof k === 'number') {
    const i = k < 0 ? k + o.length : k
    if (i < 0 || i >= o.length) throw pyErr('IndexError', `${kind} ${what} out of range`)
    return i
  }
  if (typeof k === 'boolean') return index(o, k ? 1 : 0, what, kind)
  if (k instanceof PyLong) return index(o, intVal(k), what, kind)
  if (typeof k === 'bigint') throw pyErr('IndexError', "cannot fit 'long' into an index-sized integer")
  throw typeErr(`${kind} indices must be integers, not ${typeName(k)}`)
}

function sliceIdx(v: unknown): number | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'number') return v
  if (typeof v === 'boolean') return v ? 1 : 0
  if (v instanceof PyLong) return sliceIdx(intVal(v))
  if (typeof v === 'bigint') return v < 0n ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER
  throw typeErr('slice indices must be integers or None or have an __index__ method')
}

/** [start, stop, step, count] like PySlice_GetIndicesEx. */
export function sliceIndices(n: number, lo: unknown, hi: unknown, st: unknown): [number, number, number, number] {
  const s0 = sliceIdx(st)
  const step = s0 === null ? 1 : s0
  if (step === 0) throw pyErr('ValueError', 'slice step cannot be zero')
  let start = sliceIdx(lo),
    stop = sliceIdx(hi)
  if (start === null) start = step < 0 ? n - 1 : 0
  else {
    if (start < 0) {
      start += n
      if (start < 0) start = step < 0 ? -1 : 0
    } else if (start >= n) start = step < 0 ? n - 1 : n
  }
  if (stop === null) stop = step < 0 ? -1 : n
  else {
    if (stop < 0) {
      stop += n
      if (stop < 0) stop = step < 0 ? -1 : 0
    } else if (stop >= n) stop = step < 0 ? n - 1 : n
  }
  let count: number
  if (step < 0) count = stop < start ? Math.floor((start - stop - 1) / -step) + 1 : 0
  else count = start < stop ? Math.floor((stop - start - 1) / step) + 1 : 0
  return [start, stop, step, count]
}

export function getslice(o: unknown, lo: unknown, hi: unknown, st: unknown): unknown {
  if (typeof o !== 'string' && !Array.isArray(o)) {
    if (o instanceof XRange) return getslice(toArray(o), lo, hi, st)
    throw typeErr(`'${typeName(o)}' object has no attribute '__getslice__'`)
  }
  const [start, , step, count] = sliceIndices(o.length, lo, hi, st)
  if (step === 1) {
    const r = o.slice(start, start + count)
    return isTuple(o) ? tupleOwn(r as unknown[]) : r
  }
  if (typeof o === 'string') {
    let s = ''
    for (let i = 0, j = start; i < count; i++, j += step) s += o[j]
    return s
  }
  const out: unknown[] = new Array(count)
  for (let i = 0, j = start; i < count; i++, j += step) out[i] = o[j]
  return isTuple(o) ? tupleOwn(out) : out
}

export function setslice(o: unknown, lo: unknown, hi: unknown, st: unknown, v: unknown): void {
  if (!isList(o)) throw typeErr(`'${typeName(o)}' object does not support slice assignment`)
  const items = v === o ? o.slice() : toList(v)
  const [start, , step, count] = sliceIndices(o.length, lo, hi, st)
  if (step === 1) {
    o.splice(start, Math.max(0, count), ...items)
    return
  }
  if (items.length !== count) {
    throw pyErr('ValueError', `attempt to assign sequence of size ${items.length} to extended slice of size ${count}`)
  }
  for (let i = 0, j = start; i < count; i++, j += step) o[j] = items[i]
}

export function delslice(o: unknown, lo: unknown, hi: unknown, st: unknown): void {
  if (!isList(o)) throw typeErr(`'${typeName(o)}' object does not support slice deletion`)
  const [start, , step, count] = sliceIndices(o.length, lo, hi, st)
  if (step === 1) {
    o.splice(start, count)
    return
  }
  const del = new Set<number>()
  for (let i = 0, j = start; i < count; i++, j += step) del.add(j)
  let w = 0
  for (let r = 0; r < o.length; r++) if (!del.has(r)) o[w++] = o[r]
  o.length = w
}

export function getitem(o: unknown, k: unknown): unknown {
  if (Array.isArray(o)) {
    if (typeof k === 'number') {
      const i = k < 0 ? k + o.length : k
      if (i >= 0 && i < o.length) return o[i]
    }
    if (k instanceof PySlice) return getslice(o, k.start, k.stop, k.step)
    return o[index(o, k, 'index', seqKind(o))]
  }
  if (o instanceof PyDict) {
    if (o.check !== null) o.check(k)
    const v = o.m.get(hashKeyOf(k))
    if (v !== undefined) return v
    throw pyErr('KeyError', k)
  }
  if (typeof o === 'string') {
    if (k instanceof PySlice) return getslice(o, k.start, k.stop, k.step)
    return o[index(o, k, 'index', 'string')]
  }
  if (o instanceof XRange) {
    const i = index({ length: o.len }, k, 'object index', 'xrange')
    return o.start + i * o.step
  }
  throw typeErr(
    `'${typeName(o)}' object ${o instanceof PySet ? 'does not support indexing' : "has no attribute '__getitem__'"}`,
  )
}
import { hashKey as hashKeyOf } from './core.js'

export function setitem(o: unknown, k: unknown, v: unknown): void {
  if (v === undefined) v = null
  if (o instanceof PyDict) {
    o.set(k, v)
    return
  }
  if (isList(o)) {
    if (k instanceof PySlice) {
      setslice(o, k.start, k.stop, k.step, v)
      return
    }
    o[index(o, k, 'assignment index', 'list')] = v
    return
  }
  throw typeErr(`'${typeName(o)}' object does not support item assignment`)
}

export function delitem(o: unknown, k: unknown): void {
  if (o instanceof PyDict) {
    if (!o.delete(k)) throw pyErr('KeyError', k)
    return
  }
  if (isList(o)) {
    if (k instanceof PySlice) {
      delslice(o, k.start, k.stop, k.step)
      return
    }
    o.splice(index(o, k, 'assignment index', 'list'), 1)
    return
  }
  throw typeErr(`'${typeName(o)}' object doesn't support item deletion`)
}

// --- dict helpers --------------------------------------------------------------------------------------------------

/** dict.update(other) for a mapping or an iterable of pairs. */
export function dictUpdate(d: PyDict, other: unknown): void {
  if (other instanceof PyDict) {
    for (const [h, v] of other.m) d.set(other.origKey(h), v)
    return
  }
  const items = toArray(other)
  for (let i = 0; i < items.length; i++) {
    const p = items[i]
    let pair: unknown[]
    try {
      pair = toArray(p)
    } catch {
      throw typeErr(`cannot convert dictionary update sequence element #${i} to a sequence`)
    }
    if (pair.length !== 2) {
      throw pyErr('ValueError', `dictionary update sequence element #${i} has length ${pair.length}; 2 is required`)
    }
    d.set(pair[0], pair[1])
  }
}

// --- set helpers -----------------------------------------------------------------------------------------------------
export function newSet(items: unknown, frozen: boolean): PySet {
  const s = new PySet(frozen)
  if (items !== undefined) {
    if (items instanceof PySet) {
      for (const [h, v] of items.m) s.m.set(h, v)
    } else for (const v of toArray(items)) s.add(v)
  }
  return s
}
function asSet(x: unknown): PySet {
  return x instanceof PySet ? x : newSet(x, true)
}
export const setOps = {
  union(a: PySet, b: PySet): PySet {
    const r = new PySet(a.frozen)
    for (const [h, v] of a.m) r.m.set(h, v)
    for (const [h, v] of b.m) if (!r.m.has(h)) r.m.set(h, v)
    return r
  },
  intersection(a: PySet, b: PySet): PySet {
    const r = new PySet(a.frozen)
    for (const [h, v] of a.m) if (b.m.has(h)) r.m.set(h, v)
    return r
  },
  difference(a: PySet, b: PySet): PySet {
    const r = new PySet(a.frozen)
    for (const [h, v] of a.m) if (!b.m.has(h)) r.m.set(h, v)
    return r
  },
  symmetric_difference(a: PySet, b: PySet): PySet {
    const r = new PySet(a.frozen)
    for (const [h, v] of a.m) if (!b.m.has(h)) r.m.set(h, v)
    for (const [h, v] of b.m) if (!a.m.has(h)) r.m.set(h, v)
    return r
  },
}

// --- sorting ------------------------------------------------------------------------------------------------------
function cmpResult(r: unknown): number {
  if (typeof r === 'number') return r
  if (typeof r === 'boolean') return r ? 1 : 0
  // a long is refused, as CPython 2.7 refuses it
  if (typeof r === 'bigint' && !beyondInt(r)) return r < 0n ? -1 : r > 0n ? 1 : 0
  throw typeErr(`comparison function must return int, not ${typeName(r)}`)
}

/** Stable merge sort where the comparison may run Python code. */
function* sortGen(a: unknown[], cmpf: unknown): Generator<unknown, void, unknown> {
  const n = a.length
  let src = a.slice(),
    dst = new Array(n)
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n),
        hi = Math.min(lo + 2 * width, n)
      let i = lo,
        j = mid,
        k = lo
      while (i < mid && j < hi) {
        let r = call(cmpf, [src[j], src[i]])
        if (r instanceof Gen) r = yield* r as Generator<unknown, unknown, unknown>
        if (cmpResult(r) < 0) dst[k++] = src[j++]
        else dst[k++] = src[i++]
      }
      while (i < mid) dst[k++] = src[i++]
      while (j < hi) dst[k++] = src[j++]
    }
    const t = src
    src = dst
    dst = t
  }
  for (let i = 0; i < n; i++) a[i] = src[i]
}

export function* listSort(self: unknown[], ...rest: unknown[]): Generator<unknown, unknown, unknown> {
  let kw: Map<string, unknown> | null = null
  if (rest.length > 0 && rest[rest.length - 1] instanceof Map) kw = rest.pop() as Map<string, unknown>
  let [cmpf, key, reverse] = rest as [unknown, unknown, unknown]
  if (kw !== null) {
    for (const [k, v] of kw) {
      if (k === 'cmp') cmpf = v
      else if (k === 'key') key = v
      else if (k === 'reverse') reverse = v
      else throw typeErr(`'${k}' is an invalid keyword argument for this function`)
    }
  }
  if (cmpf === undefined) cmpf = null
  if (key === undefined) key = null
  const rev = reverse !== undefined && truth(reverse)
  if (rev) self.reverse()
  let items: unknown[] = self
  let keys: unknown[] | null = null
  if (key !== null) {
    keys = new Array(self.length)
    for (let i = 0; i < self.length; i++) {
      let r = call(key, [self[i]])
      if (r instanceof Gen) r = yield* r as Generator<unknown, unknown, unknown>
      keys[i] = r
    }
    items = self.map((_, i) => i)
  }
  if (cmpf === null) {
    if (keys !== null) {
      const ks = keys
      items.sort((x, y) => cmp3(ks[x as number], ks[y as number]))
    } else items.sort(cmp3)
  } else if (keys !== null) {
    const ks = keys
    const c = mkNative('cmp', (x: number, y: number) => call(cmpf, [ks[x], ks[y]]))
    yield* sortGen(items, c)
  } else yield* sortGen(items, cmpf)
  if (keys !== null) {
    const copy = self.slice()
    for (let i = 0; i < items.length; i++) self[i] = copy[items[i] as number]
  }
  if (rev) self.reverse()
  return null
}

// --- method tables --------------------------------------------------------------------------------------------------
function idxArg(v: unknown, n: number, dflt: number): number {
  if (v === undefined || v === null) return dflt
  if (!isInt(v)) throw typeErr('slice indices must be integers or None or have an __index__ method')
  let i = Number(intVal(v))
  if (i < 0) {
    i += n
    if (i < 0) i = 0
  } else if (i > n) i = n
  return i
}

function seqIndex(self: unknown[], x: unknown, start: unknown, stop: unknown, what: string): number {
  const s = idxArg(start, self.length, 0),
    e = idxArg(stop, self.length, self.length)
  for (let i = s; i < e; i++) if (self[i] === x || eq(self[i], x)) return i
  throw pyErr('ValueError', what)
}
function seqCount(self: unknown[], x: unknown): number {
  let c = 0
  for (let i = 0; i < self.length; i++) if (self[i] === x || eq(self[i], x)) c++
  return c
}

export function initContainerMethods(): void {
  const listM: Record<string, MethodSpec> = {
    append: [
      (self: unknown[], x: unknown) => {
        self.push(x)
        return null
      },
      1,
    ],
    extend: [
      (self: unknown[], x: unknown) => {
        const items = x === self ? self.slice() : toArray(x)
        for (let i = 0; i < items.length; i++) self.push(items[i])
        return null
      },
      1,
    ],
    insert: [
      (self: unknown[], i: unknown, x: unknown) => {
        if (!isInt(i)) throw typeErr(`an integer is required`)
        let k = Number(intVal(i))
        if (k < 0) {
          k += self.length
          if (k < 0) k = 0
        } else if (k > self.length) k = self.length
        self.splice(k, 0, x)
        return null
      },
      2,
    ],
    remove: [
      (self: unknown[], x: unknown) => {
        for (let i = 0; i < self.length; i++)
          if (self[i] === x || eq(self[i], x)) {
            self.splice(i, 1)
            return null
          }
        throw pyErr('ValueError', 'list.remove(x): x not in list')
      },
      1,
    ],
    pop: [
      (self: unknown[], i?: unknown) => {
        if (self.length === 0) throw pyErr('IndexError', 'pop from empty list')
        if (i === undefined) return self.pop()
        const k = index(self, i, 'index', 'pop')
        return self.splice(k, 1)[0]
      },
      0,
      1,
    ],
    index: [
      (self: unknown[], x: unknown, s?: unknown, e?: unknown) => seqIndex(self, x, s, e, `${repr(x)} is not in list`),
      1,
      3,
    ],
    count: [(self: unknown[], x: unknown) => seqCount(self, x), 1],
    reverse: [
      (self: unknown[]) => {
        self.reverse()
        return null
      },
      0,
    ],
    sort: [listSort, 0, 3, true],
  }
  defMethods(T.list, listM)
  defMethods(T.tuple, {
    index: [
      (self: unknown[], x: unknown, s?: unknown, e?: unknown) =>
        seqIndex(self, x, s, e, 'tuple.index(x): x not in tuple'),
      1,
      3,
    ],
    count: [(self: unknown[], x: unknown) => seqCount(self, x), 1],
  })

  const dictM: Record<string, MethodSpec> = {
    keys: [(self: PyDict) => self.keys(), 0],
    values: [(self: PyDict) => Array.from(self.m.values()), 0],
    items: [
      (self: PyDict) => {
        const out: unknown[] = []
        for (const [h, v] of self.m) out.push(tupleOwn([self.origKey(h), v]))
        return out
      },
      0,
    ],
    iterkeys: [(self: PyDict) => new DictIter(self, 0), 0],
    itervalues: [(self: PyDict) => new DictIter(self, 1), 0],
    iteritems: [(self: PyDict) => new DictIter(self, 2), 0],
    get: [
      (self: PyDict, k: unknown, d?: unknown) => {
        const v = self.get(k)
        return v !== undefined ? v : d === undefined ? null : d
      },
      1,
      2,
    ],
    has_key: [(self: PyDict, k: unknown) => self.has(k), 1],
    pop: [
      (self: PyDict, k: unknown, d?: unknown) => {
        const v = self.get(k)
        if (v !== undefined) {
          self.delete(k)
          return v
        }
        if (d !== undefined) return d
        throw pyErr('KeyError', k)
      },
      1,
      2,
    ],
    popitem: [
      (self: PyDict) => {
        for (const [h, v] of self.m) {
          const k = self.origKey(h)
          self.delete(k)
          return tupleOwn([k, v])
        }
        throw pyErr('KeyError', 'popitem(): dictionary is empty')
      },
      0,
    ],
    setdefault: [
      (self: PyDict, k: unknown, d?: unknown) => {
        const v = self.get(k)
        if (v !== undefined) return v
        const nv = d === undefined ? null : d
        self.set(k, nv)
        return nv
      },
      1,
      2,
    ],
    update: [
      (self: PyDict, ...rest: unknown[]) => {
        let kw: Map<string, unknown> | null = null
        if (rest.length > 0 && rest[rest.length - 1] instanceof Map) kw = rest.pop() as Map<string, unknown>
        if (rest.length > 1) throw typeErr(`update expected at most 1 arguments, got ${rest.length}`)
        if (rest.length === 1) dictUpdate(self, rest[0])
        if (kw !== null) for (const [k, v] of kw) self.set(k, v)
        return null
      },
      0,
      1,
      true,
    ],
    clear: [
      (self: PyDict) => {
        self.m.clear()
        self.ks = null
        self.ver++
        return null
      },
      0,
    ],
    copy: [
      (self: PyDict) => {
        const d = new PyDict()
        d.m = new Map(self.m)
        d.ks = self.ks && new Map(self.ks)
        return d
      },
      0,
    ],
    __init__: [
      (self: PyDict, ...rest: unknown[]) => {
        let kw: Map<string, unknown> | null = null
        if (rest.length > 0 && rest[rest.length - 1] instanceof Map) kw = rest.pop() as Map<string, unknown>
        if (rest.length === 1) dictUpdate(self, rest[0])
        if (kw !== null) for (const [k, v] of kw) self.set(k, v)
        return null
      },
      0,
      1,
      true,
    ],
  }
  defMethods(T.dict, dictM)
  T.dict.dict.set(
    'fromkeys',
    mkNative(
      'fromkeys',
      (seq: unknown, v?: unknown) => {
        const d = new PyDict()
        for (const k of toArray(seq)) d.set(k, v === undefined ? null : v)
        return d
      },
      { min: 1, max: 2 },
    ),
  )

  const frozenM: Record<string, MethodSpec> = {
    copy: [(self: PySet) => newSet(self, self.frozen), 0],
    union: [
      (self: PySet, ...o: unknown[]) => o.reduce((a: PySet, b) => setOps.union(a, asSet(b)), newSet(self, self.frozen)),
      0,
      Infinity,
    ],
    intersection: [
      (self: PySet, ...o: unknown[]) =>
        o.reduce((a: PySet, b) => setOps.intersection(a, asSet(b)), newSet(self, self.frozen)),
      0,
      Infinity,
    ],
    difference: [
      (self: PySet, ...o: unknown[]) =>
        o.reduce((a: PySet, b) => setOps.difference(a, asSet(b)), newSet(self, self.frozen)),
      0,
      Infinity,
    ],
    symmetric_difference: [(self: PySet, o: unknown) => setOps.symmetric_difference(self, asSet(o)), 1],
    issubset: [
      (self: PySet, o: unknown) => {
        const b = asSet(o)
        for (const h of self.m.keys()) if (!b.m.has(h)) return false
        return true
      },
      1,
    ],
    issuperset: [
      (self: PySet, o: unknown) => {
        const b = asSet(o)
        for (const h of b.m.keys()) if (!self.m.has(h)) return false
        return true
      },
      1,
    ],
    isdisjoint: [
      (self: PySet, o: unknown) => {
        const b = asSet(o)
        for (const h of b.m.keys()) if (self.m.has(h)) return false
        return true
      },
      1,
    ],
  }
  defMethods(T.frozenset, frozenM)
  const replace = (self: PySet, r: PySet) => {
    self.m = r.m
    return null
  }
  defMethods(T.set, {
    ...frozenM,
    add: [
      (self: PySet, x: unknown) => {
        self.add(x)
        return null
      },
      1,
    ],
    remove: [
      (self: PySet, x: unknown) => {
        if (!self.delete(x)) throw pyErr('KeyError', x)
        return null
      },
      1,
    ],
    discard: [
      (self: PySet, x: unknown) => {
        self.delete(x)
        return null
      },
      1,
    ],
    pop: [
      (self: PySet) => {
        for (const [h, v] of self.m) {
          self.m.delete(h)
          return v
        }
        throw pyErr('KeyError', 'pop from an empty set')
      },
      0,
    ],
    clear: [
      (self: PySet) => {
        self.m.clear()
        return null
      },
      0,
    ],
    update: [
      (self: PySet, ...o: unknown[]) => {
        for (const x of o) for (const v of toArray(x)) self.add(v)
        return null
      },
      0,
      Infinity,
    ],
    intersection_update: [(self: PySet, o: unknown) => replace(self, setOps.intersection(self, asSet(o))), 1],
    difference_update: [(self: PySet, o: unknown) => replace(self, setOps.difference(self, asSet(o))), 1],
    symmetric_difference_update: [
      (self: PySet, o: unknown) => replace(self, setOps.symmetric_difference(self, asSet(o))),
      1,
    ],
  })

  defMethods(T.iterator, {
    next: [
      (self: PyIter) => {
        const v = self.next()
        if (v === STOP) throw pyErr('StopIteration')
        return v
      },
      0,
    ],
  })
}

export { G }
