// The 17 resources of a restrictions file and their classes (docs/REPY.md, 'The nanny').

export const RENEWABLE_RESOURCES = [
  'cpu', 'filewrite', 'fileread', 'netsend', 'netrecv', 'loopsend', 'looprecv', 'lograte', 'random',
] as const
export const QUANTITY_RESOURCES = ['memory', 'diskused'] as const
export const ITEM_RESOURCES = ['events', 'filesopened', 'insockets', 'outsockets'] as const
export const PORT_RESOURCES = ['messport', 'connport'] as const

export type RenewableResource = (typeof RENEWABLE_RESOURCES)[number]
/** Renewables charged by byte count through a leaky bucket (everything renewable except cpu). */
export type RateResource = Exclude<RenewableResource, 'cpu'>
export type QuantityResource = (typeof QUANTITY_RESOURCES)[number]
export type ItemResource = (typeof ITEM_RESOURCES)[number]
export type PortResource = (typeof PORT_RESOURCES)[number]
export type NumericResource = RenewableResource | QuantityResource | ItemResource
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
