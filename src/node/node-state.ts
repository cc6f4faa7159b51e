// Shared state of a running node manager: the store, the paths, the config, and one lock that serializes every
// read-modify-write of the vessel table (requests run in parallel; their state changes do not interleave).
import { NodeError } from '../protocol/errors.js'
import type { NodeConfig } from './node-config.js'
import type { NodePaths } from './node-paths.js'
import type { VesselRecord, VesselStore } from './vessel-store.js'

export class NodeState {
  private tail: Promise<unknown> = Promise.resolve()

  constructor(readonly store: VesselStore, readonly paths: NodePaths, readonly config: NodeConfig) {}

  /** Runs `fn` alone among all exclusive sections. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn)
    this.tail = run.catch(() => undefined)
    return run
  }

  /** The vessel's record, or E_NO_VESSEL. */
  async vessel(name: string): Promise<VesselRecord> {
    const record = await this.store.get(name)
    if (record === undefined) throw new NodeError('E_NO_VESSEL', `no vessel '${name}' on this node`)
    return record
  }

  /** Reads the vessel, lets `change` return its new record (or throw to refuse), stores it: one exclusive step. */
  update(name: string, change: (v: VesselRecord) => VesselRecord): Promise<VesselRecord> {
    return this.exclusive(async () => {
      const next = change(await this.vessel(name))
      await this.store.apply([{ type: 'putVessel', vessel: next }])
      return next
    })
  }
}
