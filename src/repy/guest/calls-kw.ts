// Calls from compiled code with keyword arguments, `*args` or `**kwargs`: f(a, k=v, *rest, **more) and
// obj.m(...) in that form. Unpacking `*args` iterates, which may run Python code (containers.ts).
import { PyDict, PyInstance, PyType, BoundMethod, typeErr, type AnyFn } from './core.js'
import { getattr, typeName } from './classes.js'
import { callFull } from './calls.js'
import { toArray } from './containers.js'

function kwMap(fname: () => string, kw: Array<[string, unknown]>, starstar: unknown): Map<string, unknown> | null {
  if (kw.length === 0 && (starstar === undefined || starstar === null)) return null
  const m = new Map<string, unknown>()
  for (const [k, v] of kw) {
    if (m.has(k)) throw typeErr(`${fname()}() got multiple values for keyword argument '${k}'`)
    m.set(k, v)
  }
  if (starstar !== undefined) {
    if (!(starstar instanceof PyDict))
      throw typeErr(`${fname()}() argument after ** must be a mapping, not ${typeName(starstar)}`)
    for (const [h, v] of starstar.m) {
      const k = starstar.origKey(h)
      if (typeof k !== 'string') throw typeErr(`${fname()}() keywords must be strings`)
      if (m.has(k)) throw typeErr(`${fname()}() got multiple values for keyword argument '${k}'`)
      m.set(k, v)
    }
  }
  return m
}

function fnName(f: unknown): string {
  if (typeof f === 'function') return (f as AnyFn).$py?.name ?? (f as AnyFn).$nat?.name ?? 'function'
  if (f instanceof BoundMethod) return fnName(f.fn)
  if (f instanceof PyType) return f.name
  return typeName(f)
}

function starArgs(f: unknown, args: unknown[], star: unknown): unknown[] {
  if (star === undefined) return args
  let extra: unknown[]
  try {
    extra = toArray(star)
  } catch (e) {
    if (e instanceof PyInstance && e.cls.name === 'TypeError') {
      throw typeErr(`${fnName(f)}() argument after * must be a sequence, not ${typeName(star)}`)
    }
    throw e
  }
  return args.concat(extra)
}

export function callKw(
  f: unknown,
  args: unknown[],
  kw: Array<[string, unknown]>,
  star?: unknown,
  starstar?: unknown,
): unknown {
  return callFull(
    f,
    starArgs(f, args, star),
    kwMap(() => fnName(f), kw, starstar),
  )
}

export function callMethodKw(
  obj: unknown,
  name: string,
  args: unknown[],
  kw: Array<[string, unknown]>,
  star?: unknown,
  starstar?: unknown,
): unknown {
  const f = getattr(obj, name)
  return callKw(f, args, kw, star, starstar)
}
