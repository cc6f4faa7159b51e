// Calling Python values: compiled functions, natives, bound methods, types (construction). Argument binding like
// CPython 2.7. Calls with *args or keywords from compiled code are in calls-kw.ts (unpacking *args iterates).
import type { FunctionMeta } from './contract.js'
import {
  PyDict,
  PyType,
  PyInstance,
  BoundMethod,
  G,
  T,
  isTuple,
  tuple,
  tupleOwn,
  typeErr,
  pyErr,
  type AnyFn,
  type FuncInfo,
} from './core.js'
import { getattr, isBindable, lookup, objectInit, typeName, typeOf } from './classes.js'

const Gen = G as unknown as new () => object

export function func(gen: AnyFn, meta: FunctionMeta): AnyFn {
  const info: FuncInfo = {
    name: meta.name,
    params: meta.params,
    defaults: meta.defaults,
    star: meta.star,
    kw: meta.kw,
    file: meta.file,
    line: meta.line,
    n: meta.params.length,
    simple: meta.star === null && meta.kw === null,
  }
  gen.$py = info
  gen.$n = info.simple ? info.n : -1
  return gen
}

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments'
}

function arityError(info: FuncInfo, given: number, tooMany: boolean): never {
  const n = info.n
  const nd = info.defaults.length
  let kind: string, count: number
  if (n === 0 && info.star === null) throw typeErr(`${info.name}() takes no arguments (${given} given)`)
  if (tooMany) {
    kind = nd > 0 ? 'at most' : 'exactly'
    count = n
  } else {
    kind = nd > 0 || info.star !== null ? 'at least' : 'exactly'
    count = n - nd
  }
  throw typeErr(`${info.name}() takes ${kind} ${count} ${plural(count)} (${given} given)`)
}

/** Full binding of positional args and keyword args to a compiled function's parameters. */
function bindCall(f: AnyFn, info: FuncInfo, pos: unknown[], kw: Map<string, unknown> | null): unknown {
  const n = info.n
  const np = pos.length
  const nkw = kw === null ? 0 : kw.size
  if (np > n && info.star === null) arityError(info, np + nkw, true)
  const out: unknown[] = new Array(n + (info.star !== null ? 1 : 0) + (info.kw !== null ? 1 : 0))
  const m = np < n ? np : n
  for (let i = 0; i < m; i++) out[i] = pos[i]
  for (let i = m; i < n; i++) out[i] = undefined
  let kwd: PyDict | null = null
  if (info.kw !== null) kwd = new PyDict()
  if (kw !== null) {
    for (const [k, v] of kw) {
      const idx = info.params.indexOf(k)
      if (idx >= 0) {
        if (out[idx] !== undefined) throw typeErr(`${info.name}() got multiple values for keyword argument '${k}'`)
        out[idx] = v
      } else if (kwd !== null) kwd.set(k, v)
      else throw typeErr(`${info.name}() got an unexpected keyword argument '${k}'`)
    }
  }
  const d = info.defaults
  const firstDef = n - d.length
  for (let i = 0; i < n; i++) {
    if (out[i] === undefined) {
      if (i >= firstDef) out[i] = d[i - firstDef]
      else arityError(info, np + nkw, false)
    }
  }
  let j = n
  if (info.star !== null) out[j++] = np > n ? tupleOwn(pos.slice(n)) : tuple([])
  if (kwd !== null) out[j] = kwd
  return f.apply(null, out)
}

function nativeArity(f: AnyFn, n: number): void {
  const nat = f.$nat!
  if (n >= nat.min && n <= nat.max) return
  const self = nat.method ? 1 : 0
  if (nat.wrongCount !== undefined) throw nat.wrongCount(n - self)
  const lo = nat.min - self,
    hi = nat.max - self,
    given = n - self
  const what =
    lo === hi
      ? lo === 0
        ? 'no arguments'
        : lo === 1
          ? 'exactly one argument'
          : `exactly ${lo} arguments`
      : given < lo
        ? `at least ${lo} ${plural(lo)}`
        : `at most ${hi} ${plural(hi)}`
  throw typeErr(`${nat.name}() takes ${what} (${given} given)`)
}

function notCallable(f: unknown): never {
  throw typeErr(`'${typeName(f)}' object is not callable`)
}

/** f(*pos, **kw) with everything already collected. */
export function callFull(f: unknown, pos: unknown[], kw: Map<string, unknown> | null): unknown {
  if (kw !== null && kw.size === 0) kw = null
  if (typeof f === 'function') {
    const fn = f as AnyFn
    const info = fn.$py
    if (info !== undefined) {
      if (kw === null && info.simple && pos.length === info.n) return fn.apply(null, pos)
      return bindCall(fn, info, pos, kw)
    }
    const nat = fn.$nat
    if (nat !== undefined) {
      nativeArity(fn, pos.length)
      if (kw !== null) {
        if (!nat.kw) throw typeErr(`${nat.name}() takes no keyword arguments`)
        return fn.apply(null, [...pos, kw])
      }
      return fn.apply(null, pos)
    }
    return fn.apply(null, pos)
  }
  if (f instanceof BoundMethod) return callFull(f.fn, [f.self, ...pos], kw)
  if (f instanceof PyType) return construct(f, pos, kw)
  return notCallable(f)
}

