// The guest-side half of the API, run inside QuickJS before the program. It builds the Repy exception classes,
// wraps handles (files, sockets, locks) in frozen objects, and turns every API call into one call of the hidden
// host function with an operation number. It validates nothing the host relies on: the host checks every argument.
import { REPY_EXCEPTION_PARENTS } from '../errors.js'
import { OP_ID } from './ops.js'

const source = (hierarchy: string, ops: string) => String.raw`
(function (host, hierarchy, OP) {
  'use strict'
  const G = globalThis
  const freeze = Object.freeze
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
    for (let i = 0; i < x.length; i += 8192) s += String.fromCharCode.apply(null, x.subarray(i, i + 8192))
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

  const method = (op, id, wrap) => function (...a) { const r = host(op, id, ...a.map(bytes)); return wrap ? wrap(r) : r }
  const object = (proto, methods) => freeze(Object.assign(Object.create(proto), methods))

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
    try { fn = new Function('__context', 'with (__context) { ' + code + '\n}') } catch (e) {
      throw new E.CodeUnsafeError('code in ' + name + ' does not compile: ' + describe(e).split('\n')[0])
    }
    return object(NamespaceProto, {
      evaluate(context, ...extra) {
        if (extra.length) throw new E.RepyArgumentError('evaluate takes exactly 1 argument')
        if (context === null || typeof context !== 'object' || Array.isArray(context)) throw new E.ContextUnsafeError('evaluate needs an object as its context')
        const scope = new Proxy(context, { has: (t, k) => typeof k === 'string' && k in t })
        fn.call(undefined, scope)
        return context
      },
    })
  }

  const api = {
    log: (...a) => { let s = ''; for (let i = 0; i < a.length; i++) s += (i ? ' ' : '') + text(a[i]); host(OP.log, s) },
    getruntime: (...a) => host(OP.getruntime, ...a),
    sleep: (...a) => host(OP.sleep, ...a),
    randombytes: (...a) => host(OP.randombytes, ...a),
    getmyip: (...a) => host(OP.getmyip, ...a),
    gethostbyname: (...a) => host(OP.gethostbyname, ...a),
    getresources: (...a) => host(OP.getresources, ...a),
    getlasterror: (...a) => host(OP.getlasterror, ...a),
    getthreadname: (...a) => host(OP.getthreadname, ...a),
    exitall: (...a) => { host(OP.exitall, ...a); hang() },
    createlock: (...a) => lock(host(OP.lock_create, ...a)),
    createthread(...a) {
      if (a.length !== 1) throw new E.RepyArgumentError('createthread takes exactly 1 argument (' + a.length + ' given)')
      const fn = a[0]
      if (typeof fn !== 'function') throw new E.RepyArgumentError('createthread needs a function, not ' + typeof fn)
      const tid = host(OP.thread_start)
      Promise.resolve()
        .then(() => { host(OP.thread_enter, tid); return fn() })
        .then(() => host(OP.thread_end, tid), (e) => { host(OP.thread_fail, tid, describe(e)); hang() })
    },
    openfile: (...a) => file(host(OP.openfile, ...a)),
    listfiles: (...a) => freeze(host(OP.listfiles, ...a)),
    removefile: (...a) => host(OP.removefile, ...a),
    openconnection: async (...a) => socket(await host(OP.openconnection, ...a.map(bytes))),
    listenforconnection: (...a) => tcpServer(host(OP.listenforconnection, ...a)),
    listenformessage: (...a) => udpServer(host(OP.listenformessage, ...a)),
    sendmessage: (...a) => host(OP.sendmessage, ...a.map(bytes)),
    createvirtualnamespace: (...a) => { host(OP.namespace_check, ...a); return virtualNamespace(a[0], a[1]) },
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
    for (let i = 0; i < a.length; i += 8192) s += String.fromCharCode.apply(null, a.subarray(i, i + 8192))
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
