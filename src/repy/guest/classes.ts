// Types, classes, instances and attribute lookup. Calling a type (construction) runs Python code, so it is in
// calls.ts, which builds on this module.
import {
  PyType,
  PyInstance,
  PyFloat,
  PyComplex,
  PyLong,
  PyDict,
  PySet,
  BoundMethod,
  PySlice,
  XRange,
  PyIter,
  G,
  T,
  isTuple,
  pyErr,
  typeErr,
  mkNative,
  beyondInt,
  type AnyFn,
} from './core.js'
import { numberPart } from './complex.js'

export function typeOf(x: unknown): PyType {
  switch (typeof x) {
    case 'number':
      return T.int
    case 'string':
      return T.str
    case 'boolean':
      return T.bool
    case 'bigint':
      return beyondInt(x) ? T.long : T.int
    case 'function':
      return (x as AnyFn).$nat !== undefined ? T.builtin : T.function
    case 'undefined':
      return T.NoneType
  }
  if (x === null) return T.NoneType
  if (x instanceof PyInstance) return x.cls
  if (x instanceof PyFloat) return T.float
  if (x instanceof PyLong) return T.long
  if (x instanceof PyComplex) return T.complex
  if (Array.isArray(x)) return isTuple(x) ? T.tuple : T.list
  if (x instanceof PyDict) return x.cls ?? T.dict
  if (x instanceof PySet) return x.frozen ? T.frozenset : T.set
  if (x instanceof PyType) return T.type
  if (x instanceof BoundMethod) return (x.fn as AnyFn).$nat !== undefined ? T.builtin : T.instancemethod
  if (x instanceof XRange) return T.xrange
  if (x instanceof PySlice) return T.slice
  if (x instanceof PyIter) return T.iterator
  if (x instanceof (G as unknown as new () => object)) return T.generator
  return T.object
}

export function typeName(x: unknown): string {
  const t = typeOf(x)
  return t.classic ? 'instance' : t.name
}

/** Looks `name` up along the MRO of `cls`. */
export function lookup(cls: PyType, name: string): unknown {
  const mro = cls.mro
  for (let i = 0; i < mro.length; i++) {
    const v = mro[i]!.dict.get(name)
    if (v !== undefined) return v
  }
  return undefined
}

/** True when a class attribute binds to the instance when read through it. */
export function isBindable(v: unknown): boolean {
  return typeof v === 'function' && ((v as AnyFn).$py !== undefined || (v as AnyFn).$nat?.method === true)
}

export function isSubclass(a: PyType, b: PyType): boolean {
  return a === b || a.mro.includes(b)
}

function c3(cls: PyType, bases: PyType[]): PyType[] {
  const seqs = bases.map((b) => b.mro.slice()).concat([bases.slice()])
  const out: PyType[] = [cls]
  for (;;) {
    const live = seqs.filter((s) => s.length > 0)
    if (live.length === 0) return out
    let cand: PyType | null = null
    for (const s of live) {
      const h = s[0]!
      if (!live.some((t) => t.indexOf(h) > 0)) {
        cand = h
        break
      }
    }
    if (cand === null)
      throw typeErr(
        'Error when calling the metaclass bases\n    Cannot create a consistent method resolution order (MRO)',
      )
    out.push(cand)
    for (const s of live) if (s[0] === cand) s.shift()
  }
}

export function computeMro(cls: PyType): void {
  if (cls.bases.length === 0) {
    cls.mro = cls === T.object || T.object === undefined ? [cls] : [cls, T.object]
    return
  }
  let mro: PyType[]
  try {
    mro = c3(cls, cls.bases)
  } catch {
    // classic-style depth-first fallback
    mro = [cls]
    const walk = (t: PyType) => {
      for (const m of t.mro) if (!mro.includes(m)) mro.push(m)
    }
    cls.bases.forEach(walk)
  }
  if (T.object !== undefined && !mro.includes(T.object)) mro.push(T.object)
  else if (T.object !== undefined) {
    mro = mro.filter((t) => t !== T.object)
    mro.push(T.object)
  }
  cls.mro = mro
}

export function newType(name: string, bases: PyType[], dict?: Map<string, unknown>): PyType {
  const t = new PyType(name, bases, dict ?? new Map<string, unknown>())
  computeMro(t)
  t.isExc = bases.some((b) => b.isExc)
  return t
}

export function makeClass(name: string, bases: unknown[], ns: Map<string, unknown>): PyType {
  for (const b of bases) {
    if (!(b instanceof PyType))
      throw typeErr('Error when calling the metaclass bases\n    object() takes no parameters')
  }
  const t = new PyType(name, bases as PyType[], new Map(ns))
  t.user = true
  t.module = '__main__'
  t.classic = bases.length === 0 || (bases as PyType[]).every((b) => b.classic)
  computeMro(t)
  t.isExc = t.mro.some((b) => b.isExc)
  return t
}

