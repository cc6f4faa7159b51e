// The 17 resources of Seattle's restrictions file: the 15 numeric ones in one table, and the two port lists.
// Everything else about a resource (the class lists, the offcut, the host defaults, the console's gauges) is derived
// from the table. Their meaning: docs/REPY.md, 'The nanny'.

/** How a resource is held: renewable (a rate, refilled every second), a quantity held (bytes) or items held. */
export type ResourceClass = 'renewable' | 'quantity' | 'item'
/** What a limit counts: a share of one core, bytes, items, or bytes per second. */
export type ResourceUnit = 'cpu' | 'bytes' | 'items' | 'bytes/s'

export interface ResourceInfo {
  readonly class: ResourceClass
  readonly unit: ResourceUnit
  /** Its name on the owner's console. */
  readonly label: string
  /** Seattle's resources.offcut: the management overhead of one vessel, what a split costs and a join gives back. */
  readonly offcut: number
  /** Seattle's DEFAULT_MAX_RESOURCE_DICT (benchmark_resources.py): the host's maximum where it is not measured. */
  readonly hostDefault: number
}

/** The numeric resources in the order of a restrictions file (renewables, quantities, items). */
export const RESOURCES = {
  cpu: { class: 'renewable', unit: 'cpu', label: 'cpu', offcut: 0.002, hostDefault: 1 },
  filewrite: { class: 'renewable', unit: 'bytes/s', label: 'file write', offcut: 1000, hostDefault: 1_200_000 },
  fileread: { class: 'renewable', unit: 'bytes/s', label: 'file read', offcut: 1000, hostDefault: 1_200_000 },
  netsend: { class: 'renewable', unit: 'bytes/s', label: 'net send', offcut: 0, hostDefault: 500_000 },
  netrecv: { class: 'renewable', unit: 'bytes/s', label: 'net recv', offcut: 0, hostDefault: 500_000 },
  loopsend: { class: 'renewable', unit: 'bytes/s', label: 'loop send', offcut: 0, hostDefault: 50_000_000 },
  looprecv: { class: 'renewable', unit: 'bytes/s', label: 'loop recv', offcut: 0, hostDefault: 50_000_000 },
  lograte: { class: 'renewable', unit: 'bytes/s', label: 'log', offcut: 100, hostDefault: 1_500_000 },
  random: { class: 'renewable', unit: 'bytes/s', label: 'random', offcut: 0, hostDefault: 200_000 },
  memory: { class: 'quantity', unit: 'bytes', label: 'memory', offcut: 1_000_000, hostDefault: 510_000_000 },
  diskused: { class: 'quantity', unit: 'bytes', label: 'disk', offcut: 100_000, hostDefault: 3_700_000_000 },
  events: { class: 'item', unit: 'items', label: 'threads', offcut: 2, hostDefault: 500 },
  filesopened: { class: 'item', unit: 'items', label: 'files', offcut: 1, hostDefault: 250 },
  insockets: { class: 'item', unit: 'items', label: 'sockets in', offcut: 0, hostDefault: 250 },
  outsockets: { class: 'item', unit: 'items', label: 'sockets out', offcut: 0, hostDefault: 250 },
} as const satisfies Record<string, ResourceInfo>

type Table = typeof RESOURCES
export type NumericResource = keyof Table
type OfClass<C extends ResourceClass> = {
  [R in NumericResource]: Table[R]['class'] extends C ? R : never
}[NumericResource]
export type RenewableResource = OfClass<'renewable'>
/** Renewables charged by byte count through a leaky bucket (everything renewable except cpu). */
export type RateResource = Exclude<RenewableResource, 'cpu'>
export type ItemResource = OfClass<'item'>

export const NUMERIC_RESOURCES = Object.keys(RESOURCES) as readonly NumericResource[]
const ofClass = <C extends ResourceClass>(c: C): readonly OfClass<C>[] =>
  NUMERIC_RESOURCES.filter((r): r is OfClass<C> => RESOURCES[r].class === c)
export const RENEWABLE_RESOURCES = ofClass('renewable')
export const ITEM_RESOURCES = ofClass('item')

const column = (field: 'offcut' | 'hostDefault'): Readonly<Record<NumericResource, number>> =>
  Object.freeze(
    Object.fromEntries(NUMERIC_RESOURCES.map((r) => [r, RESOURCES[r][field]])) as Record<NumericResource, number>,
  )
/** The limits of one vessel's offcut (node/split-join.ts makes it a Restrictions). */
export const OFFCUT_LIMITS = column('offcut')
/** The host maxima for what donation does not measure. */
export const SEATTLE_HOST_DEFAULTS = column('hostDefault')

/** messport and connport: lists of port numbers rather than amounts. */
export const PORT_RESOURCES = ['messport', 'connport'] as const
export type PortResource = (typeof PORT_RESOURCES)[number]
export type ResourceName = NumericResource | PortResource

export const MANDATORY_RESOURCES = ['cpu', 'memory', 'diskused'] as const

/** A parsed restrictions file. Missing numeric resources are 0 (Seattle's rule). */
export interface Restrictions {
  limits: Record<NumericResource, number>
  ports: Record<PortResource, number[]>
  /** RepyV1 `call ...` lines, kept verbatim and ignored. */
  calls: string[]
}

/** Live usage of one running program, as getresources() and the node manager report it. */
export interface ResourceUsage {
  /** Renewables: current bucket level (bytes or, for cpu, cpu-seconds used in total). */
  renewable: Record<RenewableResource, number>
  memory: number
  diskused: number
  items: Record<ItemResource, number>
  ports: Record<PortResource, number[]>
  /** cpu seconds this program has used */
  cpuSeconds: number
  /** Of cpuSeconds, what the sandbox host charged for work done for the program outside its thread. */
  hostCpuSeconds?: number
}

/** One CPU throttling pause: [getruntime() at the stop, seconds stopped]. */
export type StopTime = [number, number]
