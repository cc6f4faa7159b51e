// The pool's state in LevelDB (<pool data>/state): settings, the donated nodes, their vessels with who leases them,
// intents (an acquire or release begun on a node and not yet recorded as done), each in its own sublevel; and the
// replay guard's entries in files beside them (<pool data>/state/replay-journal/, replay-journal.ts). Changes that
// belong together are one batch, so a killed pool finds either all or none.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Level } from 'level'
import type { ReplayEntry } from '../protocol/replay-guard.js'
import { openReplayJournal, type JournalReplayStore } from '../protocol/replay-journal.js'
import type { PoolSettings } from './pool-calls.js'

export interface PoolNode {
  peerId: string
  /** multiaddrs with /p2p/ */
  addresses: string[]
  /** false while the node does not answer: its vessels are not counted as free */
  available: boolean
  lastSeen: number
  lastError: string | null
}

export type VesselState = 'free' | 'leased' | 'acquiring' | 'releasing'

export interface PoolVessel {
  /** '<peer id>:<name>' */
  id: string
  peerId: string
  name: string
  /** who donated it (from the vessel's owner information), null if it names nobody */
  donorKey: string | null
  state: VesselState
  /** the experimenter leasing it (or being given / taking it back) */
  user: string | null
  leaseEnd: number | null
}

/** Written before the pool calls a node, deleted in the batch that records the outcome. */
export interface Intent {
  vessel: string
  kind: 'acquire' | 'release'
  user: string
  at: number
}

export type PoolChange =
  | { type: 'putNode'; node: PoolNode }
  | { type: 'delNode'; peerId: string }
  | { type: 'putVessel'; vessel: PoolVessel }
  | { type: 'delVessel'; id: string }
  | { type: 'putIntent'; intent: Intent }
  | { type: 'delIntent'; vessel: string }

const SETTINGS = 'settings'

const jsonSublevel = (db: Level<string, unknown>, name: string) =>
  db.sublevel<string, unknown>(name, { valueEncoding: 'json' })
type JsonSublevel = ReturnType<typeof jsonSublevel>

export class PoolStore {
  private constructor(
    private readonly db: Level<string, unknown>,
    private readonly config: JsonSublevel,
    private readonly nodes: JsonSublevel,
    private readonly vesselsDb: JsonSublevel,
    private readonly intentsDb: JsonSublevel,
    readonly replay: JournalReplayStore,
  ) {}

  static async open(dir: string): Promise<PoolStore> {
    await mkdir(dir, { recursive: true })
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' })
    await db.open()
    const sub = (name: string): JsonSublevel => jsonSublevel(db, name)
    // a pool of an older version kept the entries in the sublevel `replay`: they move to the journal
    const older = db.sublevel<string, ReplayEntry>('replay', { valueEncoding: 'json' })
    const replay = await openReplayJournal(join(dir, 'replay-journal'), older)
    return new PoolStore(db, sub('config'), sub('nodes'), sub('vessels'), sub('intents'), replay)
  }

  async settings(): Promise<PoolSettings | undefined> {
    return (await this.config.get(SETTINGS)) as PoolSettings | undefined
  }

  async saveSettings(settings: PoolSettings): Promise<void> {
    await this.config.put(SETTINGS, settings)
  }

  async listNodes(): Promise<PoolNode[]> {
    return (await this.nodes.values().all()) as PoolNode[]
  }

  async node(peerId: string): Promise<PoolNode | undefined> {
    return (await this.nodes.get(peerId)) as PoolNode | undefined
  }

  async listVessels(): Promise<PoolVessel[]> {
    return (await this.vesselsDb.values().all()) as PoolVessel[]
  }

  async listIntents(): Promise<Intent[]> {
    return (await this.intentsDb.values().all()) as Intent[]
  }

  /** One batch: all of it lands, or none. */
  async apply(changes: readonly PoolChange[]): Promise<void> {
    if (changes.length === 0) return
    await this.db.batch(
      changes.map((c) => {
        switch (c.type) {
          case 'putNode':
            return { type: 'put', sublevel: this.nodes, key: c.node.peerId, value: c.node } as const
          case 'delNode':
            return { type: 'del', sublevel: this.nodes, key: c.peerId } as const
          case 'putVessel':
            return { type: 'put', sublevel: this.vesselsDb, key: c.vessel.id, value: c.vessel } as const
          case 'delVessel':
            return { type: 'del', sublevel: this.vesselsDb, key: c.id } as const
          case 'putIntent':
            return { type: 'put', sublevel: this.intentsDb, key: c.intent.vessel, value: c.intent } as const
          case 'delIntent':
            return { type: 'del', sublevel: this.intentsDb, key: c.vessel } as const
        }
      }),
    )
  }

  close(): Promise<void> {
    this.replay.close()
    return this.db.close()
  }
}
