// A Repy program's global namespaces and the dylink built into them: the program's own context, a virtual
// namespace's context, dylink's modules and the programs dy_dispatch_module runs. Every context is a SafeDict, as in
// Repy, so code that copies `_context` or hands it to `evaluate` works on the namespace itself, not on a copy.
// Repy code is compiled on the host (it checks Repy's safety rules); the guest evaluates the compiled function.
import { isSafeString } from '../safety.js'
import type { PyRuntime } from './runtime.js'

/** A compiled module: the function expression compileRepy returns, evaluated. */
type ModuleFactory = ($rt: unknown) => ($G: unknown) => unknown
type Gen = Generator<unknown, unknown, unknown>

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

const DYLINK_CALLS = ['dy_import_module', 'dy_import_module_symbols', 'dy_dispatch_module']

/** What dy_import_module_symbols leaves out when it copies a module's namespace into the caller's (the names each
 *  context gets from dylink, not from its code). Everything else is copied, names starting with `_` too. */
const NOT_COPIED = new Set(['CHILD_CONTEXT', '_context', 'callfunc', 'mycontext', 'HAS_DYLINK', ...DYLINK_CALLS])

/** dylink reads at most this much of a module (seattlelib_v2's dylink.r2py). */
const MAX_MODULE_BYTES = 200_000