export function call(f: unknown, args: unknown[]): unknown {
  if (typeof f === 'function') {
    const info = (f as AnyFn).$py
    if (info !== undefined) {
      if (info.simple && args.length === info.n) return (f as AnyFn).apply(null, args)
      return bindCall(f as AnyFn, info, args, null)
    }
    const nat = (f as AnyFn).$nat
    if (nat !== undefined && (args.length < nat.min || args.length > nat.max)) nativeArity(f as AnyFn, args.length)
    return (f as AnyFn).apply(null, args)
  }
  if (f instanceof BoundMethod) return callSelf(f.fn, f.self, args)
  if (f instanceof PyType) return construct(f, args, null)
  return notCallable(f)
}

// f(), f(a), f(a, b), f(a, b, c): a compiled function with that many plain params, or a native accepting that many
// args, is called directly (no array, no apply).
export function call0(f: unknown): unknown {
  if (typeof f === 'function') {
    if ((f as AnyFn).$n === 0) return (f as AnyFn)()
    const nat = (f as AnyFn).$nat
    if (nat !== undefined && nat.min === 0) return (f as AnyFn)()
  }
  return call(f, [])
}
export function call1(f: unknown, a: unknown): unknown {
  if (typeof f === 'function') {
    if ((f as AnyFn).$n === 1) return (f as AnyFn)(a)
    const nat = (f as AnyFn).$nat
    if (nat !== undefined && nat.min <= 1 && nat.max >= 1) return (f as AnyFn)(a)
  }
  return call(f, [a])
}
export function call2(f: unknown, a: unknown, b: unknown): unknown {
  if (typeof f === 'function') {
    if ((f as AnyFn).$n === 2) return (f as AnyFn)(a, b)
    const nat = (f as AnyFn).$nat
    if (nat !== undefined && nat.min <= 2 && nat.max >= 2) return (f as AnyFn)(a, b)
  }
  return call(f, [a, b])
}
export function call3(f: unknown, a: unknown, b: unknown, c: unknown): unknown {
  if (typeof f === 'function') {
    if ((f as AnyFn).$n === 3) return (f as AnyFn)(a, b, c)
    const nat = (f as AnyFn).$nat
    if (nat !== undefined && nat.min <= 3 && nat.max >= 3) return (f as AnyFn)(a, b, c)
  }
  return call(f, [a, b, c])
}

/** f(self, *args) without building the array on the fast path. */
export function callSelf(f: unknown, self: unknown, args: unknown[]): unknown {
  if (typeof f === 'function') {
    const fn = f as AnyFn
    const info = fn.$py
    const n = args.length
    if (info !== undefined && info.simple && n + 1 === info.n) {
      switch (n) {
        case 0:
          return fn(self)
        case 1:
          return fn(self, args[0])
        case 2:
          return fn(self, args[0], args[1])
        case 3:
          return fn(self, args[0], args[1], args[2])
      }
    } else if (info === undefined && fn.$nat !== undefined) {
      const nat = fn.$nat
      if (n + 1 >= nat.min && n + 1 <= nat.max) {
        switch (n) {
          case 0:
            return fn(self)
          case 1:
            return fn(self, args[0])
          case 2:
            return fn(self, args[0], args[1])
        }
      }
    }
  }
  const all = new Array(args.length + 1)
  all[0] = self
  for (let i = 0; i < args.length; i++) all[i + 1] = args[i]
  return call(f, all)
}
export function callSelfKw(f: unknown, self: unknown, args: unknown[], kw: Map<string, unknown> | null): unknown {
  return callFull(f, [self, ...args], kw)
}

export function callMethod(obj: unknown, name: string, args: unknown[]): unknown {
  if (obj instanceof PyInstance) {
    const a = obj.attrs.get(name)
    if (a !== undefined) return call(a, args)
    const c = lookup(obj.cls, name)
    if (c !== undefined) return isBindable(c) ? callSelf(c, obj, args) : call(c, args)
    return call(getattr(obj, name), args)
  }
  if (!(obj instanceof PyType)) {
    const c = lookup(typeOf(obj), name)
    if (c !== undefined && isBindable(c) && !(obj instanceof PyDict && obj.attrs !== null && obj.attrs.has(name))) {
      return callSelf(c, obj, args)
    }
  }
  return call(getattr(obj, name), args)
}

/** The method `name` of `obj`'s class that `obj.name(...)` with `n` positional arguments may call directly, with
 *  `obj` first: a compiled function of n + 1 plain parameters or a native method taking n + 1 arguments; else
 *  undefined (an attribute of the instance, a class attribute that is not such a method, ...). */
