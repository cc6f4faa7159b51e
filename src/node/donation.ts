// Donation, as Seattle's installer does it: measure the host, take the donated share, subtract one offcut per
// vessel and carve the rest into equal vessels, each with its own block of 10 ports (same numbers for messport and
// connport).
import { readFile, statfs } from 'node:fs/promises'
import { availableParallelism, totalmem } from 'node:os'
import { dirname, resolve } from 'node:path'
import {
  NUMERIC_RESOURCES,
  SEATTLE_HOST_DEFAULTS,
  type NumericResource,
  type Restrictions,
} from '../runtime/nanny/resources.js'
import { NodeError } from '../protocol/errors.js'
import { OFFCUT } from './split-join.js'

/** What measureHost finds. */
export interface HostMeasurement {
  cores: number
  memoryBytes: number
  /** free disk space available to us at the data folder */
  diskFreeBytes: number
  /** soft limit of open files, or undefined if unknown */
  openFilesLimit?: number
}

/** Seattle gives the node 500 events whatever share is donated. */
export const DONATED_EVENTS = 500
export const FIRST_PORT = 63100
export const PORTS_PER_VESSEL = 10
export const MAX_VESSELS = 100

/** Measures cores, memory, free disk at `dataDir` (or its nearest existing parent) and the open-files limit. */
export async function measureHost(dataDir: string): Promise<HostMeasurement> {
  return {
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    diskFreeBytes: await freeDisk(resolve(dataDir)),
    openFilesLimit: await openFilesLimit(),
  }
}

async function freeDisk(dir: string): Promise<number> {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = await statfs(d)
      return s.bavail * s.bsize
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw err
    }
  }
}

async function openFilesLimit(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/self/limits', 'utf8')).split('\n').find((l) => l.startsWith('Max open files'))
    const soft = Number(line?.split(/\s{2,}/)[1])
    return Number.isSafeInteger(soft) && soft > 0 ? soft : undefined
  } catch {
    return undefined
  }
}

/** The host's maximum of every resource: measured where we can, Seattle's defaults elsewhere. */
export function hostMaxima(host: HostMeasurement): Record<NumericResource, number> {
  const max = { ...SEATTLE_HOST_DEFAULTS }
  max.cpu = host.cores
  max.memory = host.memoryBytes
  max.diskused = host.diskFreeBytes
  // Seattle: a third of `ulimit -n` each for files, listening and connected sockets.
  if (host.openFilesLimit !== undefined) {
    const third = Math.floor(host.openFilesLimit / 3)
    max.filesopened = max.insockets = max.outsockets = third
  }
  return max
}

export interface DonationOptions {
  /** share of the host, 1..100 */
  percent: number
  /** how many vessels; default one per 10 % slice (at least one) */
  vessels?: number
}

/** Seattle's default: one vessel per 10 % of the host donated, at least one. */
export function defaultVesselCount(percent: number): number {
  return Math.max(1, Math.floor(percent / 10))
}

/** Ports of vessel `index` (0-based): 10 consecutive from 63100 + 10·index. */
export function vesselPorts(index: number): number[] {
  return Array.from({ length: PORTS_PER_VESSEL }, (_, i) => FIRST_PORT + index * PORTS_PER_VESSEL + i)
}

/**
 * The restrictions of each donated vessel: donated = maxima × percent (cpu stays fractional, events fixed at 500),
 * minus one offcut per vessel, divided evenly. E_QUOTA if a vessel would get nothing of cpu, memory or disk.
 */
export function carveDonation(host: HostMeasurement, options: DonationOptions): Restrictions[] {
  const { percent } = options
  if (!(Number.isFinite(percent) && percent >= 1 && percent <= 100)) {
    throw new NodeError('E_USAGE', `donation must be 1..100 percent, got ${percent}`)
  }
  const count = options.vessels ?? defaultVesselCount(percent)
  if (!(Number.isSafeInteger(count) && count >= 1 && count <= MAX_VESSELS)) {
    throw new NodeError('E_USAGE', `vessel count must be a whole number 1..${MAX_VESSELS}, got ${count}`)
  }
  const max = hostMaxima(host)
  const share = {} as Record<NumericResource, number>
  const short: string[] = []
  for (const r of NUMERIC_RESOURCES) {
    const donated =
      r === 'cpu' ? (max.cpu * percent) / 100 : r === 'events' ? DONATED_EVENTS : Math.floor((max[r] * percent) / 100)
    const rest = donated - count * OFFCUT.limits[r]
    // cpu to the micro-core, after rounding away float noise (0.198 × 1e6 is 197999.99999999997)
    share[r] = r === 'cpu' ? Math.floor(Number(((rest / count) * 1e6).toPrecision(12))) / 1e6 : Math.floor(rest / count)
    if (share[r] < 0 || (share[r] === 0 && (r === 'cpu' || r === 'memory' || r === 'diskused'))) {
      short.push(`${r}: ${donated} donated, ${count} × offcut ${OFFCUT.limits[r]}`)
    }
  }
  if (short.length > 0) {
    throw new NodeError('E_QUOTA', `donation too small for ${count} vessel${count > 1 ? 's' : ''}: ${short.join('; ')}`)
  }
  return Array.from({ length: count }, (_, i) => ({
    limits: { ...share },
    ports: { messport: vesselPorts(i), connport: vesselPorts(i) },
    calls: [],
  }))
}
