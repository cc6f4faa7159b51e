// A running vessel's network broker, on the sandbox host's main thread, where its sockets live (see channel.ts for
// why). The worker's tcp/udp capabilities have already validated, permitted and charged every call; the broker
// does the socket work and answers with a value or a Repy exception. Handle ids are shared by TCP and UDP.
import type { GuestValue } from '../api/types.js'
import type { Restrictions } from '../nanny/resources.js'
import type { NetReply, NetValue } from './channel.js'
import { createTcpBroker } from './tcp-broker.js'
import { createUdpBroker } from './udp-broker.js'
import { RecvBudget } from './recv-budget.js'

export interface Broker {
  handle(op: string, args: GuestValue[]): NetReply | Promise<NetReply>
  /** How the broker wakes its worker when a connection it waits on changed (serveNetChannel's answer). */
  attach(wake: (id: number) => void): void
  closeAll(): void
  /** Bytes held on the host for this vessel's sockets (received and unread, sent and not yet flushed). */
  buffered(): number
}

/** The broker's operations and their arguments, as the worker's capabilities send them. */
export type BrokerOp =
  | 'tcp.listen' // [ip, port, backlog] -> server id
  | 'tcp.connect' // [destip, destport, localip, localport, timeout] -> Handover (tcp-broker.ts)
  | 'tcp.accept' // [server id] -> [ip, port, ...Handover]
  | 'tcp.acceptable' // [server id] -> undefined, once a connection waits (asynchronous)
  | 'tcp.refill' // [socket id] -> undefined: move what is held back into the receive ring (it is empty)
  | 'tcp.drain' // [socket id] -> undefined: empty the send ring into the socket (its ring is full)
  | 'tcp.asked' // [], a note: connections asked for work in their shared words (tcp-shm.ts)
  | 'tcp.recount' // [] -> undefined: count the vessel's unflushed bytes again
  | 'tcp.close' // [socket id] -> boolean
  | 'tcpserver.close' // [server id] -> boolean
  | 'udp.listen' // [ip, port] -> listener id
  | 'udp.send' // [destip, destport, message, localip, localport] -> bytes sent
  | 'udp.get' // [listener id] -> [ip, port, message]
  | 'udp.close' // [listener id] -> boolean

const internal = (message: string): never => {
  throw new Error(`broker: ${message}`)
}
const s = (v: GuestValue): string => (typeof v === 'string' ? v : internal(`expected a string, got ${typeof v}`))
const n = (v: GuestValue): number => (typeof v === 'number' ? v : internal(`expected a number, got ${typeof v}`))

export function createBroker(options: { ip: string; restrictions: Restrictions }): Broker {
  let lastId = 0
  const nextId = () => ++lastId
  const budget = new RecvBudget()
  let wakeWorker: (id: number) => void = () => {}
  const tcp = createTcpBroker(nextId, budget, (id) => wakeWorker(id))
  const udp = createUdpBroker(nextId, budget)
  let closed = false

  const run = (op: string, a: GuestValue[]): NetValue | Promise<NetValue> => {
    switch (op as BrokerOp) {
      case 'tcp.listen':
        return tcp.listen(s(a[0]), n(a[1]), n(a[2]))
      case 'tcp.connect':
        return tcp.connect(s(a[0]), n(a[1]), s(a[2]), n(a[3]), n(a[4]))
      case 'tcp.accept':
        return tcp.accept(n(a[0]))
      case 'tcp.acceptable':
        return tcp.acceptable(n(a[0]))
      case 'tcp.refill':
        return tcp.refill(n(a[0]))
      case 'tcp.drain':
        return tcp.drain(n(a[0]))
      case 'tcp.asked':
        return tcp.asked()
      case 'tcp.recount':
        return tcp.recount()
      case 'tcp.close':
        return tcp.close(n(a[0]))
      case 'tcpserver.close':
        return tcp.closeServer(n(a[0]))
      case 'udp.listen':
        return udp.listen(s(a[0]), n(a[1]))
      case 'udp.send':
        return udp.send(s(a[0]), n(a[1]), s(a[2]), s(a[3]), n(a[4]))
      case 'udp.get':
        return udp.get(n(a[0]))
      case 'udp.close':
        return udp.close(n(a[0]))
      default:
        return internal(`unknown operation '${op}' (vessel ${options.ip})`)
    }
  }

  return {
    // Detached by its caller (serveNetChannel), so no `this`. A RepyError thrown here becomes its reply.
    handle(op, args) {
      if (closed) return { ok: false, error: 'SocketClosedLocal', message: `${op}: the program's sockets are closed` }
      const value = run(op, args)
      if (value instanceof Promise) {
        return value.then((v): NetReply => {
          if (closed) {
            tcp.closeAll()
            udp.closeAll()
          } // the program ended while this was under way
          return { ok: true, value: v }
        })
      }
      return { ok: true, value }
    },
    attach(wake) {
      wakeWorker = wake
    },
    closeAll() {
      closed = true
      tcp.closeAll()
      udp.closeAll()
    },
    buffered: () => tcp.buffered() + udp.buffered(),
  }
}
