import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NodeError } from '../../src/protocol/errors.js'
import { carveDonation, hostMaxima, measureHost, vesselPorts, type HostMeasurement } from '../../src/node/donation.js'
import { SEATTLE_HOST_DEFAULTS } from '../../src/runtime/nanny/resources.js'
import { OFFCUT, joinRestrictions } from '../../src/node/split-join.js'

// 2 cores, 8 GiB, 100 GB free, ulimit -n 1024
const HOST: HostMeasurement = { cores: 2, memoryBytes: 8 * 2 ** 30, diskFreeBytes: 100e9, openFilesLimit: 1024 }

describe('measureHost', () => {
  it('measures this machine, also for a data folder that does not exist yet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-donate-'))
    try {
      const host = await measureHost(join(dir, 'not', 'yet'))
      expect(host.cores).toBeGreaterThanOrEqual(1)
      expect(host.memoryBytes).toBeGreaterThan(100e6)
      expect(host.diskFreeBytes).toBeGreaterThan(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('carveDonation', () => {
  it('10 % is one vessel: donated share minus one offcut, ports 63100-63109', () => {
    const [v, ...rest] = carveDonation(HOST, { percent: 10 })
    expect(rest).toHaveLength(0)
    expect(v!.limits).toEqual({
      cpu: 0.198, // 2 × 10 % − .002
      memory: 858_993_459 - 1_000_000, // floor(8 GiB × 10 %) − 1 MB
      diskused: 10e9 - 100_000,
      events: 498, // Seattle: 500 per node whatever the share
      filesopened: 33,
      insockets: 34,
      outsockets: 34, // a third of ulimit -n, 10 %, minus the offcut
      random: 20_000,
      filewrite: 119_000,
      fileread: 119_000,
      netrecv: 50_000,
      netsend: 50_000,
      lograte: 149_900,
      loopsend: 5_000_000,
      looprecv: 5_000_000,
    })
    expect(v!.ports).toEqual({ messport: vesselPorts(0), connport: vesselPorts(0) })
    expect(vesselPorts(0)).toEqual([63100, 63101, 63102, 63103, 63104, 63105, 63106, 63107, 63108, 63109])
  })

  it('30 % is three vessels by default, each its own block of ports', () => {
    const vessels = carveDonation(HOST, { percent: 30 })
    expect(vessels).toHaveLength(3)
    expect(vessels.map((v) => v.ports.connport[0])).toEqual([63100, 63110, 63120])
    expect(vessels[2]!.ports.messport.at(-1)).toBe(63129)
    expect(vessels[0]!.limits.cpu).toBe(0.198) // (0.6 − 3 × .002) / 3
    expect(vessels[0]!.limits.events).toBe(164) // (500 − 6) / 3
  })

  it('--vessels N splits evenly, and vessels + offcuts never exceed the donation', () => {
    const vessels = carveDonation(HOST, { percent: 50, vessels: 4 })
    expect(vessels).toHaveLength(4)
    let total = vessels[0]!
    for (const v of vessels.slice(1)) total = joinRestrictions(total, v) // each join adds one offcut back
    const donated = { cpu: 1, memory: Math.floor(8 * 2 ** 30 * 0.5), diskused: 50e9 }
    for (const r of ['cpu', 'memory', 'diskused'] as const) {
      expect(total.limits[r] + OFFCUT.limits[r]).toBeLessThanOrEqual(donated[r])
      expect(total.limits[r] + OFFCUT.limits[r]).toBeGreaterThan(donated[r] * 0.999)
    }
    expect(total.ports.connport).toHaveLength(40)
  })

  it("uses Seattle's defaults for what is not measured", () => {
    const max = hostMaxima({ cores: 4, memoryBytes: 1, diskFreeBytes: 2 })
    expect(max.filesopened).toBe(SEATTLE_HOST_DEFAULTS.filesopened)
    expect(max.netsend).toBe(500_000)
    expect(max.cpu).toBe(4)
  })

  it('refuses bad percentages, bad counts and a donation too small for its vessels', () => {
    for (const percent of [0, 0.5, 101, Number.NaN]) {
      expect(() => carveDonation(HOST, { percent })).toThrow(/donation must be 1..100 percent/)
    }
    for (const vessels of [0, 1.5, 101])
      expect(() => carveDonation(HOST, { percent: 10, vessels })).toThrow(/vessel count/)
    const small: HostMeasurement = { cores: 1, memoryBytes: 20e6, diskFreeBytes: 1e9 }
    const err = (() => {
      try {
        carveDonation(small, { percent: 10, vessels: 3 })
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(NodeError)
    expect((err as NodeError).code).toBe('E_QUOTA')
    expect((err as Error).message).toMatch(
      /donation too small for 3 vessels: memory: 2000000 donated, 3 × offcut 1000000/,
    )
  })
})
