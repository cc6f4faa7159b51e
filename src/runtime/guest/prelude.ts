// The guest-side half of the API, run inside QuickJS before the program. It builds the Repy exception classes,
// wraps handles (files, sockets, locks) in frozen objects, and turns every API call into one call of the hidden
// host function with an operation number. It validates nothing the host relies on: the host checks every argument.
import { REPY_EXCEPTION_PARENTS } from '../errors.js'
import { OP_ID } from './ops.js'

const source = (hierarchy: string, ops: string) => String.raw`
(function (host, hierarchy, OP) {
  'use strict'
  const G = globalThis
  // Builtins used on every call are taken now: a program that replaces its own Array.prototype.map or
  // String.fromCharCode later changes nothing here.
  const freeze = Object.freeze
  const assign = Object.assign
  const create = Object.create
  const apply = Reflect.apply
  const fromCharCode = String.fromCharCode
  const then = Promise.prototype.then
  const NativePromise = Promise
  /** host(...head, ...a) without the array iterator; with data set, Uint8Array arguments go as byte strings. */
  const call = (head, a, data) => {
    const args = head
    for (let i = 0; i < a.length; i++) args[args.length] = data ? bytes(a[i]) : a[i]
    return apply(host, undefined, args)
  }
  const E = {}
  for (const [name, parent] of hierarchy) {
    const Base = parent === null ? Error : E[parent]
    const C = ({ [name]: class extends Base {} })[name]
    Object.defineProperty(C.prototype, 'name', { value: name, enumerable: false })
    E[name] = C
  }
  for (const name in E) { freeze(E[name].prototype); freeze(E[name]) }

  const bytes = (x) => {
    if (!(x instanceof Uint8Array)) return x
    let s = ''
    for (let i = 0; i < x.length; i += 8192) s += apply(fromCharCode, null, x.subarray(i, i + 8192))
    return s
  }
  const text = (x) => {
    if (typeof x === 'string') return x
    if (x instanceof Uint8Array) return bytes(x)
    if (x !== null && typeof x === 'object' && !(x instanceof Error)) { try { return JSON.stringify(x) } catch (e) { } }
    try { return String(x) } catch (e) { return '[unprintable]' }
  }
  const MAX_FRAMES = 20
  const shortStack = (stack) => {
    const lines = String(stack).split('\n').filter((l) => l !== '')
    if (lines.length <= MAX_FRAMES) return lines.join('\n')
    return lines.slice(0, MAX_FRAMES).join('\n') + '\n    ... ' + (lines.length - MAX_FRAMES) + ' more frames'
  }
  const describe = (e) => {
    try {
      if (e instanceof Error) return (e.name || 'Error') + ': ' + String(e.message).slice(0, 2000) + (e.stack ? '\n' + shortStack(e.stack) : '')
      return 'thrown value: ' + text(e).slice(0, 2000)
    } catch (x) { return 'thrown value (unprintable)' }
  }
  const hang = () => { for (;;) {} }   // the host has asked the runtime to stop: the interrupt handler ends us here

  // In a Repy program a call over a rate quota returns a promise of its result (only its Repy thread waits).
  const post = (r, wrap) => (r instanceof NativePromise ? apply(then, r, [wrap]) : wrap(r))
  const method = (op, id, wrap) => function (...a) { const r = call([op, id], a, true); return wrap ? post(r, wrap) : r }
  const object = (proto, methods) => freeze(assign(create(proto), methods))

  const FileProto = freeze({ [Symbol.toStringTag]: 'RepyFile' })
  const LockProto = freeze({ [Symbol.toStringTag]: 'RepyLock' })
  const SocketProto = freeze({ [Symbol.toStringTag]: 'RepySocket' })
  const TCPServerProto = freeze({ [Symbol.toStringTag]: 'TCPServerSocket' })
  const UDPServerProto = freeze({ [Symbol.toStringTag]: 'UDPServerSocket' })
  const NamespaceProto = freeze({ [Symbol.toStringTag]: 'VirtualNamespace' })

  const file = (id) => object(FileProto, {
    readat: method(OP.file_readat, id), writeat: method(OP.file_writeat, id), close: method(OP.file_close, id) })
  const socket = (id) => object(SocketProto, {
    send: method(OP.tcp_send, id), recv: method(OP.tcp_recv, id), close: method(OP.tcp_close, id) })
  const tcpServer = (id) => object(TCPServerProto, {
    getconnection: method(OP.tcpserver_getconnection, id, (r) => freeze([r[0], r[1], socket(r[2])])),
    close: method(OP.tcpserver_close, id) })
  const udpServer = (id) => object(UDPServerProto, {
    getmessage: method(OP.udpserver_getmessage, id, (r) => freeze(r)), close: method(OP.udpserver_close, id) })
  const lock = (id) => object(LockProto, { acquire: method(OP.lock_acquire, id), release: method(OP.lock_release, id) })

  const virtualNamespace = (code, name) => {
    let fn
    // The code must compile on its own first, so that it cannot close the with block around it (e.g. '}{').
    try { new Function(code); fn = new Function('__context', 'with (__context) { ' + code + '\n}') } catch (e) {
      throw new E.CodeUnsafeError('code in ' + name + ' does not compile: ' + describe(e).split('\n')[0])
    }
    return object(NamespaceProto, {
      evaluate(context, ...extra) {
        if (extra.length) throw new E.RepyArgumentError('evaluate takes exactly 1 argument')
        if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new E.ContextUnsafeError('evaluate needs an object as its context')
        // The context is the code's global scope, as in Repy: its names are read and assigned there, and so is a
        // new name the code assigns; names it does not have fall through to the API and the builtins.
        const scope = new Proxy(context, {
          has: (t, k) => typeof k === 'string' && (k in t || !(k in G)),
          get: (t, k) => {
            if (typeof k === 'string' && !(k in t)) throw new ReferenceError(k + ' is not defined')
            return t[k]
          },
        })
        fn.call(undefined, scope)
        return context
      },
    })
  }

  // One call of a builtin on a large input (a giant join, sort or repeat) runs without reaching QuickJS's interrupt
  // handler; a loop of such calls would escape the cpu quota. Called on large inputs, these builtins first make a
  // host call that does nothing, so the host's checkpoint (memory quota, cpu governor) runs once per call.
  const LARGE = 4096
  const size = (x) => (typeof x === 'number' ? x : (typeof x === 'string' || Array.isArray(x) || ArrayBuffer.isView(x)) ? x.length : 0)
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
      Object.defineProperty(wrapped, 'name', { value: name })
      Object.defineProperty(owner, name, { value: wrapped, writable: true, configurable: true, enumerable: false })
    }
  }
  checkpointed(Array.prototype, ['join', 'sort', 'toString', 'indexOf', 'lastIndexOf', 'includes', 'fill', 'reverse',
    'slice', 'splice', 'concat', 'copyWithin', 'flat', 'toSorted', 'toReversed', 'toSpliced'])
  checkpointed(String.prototype, ['repeat', 'padStart', 'padEnd', 'split', 'replace', 'replaceAll', 'indexOf',
    'lastIndexOf', 'includes', 'normalize', 'toUpperCase', 'toLowerCase', 'localeCompare', 'match', 'matchAll', 'search'])
  checkpointed(Object.getPrototypeOf(Uint8Array.prototype), ['sort', 'fill', 'set', 'join', 'indexOf', 'lastIndexOf',
    'includes', 'reverse', 'slice', 'copyWithin', 'toSorted'])
  checkpointed(JSON, ['stringify', 'parse'])
  checkpointed(Array, ['from'])
  checkpointed(RegExp.prototype, ['exec', 'test'])

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
    createlock: (...a) => post(call([OP.lock_create], a), lock),
    createthread(...a) {
      if (a.length !== 1) throw new E.RepyArgumentError('createthread takes exactly 1 argument (' + a.length + ' given)')
      const fn = a[0]
      if (typeof fn !== 'function') throw new E.RepyArgumentError('createthread needs a function, not ' + typeof fn)
      const tid = host(OP.thread_start)
      const started = apply(then, new NativePromise((resolve) => resolve()), [() => { host(OP.thread_enter, tid); return fn() }])
      apply(then, started, [() => host(OP.thread_end, tid), (e) => { host(OP.thread_fail, tid, describe(e)); hang() }])
    },
    openfile: (...a) => post(call([OP.openfile], a), file),
    listfiles: (...a) => post(call([OP.listfiles], a), freeze),
    removefile: (...a) => call([OP.removefile], a),
    openconnection: async (...a) => socket(await call([OP.openconnection], a, true)),
    listenforconnection: (...a) => post(call([OP.listenforconnection], a), tcpServer),
    listenformessage: (...a) => post(call([OP.listenformessage], a), udpServer),
    sendmessage: (...a) => call([OP.sendmessage], a, true),
    createvirtualnamespace: (...a) => { call([OP.namespace_check], a); return virtualNamespace(a[0], a[1]) },
  }
  for (const name in api) {
    Object.defineProperty(api[name], 'name', { value: name })
    Object.defineProperty(G, name, { value: freeze(api[name]), enumerable: false, writable: false, configurable: false })
  }
  for (const name in E) Object.defineProperty(G, name, { value: E[name], enumerable: false, writable: false, configurable: false })
  // Strings holding NUL cross the boundary as UTF-16 code units in an ArrayBuffer (the C-string path stops at NUL).
  const units = (s) => { const a = new Uint16Array(s.length); for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i); return a.buffer }
  const fromUnits = (buf) => {
    const a = new Uint16Array(buf)
    let s = ''
    for (let i = 0; i < a.length; i += 8192) s += apply(fromCharCode, null, a.subarray(i, i + 8192))
    return s
  }
  return { makeError: (name, message) => new E[name](message), describe, units, fromUnits }
})(globalThis.__flotilla_host, ${hierarchy}, ${ops})
`

/** The prelude's source. Evaluated as a global script; its value is `{ makeError, describe, units, fromUnits }` for the host. */
export const PRELUDE_SOURCE = source(
  JSON.stringify(Object.entries(REPY_EXCEPTION_PARENTS)),
  JSON.stringify(Object.fromEntries(Object.entries(OP_ID).map(([k, v]) => [k.replace('.', '_'), v]))),
)
