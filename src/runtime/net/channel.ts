// The vessel worker's line to the sandbox host's main thread, where its sockets live. Repy's socket calls are
// synchronous (a bind that fails must throw at once; recv returns what has arrived), but a worker's event loop does
// not run while its guest runs, so sockets are kept on the main thread and each call is a blocking round trip:
// post the request, Atomics.wait on a shared flag, then take the reply with receiveMessageOnPort.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { RepyError, type RepyErrorName } from '../errors.js'
import type { GuestValue } from '../guest-value.js'

export interface NetRequest {
  op: string
  args: GuestValue[]
  /** Request id, for asynchronous calls only. */
  id?: number
}

export type NetReply =
  | { ok: true; value: GuestValue }
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

  constructor(private readonly ports: NetChannelPorts) {
    this.flag = new Int32Array(ports.flag)
    ports.asyncPort.on('message', (m: { id: number; reply: NetReply }) => {
      const settle = this.pending.get(m.id)
      this.pending.delete(m.id)
      settle?.(m.reply)
    })
    ports.asyncPort.unref()
  }

  /** A blocking call: the worker (and its guest) waits for the main thread's answer. */
  callSync(op: string, args: GuestValue[]): GuestValue {
    Atomics.store(this.flag, 0, 0)
    this.ports.syncPort.postMessage({ op, args } satisfies NetRequest)
    Atomics.wait(this.flag, 0, 0)
    let received = receiveMessageOnPort(this.ports.syncPort)
    while (received === undefined) received = receiveMessageOnPort(this.ports.syncPort)
    return unwrap(received.message as NetReply)
  }

  /** An asynchronous call (openconnection, waits): the guest awaits it while its worker's event loop runs. */
  call(op: string, args: GuestValue[]): Promise<GuestValue> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => {
        try { resolve(unwrap(reply)) } catch (err) { reject(err) }
      })
      this.ports.asyncPort.ref()
      this.ports.asyncPort.postMessage({ op, args, id } satisfies NetRequest)
    }).finally(() => { if (this.pending.size === 0) this.ports.asyncPort.unref() }) as Promise<GuestValue>
  }
}

function unwrap(reply: NetReply): GuestValue {
  if (reply.ok) return reply.value
  if ('internal' in reply) throw new Error(reply.internal)
  throw new RepyError(reply.error, reply.message)
}

/** The main-thread side: answers one vessel's channel with `handle`. */
export function serveNetChannel(
  ports: NetChannelPorts,
  handle: (op: string, args: GuestValue[]) => NetReply | Promise<NetReply>,
): void {
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
    void answer(req).then((reply) => ports.asyncPort.postMessage({ id: req.id, reply }))
  })
}
