// The vessel worker's line to the sandbox host's main thread, where its sockets live. Repy's socket calls are
// synchronous (a bind that fails must throw at once; recv returns what has arrived), but a worker's event loop does
// not run while its guest runs, so sockets are kept on the main thread and each call is a blocking round trip:
// post the request, Atomics.wait on a shared flag, then take the reply with receiveMessageOnPort. A TCP connection's
// bytes do not take this road (net/tcp-shm.ts): the worker only sends notes (asynchronous requests without an
// answer), and the host wakes the worker, on the asynchronous port, when a connection it waits on changed.
import { performance } from 'node:perf_hooks'
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { RepyError, type RepyErrorName } from '../errors.js'
import type { GuestValue } from '../guest-value.js'

/** The longest a note waits for the guest to let the worker's event loop turn. */
const LATE_NOTE_MS = 0.5

export interface NetRequest {
  op: string
  args: GuestValue[]
  /** Request id, for asynchronous calls only; a note has none (and gets no answer). */
  id?: number
}

/** What an answer carries: a value for the program, or shared memory for the worker. */
export type NetValue = GuestValue | SharedArrayBuffer | NetValue[]

export type NetReply =
  | { ok: true; value: NetValue }
  | { ok: false; error: RepyErrorName; message: string }
  /** A bug on the host side: fatal to the program (Repy's InternalRepyError), never shown to it as an exception. */
  | { ok: false; internal: string }

export interface NetChannelPorts {
  syncPort: MessagePort
  asyncPort: MessagePort
  flag: SharedArrayBuffer
}

export class NetChannel {
  private readonly flag: Int32Array
  private nextId = 1
  private readonly pending = new Map<number, (reply: NetReply) => void>()
  /** Notes to send soon (noteSoon), and since when. */
  private readonly soon = new Set<string>()
  private soonSince = 0
  /** Who waits for a wake-up, by connection. */
  private readonly sleepers = new Map<number, Array<() => void>>()

  constructor(private readonly ports: NetChannelPorts) {
    this.flag = new Int32Array(ports.flag)
    ports.asyncPort.on('message', (m: { id: number; reply: NetReply } | { wake: number }) => {
      if ('wake' in m) return this.wake(m.wake)
      // A note the host failed on (id 0): a bug on the host side, fatal to the program, as unwrap makes it.
      if (m.id === 0) unwrap(m.reply)
      const settle = this.pending.get(m.id)
      this.pending.delete(m.id)
      this.holdPort()
      settle?.(m.reply)
    })
    ports.asyncPort.unref()
  }

  /** A blocking call: the worker (and its guest) waits for the main thread's answer. */
  callSync(op: string, args: GuestValue[]): NetValue {
    Atomics.store(this.flag, 0, 0)
    this.ports.syncPort.postMessage({ op, args } satisfies NetRequest)
    Atomics.wait(this.flag, 0, 0)
    let received = receiveMessageOnPort(this.ports.syncPort)
    while (received === undefined) received = receiveMessageOnPort(this.ports.syncPort)
    return unwrap(received.message as NetReply)
  }

  /** An asynchronous call (openconnection, waits): the guest awaits it while its worker's event loop runs. */
  call(op: string, args: GuestValue[]): Promise<NetValue> {
    const id = this.nextId++
    return new Promise<NetValue>((resolve, reject) => {
      this.pending.set(id, (reply) => {
        try {
          resolve(unwrap(reply))
        } catch (err) {
          reject(err)
        }
      })
      this.holdPort()
      this.ports.asyncPort.postMessage({ op, args, id } satisfies NetRequest)
    })
  }

  /** A request without an answer: the worker goes on at once. */
  note(op: string, args: GuestValue[]): void {
    this.ports.asyncPort.postMessage({ op, args } satisfies NetRequest)
  }

  /** A note without arguments, sent when the guest next lets the worker's event loop turn, or at the latest after
   *  LATE_NOTE_MS at a checkpoint (flushLate): a message costs the worker far more than anything it does between
   *  two, and requests made meanwhile ride along with it. */
  noteSoon(op: string): void {
    if (this.soon.size === 0) {
      this.soonSince = performance.now()
      setImmediate(() => this.flush())
    }
    this.soon.add(op)
  }

  /** Sends the notes noteSoon kept, if the first has waited too long. Called often (at every checkpoint). */
  flushLate(): void {
    if (this.soon.size > 0 && performance.now() - this.soonSince >= LATE_NOTE_MS) this.flush()
  }

  private flush(): void {
    for (const op of this.soon) this.note(op, [])
    this.soon.clear()
  }

  /** Calls `fn` once, when the host wakes connection `id`. */
  sleep(id: number, fn: () => void): void {
    const list = this.sleepers.get(id)
    if (list) list.push(fn)
    else this.sleepers.set(id, [fn])
    this.holdPort()
  }

  /** Runs connection `id`'s sleepers (the host woke it, or the worker itself changed it). */
  wake(id: number): void {
    const list = this.sleepers.get(id)
    this.sleepers.delete(id)
    this.holdPort()
    for (const fn of list ?? []) fn()
  }

  /** The port keeps the worker alive while an answer or a wake-up is awaited, and only then. */
  private holdPort(): void {
    if (this.pending.size + this.sleepers.size > 0) this.ports.asyncPort.ref()
    else this.ports.asyncPort.unref()
  }
}

function unwrap(reply: NetReply): NetValue {
  if (reply.ok) return reply.value
  if ('internal' in reply) throw new Error(reply.internal)
  throw new RepyError(reply.error, reply.message)
}

/** The main-thread side: answers one vessel's channel with `handle`. Returns how to wake a connection's sleepers. */
export function serveNetChannel(
  ports: NetChannelPorts,
  handle: (op: string, args: GuestValue[]) => NetReply | Promise<NetReply>,
): (id: number) => void {
  const flag = new Int32Array(ports.flag)
  const answer = async (req: NetRequest): Promise<NetReply> => {
    try {
      return await handle(req.op, req.args)
    } catch (err) {
      if (err instanceof RepyError) return { ok: false, error: err.repyName, message: err.message }
      return { ok: false, internal: `internal error in ${req.op}: ${(err as Error).message}` }
    }
  }
  // Not awaited by the port: answer() turns every failure into a reply, so these never reject.
  ports.syncPort.on('message', (req: NetRequest) => {
    void answer(req).then((reply) => {
      ports.syncPort.postMessage(reply)
      Atomics.store(flag, 0, 1)
      Atomics.notify(flag, 0)
    })
  })
  ports.asyncPort.on('message', (req: NetRequest) => {
    void answer(req).then((reply) => {
      if (req.id !== undefined) ports.asyncPort.postMessage({ id: req.id, reply })
      // A note gets no answer; only a bug on the host side goes back (an exception, a connection closed meanwhile,
      // is nobody's to hear).
      else if (!reply.ok && 'internal' in reply) ports.asyncPort.postMessage({ id: 0, reply })
    })
  })
  return (id) => ports.asyncPort.postMessage({ wake: id })
}
