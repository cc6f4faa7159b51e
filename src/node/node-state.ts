// Shared state of a running node manager: the store, the paths, the config, and the locks that serialize every
// read-modify-write of a vessel's record and files (requests run in parallel; their state changes on one vessel do
// not interleave, and requests on different vessels do not wait for each other).
import { NodeError } from '../protocol/errors.js'
import type { NodeConfig } from './node-config.js'
import type { NodePaths } from './node-paths.js'
import { VesselLocks } from './vessel-locks.js'
import type { VesselRecord, VesselStore } from './vessel-store.js'

export class NodeState {
  readonly locks = new VesselLocks()

  constructor(
    readonly store: VesselStore,
    readonly paths: NodePaths,
    readonly config: NodeConfig,
  ) {}

  /** Runs `fn` alone among all exclusive sections (changes to the set of vessels, or to several at once). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.locks.everything(fn)
  }

  /** Runs `fn` alone among the sections on `vessel` and the exclusive ones. */
  exclusiveVessel<T>(vessel: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.vessel(vessel, fn)
  }

  /** The vessel's record, or E_NO_VESSEL. */
  async vessel(name: string): Promise<VesselRecord> {
    const record = await this.store.get(name)
    if (record === undefined) throw noVessel(name)
    return record
  }

  /** The vessel's owner and user keys (not a copy), or E_NO_VESSEL; also what a call that only needs the vessel to
   *  exist checks. */
  vesselKeys(name: string): { ownerKey: string; userKeys: readonly string[] } {
    const keys = this.store.keys(name)
    if (keys === undefined) throw noVessel(name)
    return keys
  }

  /** Reads the vessel, lets `change` return its new record (or throw to refuse), stores it: one step under the vessel's lock. */
  update(name: string, change: (v: VesselRecord) => VesselRecord): Promise<VesselRecord> {
    return this.exclusiveVessel(name, async () => {
      const next = change(await this.vessel(name))
      await this.store.apply([{ type: 'putVessel', vessel: next }])
      return next
    })
  }
}

const noVessel = (name: string): NodeError => new NodeError('E_NO_VESSEL', `no vessel '${name}' on this node`)