// --- attributes ---------------------------------------------------------------------------------------------------
function noAttr(o: unknown, name: string): never {
  if (o instanceof PyType) {
    if (o.classic) throw pyErr('AttributeError', `class ${o.name} has no attribute '${name}'`)
    throw pyErr('AttributeError', `type object '${o.name}' has no attribute '${name}'`)
  }
  if (o instanceof PyInstance && o.cls.classic)
    throw pyErr('AttributeError', `${o.cls.name} instance has no attribute '${name}'`)
  throw pyErr('AttributeError', `'${typeName(o)}' object has no attribute '${name}'`)
}

export function getattr(o: unknown, name: string): unknown {
  if (o instanceof PyInstance) {
    const v = o.attrs.get(name)
    if (v !== undefined) return v
    const c = lookup(o.cls, name)
    if (c !== undefined) return isBindable(c) ? new BoundMethod(o, c) : c
    return noAttr(o, name)
  }
  if (o instanceof PyType) {
    const v = lookup(o, name)
    if (v !== undefined) return v
    return noAttr(o, name)
  }
  if (o instanceof PyDict && o.attrs !== null) {
    const v = o.attrs.get(name)
    if (v !== undefined) return v
  }
  if (typeof o === 'function') {
    const a = (o as AnyFn).$py?.attrs?.get(name)
    if (a !== undefined) return a
  }
  if (name === 'real' || name === 'imag') {
    const v = numberPart(o, name)
    if (v !== undefined) return v
  }
  const t = typeOf(o)
  const c = lookup(t, name)
  if (c !== undefined) return isBindable(c) ? new BoundMethod(o, c) : c
  return noAttr(o, name)
}

const typeDictListeners: Array<() => void> = []
/** `f` runs after every change of a class's dict once the class exists (setattr and delattr on a class): compiled
 *  method calls keep what they looked up while none happens (contract.ts). */
export function onTypeDictChange(f: () => void): void {
  typeDictListeners.push(f)
}
function typeDictChanged(): void {
  for (const f of typeDictListeners) f()
}

export function setattr(o: unknown, name: string, v: unknown): void {
  if (v === undefined) v = null
  if (o instanceof PyInstance) {
    o.attrs.set(name, v)
    return
  }
  if (o instanceof PyType) {
    if (!o.user) throw typeErr(`can't set attributes of built-in/extension type '${o.name}'`)
    o.dict.set(name, v)
    typeDictChanged()
    return
  }
  if (o instanceof PyDict && o.cls !== null) {
    ;(o.attrs ??= new Map()).set(name, v)
    return
  }
  if (typeof o === 'function' && (o as AnyFn).$py !== undefined) {
    const info = (o as AnyFn).$py!
    ;(info.attrs ??= new Map()).set(name, v)
    return
  }
  if (lookup(typeOf(o), name) !== undefined) {
    throw pyErr('AttributeError', `'${typeName(o)}' object attribute '${name}' is read-only`)
  }
  throw pyErr('AttributeError', `'${typeName(o)}' object has no attribute '${name}'`)
}

export function delattr(o: unknown, name: string): void {
  if (o instanceof PyInstance) {
    if (o.attrs.delete(name)) return
    return noAttr(o, name)
  }
  if (o instanceof PyType && o.user) {
    if (o.dict.delete(name)) return typeDictChanged()
    return noAttr(o, name)
  }
  if (o instanceof PyDict && o.attrs !== null) {
    if (o.attrs.delete(name)) return
  }
  if (typeof o === 'function' && (o as AnyFn).$py?.attrs?.delete(name)) return
  return noAttr(o, name)
}

export const objectInit = mkNative('__init__', () => null, { method: true, min: 1 })

export function isinstance(x: unknown, spec: unknown): boolean {
  if (spec instanceof PyType) return isSubclass(typeOf(x), spec)
  if (isTuple(spec)) return spec.some((s) => isinstance(x, s))
  throw typeErr('isinstance() arg 2 must be a class, type, or tuple of classes and types')
}
export function issubclass(a: unknown, spec: unknown): boolean {
  if (!(a instanceof PyType)) throw typeErr('issubclass() arg 1 must be a class')
  if (spec instanceof PyType) return isSubclass(a, spec)
  if (isTuple(spec)) return spec.some((s) => issubclass(a, s))
  throw typeErr('issubclass() arg 2 must be a class or tuple of classes')
}

/** Adds native methods (self first) to a type. spec: [fn, minArgs, maxArgs, kw] counting args after self. */
export type MethodSpec = [(...a: any[]) => unknown, number, number?, boolean?] // eslint-disable-line @typescript-eslint/no-explicit-any -- a native function declares its own parameter types and checks the Python values it is given
export function defMethods(t: PyType, table: Record<string, MethodSpec>): void {
  for (const name of Object.keys(table)) {
    const [fn, min, max, kw] = table[name]!
    t.dict.set(
      name,
      mkNative(name, fn, { min: min + 1, max: (max ?? min) + 1, kw: kw ?? false, method: true, owner: t.name }),
    )
  }
}
