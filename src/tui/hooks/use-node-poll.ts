// Polls the node for a snapshot every `intervalMs`; when the node goes away it keeps the last snapshot, reconnects
// with a growing pause, and says what is happening in `link`.
import { useCallback, useEffect, useRef, useState } from 'react'
import { clock, formatDuration } from '../format.js'
import { fetchSnapshot, type NodeSnapshot } from '../snapshot.js'
import { errorText, Waiter, type Connect, type ConsoleClient } from '../connection.js'

const CPU_WINDOW_MS = 2000

export interface LinkStatus {
  state: 'connected' | 'reconnecting'
  message: string
}

export interface NodePoll {
  snapshot: NodeSnapshot | null
  link: LinkStatus
  /** The live connection, null while reconnecting. */
  client: () => ConsoleClient | null
  /** Poll now (after an action). */
  refresh: () => void
}

export function useNodePoll(
  first: ConsoleClient,
  initial: NodeSnapshot | null,
  connect: Connect,
  address: string,
  intervalMs: number,
): NodePoll {
  const clientRef = useRef<ConsoleClient | null>(first)
  const waiter = useRef(new Waiter())
  const [snapshot, setSnapshot] = useState<NodeSnapshot | null>(initial)
  const [link, setLink] = useState<LinkStatus>({ state: 'connected', message: `connected to ${address}` })

  useEffect(() => {
    let stopped = false
    // cpu shares are taken over ~2 s (the oldest recent snapshot), which steadies them against sampling jitter
    let recent: NodeSnapshot[] = initial ? [initial] : []
    let lostAt: number | null = null
    let attempts = 0
    const lost = (why: unknown): void => {
      lostAt ??= Date.now()
      attempts++
      const since = formatDuration((Date.now() - lostAt) / 1000)
      setLink({
        state: 'reconnecting',
        message: `node unreachable for ${since}, reconnecting (attempt ${attempts})… ${errorText(why)}`,
      })
    }
    const loop = async (): Promise<void> => {
      while (!stopped) {
        const started = Date.now()
        let client = clientRef.current
        if (client === null) {
          try {
            client = await connect()
            if (stopped) {
              await client.close()
              return
            }
            clientRef.current = client
          } catch (err) {
            lost(err)
            await waiter.current.sleep(Math.min(3000, 300 * attempts))
            continue
          }
        }
        try {
          const now = Date.now()
          recent = recent.filter((r) => now - r.takenAt <= CPU_WINDOW_MS)
          const snap = await fetchSnapshot(client, address, recent[0] ?? null)
          if (stopped) return
          recent.push(snap)
          setSnapshot(snap)
          if (lostAt !== null) {
            const gone = formatDuration((Date.now() - lostAt) / 1000)
            setLink({
              state: 'connected',
              message: `reconnected to ${address} at ${clock(Date.now())} (unreachable for ${gone})`,
            })
            lostAt = null
            attempts = 0
          }
        } catch (err) {
          if (stopped) return
          clientRef.current = null
          void Promise.resolve(client.close()).catch(() => {})
          lost(err)
          continue
        }
        await waiter.current.sleep(Math.max(0, intervalMs - (Date.now() - started)))
      }
    }
    void loop()
    return () => {
      stopped = true
      waiter.current.wake()
      const last = clientRef.current
      clientRef.current = null
      if (last) void Promise.resolve(last.close()).catch(() => {})
    }
  }, [connect, address, intervalMs]) // `initial` only seeds the first run

  const client = useCallback(() => clientRef.current, [])
  const refresh = useCallback(() => waiter.current.wake(), [])
  return { snapshot, link, client, refresh }
}
