// openconnection, listenforconnection and the TCP socket / server socket methods (docs/REPY.md, 'TCP'), and
// their awaitable forms for JavaScript programs (recvAsync, sendAsync, getconnectionAsync).
// Worker side: validates as Repy does, checks the local ip and port, takes the insockets/outsockets items and
// charges the rate resources; the sockets themselves live in the main thread's broker (net/broker.ts), and their
// bytes come and go through shared rings (tcp-stream.ts).
import { RepyError } from '../errors.js'
import type { Nanny } from '../nanny/nanny.js'
import type { PortResource, RateResource } from '../nanny/resources.js'
import type { Handover } from '../net/tcp-broker.js'
import { VesselNet } from '../net/tcp-shm.js'
import { ringsClosed } from '../net/ring-collection.js'
import { HandleTable } from './handle-table.js'
import { TcpStream, type WorkerVessel } from './tcp-stream.js'
import { Later } from '../later.js'
import { argCount, byteData, int, ip, isLoopback, port, seconds } from './validate.js'
import type { GuestBytes, GuestValue, OpTable, VesselEnv } from './types.js'

/** Repy charges by the LOCAL address: loopsend/looprecv for 127.x, netsend/netrecv otherwise. */
export function ratesFor(localIp: string): { send: RateResource; recv: RateResource } {
  return isLoopback(localIp) ? { send: 'loopsend', recv: 'looprecv' } : { send: 'netsend', recv: 'netrecv' }
}

/** A vessel may use its own IP and loopback addresses. Any other local IP is one it cannot bind, so it raises what
 *  Repy raises when the bind fails (Repy tries any local IP unless --nootherips); called after the port checks,
 *  as the bind comes after them in Repy. */
export function checkLocalIp(env: VesselEnv, fn: string, localip: string): void {
  if (localip !== env.ip && !isLoopback(localip)) {
    throw new RepyError(
      'AddressBindingError',
      `${fn}: cannot bind to local IP ${localip} (a vessel binds only ${env.ip} and 127.x)`,
    )
  }
}

/** The nanny records ports as a set; several sockets may share one port, so count them here. */
export function portCounter(nanny: Nanny, resource: PortResource): { open(p: number): void; close(p: number): void } {
  const uses = new Map<number, number>()
  return {
    open(p) {
      const n = uses.get(p) ?? 0
      uses.set(p, n + 1)
      if (n === 0) nanny.portOpened(resource, p)
    },
    close(p) {
      const n = uses.get(p) ?? 0
      if (n <= 1) {
        uses.delete(p)
        nanny.portClosed(resource, p)
      } else uses.set(p, n - 1)
    },
  }
}

export interface NetHandle {
  localIp: string
  port: number
  /** The insockets/outsockets item this handle holds. */
  item: string
}

/** The handle named by a call's first argument (null if the program closed it), once the call has `n` more. */
export function handleOf<H>(fn: string, table: HandleTable<H>, args: GuestValue[], n: number): [number, H | null] {
  const h = table.find(fn, args[0])
  if (args.length !== n + 1) argCount(fn, args.slice(1), n)
  return [args[0] as number, h]
}

/** SocketClosedLocal for a closed socket (`h` null). */
export function notClosed<H>(fn: string, h: H | null): asserts h is H {
  if (h === null) throw new RepyError('SocketClosedLocal', `${fn}: the socket is closed`)
}

interface SocketHandle extends NetHandle {
  stream: TcpStream
  rates: ReturnType<typeof ratesFor>
  /** The rate waits before each attempt of an awaitable send or recv, made once per socket. */
  waitToSend: () => void
  waitToRecv: () => void
}

export function tcpOps(
  env: VesselEnv,
): OpTable<
  | 'openconnection'
  | 'listenforconnection'
  | 'tcp.send'
  | 'tcp.recv'
  | 'tcp.close'
  | 'tcpserver.getconnection'
  | 'tcpserver.close'
  | 'tcp.sendasync'
  | 'tcp.recvasync'
  | 'tcpserver.getconnectionasync'
