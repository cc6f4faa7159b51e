// The guest-side half of the API, run inside QuickJS before the program. It builds the Repy exception classes,
// wraps handles (files, sockets, locks) in frozen objects, and turns every API call into one call of the hidden
// host function with an operation number. It validates nothing the host relies on: the host checks every argument.
import { REPY_EXCEPTION_PARENTS } from '../errors.js'
import { OP_ID } from './ops.js'
import { MAX_REASON_CHARS } from '../cap-text.js'

const source = (hierarchy: string, ops: string, maxDescription: number) => String.raw`
(function (host, hierarchy, OP) {
  'use strict'
  const G = globalThis
  // Everything the prelude uses once the program runs is taken now, and reached only through these names: a program
  // may replace or wrap any builtin, and put setters, getters, Symbol.hasInstance or Symbol.species on any
  // constructor or prototype. What the prelude builds at run time (the host call's argument list, property
  // descriptors, Proxy handlers) has no prototype, and promises are awaited, never resolved through a guest's then.
  const freeze = Object.freeze
  const create = Object.create
  const defineProperty = Object.defineProperty
  const setPrototypeOf = Object.setPrototypeOf
  const getPrototypeOf = Object.getPrototypeOf
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor
  const apply = Reflect.apply
  const uncurry = (f) => apply(Function.prototype.bind, Function.prototype.call, [f])
  const isArray = Array.isArray
  const hasInstance = uncurry(Function.prototype[Symbol.hasInstance])
  const NativeString = String
  const NativeError = Error
  const NativePromise = Promise
  const promiseResolve = Promise.resolve
  const promiseReject = Promise.reject
  const bind = (f, self) => apply(Function.prototype.bind, f, [self])
  const resolved = bind(promiseResolve, NativePromise)
  const rejected = bind(promiseReject, NativePromise)
  const NativeProxy = Proxy
  const NativeFunction = Function
  const NativeReferenceError = ReferenceError
  const NativeUint8Array = Uint8Array
  const NativeUint16Array = Uint16Array
  const fromCharCode = String.fromCharCode
  const stringSlice = uncurry(String.prototype.slice)
  const stringIndexOf = uncurry(String.prototype.indexOf)
  const charCodeAt = uncurry(String.prototype.charCodeAt)
  const TypedArray = getPrototypeOf(Uint8Array.prototype)
  // The tag getter answers undefined for anything but a typed array: a brand check no program can fool.
  const typedArrayTag = uncurry(getOwnPropertyDescriptor(TypedArray, Symbol.toStringTag).get)
  const typedArrayLength = uncurry(getOwnPropertyDescriptor(TypedArray, 'length').get)
  const typedArrayBuffer = uncurry(getOwnPropertyDescriptor(TypedArray, 'buffer').get)
  const isUint8Array = (x) => typedArrayTag(x) === 'Uint8Array'
  const isError = (x) => hasInstance(NativeError, x)
  /** p, with Promise as its own constructor where that can be set: await then takes p as it is, reading neither a
   *  constructor nor a then that a program replaced on Promise.prototype. */
  const ownConstructor = (p) => {
    try { defineProperty(p, 'constructor', { __proto__: null, value: NativePromise, writable: true, configurable: true }) } catch (e) { }
    return p
  }

  // The runtime derives the main program's promise with then, after the program's first synchronous run; a species or
  // then of the program's would decide when the main program is over (and frees its events item). These stay.
  defineProperty(Promise.prototype, 'then', { writable: false, configurable: false })
  defineProperty(Promise.prototype, 'constructor', { writable: false, configurable: false })
  defineProperty(Promise, Symbol.species, { configurable: false })

  /** host(...head, ...a): the argument list has no prototype, so no setter on Array.prototype sees or changes it;
   *  with data set, Uint8Array arguments go as byte strings. */
  const call = (head, a, data) => {
    // a call without arguments (getruntime() as programs time loops) needs no argument list
    if (a.length === 0 && head.length === 1) return host(head[0])
    // nor does one (a sleep's time; a handle's operations, callOn): building and applying a list cost QuickJS more
    // than the rest of a small socket send
    if (a.length === 1 && head.length === 1) return host(head[0], data ? bytes(a[0]) : a[0])
    const args = setPrototypeOf(head, null)
    for (let i = 0; i < a.length; i++) args[args.length] = data ? bytes(a[i]) : a[i]
    return apply(host, undefined, args)
  }
  const E = create(null)
  for (const [name, parent] of hierarchy) {
    const Base = parent === null ? Error : E[parent]
    const C = ({ [name]: class extends Base { constructor(message, options) { super(message, options) } } })[name]
    defineProperty(C.prototype, 'name', { value: name, enumerable: false })
    E[name] = C
  }
  for (const name in E) { freeze(E[name].prototype); freeze(E[name]) }

  // A string from a typed array's code units, chunk by chunk through fromCharCode. Each chunk is a fresh view whose
  // prototype is frozen and out of the program's reach, so apply reads its real length (a program may redefine
  // length on Uint8Array.prototype or %TypedArray%.prototype).
  const CHUNK = 8192
  const typedArrayOffset = uncurry(getOwnPropertyDescriptor(TypedArray, 'byteOffset').get)
  const ViewProto = freeze(create(null, { length: { get: getOwnPropertyDescriptor(TypedArray, 'length').get } }))
  const unitsToString = (View, size, buffer, offset, n) => {
    let s = ''
    for (let i = 0; i < n; i += CHUNK) {
      const view = setPrototypeOf(new View(buffer, offset + i * size, n - i < CHUNK ? n - i : CHUNK), ViewProto)
      s += apply(fromCharCode, null, view)
    }
    return s
  }
  // typeof first: the brand check is three calls in QuickJS, and most arguments are strings and numbers.
  const bytes = (x) => (typeof x === 'object' && isUint8Array(x) ? unitsToString(NativeUint8Array, 1, typedArrayBuffer(x), typedArrayOffset(x), typedArrayLength(x)) : x)
  const text = (x) => {
    if (typeof x === 'string') return x
    if (isUint8Array(x)) return bytes(x)
    if (x !== null && typeof x === 'object' && !isError(x)) { try { return stringify(x) } catch (e) { } }
    try { return NativeString(x) } catch (e) { return '[unprintable]' }
  }

  // A description (of an uncaught exception) is at most ${maxDescription} characters, cut with the note the host's
  // capText writes; a program's name, message, stack and toString are its own, so each is cut before it is joined.
  const MAX_DESCRIPTION = ${maxDescription}
  const note = (dropped) => '\n[... cut: ' + dropped + ' more characters]'
  const cut = (s, max) => {
    if (s.length <= max) return s
    let keep = max - note(s.length).length
    const c = charCodeAt(s, keep - 1)
    if (c >= 0xd800 && c <= 0xdbff) keep--
    return stringSlice(s, 0, keep) + note(s.length - keep)
  }
  /** A program's value as a string of at most max characters. */
  const bounded = (v, max) => {
    let s
    try { s = typeof v === 'string' ? v : NativeString(v) } catch (e) { return '(unprintable)' }
    return cut(s, max)
  }
  const MAX_FRAMES = 20
  // The runtime's own frames (the prelude's call path, a native apply) say nothing to the program's author.
  const ownFrame = (stack, start, end) => {
    const at = stringIndexOf(stack, '(flotilla:', start)
    return (at >= 0 && at < end) || stringSlice(stack, end - 14, end) === 'apply (native)'
  }
  const shortStack = (stack) => {
    let out = ''
    let lines = 0
    for (let start = 0; start < stack.length;) {
      let end = stringIndexOf(stack, '\n', start)
      if (end < 0) end = stack.length
      if (end > start && !ownFrame(stack, start, end)) {
        if (lines < MAX_FRAMES) out += (lines ? '\n' : '') + stringSlice(stack, start, end)
        lines++
      }
      start = end + 1
    }
    return lines <= MAX_FRAMES ? out : out + '\n    ... ' + (lines - MAX_FRAMES) + ' more frames'
  }
  const describe = (e) => {
    try {
      if (isError(e)) {
        const name = e.name
        const message = e.message
        const stack = e.stack
        const head = bounded(name || 'Error', 256) + ': ' + bounded(message, 2000)
        return cut(stack ? head + '\n' + shortStack(bounded(stack, MAX_DESCRIPTION)) : head, MAX_DESCRIPTION)
      }
      return 'thrown value: ' + bounded(text(e), 2000)
    } catch (x) { return 'thrown value (unprintable)' }
  }
  const firstLine = (s) => { const end = stringIndexOf(s, '\n'); return end < 0 ? s : stringSlice(s, 0, end) }
  const hang = () => { for (;;) {} }   // the host has asked the runtime to stop: the interrupt handler ends us here

  // In a Repy program a call over a rate quota returns a promise of its result (only its Repy thread waits). The
  // host answers a promise, an array, a plain object or a primitive: only a promise is a non-array object here.
  const wrapLater = async (p, wrap) => wrap(await ownConstructor(p))
  const post = (r, wrap) => (r !== null && typeof r === 'object' && !isArray(r) ? wrapLater(r, wrap) : wrap(r))
  /** A handle's operation: with one argument (a send's data, a recv's size), not even the list's head is built, and
   *  a string or a number goes as it is. */
  const callOn = (op, id, a) => {
    if (a.length !== 1) return call([op, id], a, true)
    const x = a[0]
    return host(op, id, typeof x === 'object' ? bytes(x) : x)
  }
  const method = (op, id, wrap) => function (...a) { const r = callOn(op, id, a); return wrap ? post(r, wrap) : r }
  // Object literals define their properties (no setter on a prototype runs); __proto__ in one sets its prototype.
  const object = (o) => freeze(o)

  const FileProto = freeze({ [Symbol.toStringTag]: 'RepyFile' })
  const LockProto = freeze({ [Symbol.toStringTag]: 'RepyLock' })
  const SocketProto = freeze({ [Symbol.toStringTag]: 'RepySocket' })
  const TCPServerProto = freeze({ [Symbol.toStringTag]: 'TCPServerSocket' })
  const UDPServerProto = freeze({ [Symbol.toStringTag]: 'UDPServerSocket' })
  const NamespaceProto = freeze({ [Symbol.toStringTag]: 'VirtualNamespace' })

  const file = (id) => object({ __proto__: FileProto,
    readat: method(OP.file_readat, id), writeat: method(OP.file_writeat, id), close: method(OP.file_close, id) })
  // The awaitable forms always give a promise, also when the answer is there at once. Not an async function: one
  // that returns the host's promise settles its own only three jobs after the host's (a thenable is adopted through
  // a job of its own), which was a fifth of an awaited recv's cost; the host's promise is handed over as it is.
  const awaitable = (op, id, wrap) => function (...a) {
    let r
    try { r = callOn(op, id, a) } catch (e) { return rejected(e) }
    if (r !== null && typeof r === 'object' && !isArray(r)) return wrap ? wrapLater(r, wrap) : r
    try { return resolved(wrap ? wrap(r) : r) } catch (e) { return rejected(e) }
  }
  const socket = (id) => object({ __proto__: SocketProto,
    send: method(OP.tcp_send, id), recv: method(OP.tcp_recv, id), close: method(OP.tcp_close, id),
    sendAsync: awaitable(OP.tcp_sendasync, id), recvAsync: awaitable(OP.tcp_recvasync, id) })
  const connection = (r) => freeze([r[0], r[1], socket(r[2])])
  const tcpServer = (id) => object({ __proto__: TCPServerProto,
    getconnection: method(OP.tcpserver_getconnection, id, connection),
    getconnectionAsync: awaitable(OP.tcpserver_getconnectionasync, id, connection),
    close: method(OP.tcpserver_close, id) })
  const udpServer = (id) => object({ __proto__: UDPServerProto,
    getmessage: method(OP.udpserver_getmessage, id, (r) => freeze(r)), close: method(OP.udpserver_close, id) })
  // A lock's state is the program's own, as a Repy program's (src/repy/guest/locks.ts): the host checks the
  // arguments and keeps nothing. Waiting acquires queue oldest first; a release hands the lock to the first.
  const lock = () => {
    let locked = false
    let first = null
    let last = null
    return object({ __proto__: LockProto,
      acquire(...a) {
        const blocking = call([OP.lock_acquire], a)
        if (!locked) { locked = true; return true }
        if (!blocking) return false
        return new NativePromise((resolve) => {
          const waiter = { __proto__: null, resolve, next: null }
          if (last === null) first = waiter
          else last.next = waiter
          last = waiter
        })
      },
      release(...a) {
        call([OP.lock_release], a)
        if (!locked) throw new E.LockDoubleReleaseError('release: the lock is not locked')
        if (first === null) { locked = false; return undefined }
        const next = first
        first = next.next
        if (first === null) last = null
        next.resolve(true)
        return undefined
      } })
  }

  const virtualNamespace = (code, name) => {
    let fn
    // The code must compile on its own first, so that it cannot close the with block around it (e.g. '}{').
    try { new NativeFunction(code); fn = new NativeFunction('__context', 'with (__context) { ' + code + '\n}') } catch (e) {
      throw new E.CodeUnsafeError('code in ' + name + ' does not compile: ' + firstLine(describe(e)))
    }
    return object({ __proto__: NamespaceProto,
      evaluate(context, ...extra) {
        if (extra.length) throw new E.RepyArgumentError('evaluate takes exactly 1 argument')
        if (context === null || typeof context !== 'object' || isArray(context)) throw new E.ContextUnsafeError('evaluate needs an object as its context')
        // The context is the code's global scope, as in Repy: its names are read and assigned there, and so is a
        // new name the code assigns; names it does not have fall through to the API and the builtins.
        const scope = new NativeProxy(context, { __proto__: null,
          has: (t, k) => typeof k === 'string' && (k in t || !(k in G)),
          get: (t, k) => {
            if (typeof k === 'string' && !(k in t)) throw new NativeReferenceError(k + ' is not defined')
            return t[k]
          },
        })
        apply(fn, undefined, [scope])
        return context
      },
    })
  }

  // One call of a builtin on a large input (a giant join, sort or repeat) runs without reaching QuickJS's interrupt
  // handler; a loop of such calls would escape the cpu quota. Called on large inputs, these builtins first make a
  // host call that does nothing, so the host's checkpoint (memory quota, cpu governor) runs once per call.
  const LARGE = 4096
  const size = (x) => {
    if (typeof x === 'number') return x
    if (typeof x === 'string' || isArray(x)) return x.length
    return typedArrayTag(x) === undefined ? 0 : typedArrayLength(x)
  }
  const checkpointed = (owner, names) => {
    for (const name of names) {
      const original = owner[name]
      if (typeof original !== 'function') continue
      const wrapped = function (...a) {
        let large = size(this) > LARGE
        for (let i = 0; !large && i < a.length; i++) large = size(a[i]) > LARGE
        if (large) host(OP.checkpoint)
        return apply(original, this, a)
      }
      defineProperty(wrapped, 'name', { value: name })
      defineProperty(owner, name, { value: wrapped, writable: true, configurable: true, enumerable: false })
    }
  }
  checkpointed(Array.prototype, ['join', 'sort', 'toString', 'indexOf', 'lastIndexOf', 'includes', 'fill', 'reverse',
    'slice', 'splice', 'concat', 'copyWithin', 'flat', 'toSorted', 'toReversed', 'toSpliced'])
  checkpointed(String.prototype, ['repeat', 'padStart', 'padEnd', 'split', 'replace', 'replaceAll', 'indexOf',
    'lastIndexOf', 'includes', 'normalize', 'toUpperCase', 'toLowerCase', 'localeCompare', 'match', 'matchAll', 'search'])
  checkpointed(TypedArray, ['sort', 'fill', 'set', 'join', 'indexOf', 'lastIndexOf',
    'includes', 'reverse', 'slice', 'copyWithin', 'toSorted'])
  checkpointed(JSON, ['stringify', 'parse'])
  checkpointed(Array, ['from'])
  checkpointed(RegExp.prototype, ['exec', 'test'])
  const stringify = JSON.stringify

  /** A thread is over once fn has returned and the promise it returned, if any, has settled. */
  const runThread = async (tid, fn) => {
    try {
      await undefined
      host(OP.thread_enter, tid)
      const r = fn()
      if (hasInstance(NativePromise, r)) await ownConstructor(r)
      else await r
    } catch (e) {
      host(OP.thread_fail, tid, describe(e))
      hang()
    }
    host(OP.thread_enter, tid)
    host(OP.thread_end, tid)
  }

  const api = {
    log: (...a) => { let s = ''; for (let i = 0; i < a.length; i++) s += (i ? ' ' : '') + text(a[i]); return host(OP.log, s) },
    getruntime: (...a) => call([OP.getruntime], a),
    sleep: (...a) => call([OP.sleep], a),
    randombytes: (...a) => call([OP.randombytes], a),
    getmyip: (...a) => call([OP.getmyip], a),
    gethostbyname: (...a) => call([OP.gethostbyname], a),
    getresources: (...a) => call([OP.getresources], a),
    getlasterror: (...a) => call([OP.getlasterror], a),
    getthreadname: (...a) => call([OP.getthreadname], a),
    exitall: (...a) => { call([OP.exitall], a); hang() },
    createlock: (...a) => { call([OP.lock_create], a); return lock() },
    createthread(...a) {
      if (a.length !== 1) throw new E.RepyArgumentError('createthread takes exactly 1 argument (' + a.length + ' given)')
      const fn = a[0]
      if (typeof fn !== 'function') throw new E.RepyArgumentError('createthread needs a function, not ' + typeof fn)
      runThread(host(OP.thread_start), fn)
    },
    openfile: (...a) => post(call([OP.openfile], a), file),
    listfiles: (...a) => post(call([OP.listfiles], a), freeze),
    removefile: (...a) => call([OP.removefile], a),
    openconnection: async (...a) => post(call([OP.openconnection], a, true), socket),
    listenforconnection: (...a) => post(call([OP.listenforconnection], a), tcpServer),
    listenformessage: (...a) => post(call([OP.listenformessage], a), udpServer),
    sendmessage: (...a) => call([OP.sendmessage], a, true),
    createvirtualnamespace: (...a) => { call([OP.namespace_check], a); return virtualNamespace(a[0], a[1]) },
  }
  for (const name in api) {
    defineProperty(api[name], 'name', { value: name })
    defineProperty(G, name, { value: freeze(api[name]), enumerable: false, writable: false, configurable: false })
  }
  for (const name in E) defineProperty(G, name, { value: E[name], enumerable: false, writable: false, configurable: false })
  // Strings holding NUL cross the boundary as UTF-16 code units in an ArrayBuffer (the C-string path stops at NUL).
  const units = (s) => {
    const a = new NativeUint16Array(s.length)
    for (let i = 0; i < s.length; i++) a[i] = charCodeAt(s, i)
    return typedArrayBuffer(a)
  }
  const fromUnits = (buf) => unitsToString(NativeUint16Array, 2, buf, 0, typedArrayLength(new NativeUint16Array(buf)))
  const define = (o, key, value) => { defineProperty(o, key, { __proto__: null, value, writable: true, enumerable: true, configurable: true }) }
  // What new E[name](message) makes (the classes' constructors only pass the message on), built with one Error
  // construction instead of one per class in the chain: a polling program gets one at almost every call.
  const makeError = (name, message) => setPrototypeOf(new NativeError(message), E[name].prototype)
  return { makeError, describe, units, fromUnits, define, isArray }
})(globalThis.__flotilla_host, ${hierarchy}, ${ops})
`

/** The prelude's source. Evaluated as a global script; its value is `{ makeError, describe, units, fromUnits, define, isArray }` for the host. */
export const PRELUDE_SOURCE = source(
  JSON.stringify(Object.entries(REPY_EXCEPTION_PARENTS)),
  JSON.stringify(Object.fromEntries(Object.entries(OP_ID).map(([k, v]) => [k.replace('.', '_'), v]))),
  MAX_REASON_CHARS,
)
