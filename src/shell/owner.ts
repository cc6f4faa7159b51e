// Owner commands: set users|owner|ownerinfo|advertise, split, join.
import { readFile } from 'node:fs/promises'
import { MAX_OWNER_INFO } from '../protocol/validate.js'
import { RestrictionsError, parseRestrictions } from '../runtime/nanny/restrictions.js'
import type { VesselSummary } from '../protocol/results.js'
import type { CommandSpec, Ctx, HandlerResult } from './command.js'
import { reportLines } from './fanout.js'
import type { VesselTarget } from './model.js'
import { refresh } from './targets.js'
import { CommandError, type NodeConnection } from './types.js'

/** Sends one owner call to each vessel of the default target; on success updates the shell's copy of the vessel. */
async function changeEach(
  ctx: Ctx,
  label: string,
  send: (conn: NodeConnection, vessel: string) => Promise<unknown>,
  update: (info: VesselSummary) => void,
): Promise<HandlerResult> {
  const { report } = await ctx.onVessels({
    vessels: ctx.state.defaultVessels(),
    signed: true,
    task: async (conn, v) => {
      await send(conn, v.vessel)
      if (v.info) update(v.info)
      return 'changed'
    },
  })
  return { lines: reportLines(label, report), fanout: report }
}

export const setUsers: CommandSpec = {
  name: 'users',
  usage: 'set users [identity...]',
  complete: ['identity'],
  summary: "replace the user keys of the default target's vessels (owner only); no identity clears them",
  run: async (ctx, args) => {
    const keys = args.map((name) => ctx.state.getIdentity(name).publicKeyText)
    return changeEach(
      ctx,
      'set users',
      (conn, vessel) => conn.call('ChangeUsers', [vessel, keys]),
      (info) => {
        info.userKeys = keys
      },
    )
  },
}

export const setOwner: CommandSpec = {
  name: 'owner',
  usage: 'set owner <identity>',
  complete: ['identity'],
  summary: "give the default target's vessels to another identity's key (owner only)",
  run: async (ctx, args) => {
    if (args.length !== 1) throw new CommandError('usage: set owner <identity>')
    const key = ctx.state.getIdentity(args[0]!).publicKeyText
    return changeEach(
      ctx,
      'set owner',
      (conn, vessel) => conn.call('ChangeOwner', [vessel, key]),
      (info) => {
        info.ownerKey = key
      },
    )
  },
}

export const setOwnerInfo: CommandSpec = {
  name: 'ownerinfo',
  usage: 'set ownerinfo <text...>',
  complete: ['none'],
  summary: "set the owner information of the default target's vessels (owner only)",
  run: async (ctx, args) => {
    const info = args.join(' ')
    if (info.length > MAX_OWNER_INFO)
      throw new CommandError(`owner information is at most ${MAX_OWNER_INFO} characters`)
    return changeEach(
      ctx,
      'set ownerinfo',
      (conn, vessel) => conn.call('ChangeOwnerInformation', [vessel, info]),
      (v) => {
        v.ownerInfo = info
      },
    )
  },
}

export const setAdvertise: CommandSpec = {
  name: 'advertise',
  usage: 'set advertise on|off',
  complete: ['none'],
  summary: "whether the nodes advertise the keys of the default target's vessels (owner only)",
  run: async (ctx, args) => {
    const word = args.length === 1 ? args[0]!.toLowerCase() : ''
    const table: Record<string, boolean> = { on: true, off: false, true: true, false: false, yes: true, no: false }
    if (!Object.hasOwn(table, word)) throw new CommandError('usage: set advertise on|off')
    const flag = table[word]!
    return changeEach(
      ctx,
      `set advertise ${flag ? 'on' : 'off'}`,
      (conn, vessel) => conn.call('ChangeAdvertise', [vessel, flag]),
      (info) => {
        info.advertise = flag
      },
    )
  },
}

