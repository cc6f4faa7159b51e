// Follows a vessel's log with TailVesselLog: asks for the bytes after the last offset, again and again, and keeps
// the last `maxLines` lines. Survives reconnects (it asks the poll for the current client each time).
import { useEffect, useState } from 'react'
import { errorText, Waiter, type ConsoleClient } from '../connection.js'
import { appendLog, emptyLog, type LogState } from '../log-lines.js'

export interface LogTail extends LogState {
  /** The last failure of a tail request, null while all is well. */
  error: string | null
}

export function useLogTail(
  client: () => ConsoleClient | null,
  vessel: string | null,
  pollMs = 80,
  maxLines = 5000,
): LogTail {
  const [state, setState] = useState<LogTail>({ ...emptyLog(), error: null })

  useEffect(() => {
    setState({ ...emptyLog(), error: null })
    if (vessel === null) return
    let stopped = false
    const waiter = new Waiter()
    let log: LogState = emptyLog()
    const loop = async (): Promise<void> => {
      while (!stopped) {
        const c = client()
        let got = 0
        if (c !== null) {
          try {
            const chunk = await c.call('TailVesselLog', [vessel, log.nextOffset])
            if (stopped) return
            got = chunk.data.length
            const next = appendLog(log, chunk, maxLines)
            if (next !== log) {
              log = next
              setState({ ...log, error: null })
            }
          } catch (err) {
            if (stopped) return
            setState({ ...log, error: errorText(err) })
          }
        }
        if (got === 0) await waiter.sleep(c === null ? 300 : pollMs)
      }
    }
    void loop()
    return () => {
      stopped = true
      waiter.wake()
    }
  }, [client, vessel, pollMs, maxLines])

  return state
}
