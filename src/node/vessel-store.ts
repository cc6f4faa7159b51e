// The node manager's state in LevelDB: node config, the vessel table and the replay guard's entries, each in
// its own sublevel. Changes that belong together (a split: delete the parent, add two children) are one batch.
// The vessel table is also held in memory (a node has few vessels, and only this process opens its database):
// every signed request reads the vessels it names, and a LevelDB read cost more than the rest of checking it.
// The replay guard's entries are in files of their own beside the database (replay-journal.ts): a nonce is written
// before its request is handled, and a LevelDB write per request was a round trip through the thread pool.
import { mkdir } from 'node:fs/promises'
import { Level } from 'level'
import type { Restrictions } from '../runtime/nanny/resources.js'
import { join } from 'node:path'
import type { ReplayEntry } from '../protocol/replay-guard.js'
import { openReplayJournal, type JournalReplayStore } from '../protocol/replay-journal.js'
import { isValidVesselName } from '../protocol/validate.js'
import { MAX_OWNER_INFO_BYTES, capReason, capUtf8 } from './answer-bounds.js'
import { vesselNumber } from './vessel-names.js'

export { newVesselName } from './vessel-names.js'

export const VESSEL_STATUSES = ['Fresh', 'Started', 'Stopped', 'Terminated', 'ThreadErr', 'Stale'] as const
export type VesselStatus = (typeof VESSEL_STATUSES)[number]

export interface VesselExit {
  /** exit code of the program (Seattle: 44 stopped, 56 thread error, …) */
  code: number
  reason: string
  /** ms since the epoch */
  at: number
}

export interface VesselRecord {
  name: string
  ownerKey: string
  userKeys: string[]
  ownerInfo: string
  advertise: boolean
  status: VesselStatus
  restrictions: Restrictions
  program?: string
  args?: string[]
  exit?: VesselExit
  createdAt: number
  startedAt?: number
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

export type StoreChange =
  | { type: 'putVessel'; vessel: VesselRecord }
  | { type: 'delVessel'; name: string }
  | { type: 'putConfig'; key: string; value: JsonValue }
  | { type: 'delConfig'; key: string }

const jsonSublevel = (db: Level<string, unknown>, name: string) =>
  db.sublevel<string, unknown>(name, { valueEncoding: 'json' })
type JsonSublevel = ReturnType<typeof jsonSublevel>

export type StoreListener = (changes: readonly StoreChange[]) => void

/** A loaded record with its free-text fields within bounds (stores of older nodes were not bounded). */
function boundRecord(v: VesselRecord): VesselRecord {
  const reason = v.exit === undefined ? undefined : capReason(String(v.exit.reason))
  const ownerInfo = capUtf8(String(v.ownerInfo), MAX_OWNER_INFO_BYTES)
  if (reason === v.exit?.reason && ownerInfo === v.ownerInfo) return v
  return { ...v, ownerInfo, ...(v.exit === undefined ? {} : { exit: { ...v.exit, reason: reason! } }) }
}

export class VesselStore {
  private readonly listeners = new Set<StoreListener>()

  private constructor(
    private readonly db: Level<string, unknown>,
    private readonly config: JsonSublevel,
    private readonly vessels: JsonSublevel,
    /** the replay guard's persistent entries (`<location>/replay-journal/`) */
    readonly replay: JournalReplayStore,
    /** the vessel table as stored (bounded on load), updated once each batch is stored; callers get copies */
    private readonly records: Map<string, VesselRecord>,
  ) {}

  /** Opens (creating if needed) the database in the folder `location`. */
  static async open(location: string): Promise<VesselStore> {
    await mkdir(location, { recursive: true })
    const db = new Level<string, unknown>(location, { valueEncoding: 'json' })
    await db.open()
    // a store of an older node kept the entries in the sublevel `replay`: they move to the journal
    const older = db.sublevel<string, ReplayEntry>('replay', { valueEncoding: 'json' })
    const replay = await openReplayJournal(join(location, 'replay-journal'), older)
    const vessels = jsonSublevel(db, 'vessels')
    const records = new Map<string, VesselRecord>()
    for (const v of (await vessels.values().all()) as VesselRecord[]) records.set(v.name, boundRecord(v))
    return new VesselStore(db, jsonSublevel(db, 'config'), vessels, replay, records)
  }

  async close(): Promise<void> {
    this.replay.close()
    await this.db.close()
  }

  async get(name: string): Promise<VesselRecord | undefined> {
    const record = this.records.get(name)
    return record === undefined ? undefined : structuredClone(record)
  }

  /** The vessel's owner and user keys as held (no copy: every signed request's permission check reads them, and a
   *  copy of the whole record took more time than the check), or undefined. */
  keys(name: string): { ownerKey: string; userKeys: readonly string[] } | undefined {
    const record = this.records.get(name)
    return record === undefined ? undefined : { ownerKey: record.ownerKey, userKeys: record.userKeys }
  }

  /** All vessels, ordered by number (v2 before v10). */
  async list(): Promise<VesselRecord[]> {
    const all = [...this.records.values()].map((v) => structuredClone(v))
    return all.sort((a, b) => vesselNumber(a.name) - vesselNumber(b.name))
  }

  /** Stores again, cut to bounds, the records an older node left with over-long fields (loading them cuts them too,
   *  but would parse the whole text every time). */
  async boundStored(): Promise<string[]> {
    const raw = (await this.vessels.values().all()) as VesselRecord[]
    const changed = raw.filter((v) => boundRecord(v) !== v).map((v) => boundRecord(v))
    if (changed.length > 0) await this.apply(changed.map((vessel): StoreChange => ({ type: 'putVessel', vessel })))
    return changed.map((v) => v.name)
  }

  /** Writes all changes in one atomic batch: either all of them are stored or none. */
  async apply(changes: readonly StoreChange[]): Promise<void> {
    const ops = changes.map((c) => {
      switch (c.type) {
        case 'putVessel':
          checkRecord(c.vessel)
          return { type: 'put' as const, sublevel: this.vessels, key: c.vessel.name, value: c.vessel }
        case 'delVessel':
          return { type: 'del' as const, sublevel: this.vessels, key: c.name }
        case 'putConfig':
          return { type: 'put' as const, sublevel: this.config, key: c.key, value: c.value as unknown }
        case 'delConfig':
          return { type: 'del' as const, sublevel: this.config, key: c.key }
      }
    })
    await this.db.batch(ops)
    for (const c of changes) {
      // as LevelDB's JSON would give it back
      if (c.type === 'putVessel') this.records.set(c.vessel.name, JSON.parse(JSON.stringify(c.vessel)) as VesselRecord)
      else if (c.type === 'delVessel') this.records.delete(c.name)
    }
    for (const listener of this.listeners) listener(changes)
  }

  /** Calls `listener` after every batch that was stored. Answers a function that stops it. */
  watch(listener: StoreListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  async getConfig(key: string): Promise<JsonValue | undefined> {
    return (await this.config.get(key)) as JsonValue | undefined
  }

  async putConfig(key: string, value: JsonValue): Promise<void> {
    await this.apply([{ type: 'putConfig', key, value }])
  }
}

function checkRecord(v: VesselRecord): void {
  if (!isValidVesselName(v.name)) throw new TypeError(`invalid vessel name '${v.name}'`)
  if (!(VESSEL_STATUSES as readonly string[]).includes(v.status))
    throw new TypeError(`invalid status '${v.status}' for ${v.name}`)
}
