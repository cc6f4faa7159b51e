// The Python runtime's entry inside QuickJS, bundled into one script (dist/repy/guest-runtime.js) and evaluated
// after the sandbox prelude while the hidden host function is still reachable. It builds the runtime, the Repy
// API and the thread scheduler, and leaves one function for the program's module:
//   await __flotilla_repy(<compiled program>, 'program.r2py')
import { OP_ID } from '../../runtime/guest/ops.js'
import { createRuntime } from './runtime.js'
import { Scheduler } from './scheduler.js'
import { createApi, settled, type JsApi } from './api.js'
import { createModules } from './modules.js'
import { formatException, uncaughtText } from './traceback.js'

type Host = (op: number, ...args: unknown[]) => unknown
const G = globalThis as unknown as Record<string, unknown>
const host = G.__flotilla_host as Host

const js: JsApi = {}
for (const name of [
  'log',
  'getruntime',
  'sleep',
  'randombytes',
  'getmyip',
  'gethostbyname',
  'getresources',
  'getthreadname',
  'exitall',
  'openfile',
  'listfiles',
  'removefile',
  'openconnection',
  'listenforconnection',
  'listenformessage',
  'sendmessage',
])
  js[name] = G[name] as JsApi[string]

const py = createRuntime({ onCatch: () => {} })
const hang = (): never => {
  for (;;) {
    /* the host is ending the program: its interrupt unwinds us */
  }
}

let mainDone: () => void = () => {}
const scheduler = new Scheduler(
  py.rt,
  {
    enter: (id) => {
      host(OP_ID['thread.enter'], id)
    },
    // The host ends only the thread it last saw entered; a host call's result may have named another one since.
    end: (id) => {
      host(OP_ID['thread.enter'], id)
      host(OP_ID['thread.end'], id)
    },
    fail: (id, exc) => {
      if (!py.isException(exc)) throw exc // not Python's: the program is being ended, or it ran out of memory
      host(OP_ID['repy.uncaught'], id, uncaughtText(py, exc))
      hang()
    },
    tick: () => host(OP_ID['repy.tick']) as Promise<unknown>,
    mainDone: () => mainDone(),
  },
  { get: () => py.getHandled(), set: (exc) => py.setHandled(exc) },
)

const api = createApi({
  py,
  js,
  scheduler,
  startThread: () => host(OP_ID['thread.start']) as number,
  formatException: (exc) => formatException(py, exc),
})

const modules = createModules({
  py,
  api,
  // The worker defines callargs after this script has run.
  callargs: () => [...(G.callargs as string[])],
  compile: (code, name) => host(OP_ID['repy.compile'], code, name) as string,
  *readFile(name) {
    type File = Record<string, (...a: unknown[]) => unknown>
    // Over the fileread quota a call returns a promise of its result (see api.ts); this thread waits for it.
    const file = (yield* settled(js.openfile!(name, false))) as File
    try {
      return (yield* settled(file.readat!(null, 0))) as string
    } finally {
      yield* settled(file.close!())
    }
  },
})
api.set(
  'createvirtualnamespace',
  py.native('createvirtualnamespace', (...a: unknown[]) => {
    if (a.length !== 2)
      throw py.newException(
        'RepyArgumentError',
        `createvirtualnamespace() takes exactly 2 arguments (${a.length} given)`,
      )
    if (typeof a[0] !== 'string' || typeof a[1] !== 'string')
      throw py.newException('RepyArgumentError', 'Code and name must be strings!')
    return modules.createVirtualNamespace(a[0], a[1])
  }),
)
py.defineBuiltin('SafeDict', modules.SafeDictClass)

Object.defineProperty(globalThis, '__flotilla_repy', {
  value: (factory: ($rt: unknown) => ($G: unknown) => unknown, _file: string) =>
    new Promise<void>((resolve) => {
      mainDone = resolve
      scheduler.spawn(0, modules.run(factory, modules.newGlobals('initialize')))
    }),
  enumerable: false,
  writable: false,
  configurable: false,
})
