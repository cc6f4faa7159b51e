// The UDP half of a vessel's broker (main thread): listeners with a bounded queue of datagrams each, and
// sendmessage, which sends from the listener bound to the same local ip:port when there is one (Repy issue #9)
// and otherwise from a temporary socket that is closed after the send.
import dgram from 'node:dgram'
import { RepyError } from '../errors.js'
import type { RecvBudget } from './recv-budget.js'
import { errnoOf, fail, plainIp } from './tcp-broker.js'

/** Datagrams waiting for getmessage beyond this many, or this many bytes, per listener, or beyond the vessel's
 *  budget, are dropped, like a full kernel buffer. */
export const UDP_QUEUE_LIMIT = 64
export const UDP_QUEUE_BYTES = 256 * 1024

interface Datagram {
  ip: string
  port: number
  message: Buffer
}

interface Listener {
  socket: dgram.Socket
  key: string
  queue: Datagram[]
  queuedBytes: number
}

export interface UdpBroker {
  listen(ip: string, port: number): Promise<number>
  send(destIp: string, destPort: number, message: string, localIp: string, localPort: number): Promise<number>
  get(id: number): [string, number, string]
  close(id: number): boolean
  closeAll(): void
  /** Bytes of datagrams waiting for getmessage. */
  buffered(): number
}

const bindError = (fn: string, err: unknown, ip: string, port: number): RepyError => {
  const code = errnoOf(err)
  if (code === 'EADDRINUSE') return new RepyError('DuplicateTupleError', `${fn}: ${ip}:${port} is already in use`)
  return new RepyError('AddressBindingError', `${fn}: cannot bind to ${ip}:${port} (${code})`)
}

const closeQuietly = (socket: dgram.Socket): void => {
  try {
    socket.close()
  } catch {
    /* already closed */
  }
}

function bind(fn: string, ip: string, port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4')
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      closeQuietly(socket)
      reject(bindError(fn, err, ip, port))
    })
    socket.bind({ address: ip, port, exclusive: true }, () => {
      socket.removeAllListeners('error')
      socket.on('error', () => {})
      resolve(socket)
    })
  })
}

function sendFrom(socket: dgram.Socket, bytes: Buffer, destIp: string, destPort: number): Promise<number> {
  return new Promise((resolve, reject) => {
    socket.send(bytes, destPort, destIp, (err, sent) => {
      if (!err) return resolve(sent)
      const code = errnoOf(err)
      reject(new RepyError('InternetConnectivityError', `sendmessage: cannot send to ${destIp}:${destPort} (${code})`))
    })
  })
}

export function createUdpBroker(nextId: () => number, budget: RecvBudget): UdpBroker {
  const listeners = new Map<number, Listener>()
  const temporary = new Set<dgram.Socket>()
  const forget = (entry: Listener): void => {
    budget.give(entry.queuedBytes)
    entry.queue = []
    entry.queuedBytes = 0
  }
  const listenerOn = (key: string): Listener | undefined => [...listeners.values()].find((l) => l.key === key)

  return {
    async listen(ip, port) {
      const key = `${ip}:${port}`
      if (listenerOn(key)) fail('AlreadyListeningError', `listenformessage: already listening on ${key}`)
      const socket = await bind('listenformessage', ip, port)
      const entry: Listener = { socket, key, queue: [], queuedBytes: 0 }
      socket.on('message', (message, rinfo) => {
        const room = entry.queue.length < UDP_QUEUE_LIMIT && entry.queuedBytes + message.length <= UDP_QUEUE_BYTES
        if (!room || budget.used + message.length > budget.limit) return
        entry.queue.push({ ip: plainIp(rinfo.address), port: rinfo.port, message })
        entry.queuedBytes += message.length
        budget.take(message.length)
      })
      const id = nextId()
      listeners.set(id, entry)
      return id
    },

    async send(destIp, destPort, message, localIp, localPort) {
      const bytes = Buffer.from(message, 'latin1')
      const listener = listenerOn(`${localIp}:${localPort}`)
      if (listener) return sendFrom(listener.socket, bytes, destIp, destPort)
      const socket = await bind('sendmessage', localIp, localPort)
      temporary.add(socket)
      try {
        return await sendFrom(socket, bytes, destIp, destPort)
      } finally {
        temporary.delete(socket)
        closeQuietly(socket)
      }
    },

    get(id) {
      const entry = listeners.get(id) ?? fail('SocketClosedLocal', 'getmessage: the socket is closed')
      const d = entry.queue.shift() ?? fail('SocketWouldBlockError', 'getmessage: no message has arrived')
      entry.queuedBytes -= d.message.length
      budget.give(d.message.length)
      return [d.ip, d.port, d.message.toString('latin1')]
    },

    close(id) {
      const entry = listeners.get(id)
      if (!entry) return false
      listeners.delete(id)
      closeQuietly(entry.socket)
      forget(entry)
      return true
    },

    closeAll() {
      for (const entry of listeners.values()) {
        closeQuietly(entry.socket)
        forget(entry)
      }
      for (const socket of temporary) closeQuietly(socket)
      listeners.clear()
      temporary.clear()
    },

    buffered() {
      let bytes = 0
      for (const entry of listeners.values()) bytes += entry.queuedBytes
      return bytes
    },
  }
}
