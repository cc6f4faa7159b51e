// Messages between the trusted parent (CLI or node manager), the sandbox host process, and its vessel workers.
import type { Outcome } from './api/types.js'
import type { NetChannelPorts } from './net/channel.js'
import type { Restrictions } from './nanny/resources.js'
import type { BoardSnapshot } from './nanny/usage-board.js'

/** What a program needs to run in a vessel. */
export interface VesselSpec {
  /** Unique within one sandbox host. */
  vesselId: string
  /** The vessel directory (absolute): the program's file area. */
  cwd: string
  /** The program's file name inside cwd. */
  program: string
  callargs: string[]
  /** The vessel's IP (getmyip). */
  ip: string
  restrictions: Restrictions
  /** The registry module of program front ends (absolute path; see front-end.ts). SandboxHost sets it from its
   *  start options; without it, every program is JavaScript or TypeScript. */
  frontEnds?: string
}

/** What a vessel's worker thread is started with, before its vessel is known (vessel-arrival.ts). */
export interface VesselThreadData {
  net: NetChannelPorts
  board: SharedArrayBuffer
  /** The host's cpu charges to the vessel (nanny/host-charges.ts). */
  charges: SharedArrayBuffer
  /** The front-end registry the host's vessels name (VesselSpec.frontEnds), loaded while the thread waits. */
  frontEnds?: string
}

/** What a vessel's worker thread receives, in this order: the engine to make ahead (each thread gets one, a spare
 *  as soon as the host has compiled QuickJS), then its one vessel. */
export type ThreadMessage = EngineMessage | VesselMessage

export interface EngineMessage {
  type: 'engine'
  /** QuickJS compiled once per sandbox host; each worker only instantiates it. */
  quickjsModule: WebAssembly.Module
  /** The memory quota the engine's memory is capped for: the vessel's own, or for a spare the quota the host
   *  expects (its last vessel's). A vessel with another quota gets an engine made on its arrival. */
  memoryQuota: number
  /** The program the host expects (its last vessel's): the engine loads its language's runtime script ahead. */
  program?: string
  /** Rehearse a start first (engine-rehearsal.ts): a node's spares, which have the time. */
  rehearse: boolean
}

export interface VesselMessage extends VesselSpec {
  type: 'vessel'
}

/** All that vessel-worker.ts reads from workerData: the thread's data with its vessel's message added. */
export type VesselWorkerData = VesselThreadData & VesselSpec

export type WorkerMessage =
  | { type: 'output'; text: string }
  | { type: 'exit'; outcome: Outcome }
  /** The thread has loaded its code and waits for its engine (VesselThread.loaded). */
  | { type: 'loaded' }

export type HostRequest =
  | { type: 'start'; spec: VesselSpec }
  | { type: 'stop'; vesselId: string; reason?: string }
  | { type: 'usage'; vesselId: string; requestId: number }
  | { type: 'host-usage'; vesselId: string; requestId: number }
  | { type: 'shutdown' }

export type HostEvent =
  | { type: 'ready' }
  | { type: 'output'; vesselId: string; text: string }
  | { type: 'exit'; vesselId: string; outcome: Outcome }
  | { type: 'usage'; requestId: number; usage: BoardSnapshot | null }
  | { type: 'host-usage'; requestId: number; usage: HostUsage | null }
  /** A node's host has warmed the engine up (engine-warm-up.ts), in `ms`; or the warm-up failed, which costs speed only. */
  | { type: 'warmed-up'; ms: number; error?: string }
  /** The last message of a host that is shutting down. */
  | { type: 'bye' }

/** What the sandbox host itself holds and spends for a vessel. */
export interface HostUsage {
  /** Bytes buffered on the host for the vessel's sockets. */
  bufferedBytes: number
  /** Cpu seconds of host work charged to the vessel. */
  chargedCpuSeconds: number
}
