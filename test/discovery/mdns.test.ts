// (d) mDNS on a LAN: run in a child process inside a network namespace of our own (`unshare -n`, loopback with
// multicast routed to it), so that no multicast leaves the sandbox. Skipped, with the reason, where unshare is
// not permitted.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const here = dirname(fileURLToPath(import.meta.url))
const probe = spawnSync(
  'unshare',
  ['-n', 'sh', '-c', 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo'],
  { encoding: 'utf8' },
)
const unshareError = probe.error?.message ?? (probe.status === 0 ? null : probe.stderr.trim() || `exit ${probe.status}`)

describe('mDNS discovery', () => {
  it.skipIf(unshareError !== null)(
    `two nodes find each other and a key by mDNS alone${unshareError ? ` (skipped: unshare -n not permitted: ${unshareError})` : ''}`,
    () => {
      const child = join(here, 'mdns-child.ts')
      const script = `ip link set lo up; ip link set lo multicast on; ip route add 224.0.0.0/4 dev lo; exec "${process.execPath}" --import tsx "${child}"`
      const run = spawnSync('unshare', ['-n', 'sh', '-c', script], {
        encoding: 'utf8',
        timeout: 40_000,
        cwd: join(here, '..', '..'),
      })
      const line = run.stdout.trim().split('\n').pop() ?? ''
      let result: {
        a: string
        error?: string
        discoveredMs?: number
        status?: { error: string | null }
        fromB?: Array<{ peerId: string }>
        fromClient?: Array<{ peerId: string }>
      }
      try {
        result = JSON.parse(line) as typeof result
      } catch {
        throw new Error(`no result from the child (exit ${run.status}): ${run.stderr.slice(-2000)}`)
      }
      expect(result.error).toBeUndefined()
      expect(result.status?.error).toBeNull()
      expect(result.fromB?.map((f) => f.peerId)).toEqual([result.a])
      expect(result.fromClient?.map((f) => f.peerId)).toEqual([result.a])
    },
    45_000,
  )
})