/** Replaces `old` by `replacement` in every group that holds it. */
function replaceInGroups(ctx: Ctx, old: string, replacement: string[]): void {
  for (const members of ctx.state.groups.values()) {
    if (!members.delete(old)) continue
    for (const r of replacement) members.add(r)
  }
}

const split: CommandSpec = {
  name: 'split',
  usage: 'split <restrictionsfile>',
  complete: ['file'],
  summary:
    'split each vessel of the default target in two: a new vessel with these restrictions and the rest (owner only)',
  help: ['New groups: split1 (the leftover vessels) and split2 (the new ones).'],
  run: async (ctx, args) => {
    if (args.length !== 1) throw new CommandError(`usage: ${split.usage}`)
    const text = await readFile(ctx.path(args[0]!), 'utf8').catch(() => {
      throw new CommandError(`cannot read restrictions file: ${args[0]}`)
    })
    try {
      parseRestrictions(text, args[0])
    } catch (err) {
      if (err instanceof RestrictionsError) throw new CommandError(err.message)
      throw err
    }
    const vessels = ctx.state.defaultVessels()
    const { report, values } = await ctx.onVessels({
      vessels,
      signed: true,
      task: (conn, v) => conn.call('SplitVessel', [v.vessel, text]),
    })
    const leftovers: VesselTarget[] = []
    const created: VesselTarget[] = []
    for (const v of vessels) {
      const names = values.get(v.longName)
      if (!names) continue
      const node = ctx.state.nodeOf(v)
      ctx.state.removeTarget(v.longName)
      const left = ctx.state.upsertTarget(node, names[0], null)
      const made = ctx.state.upsertTarget(node, names[1], null)
      replaceInGroups(ctx, v.longName, [left.longName, made.longName])
      leftovers.push(left)
      created.push(made)
      report.results[v.longName] = [left.longName, made.longName]
    }
    const lines = reportLines('split', report)
    if (created.length > 0) {
      ctx.state.setGroup(
        'split1',
        leftovers.map((t) => t.longName),
      )
      ctx.state.setGroup(
        'split2',
        created.map((t) => t.longName),
      )
      await refresh(ctx, [...leftovers, ...created])
      lines.push(
        `  leftover vessels in group split1, new vessels in group split2: ${created.map((t) => t.longName).join(', ')}`,
      )
    }
    return { lines, fanout: report }
  },
}

const join: CommandSpec = {
  name: 'join',
  usage: 'join',
  summary: 'join the vessels of the default target that are on the same node into one (owner only)',
  run: async (ctx, args) => {
    if (args.length !== 0) throw new CommandError(`usage: ${join.usage}`)
    const vessels = ctx.state.defaultVessels()
    const { report, values } = await ctx.onNodes({
      vessels,
      signed: true,
      groups: true,
      task: async (conn, _peerId, mine) => {
        let name = mine[0]!.vessel
        for (const other of mine.slice(1)) name = await conn.call('JoinVessels', [name, other.vessel])
        return name
      },
    })
    const joined: string[] = []
    const done = new Set<string>()
    for (const v of vessels) {
      const name = values.get(v.longName)
      if (name === undefined || done.has(v.peerId)) continue
      done.add(v.peerId)
      const mine = vessels.filter((x) => x.peerId === v.peerId)
      if (mine.length < 2) continue
      const node = ctx.state.nodeOf(v)
      for (const m of mine) ctx.state.removeTarget(m.longName)
      const made = ctx.state.upsertTarget(node, name, null)
      if (ctx.state.target !== null && ctx.state.groups.has(ctx.state.target))
        ctx.state.groups.get(ctx.state.target)?.add(made.longName)
      joined.push(made.longName)
    }
    if (joined.length > 0)
      await refresh(
        ctx,
        joined.map((n) => ctx.state.resolve(n)[0]!),
      )
    const lines = reportLines('join', report)
    lines.push(joined.length > 0 ? `  new vessels: ${joined.join(', ')}` : '  nothing to join (one vessel per node)')
    return { lines, fanout: report, data: { joined } }
  },
}

export const OWNER_COMMANDS: CommandSpec[] = [split, join]
