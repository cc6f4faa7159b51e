// The Repy V2 API for Python programs: each function and handle method is a Python native over the JavaScript API
// the sandbox prelude defines. Arguments are checked here with Repy's type processors (an int is not a float,
// a bool is not an int) and converted; the host validates and charges every call again on its side.
import { RENEWABLE_RESOURCES } from '../../runtime/nanny/resources.js'
import type { PyRuntime } from './runtime.js'
import type { Scheduler } from './scheduler.js'
import { GuestLock } from './locks.js'

/** The sandbox's JavaScript API, as the prelude defines it on the guest's global object. */
export type JsApi = Record<string, (...args: unknown[]) => unknown>
type Handle = Record<string, (...args: unknown[]) => unknown>

export interface ApiDeps {
  py: PyRuntime
  js: JsApi
  scheduler: Scheduler
  startThread: () => number
  formatException: (exc: unknown) => string
}

/** The API's functions by name. They go into every program's and module's globals, not the builtins: as in Repy,
 *  code evaluated in a virtual namespace sees only what its context gives it. */
export function createApi({ py, js, scheduler, startThread, formatException }: ApiDeps): Map<string, unknown> {
  const api = new Map<string, unknown>()
  const argError = (message: string): never => {
    throw py.newException('RepyArgumentError', message)
  }
  const wrongCount = (fn: string, n: number) => (given: number) =>
    py.newException('RepyArgumentError', `${fn}() takes exactly ${n} argument${n === 1 ? '' : 's'} (${given} given)`)
  const count = (fn: string, args: unknown[], n: number) => {
    if (args.length !== n) throw wrongCount(fn, n)(args.length)
  }
  const str = (fn: string, x: unknown): string =>
    typeof x === 'string' ? x : argError(`${fn}: expected a string, got ${py.repr(x)}`)
  const int = (fn: string, x: unknown): number => {
    if (typeof x === 'number') return x
    if (typeof x === 'bigint') return Number(x)
    if (typeof x === 'object' && py.typeName(x) === 'long') return py.toNumber(x)!
    return argError(`${fn}: expected an integer, got ${py.repr(x)}`)
  }
  const float = (fn: string, x: unknown): number => {
    const n = typeof x === 'boolean' ? null : py.toNumber(x)
    return n === null ? argError(`${fn}: expected a number, got ${py.repr(x)}`) : n
  }
  const bool = (fn: string, x: unknown): boolean =>
    typeof x === 'boolean' ? x : argError(`${fn}: expected a bool, got ${py.repr(x)}`)
  /** A call into the sandbox host costs about as much time as this many loop back-edges, so it spends as much of
   *  the thread's budget: a thread that keeps calling the API looks at the clock as often as one that computes,
   *  and gives way to the others on time (scheduler.ts) instead of after a thousand calls. */
  const HOST_CALL_COST = 50
  const spend = () => {
    py.rt.budget -= HOST_CALL_COST
  }
  const def = (name: string, fn: (...a: unknown[]) => unknown) => {
    api.set(
      name,
      py.native(name, (...a: unknown[]) => {
        spend()
        return fn(...a)
      }),
    )
  }
  /** A function of no arguments: the call site calls it directly (no argument arrays); others get Repy's error. */
  const def0 = (name: string, fn: () => unknown) => {
    const f = () => {
      spend()
      return fn()
    }
    api.set(name, py.native(name, f, { arity: 0, wrongCount: wrongCount(name, 0) }))
  }
  /** An API result, converted. A call that waits (sleep, a held lock, a rate quota over its limit) returns a
   *  promise: then the result is a generator, which the caller's thread delegates to and so waits on alone. */
  const settle = (r: unknown, convert: (v: unknown) => unknown = nullIfUndefined): unknown =>
    r instanceof Promise ? awaitThen(r, convert) : convert(r)
  function* awaitThen(p: Promise<unknown>, convert: (v: unknown) => unknown): Generator<unknown, unknown, unknown> {
    return convert(yield p)
  }

  // Handles: Python objects whose hidden payload is the prelude's frozen handle.
  const call = (self: unknown, m: string, ...a: unknown[]) => {
    spend()
    return (py.payloadOf(self) as Handle)[m]!(...a)
  }
  const FileClass = py.nativeClass('file', {
    readat(self, ...a) {
      count('readat', a, 2)
      return settle(call(self, 'readat', a[0] === null ? null : int('readat', a[0]), int('readat', a[1])))
    },
    writeat(self, ...a) {
      count('writeat', a, 2)
      return settle(call(self, 'writeat', str('writeat', a[0]), int('writeat', a[1])))
    },
    close(self, ...a) {
      count('close', a, 0)
      return settle(call(self, 'close'))
    },
  })
  py.onDiscard(FileClass, (f) => call(f, 'close'))
  // A Repy program may take and give back a lock in a tight loop: the methods are called with exactly their
  // arguments (no argument array), and the uncontended path calls no helper.
  const LockClass = py.nativeClass('lock', {
    acquire(self, blocking) {
      // === rather than typeof: a typeof test costs QuickJS twice a comparison
      const r = (py.payloadOf(self) as GuestLock).acquire(
        blocking === true || blocking === false ? blocking : bool('acquire', blocking),
      )
      return r === true || r === false ? r : settle(r)
    },
    release(self) {
      if (!(py.payloadOf(self) as GuestLock).release())
        throw py.newException('LockDoubleReleaseError', 'release: the lock is not locked')
      return null
    },
  })
  py.exactArity(LockClass, 'acquire', 1, wrongCount('acquire', 1))
  py.exactArity(LockClass, 'release', 0, wrongCount('release', 0))
  // A socket's send and recv, as a lock's methods: called with exactly their argument, no argument arrays.
  const SocketClass = py.nativeClass('socket', {
    send(self, data) {
      spend()
      return settle((py.payloadOf(self) as Handle).send!(str('send', data)))
    },
    recv(self, size) {
      spend()
      return settle((py.payloadOf(self) as Handle).recv!(int('recv', size)))
    },
    close(self, ...a) {
      count('close', a, 0)
      return settle(call(self, 'close'))
    },
  })
  py.exactArity(SocketClass, 'send', 1, wrongCount('send', 1))
  py.exactArity(SocketClass, 'recv', 1, wrongCount('recv', 1))
  const socket = (h: unknown) => py.newInstance(SocketClass, h)
  const TCPServerClass = py.nativeClass('TCPServerSocket', {
    getconnection(self, ...a) {
      count('getconnection', a, 0)
      return settle(call(self, 'getconnection'), (r) => {
        const [ip, port, s] = r as [string, number, unknown]
        return py.tuple([ip, port, socket(s)])
      })
    },
    close(self, ...a) {
      count('close', a, 0)
      return settle(call(self, 'close'))
    },
  })
  const UDPServerClass = py.nativeClass('UDPServerSocket', {
    getmessage(self, ...a) {
      count('getmessage', a, 0)
      return settle(call(self, 'getmessage'), (r) => py.tuple([...(r as unknown[])]))
    },
    close(self, ...a) {
      count('close', a, 0)
      return settle(call(self, 'close'))
    },
  })

  // log: Python 2's `print a,` for each argument, softspace carried across calls.
  let softspace = false
  def('log', (...args) => {
    let out = ''
    for (const a of args) {
      const s = py.str(a)
      if (softspace) out += ' '
      out += s
      const last = s.charCodeAt(s.length - 1)
      softspace = !(
        s.length > 0 &&
        last !== 32 &&
        (last === 9 || last === 10 || last === 11 || last === 12 || last === 13)
      )
    }
    return out === '' ? null : settle(js.log!(out))
  })
  def0('getruntime', () => {
    return py.float(js.getruntime!() as number)
  })
  def('sleep', (...a) => {
    count('sleep', a, 1)
    return settle(js.sleep!(float('sleep', a[0])))
  })
  def0('randombytes', () => {
    return settle(js.randombytes!())
  })
  def0('getmyip', () => {
    return settle(js.getmyip!())
  })
  def('gethostbyname', (...a) => {
    count('gethostbyname', a, 1)
    return settle(js.gethostbyname!(str('gethostbyname', a[0])))
  })
  def0('getthreadname', () => {
    return js.getthreadname!()
  })
  def0('exitall', () => {
    return js.exitall!()
  })
  def0('createlock', () => {
    return py.newInstance(LockClass, new GuestLock())
  })
  // Repy's Func processor takes a function or a method (the API's functions and handle methods are methods in
  // Repy), not a class or a builtin such as len.
  const apiFunctions = () => new Set(api.values())
  def('createthread', (...a) => {
    count('createthread', a, 1)
    const fn = a[0]
    if (!py.isBoundMethod(fn) && py.typeName(fn) !== 'function' && !apiFunctions().has(fn)) {
      argError(`createthread: expected a function, got ${py.repr(fn)}`)
    }
    const id = startThread()
    // The call is the new thread's first step: an error calling fn (wrong arity) is the thread's, as in Repy, not
    // the caller's, and the thread's events item is released when it ends either way.
    scheduler.spawn(id, py.callGen(fn, []))
    return null
  })
  def('openfile', (...a) => {
    count('openfile', a, 2)
    return settle(js.openfile!(str('openfile', a[0]), bool('openfile', a[1])), (h) => py.newInstance(FileClass, h))
  })
  def0('listfiles', () => {
    return settle(js.listfiles!(), (names) => [...(names as string[])])
  })
  def('removefile', (...a) => {
    count('removefile', a, 1)
    return settle(js.removefile!(str('removefile', a[0])))
  })
  def('openconnection', (...a) => {
    count('openconnection', a, 5)
    const f = 'openconnection'
    return settle(js.openconnection!(str(f, a[0]), int(f, a[1]), str(f, a[2]), int(f, a[3]), float(f, a[4])), socket)
  })
  def('listenforconnection', (...a) => {
    count('listenforconnection', a, 2)
    const f = 'listenforconnection'
    return settle(js.listenforconnection!(str(f, a[0]), int(f, a[1])), (h) => py.newInstance(TCPServerClass, h))
  })
  def('listenformessage', (...a) => {
    count('listenformessage', a, 2)
    const f = 'listenformessage'
    return settle(js.listenformessage!(str(f, a[0]), int(f, a[1])), (h) => py.newInstance(UDPServerClass, h))
  })
  def('sendmessage', (...a) => {
    count('sendmessage', a, 5)
    const f = 'sendmessage'
    return settle(js.sendmessage!(str(f, a[0]), int(f, a[1]), str(f, a[2]), str(f, a[3]), int(f, a[4])))
  })
  def0('getresources', () => {
    const [limits, usage, stops] = js.getresources!() as [Record<string, unknown>, Record<string, unknown>, number[][]]
    return py.tuple([
      resourceDict(py, limits),
      resourceDict(py, usage),
      stops.map(([at, d]) => py.tuple([py.float(at!), py.float(d!)])),
    ])
  })
  def0('getlasterror', () => {
    const exc = scheduler.takeHandled()
    return exc === null || exc === undefined ? null : formatException(exc)
  })
  return api
}

/** Reported as floats, as Repy does: the renewables and the thread's cpu seconds. */
const FLOATS = new Set<string>([...RENEWABLE_RESOURCES, 'threadcpu'])

/** Renewable quantities are floats and port lists sets, as Repy gives them. */
function resourceDict(py: PyRuntime, from: Record<string, unknown>): unknown {
  const d = py.newDict()
  const setType = py.dictGet(py.builtins, 'set')
  for (const [k, v] of Object.entries(from)) {
    let value: unknown = v
    if (Array.isArray(v)) value = py.runSync(py.call(setType, [[...(v as unknown[])]]))
    else if (typeof v === 'number' && (FLOATS.has(k) || !Number.isInteger(v))) value = py.float(v)
    py.dictSet(d, k, value)
  }
  return d
}

const nullIfUndefined = (v: unknown): unknown => (v === undefined ? null : v)

/** `yield* settled(r)`: the API call's result, waiting for it in the calling thread when it is a promise. */
export function* settled(r: unknown): Generator<unknown, unknown, unknown> {
  return r instanceof Promise ? yield r : r
}
