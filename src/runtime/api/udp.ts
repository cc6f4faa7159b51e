// listenformessage, sendmessage and the UDP server socket methods (docs/REPY.md, 'UDP'). Worker side, like tcp.ts.
import { RepyError } from '../errors.js'
import { argCount, data, ip, port } from './validate.js'
import { HandleTable } from './handle-table.js'
import { checkLocalIp, handleOf, notClosed, portCounter, ratesFor, type NetHandle } from './tcp.js'
import type { OpTable, VesselEnv } from './types.js'

/** The largest datagram Repy sends (repy_v2 issue #113). */
export const MAX_DATAGRAM = 9216

export function udpOps(
  env: VesselEnv,
): OpTable<'listenformessage' | 'sendmessage' | 'udpserver.getmessage' | 'udpserver.close'> {
  const { nanny, net } = env
  const listeners = new HandleTable<NetHandle>('UDP server socket')
  const listening = new Set<string>()
  const ports = portCounter(nanny, 'messport')
  let items = 0

  return {
    listenformessage(args) {
      const fn = 'listenformessage'
      argCount(fn, args, 2)
      const localip = ip(fn, 'localip', args[0])
      const localport = port(fn, 'localport', args[1])
      nanny.checkPort('messport', localport)
      checkLocalIp(env, fn, localip)
      const key = `${localip}:${localport}`
      if (listening.has(key)) throw new RepyError('AlreadyListeningError', `${fn}: already listening on ${key}`)
      const item = `udp-in-${++items}`
      nanny.acquire('insockets', item)
      let id: number
      try {
        id = net.callSync('udp.listen', [localip, localport]) as number
      } catch (err) {
        nanny.release('insockets', item)
        throw err
      }
      listening.add(key)
      listeners.add(id, { localIp: localip, port: localport, item })
      ports.open(localport)
      return id
    },

    sendmessage(args) {
      const fn = 'sendmessage'
      argCount(fn, args, 5)
      const destip = ip(fn, 'destip', args[0])
      const destport = port(fn, 'destport', args[1])
      const message = data(fn, 'message', args[2])
      const localip = ip(fn, 'localip', args[3])
      const localport = port(fn, 'localport', args[4])
      if (message.length > MAX_DATAGRAM)
        throw new RepyError(
          'RepyArgumentError',
          `${fn}: a message is at most ${MAX_DATAGRAM} bytes (${message.length} given)`,
        )
      if (destip === localip && destport === localport)
        throw new RepyError('RepyArgumentError', `${fn}: the local and destination addresses are the same`)
      nanny.checkPort('messport', localport)
      checkLocalIp(env, fn, localip)
      const rates = ratesFor(localip)
      nanny.waitFor(rates.send)
      // Without a listener on this ip:port the broker sends from a temporary socket, which holds an outsocket
      // for the duration of the send (Repy never gives that item back).
      const temporary = listening.has(`${localip}:${localport}`) ? null : `udp-out-${++items}`
      if (temporary) nanny.acquire('outsockets', temporary)
      let sent: number
      try {
        sent = net.callSync('udp.send', [destip, destport, message.toString('latin1'), localip, localport]) as number
      } finally {
        if (temporary) nanny.release('outsockets', temporary)
      }
      nanny.charge(rates.send, 64 + sent)
      return sent
    },

    'udpserver.getmessage'(args) {
      const [id, h] = handleOf('getmessage', listeners, args, 0)
      notClosed('getmessage', h)
      const rates = ratesFor(h.localIp)
      nanny.waitFor(rates.recv)
      const [remoteIp, remotePort, message] = net.callSync('udp.get', [id]) as [string, number, string]
      nanny.charge(rates.recv, 64 + message.length)
      return [remoteIp, remotePort, message]
    },

    // True the first time, false afterwards (Repy's code always returns True).
    'udpserver.close'(args) {
      const [id, h] = handleOf('close', listeners, args, 0)
      if (h === null) return false
      listeners.close(id)
      net.callSync('udp.close', [id])
      listening.delete(`${h.localIp}:${h.port}`)
      nanny.release('insockets', h.item)
      ports.close(h.port)
      return true
    },
  }
}