function directMethod(obj: unknown, name: string, n: number): AnyFn | undefined {
  let c: unknown
  // the types' own methods first: the most common receivers skip typeOf's tests
  if (typeof obj === 'string') c = T.str.dict.get(name)
  else if (Array.isArray(obj)) c = (isTuple(obj) ? T.tuple : T.list).dict.get(name)
  else if (obj instanceof PyInstance) {
    if (obj.attrs.has(name)) return undefined
    c = obj.cls.dict.get(name)
    if (c === undefined) c = lookup(obj.cls, name)
  } else if (obj instanceof PyDict) {
    if (obj.attrs !== null && obj.attrs.has(name)) return undefined
    c = lookup(obj.cls ?? T.dict, name)
  } else if (obj instanceof PyType) return undefined
  else c = lookup(typeOf(obj), name)
  if (typeof c !== 'function') return undefined
  const fn = c as AnyFn
  const info = fn.$py
  if (info !== undefined) return info.simple && info.n === n + 1 ? fn : undefined
  const nat = fn.$nat
  return nat !== undefined && nat.method && n + 1 >= nat.min && n + 1 <= nat.max ? fn : undefined
}
/** directMethod for an instance of a class (what a compiled call site may keep, see contract.ts), else undefined. */
export function instanceMethod(obj: unknown, name: string, n: number): AnyFn | undefined {
  return obj instanceof PyInstance ? directMethod(obj, name, n) : undefined
}
// obj.name(), obj.name(a), obj.name(a, b): callMethod without an array of the arguments when the method is a plain
// function of the class.
export function callMethod0(obj: unknown, name: string): unknown {
  const f = directMethod(obj, name, 0)
  return f !== undefined ? f(obj) : callMethod(obj, name, [])
}
export function callMethod1(obj: unknown, name: string, a: unknown): unknown {
  const f = directMethod(obj, name, 1)
  return f !== undefined ? f(obj, a) : callMethod(obj, name, [a])
}
export function callMethod2(obj: unknown, name: string, a: unknown, b: unknown): unknown {
  const f = directMethod(obj, name, 2)
  return f !== undefined ? f(obj, a, b) : callMethod(obj, name, [a, b])
}

// --- construction ---------------------------------------------------------------------------------------------
function findAlloc(cls: PyType): (cls: PyType, args: unknown[]) => unknown {
  for (const t of cls.mro) if (t.alloc !== undefined) return t.alloc
  return (c) => new PyInstance(c)
}

function* finishInit(g: Generator<unknown, unknown, unknown>, inst: unknown): Generator<unknown, unknown, unknown> {
  const r = yield* g
  if (r !== null && r !== undefined) throw typeErr(`__init__() should return None, not '${typeName(r)}'`)
  return inst
}

/** Calling a type object. Returns the instance or a Step. */
export function construct(cls: PyType, args: unknown[], kw: Map<string, unknown> | null): unknown {
  if (cls.ctor !== undefined) return cls.ctor(args, kw)
  const inst = findAlloc(cls)(cls, args)
  const init = lookup(cls, '__init__')
  if (init === undefined || init === objectInit) {
    if ((args.length > 0 || (kw !== null && kw.size > 0)) && !cls.isExc) throw typeErr('object() takes no parameters')
    return inst
  }
  const r = kw === null || kw.size === 0 ? callSelf(init, inst, args) : callSelfKw(init, inst, args, kw)
  if (r instanceof Gen) return finishInit(r as Generator<unknown, unknown, unknown>, inst)
  if (r !== null && r !== undefined) throw typeErr(`__init__() should return None, not '${typeName(r)}'`)
  return inst
}

/** Drives a Step to completion; preemption yields (0) are ignored, anything else is an error. */
export function runSync(step: unknown): unknown {
  if (!(step instanceof Gen)) return step === undefined ? null : step
  const g = step as Generator<unknown, unknown, unknown>
  let r = g.next()
  while (!r.done) {
    if (r.value !== 0) {
      try {
        g.return(null)
      } catch {
        /* ignore */
      }
      throw pyErr('RuntimeError', 'a blocking call is not possible in this context')
    }
    r = g.next()
  }
  return r.value === undefined ? null : r.value
}

export function callSync(f: unknown, args: unknown[]): unknown {
  return runSync(call(f, args))
}

/** A Step as a generator: `yield* delegate(step)` gives its value, waiting (in the caller's thread) if it must. */
export function* delegate(step: unknown): Generator<unknown, unknown, unknown> {
  const v = step instanceof Gen ? yield* step as Generator<unknown, unknown, unknown> : step
  return v === undefined ? null : v
}

/** Calls f(args) when first resumed: `yield* callGen(f, args)` gives the result. */
export function* callGen(f: unknown, args: unknown[]): Generator<unknown, unknown, unknown> {
  return yield* delegate(call(f, args))
}
