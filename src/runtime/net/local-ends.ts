// Both ends of a TCP connection between programs of one sandbox host (over loopback or the node's own address)
// live on its main thread, in one vessel's broker or two. Repy's sockets answer at once what the peer did before:
// after openconnection the connection is there for getconnection, after the peer's send its data is there for
// recv, after the peer's close recv raises SocketClosedRemote; through Node's sockets this side would learn it
// only some turns of the event loop later. So each end is entered here under its address pair, and when both ends
// are here they are linked before either program gets its end: the connection is direct, each end's worker reads
// the other's send ring (tcp-shm.ts), and the sockets carry no data. Entries are process-wide, like the ports
// they name.
import type { TcpCtl, TcpShared } from './tcp-shm.js'

export interface LocalEnd {
  /** The end's control words (tcp-shm.ts). */
  readonly ctl: TcpCtl
  /** The other end, when it is on this host too. */
  peer: LocalEnd | null
  /** The end's peer was linked or closed, or data or the end of the stream arrived: the end's waiters look again. */
  changed(): void
  /** Wakes the end's worker: its direct peer, in another worker, changed what it waits for (and told it so). */
  wake(): void
  /** The end's control words and rings, made now if need be: the peer's program may get its end first. */
  rings(): TcpShared
}

const ends = new Map<string, LocalEnd>()
const listeners = new Set<string>()
const connecting = new Set<string>()

/** Enters an end (local and remote are "ip:port") and links it to its peer if that is here; returns its removal. */
export function enterEnd(end: LocalEnd, local: string, remote: string): () => void {
  const key = `${local}>${remote}`
  ends.set(key, end)
  const other = ends.get(`${remote}>${local}`)
  if (other && other.peer === null && end.peer === null) {
    end.peer = other
    other.peer = end
    other.changed()
    end.changed()
  }
  return () => {
    if (ends.get(key) === end) ends.delete(key)
  }
}

/** A listening address ("ip:port") of this host, so that a connection to it can wait for the listener's end. */
export function enterListener(address: string): () => void {
  listeners.add(address)
  return () => {
    listeners.delete(address)
  }
}

export const listenedHere = (address: string): boolean => listeners.has(address)

/** A connection a broker of this host is making from `local` to `remote`; returns its removal. */
export function enterConnecting(local: string, remote: string): () => void {
  const key = `${local}>${remote}`
  connecting.add(key)
  return () => {
    connecting.delete(key)
  }
}

/** Whether the remote end of the end `local`>`remote` is being made by a broker of this host (it will be linked). */
export const peerConnectingHere = (local: string, remote: string): boolean => connecting.has(`${remote}>${local}`)
