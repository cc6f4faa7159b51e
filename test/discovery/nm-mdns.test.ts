// Node managers on a LAN with mDNS and no bootstrap list: run in a child process inside a network namespace of our
// own (`unshare -n`, loopback with multicast routed to it), so that no multicast leaves the sandbox. Skipped, with
// the reason, where unshare is not permitted.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { NodeVessels } from '../../src/client/browse.js'
import type { AdvertisedKey } from '../../src/protocol/results.js'

const here = dirname(fileURLToPath(import.meta.url))
const probe = spawnSync(
  'unshare',
  ['-n', 'sh', '-c', 'ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo'],
  { encoding: 'utf8' },
)
const unshareError = probe.error?.message ?? (probe.status === 0 ? null : probe.stderr.trim() || `exit ${probe.status}`)

interface ChildResult {
  error?: string
  a: string
  b: string
  settings: Array<{ bootstrap: string[]; mdns: boolean }>
  aConnectedTo: string[]
  bConnectedTo: string[]
  advertised?: AdvertisedKey
  found: Array<{ peerId: string; addresses: string[] }>
  vessels: NodeVessels[]
}

describe('node managers with mDNS', () => {
  it.skipIf(unshareError !== null)(
    `find each other with no bootstrap, and browse over mDNS finds a key added on one${unshareError ? ` (skipped: unshare -n not permitted: ${unshareError})` : ''}`,
    () => {
      const child = join(here, 'nm-mdns-child.ts')
      const script = `ip link set lo up; ip link set lo multicast on; ip route add 224.0.0.0/4 dev lo; exec "${process.execPath}" --import tsx "${child}"`
      const run = spawnSync('unshare', ['-n', 'sh', '-c', script], {
        encoding: 'utf8',
        timeout: 30_000,
        cwd: join(here, '..', '..'),
      })
      const line = run.stdout.trim().split('\n').pop() ?? ''
      let result: ChildResult
      try {
        result = JSON.parse(line) as ChildResult
      } catch {
        throw new Error(`no result from the child (exit ${run.status}): ${run.stderr.slice(-2000)}`)
      }
      expect(result.error).toBeUndefined()
      // mDNS alone: no bootstrap list on either node, yet each is connected to the other
      expect(result.settings.map((s) => [s.bootstrap, s.mdns])).toEqual([
        [[], true],
        [[], true],
      ])
      expect(result.aConnectedTo).toEqual([result.b])
      expect(result.bConnectedTo).toEqual([result.a])
      // B announced alice's key (added to v1 by ChangeUsers) to A
      expect(result.advertised).toMatchObject({ error: null, peers: 1 })
      // a browse client on mDNS only finds B, and B lists v1 for alice
      expect(result.found.map((f) => f.peerId)).toEqual([result.b])
      expect(result.vessels.map((n) => [n.peerId, n.error, n.vessels])).toEqual([
        [result.b, null, [{ name: 'v1', owner: false, user: true, status: 'Fresh' }]],
      ])
    },
    35_000,
  )
})