> {
  const { nanny, net } = env
  const sockets = new HandleTable<SocketHandle>('socket')
  const servers = new HandleTable<NetHandle>('TCP server socket')
  const byKey = new Map<number, TcpStream>()
  const vessel: WorkerVessel = {
    net: new VesselNet(),
    sendFill: () => {
      let bytes = 0
      for (const h of sockets.values()) bytes += h.stream.sendFill()
      return bytes
    },
    sockets: () => sockets.size,
    byKey: (key) => byKey.get(key),
  }
  const listening = new Set<string>()
  const ports = portCounter(nanny, 'connport')
  let items = 0

  /** The program's handle on a connection the host handed over. */
  const adopt = (handover: Handover, localIp: string, localPort: number, item: string): number => {
    const [id, ctl, data, vesselNet, peerCtl, peerData] = handover
    if (sockets.size === 0) vessel.net = new VesselNet(vesselNet) // the same for all, made by the host
    const peer = peerCtl && peerData ? { ctl: peerCtl, data: peerData } : null
    const stream = new TcpStream(id, { ctl, data }, peer, net, vessel)
    const rates = ratesFor(localIp)
    const waitToSend = () => nanny.waitFor(rates.send)
    const waitToRecv = () => nanny.waitFor(rates.recv)
    sockets.add(id, { localIp, port: localPort, item, stream, rates, waitToSend, waitToRecv })
    byKey.set(stream.key(), stream)
    ports.open(localPort)
    return id
  }

  const sending = (
    fn: string,
    args: GuestValue[],
  ): [SocketHandle, string | GuestBytes, ReturnType<typeof ratesFor>] => {
    const [, h] = handleOf(fn, sockets, args, 1)
    const message = byteData(fn, 'message', args[1])
    notClosed(fn, h)
    return [h, message, h.rates]
  }
  const chargeSent = (rates: ReturnType<typeof ratesFor>, sent: number): number => {
    nanny.charge(rates.send, 64 + sent)
    nanny.charge(rates.recv, 64)
    return sent
  }
  const receiving = (fn: string, args: GuestValue[]): [SocketHandle, number, ReturnType<typeof ratesFor>] => {
    const [, h] = handleOf(fn, sockets, args, 1)
    const max = int(fn, 'bytes', args[1], 1)
    notClosed(fn, h)
    return [h, max, h.rates]
  }
  const chargeReceived = <T extends { length: number }>(rates: ReturnType<typeof ratesFor>, received: T): T => {
    nanny.charge(rates.recv, 64 + received.length)
    nanny.charge(rates.send, 64)
    return received
  }
  /** Takes a waiting connection (SocketWouldBlockError if none): [remote ip, remote port, socket id]. */
  const accept = (fn: string, id: number, server: NetHandle | null): GuestValue[] => {
    notClosed(fn, server)
    const rates = ratesFor(server.localIp)
    nanny.waitFor(rates.recv)
    const [remoteIp, remotePort, ...handover] = net.callSync('tcp.accept', [id]) as [string, number, ...Handover]
    const item = `tcp-out-${++items}`
    try {
      nanny.acquire('outsockets', item)
    } catch (err) {
      net.callSync('tcp.close', [handover[0]]) // Repy closes the accepted socket
      throw err
    }
    const socketId = adopt(handover, server.localIp, server.port, item)
    nanny.charge(rates.recv, 128)
    nanny.charge(rates.send, 64)
    return [remoteIp, remotePort, socketId]
  }

  return {
    async openconnection(args) {
      const fn = 'openconnection'
      argCount(fn, args, 5)
      const destip = ip(fn, 'destip', args[0])
      const destport = port(fn, 'destport', args[1])
      const localip = ip(fn, 'localip', args[2])
      const localport = port(fn, 'localport', args[3])
      const timeout = seconds(fn, 'timeout', args[4])
      if (timeout <= 0) throw new RepyError('RepyArgumentError', `${fn}: timeout must be positive (${timeout})`)
      if (destip === localip && destport === localport)
        throw new RepyError('RepyArgumentError', `${fn}: the local and destination addresses are the same`)
      nanny.checkPort('connport', localport)
      checkLocalIp(env, fn, localip)
      if (listening.has(`${localip}:${localport}`))
        throw new RepyError('AlreadyListeningError', `${fn}: listening on ${localip}:${localport}`)
      const rates = ratesFor(localip)
      nanny.waitFor(rates.send)
      nanny.waitFor(rates.recv)
      const item = `tcp-out-${++items}`
      nanny.acquire('outsockets', item)
      let handover: Handover
      try {
        handover = (await net.call('tcp.connect', [destip, destport, localip, localport, timeout])) as Handover
      } catch (err) {
        nanny.release('outsockets', item)
        throw err
      }
      const id = adopt(handover, localip, localport, item)
      nanny.charge(rates.send, 128)
      nanny.charge(rates.recv, 64)
      return id
    },

    listenforconnection(args) {
      const fn = 'listenforconnection'
      argCount(fn, args, 2)
      const localip = ip(fn, 'localip', args[0])
      const localport = port(fn, 'localport', args[1])
      nanny.checkPort('connport', localport)
      checkLocalIp(env, fn, localip)
      const key = `${localip}:${localport}`
      if (listening.has(key)) throw new RepyError('AlreadyListeningError', `${fn}: already listening on ${key}`)
      const item = `tcp-in-${++items}`
      nanny.acquire('insockets', item)
      let id: number
      try {
        // Repy's backlog is the outsockets limit (5 if that is 0).
        id = net.callSync('tcp.listen', [localip, localport, nanny.restrictions.limits.outsockets || 5]) as number
      } catch (err) {
        nanny.release('insockets', item)
        throw err
      }
      listening.add(key)
      servers.add(id, { localIp: localip, port: localport, item })
      ports.open(localport)
      return id
    },

    'tcp.send'(args) {
      const [h, message, rates] = sending('send', args)
      nanny.waitFor(rates.send)
      return chargeSent(rates, h.stream.send(message))
    },

    'tcp.sendasync'(args) {
      const [h, message, rates] = sending('sendAsync', args)
      const sent = h.stream.sendWhenReady(message, h.waitToSend)
      return typeof sent === 'number' ? chargeSent(rates, sent) : sent.map((n) => chargeSent(rates, n))
    },

    'tcp.recv'(args) {
      const [h, max, rates] = receiving('recv', args)
      nanny.waitFor(rates.recv)
      return chargeReceived(rates, h.stream.recv(max))
    },

    'tcp.recvasync'(args) {
      const [h, max, rates] = receiving('recvAsync', args)
      const received = h.stream.recvWhenReady(max, h.waitToRecv)
      return received instanceof Later ? received.map((r) => chargeReceived(rates, r)) : chargeReceived(rates, received)
    },

    'tcp.close'(args) {
      const [id, h] = handleOf('close', sockets, args, 0)
      if (h === null) return false
      sockets.close(id)
      h.stream.close()
      byKey.delete(h.stream.key())
      ringsClosed()
      net.callSync('tcp.close', [id])
      nanny.release('outsockets', h.item)
      ports.close(h.port)
      const rates = ratesFor(h.localIp)
      nanny.charge(rates.recv, 64)
      nanny.charge(rates.send, 128)
      return true
    },

    'tcpserver.getconnection'(args) {
      const [id, server] = handleOf('getconnection', servers, args, 0)
      return accept('getconnection', id, server)
    },

    async 'tcpserver.getconnectionasync'(args) {
      const [id, server] = handleOf('getconnectionAsync', servers, args, 0)
      for (;;) {
        try {
          return accept('getconnectionAsync', id, server)
        } catch (err) {
          if (!(err instanceof RepyError && err.repyName === 'SocketWouldBlockError')) throw err
        }
        await net.call('tcp.acceptable', [id])
      }
    },

    // True the first time, false afterwards (Repy's code always returns True; its documentation says this).
    'tcpserver.close'(args) {
      const [id, h] = handleOf('close', servers, args, 0)
      if (h === null) return false
      servers.close(id)
      net.callSync('tcpserver.close', [id])
      listening.delete(`${h.localIp}:${h.port}`)
      nanny.release('insockets', h.item)
      ports.close(h.port)
      return true
    },
  }
}
