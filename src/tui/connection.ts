// What the console needs of a connection to a node, a one-line error text, and a sleep that can be cut short.
import type { NodeCaller } from './snapshot.js'

export interface ConsoleClient extends NodeCaller {
  close(): Promise<void> | void
}

/** Opens a new connection to the node (used again after the node went away). */
export type Connect = () => Promise<ConsoleClient>

export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  const code =
    typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : null
  const line = text.split('\n')[0] ?? ''
  return code && !line.includes(code) ? `${code}: ${line}` : line
}

/** A sleep that `wake()` ends early. */
export class Waiter {
  private pending: (() => void) | null = null

  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.pending = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.pending = done
    })
  }

  wake(): void {
    this.pending?.()
  }
}
