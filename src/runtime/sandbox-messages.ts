// Messages between the trusted parent (CLI or node manager), the sandbox host process, and its vessel workers.
import type { Outcome } from './api/types.js'
import type { NetChannelPorts } from './net/channel.js'
import type { Restrictions } from './nanny/resources.js'
import type { BoardSnapshot } from './nanny/usage-board.js'

/** The exit code of a vessel stopped by the host (VesselRunner.stop), as Repy's. */
export const STOPPED_CODE = 44

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
  /** The thread's own cpu while it serves no vessel (nanny/host-charges.ts; the host charges nobody for it). */
  charges: SharedArrayBuffer
  /** The front-end registry the host's vessels name (VesselSpec.frontEnds), loaded while the thread waits. */
  frontEnds?: string
}

/** What one vessel's run on a thread is given, made new for each run, so that nothing of an earlier vessel on the
 *  same thread (a late socket answer, a usage figure, a charge, a stop) can reach it. */
export interface RunChannels {
  /** The run's identity in its host (a vessel id may come back in a later run). */
  runId: number
  net: NetChannelPorts
  board: SharedArrayBuffer
  /** The host's cpu charges to the vessel (nanny/host-charges.ts). */
  charges: SharedArrayBuffer
  /** Set to 1 by the host to stop the vessel: its checkpoint reads it, and its pauses wait on it. */
  stop: SharedArrayBuffer
}

/** What a vessel's worker thread receives, in this order, for each vessel it serves: the engine to make ahead (a
 *  spare's as soon as the host has compiled QuickJS, a reused thread's once its last vessel is torn down), then the
 *  vessel. A stop may come at any time, and counts only for the run it names. */
export type ThreadMessage = EngineMessage | VesselMessage | StopMessage

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
  /** Collect the thread's garbage if the vessel is slow to come (vessel-arrival.ts): a node's threads, which wait. */
  collectIdle: boolean
}

export interface VesselMessage extends VesselSpec, RunChannels {
  type: 'vessel'
}

export interface StopMessage {
  type: 'stop'
  runId: number
}

/** All that a vessel's run reads (vessel-run.ts): the vessel and its run's channels. */
export type VesselWorkerData = VesselSpec & RunChannels

export type WorkerMessage =
  | { type: 'output'; text: string }
  /** The vessel ended and is torn down; `reusable`: the thread may serve another vessel (vessel-worker.ts). */
  | { type: 'exit'; outcome: Outcome; reusable: boolean }
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
  /** The vessel's worker thread (Node's threadId, never reused in a process): shows which vessels shared one. */
  threadId: number
}
