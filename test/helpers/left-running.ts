// Set up for every test file (vitest.config.ts): a file ends with nothing it started still open. A worker runs one
// file after another in one process, so a socket, server or child process a file leaves open stays for the files
// after it (a listener on their port, a flood still being read, cpu). Checked after the file's own afterAll hooks;
// what closes asynchronously gets until CLOSE_MS to go.
import { afterAll, beforeAll } from 'vitest'
import { waitFor } from './wait-for.js'

/** Node's names of the handles a file can leave open (process.getActiveResourcesInfo). Timers are left out: a stopped
 *  node's last timers end by themselves. */
const WATCHED = new Set(['TCPSocketWrap', 'TCPServerWrap', 'UDPWrap', 'ProcessWrap', 'PipeServerWrap'])
const CLOSE_MS = 10_000

function openHandles(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const name of process.getActiveResourcesInfo())
    if (WATCHED.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1)
  return counts
}

let before = new Map<string, number>()
beforeAll(() => {
  before = openHandles()
})

afterAll(async () => {
  const extra = (): string[] =>
    [...openHandles()]
      .filter(([name, n]) => n > (before.get(name) ?? 0))
      .map(([name, n]) => `${n - (before.get(name) ?? 0)} ${name}`)
  await waitFor(
    async () => extra().length === 0,
    () => `the file's sockets, servers and child processes to close; still open: ${extra().join(', ')}`,
    CLOSE_MS,
  )
})
