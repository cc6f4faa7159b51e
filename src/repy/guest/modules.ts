// A Repy program's global namespaces: the program's own, a virtual namespace's context, and dylink's modules.
// Repy code is compiled on the host (it checks Repy's safety rules); the guest evaluates the compiled function.
import { isSafeString } from '../safety.js'
import type { PyRuntime } from './runtime.js'

/** A compiled module: the function expression compileRepy returns, evaluated. */
type ModuleFactory = ($rt: unknown) => ($G: unknown) => unknown

export interface ModuleDeps {
  py: PyRuntime
  /** compileRepy on the host; raises CodeUnsafeError. */
  compile: (code: string, name: string) => string
  /** Reads a file of the vessel through the API (charged as any read; it may wait on the fileread quota). */
  readFile: (name: string) => Generator<unknown, string, unknown>
  /** The program's arguments, read when the program starts. */
  callargs: () => string[]
  /** The API's functions, put into every namespace's globals. */
  api: Map<string, unknown>
}

/** Names a module's globals get from Flotilla, not from its code: never exported by dylink. */
const CONTEXT_NAMES = new Set([
  'callfunc',
  'callargs',
  'mycontext',
  '_context',
  'dy_import_module',
  'dy_import_module_symbols',
  'dy_dispatch_module',
  'CHILD_CONTEXT',
])

/** dylink reads at most this much of a module (seattlelib_v2's dylink.r2py). */
const MAX_MODULE_BYTES = 200_000

export function createModules({ py, compile, readFile, callargs, api }: ModuleDeps) {
  const makeFunction = Function
  const mycontext = py.newDict()
  const SafeDictClass = py.checkedDictClass('SafeDict', (key) => {
    if (typeof key !== 'string') throw py.newException('TypeError', "'SafeDict' keys must be of string type!")
    if (!isSafeString(key)) throw py.newException('ValueError', `Unsafe key: '${key}'`)
  })
  const isinstance = py.dictGet(py.builtins, 'isinstance')
  const isSafeDict = (x: unknown) => py.runSync(py.call(isinstance, [x, SafeDictClass])) === true
  const newSafeDict = () => py.runSync(py.call(SafeDictClass, []))
  const cache = new Map<string, unknown>()
  const ModuleClass = py.nativeClass('module', {})
  const VirtualNamespaceClass = py.nativeClass('VirtualNamespace', {
    *evaluate(self: unknown, ...a: unknown[]) {
      if (a.length !== 1)
        throw py.newException('RepyArgumentError', `evaluate() takes exactly 1 argument (${a.length} given)`)
      const context = safeCopy(a[0])
      yield* run(py.payloadOf(self) as ModuleFactory, context)
      return context
    },
  })

  const load = (js: string): ModuleFactory => (makeFunction(`return ${js}`) as () => ModuleFactory)()

  const run = (factory: ModuleFactory, globals: unknown) => py.delegate(factory(py.rt)(globals))

  /** Repy evaluates in a SafeDict: one given is used in place; a dict is copied into a new one, whose keys must be
   *  strings that pass the safety rule. */
  function safeCopy(context: unknown): unknown {
    if (!py.isDict(context)) throw py.newException('RepyArgumentError', 'Provided context is not a safe dictionary!')
    if (isSafeDict(context)) return context
    const copy = newSafeDict()
    for (const k of py.dictKeys(context)) {
      if (typeof k !== 'string' || !isSafeString(k))
        throw py.newException(
          'ContextUnsafeError',
          `Provided context is not safe! Exception: Unsafe key: ${py.repr(k)}`,
        )
      py.dictSet(copy, k, py.dictGet(context, k))
    }
    return copy
  }

  /** A fresh global namespace holding what Repy puts in a program's context. */
  function newGlobals(callfunc: string): unknown {
    const g = py.newDict()
    for (const [name, fn] of api) py.dictSet(g, name, fn)
    py.dictSet(g, 'callfunc', callfunc)
    py.dictSet(g, 'callargs', [...callargs()])
    py.dictSet(g, 'mycontext', mycontext)
    py.dictSet(g, '_context', g)
    py.dictSet(g, 'dy_import_module', py.native('dy_import_module', importModule, { gen: true }))
    py.dictSet(
      g,
      'dy_import_module_symbols',
      py.native(
        'dy_import_module_symbols',
        function* (...a: unknown[]) {
          const module = yield* importModule(...a)
          for (const [k, v] of exported(module)) py.dictSet(g, k, v)
          return null
        } as (...a: unknown[]) => unknown,
        { gen: true },
      ),
    )
    return g
  }

  const exports = new Map<unknown, Array<[string, unknown]>>()
  const exported = (module: unknown) => exports.get(module) ?? []

  function* importModule(...a: unknown[]): Generator<unknown, unknown, unknown> {
    const [name, callfunc = 'import'] = a
    if (typeof name !== 'string')
      throw py.newException('RepyArgumentError', 'dy_import_module: the module name must be a string')
    if (typeof callfunc !== 'string')
      throw py.newException('RepyArgumentError', 'dy_import_module: callfunc must be a string')
    const cached = cache.get(name)
    if (cached !== undefined) return cached
    const module = py.newInstance(ModuleClass, null)
    cache.set(name, module) // a circular import gets the module as it is so far
    let source: string
    let file = name
    try {
      source = yield* readFile(name)
    } catch (first) {
      if (name.includes('.')) throw first
      file = `${name}.r2py`
      source = yield* readFile(file)
    }
    if (source.length > MAX_MODULE_BYTES)
      throw py.newException('ImportError', `module ${file} is larger than ${MAX_MODULE_BYTES} bytes`)
    const globals = newGlobals(callfunc)
    try {
      yield* run(load(compile(source, file)), globals)
    } catch (err) {
      cache.delete(name)
      throw err
    }
    const names: Array<[string, unknown]> = []
    for (const k of py.dictKeys(globals)) {
      if (typeof k !== 'string' || k.startsWith('_') || CONTEXT_NAMES.has(k)) continue
      const v = py.dictGet(globals, k)
      names.push([k, v])
      py.rt.setattr(module, k, v)
    }
    exports.set(module, names)
    return module
  }

  return {
    SafeDictClass,
    newGlobals,
    run,
    load,
    createVirtualNamespace(code: string, name: string): unknown {
      return py.newInstance(VirtualNamespaceClass, load(compile(code, name)))
    },
  }
}
