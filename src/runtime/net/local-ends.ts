// Both ends of a TCP connection between programs of one sandbox host (over loopback or the node's own address)
// live on its main thread, in one vessel's broker or two. Repy's sockets answer at once what the peer did before:
// after openconnection the connection is there for getconnection, after the peer's send its data is there for
// recv, after the peer's close recv raises SocketClosedRemote. Node tells this side only in a later turn of its
// event loop, after a request of the program may already have been answered. So each end is entered here under
// its address pair: when both ends are here they are linked, and a broker knows what is still on its way to it.
// Entries are process-wide, like the ports they name.

export interface LocalEnd {
  /** Bytes the end's program sent (handed to its socket). */
  sent: number
  /** Bytes that arrived at the end. */
  received: number
  /** The end's program closed it, or its socket is gone: it sends nothing more. */
  closed: boolean
  /** The other end, when it is on this host too. */
  peer: LocalEnd | null
  /** Something above changed, or data or the end of the stream arrived: the end's waiters look again. */
  changed(): void
}

const ends = new Map<string, LocalEnd>()
const listeners = new Set<string>()

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
  return () => { if (ends.get(key) === end) ends.delete(key) }
}

/** A listening address ("ip:port") of this host, so that a connection to it can wait for the listener's end. */
export function enterListener(address: string): () => void {
  listeners.add(address)
  return () => { listeners.delete(address) }
}

export const listenedHere = (address: string): boolean => listeners.has(address)

/** Bytes the peer sent that have not arrived yet: the peer is here and some are on their way. */
export const inFlight = (end: LocalEnd): number => (end.peer ? Math.max(0, end.peer.sent - end.received) : 0)

/** The peer is here, closed, and everything it sent has arrived: nothing more will. */
export const peerFinished = (end: LocalEnd): boolean => end.peer !== null && end.peer.closed && inFlight(end) === 0