export function createModules({ py, compile, readFile, callargs, api }: ModuleDeps) {
  const makeFunction = Function
  /** The names a module's context takes from its importer's (the API and dylink's calls, as the importer has them:
   *  a library that replaced one, as librepy replaces removefile, passes its version on). A module object's
   *  attributes are its names except these and those starting with `_`. */
  const stockApi = new Set([...api.keys(), 'createvirtualnamespace', ...DYLINK_CALLS])
  const SafeDictClass = py.checkedDictClass(
    'SafeDict',
    (key) => {
      if (typeof key !== 'string') throw py.newException('TypeError', "'SafeDict' keys must be of string type!")
      if (!isSafeString(key)) throw py.newException('ValueError', `Unsafe key: '${key}'`)
    },
    // Repy's copy is a SafeDict, and an entry holding the dict itself (`_context`) holds the copy in the copy.
    { copy: (self) => safeDictCopy(self) },
  )
  const isinstance = py.dictGet(py.builtins, 'isinstance')
  const isSafeDict = (x: unknown) => py.runSync(py.call(isinstance, [x, SafeDictClass])) === true
  const newSafeDict = () => py.runSync(py.call(SafeDictClass, []))
  /** Imported modules by name: dylink runs a module once; a circular import gets the module as it is so far. */
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

  function safeDictCopy(self: unknown): unknown {
    if (!isSafeDict(self)) throw py.newException('TypeError', "descriptor 'copy' requires a 'SafeDict' object")
    const copy = newSafeDict()
    for (const k of py.dictKeys(self)) {
      const v = py.dictGet(self, k)
      py.dictSet(copy, k, v === self ? copy : v)
    }
    return copy
  }

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

  /** The program's context, as Repy makes it (the API, callfunc, callargs, mycontext, `_context`), with dylink. */
  function newGlobals(callfunc: string): unknown {
    const g = newSafeDict()
    for (const [name, fn] of api) py.dictSet(g, name, fn)
    py.dictSet(g, 'callfunc', callfunc)
    py.dictSet(g, 'callargs', [...callargs()])
    py.dictSet(g, 'mycontext', py.newDict())
    py.dictSet(g, '_context', g)
    link(g)
    return g
  }

  /** Gives a context dylink, as dylink does before it runs code in it: CHILD_CONTEXT (a copy of the context as it is
   *  now, with its own mycontext, for dy_dispatch_module), the three dy_ calls bound to this context, HAS_DYLINK. */
  function link(ctx: unknown): void {
    const child = safeDictCopy(ctx)
    py.dictSet(child, 'mycontext', py.newDict())
    py.dictSet(ctx, 'CHILD_CONTEXT', child)
    const call = (name: string, fn: (...a: unknown[]) => Gen) =>
      py.dictSet(ctx, name, py.native(name, fn, { gen: true }))
    call('dy_import_module', (...a) => importModule(ctx, a))
    call('dy_import_module_symbols', (...a) => importSymbols(ctx, a))
    call('dy_dispatch_module', (...a) => dispatch(ctx, child, a))
    py.dictSet(ctx, 'HAS_DYLINK', true)
  }

  /** Reads and compiles a module or program file; a name without an extension that is not found is tried with
   *  `.r2py`. */
  function* loadFile(name: string): Generator<unknown, ModuleFactory, unknown> {
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
    return load(compile(source, file))
  }

  function stringArg(call: string, what: string, v: unknown): string {
    if (typeof v !== 'string') throw py.newException('RepyArgumentError', `${call}: ${what} must be a string`)
    return v
  }

  /** dy_import_module(name, callfunc='import', additional_globals=[]): runs the module once in a context of its own
   *  holding the importer's API (and the importer's names listed in additional_globals), and answers a module whose
   *  attributes are the module's names (not the API's, not those starting with `_`), plus `_context` (its live
   *  namespace) and `_name`. */
  function* importModule(importer: unknown, a: unknown[]): Gen {
    if (a.length < 1 || a.length > 3)
      throw py.newException('TypeError', `dy_import_module() takes 1 to 3 arguments (${a.length} given)`)
    const name = stringArg('dy_import_module', 'the module name', a[0])
    const callfunc = stringArg('dy_import_module', 'callfunc', a[1] ?? 'import')
    const extra = a[2] === undefined ? [] : py.toArray(a[2])
    const cached = cache.get(name)
    if (cached !== undefined) return cached
    const ctx = newSafeDict()
    for (const k of [...stockApi, ...extra]) {
      if (typeof k !== 'string') continue
      const v = py.dictGet(importer, k)
      if (v !== undefined) py.dictSet(ctx, k, v)
    }
    py.dictSet(ctx, '_context', ctx)
    py.dictSet(ctx, 'mycontext', py.newDict())
    py.dictSet(ctx, 'callfunc', callfunc)
    const module = py.newInstance(ModuleClass, null)
    py.rt.setattr(module, '_name', name)
    py.rt.setattr(module, '_context', ctx)
    cache.set(name, module)
    try {
      const factory = yield* loadFile(name)
      link(ctx)
      yield* run(factory, ctx)
    } catch (err) {
      cache.delete(name)
      throw err
    }
    for (const k of py.dictKeys(ctx)) {
      if (typeof k !== 'string' || k.startsWith('_') || stockApi.has(k)) continue
      py.rt.setattr(module, k, py.dictGet(ctx, k))
    }
    return module
  }

  /** dy_import_module_symbols(name, callfunc='import'): imports, then copies every name of the module's namespace
   *  into the importer's, but for those dylink itself gives each context (NOT_COPIED). */
  function* importSymbols(importer: unknown, a: unknown[]): Gen {
    if (a.length < 1 || a.length > 2)
      throw py.newException('TypeError', `dy_import_module_symbols() takes 1 or 2 arguments (${a.length} given)`)
    const module = yield* importModule(importer, a)
    const ctx = py.getattr(module, '_context')
    for (const k of py.dictKeys(ctx)) {
      if (typeof k === 'string' && !NOT_COPIED.has(k)) py.dictSet(importer, k, py.dictGet(ctx, k))
    }
    return null
  }

  /** dy_dispatch_module(context=CHILD_CONTEXT): runs the program named by the caller's callargs[0] in the context,
   *  with the caller's callfunc and the rest of the caller's callargs (when the context holds the caller's list);
   *  False when the caller has no callargs left. */
  function* dispatch(caller: unknown, child: unknown, a: unknown[]): Gen {
    if (a.length > 1)
      throw py.newException('TypeError', `dy_dispatch_module() takes at most 1 argument (${a.length} given)`)
    const target = a[0] === undefined || a[0] === null ? child : a[0]
    if (!py.isDict(target))
      throw py.newException('RepyArgumentError', 'dy_dispatch_module: the context must be a dict or a SafeDict')
    const args = py.dictGet(caller, 'callargs')
    if (args === undefined || !py.truth(args)) return false
    const list = py.toArray(args)
    const name = stringArg('dy_dispatch_module', 'callargs[0]', list[0])
    const factory = yield* loadFile(name)
    py.dictSet(target, 'callfunc', py.dictGet(caller, 'callfunc') ?? null)
    if (py.dictGet(target, 'callargs') === args) py.dictSet(target, 'callargs', list.slice(1))
    const ctx = safeCopy(target)
    link(ctx)
    yield* run(factory, ctx)
    return true
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
