// Target commands: contact, browse, on, add, remove, move, update, list; show targets.
import { readFile, stat } from 'node:fs/promises'
import type { NodeSummary, VesselSummary } from '../protocol/results.js'
import type { CommandSpec, Ctx } from './command.js'
import { reportLines } from './fanout.js'
import { ALL, checkGroupName, type VesselTarget } from './model.js'
import { takeTrailing } from './parse.js'
import { CommandError, type Identity } from './types.js'

/** Multiaddrs from the arguments; an argument that is a local file gives one address per line (# comments). */
export async function readAddresses(ctx: Ctx, args: string[]): Promise<string[]> {
  const out: string[] = []
  for (const arg of args) {
    // A file is looked for first: an absolute path starts with '/' as a multiaddr does.
    const file = ctx.path(arg)
    const info = await stat(file).catch(() => null)
    if (!info?.isFile()) {
      if (arg.startsWith('/')) {
        out.push(arg)
        continue
      }
      throw new CommandError(`'${arg}' is neither a multiaddr (/ip4/…/tcp/…/p2p/…) nor a file of multiaddrs`)
    }
    const text = await readFile(file, 'utf8')
    const addrs = text
      .split(/\r?\n/)
      .map((l) => l.replace(/#.*/, '').trim())
      .filter((l) => l !== '')
    if (addrs.length === 0)
      throw new CommandError(`${arg} lists no node addresses (one multiaddr a line, # for comments)`)
    const bad = addrs.find((a) => !a.startsWith('/'))
    if (bad !== undefined) throw new CommandError(`${arg}: '${bad.slice(0, 80)}' is not a multiaddr`)
    out.push(...addrs)
  }
  return [...new Set(out)]
}

export function accessible(v: VesselSummary, key: string): boolean {
  return v.ownerKey === key || v.userKeys.includes(key)
}

/** Asks each node for its vessels and adds those where `identity` is owner or user: contact and browse. */
async function contactNodes(ctx: Ctx, addresses: string[], identity: Identity) {
  const { report, values } = await ctx.onAddresses(addresses, identity.keyPair, async (conn, address) => {
    const summary = await conn.call('GetVessels', [])
    const mine = summary.vessels.filter((v) => accessible(v, identity.publicKeyText))
    if (mine.length === 0) {
      throw Object.assign(new Error(`no vessel on this node has '${identity.name}' as owner or user`), {
        code: 'E_NO_VESSEL',
      })
    }
    return { address, summary, mine }
  })
  const added: VesselTarget[] = []
  for (const { address, summary, mine } of values.values()) added.push(...ctx.state.addNode(address, summary, mine))
  report.results = Object.fromEntries(
    Object.entries(report.results).map(([k, v]) => [
      k,
      values.has(k)
        ? {
            peerId: values.get(k)?.summary.peerId,
            vessels: added.filter((t) => t.peerId === values.get(k)?.summary.peerId).map((t) => t.longName),
          }
        : v,
    ]),
  )
  return { report, added }
}

function addedLine(added: VesselTarget[]): string[] {
  if (added.length === 0) return []
  const shown = added.slice(0, 20).map((t) => `%${t.id} ${t.longName}`)
  return [
    `added ${added.length} vessel${added.length === 1 ? '' : 's'}: ${shown.join(', ')}${added.length > 20 ? ', …' : ''}`,
  ]
}

const contact: CommandSpec = {
  name: 'contact',
  usage: 'contact <multiaddr|file of multiaddrs>...',
  complete: ['file'],
  summary: 'add the vessels of nodes where the current identity is owner or user',
  help: ['A multiaddr must end in /p2p/<peer id>, e.g. /ip4/127.0.0.1/tcp/63100/p2p/12D3Koo…'],
  run: async (ctx, args) => {
    if (args.length === 0) throw new CommandError(`usage: ${contact.usage}`)
    const identity = ctx.state.currentIdentity()
    if (!identity) throw new CommandError('no identity: load keys and choose one with `as <identity>` before contact')
    const addresses = await readAddresses(ctx, args)
    const { report, added } = await contactNodes(ctx, addresses, identity)
    const lines = [...reportLines('contact', report, 'node'), ...addedLine(added)]
    return { lines, fanout: report, data: { added: added.map((t) => t.longName) } }
  },
}

/** The peer id at the end of a …/p2p/<id> multiaddr. */
const peerIdOf = (address: string): string => address.slice(address.lastIndexOf('/p2p/') + 5)

const browse: CommandSpec = {
  name: 'browse',
  usage: 'browse',
  summary: 'find the nodes that advertise the current key (DHT) and add their vessels of it',
  help: [
    "Looks the current identity's public key up in the DHT, contacts every node found and adds the vessels where",
    'the key is owner or user to the targets and to the group browsegood; vessels of nodes that did not answer',
    "go to browsefail. The DHT is joined through `set bootstrap <multiaddr>` (a node's DHT address, printed by",
    '`flotilla node start`) or `set mdns on`; `show discovery` shows both. A node advertises a key while one of its',
    'vessels with advertise on has it as owner or user (`set advertise on|off`).',
  ],
  run: async (ctx, args) => {
    if (args.length !== 0) throw new CommandError(`usage: ${browse.usage}`)
    const identity = ctx.state.currentIdentity()
    if (!identity) throw new CommandError('no identity: load keys and choose one with `as <identity>` before browse')
    const addresses = await ctx.discover(identity.publicKeyText)
    if (addresses.length === 0) {
      ctx.state.setGroup('browsegood', [])
      ctx.state.groups.delete('browsefail')
      return { lines: [`browse: no node advertises '${identity.name}' (yet?)`], data: { found: [], added: [] } }
    }
    const { report, added } = await contactNodes(ctx, addresses, identity)
    ctx.state.setGroup(
      'browsegood',
      added.map((t) => t.longName),
    )
    const failedNodes = new Set(
      report.failed
        .filter((f) => f.code !== 'E_NO_VESSEL')
        .flatMap((f) => f.targets)
        .map(peerIdOf),
    )
    const failedVessels = [...ctx.state.targets.values()]
      .filter((t) => failedNodes.has(t.peerId))
      .map((t) => t.longName)
    if (failedNodes.size > 0) ctx.state.setGroup('browsefail', failedVessels)
    else ctx.state.groups.delete('browsefail')
    report.groups = failedNodes.size > 0 ? ['browsegood', 'browsefail'] : ['browsegood']
    const lines = [
      `browse: ${addresses.length} node${addresses.length === 1 ? ' advertises' : 's advertise'} '${identity.name}'`,
      ...reportLines('browse', report, 'node'),
      ...addedLine(added),
    ]
    return { lines, fanout: report, data: { found: addresses, added: added.map((t) => t.longName) } }
  },
}

const on: CommandSpec = {
  name: 'on',
  usage: 'on <target> [command]',
  complete: ['target', 'command'],
  summary: 'set the default target, or run one command on another target',
  run: async (ctx, args) => {
    if (args.length < 1) throw new CommandError(`usage: ${on.usage}`)
    const [target, ...command] = args as [string, ...string[]]
    ctx.state.resolve(target)
    if (command.length === 0) {
      ctx.state.target = target
      return { data: { target } }
    }
    const saved = ctx.state.target
    ctx.state.target = target
    try {
      return await ctx.nested(command, command.join(' '))
    } finally {
      if (ctx.state.target === target) ctx.state.target = saved
    }
  },
}

/** The default target if it is a group (not %all, not a vessel). */
function defaultGroup(ctx: Ctx): string | undefined {
  const t = ctx.state.target
  return t !== null && ctx.state.groups.has(t) ? t : undefined
}

function addTo(ctx: Ctx, group: string, vessels: VesselTarget[]): void {
  if (group === ALL) throw new CommandError('%all holds every known vessel: use contact to add vessels')
  checkGroupName(group)
  if (ctx.state.targets.has(group) || /^%/.test(group))
    throw new CommandError(`'${group}' is a vessel name, not a group`)
  const members = ctx.state.groups.get(group) ?? new Set<string>()
  for (const v of vessels) members.add(v.longName)
  ctx.state.groups.set(group, members)
}

const add: CommandSpec = {
  name: 'add',
  usage: 'add [target] [to <group>]',
  complete: ['target', 'none', 'group'],
  summary: 'add a target to a group (made if new); defaults: the default target, the default group',
  run: (ctx, args) => {
    const { rest, value } = takeTrailing(args, 'to')
    if (rest.length > 1) throw new CommandError(`usage: ${add.usage}`)
    const group = value ?? defaultGroup(ctx)
    if (group === undefined) throw new CommandError('add to which group? `add <target> to <group>`')
    const target = rest[0] ?? ctx.state.target
    if (target === null) throw new CommandError(`usage: ${add.usage}`)
    const vessels = ctx.state.resolve(target)
    addTo(ctx, group, vessels)
    return {
      lines: [`added ${vessels.length} vessel${vessels.length === 1 ? '' : 's'} to ${group}`],
      data: { group, added: vessels.map((v) => v.longName) },
    }
  },
}

const remove: CommandSpec = {
  name: 'remove',
  usage: 'remove <target> [from <group>]',
  complete: ['target', 'none', 'group'],
  summary: 'remove a target from a group (from %all: forget the vessels entirely)',
  run: (ctx, args) => {
    const { rest, value } = takeTrailing(args, 'from')
    if (rest.length !== 1) throw new CommandError(`usage: ${remove.usage}`)
    const group = value ?? defaultGroup(ctx) ?? (ctx.state.target === ALL ? ALL : undefined)
    if (group === undefined) throw new CommandError('remove from which group? `remove <target> from <group>`')
    const vessels = ctx.state.resolve(rest[0]!)
    if (group === ALL) {
      for (const v of vessels) ctx.state.removeTarget(v.longName)
    } else {
      const members = ctx.state.groups.get(group)
      if (!members) throw new CommandError(`no group '${group}'`)
      for (const v of vessels) members.delete(v.longName)
    }
    return {
      lines: [`removed ${vessels.length} vessel${vessels.length === 1 ? '' : 's'} from ${group}`],
      data: { group, removed: vessels.map((v) => v.longName) },
    }
  },
}

const move: CommandSpec = {
  name: 'move',
  usage: 'move <target> to <group>',
  complete: ['target', 'none', 'group'],
  summary: 'take a target out of every group and put it in <group>',
  run: (ctx, args) => {
    const { rest, value } = takeTrailing(args, 'to')
    if (rest.length !== 1 || value === undefined) throw new CommandError(`usage: ${move.usage}`)
    const vessels = ctx.state.resolve(rest[0]!)
    for (const members of ctx.state.groups.values()) for (const v of vessels) members.delete(v.longName)
    addTo(ctx, value, vessels)
    return {
      lines: [`moved ${vessels.length} vessel${vessels.length === 1 ? '' : 's'} to ${value}`],
      data: { group: value },
    }
  },
}

/** GetVessels on the nodes of the given vessels; refreshes their info and forgets vessels that are gone. */
export async function refresh(ctx: Ctx, vessels: VesselTarget[]) {
  const result = await ctx.onNodes<NodeSummary>({
    vessels,
    signed: false,
    task: (conn) => conn.call('GetVessels', []),
    toJson: () => 'updated',
  })
  const gone: string[] = []
  const seen = new Set<string>()
  for (const [name, summary] of result.values) {
    const target = ctx.state.targets.get(name)
    if (!target) continue
    if (!seen.has(summary.peerId)) {
      seen.add(summary.peerId)
      ctx.state.recordNode(ctx.state.nodeOf(target).address, summary)
    }
    const info = summary.vessels.find((v) => v.name === target.vessel)
    if (info) target.info = info
    else {
      gone.push(name)
      ctx.state.removeTarget(name)
    }
  }
  return { ...result, gone }
}

const update: CommandSpec = {
  name: 'update',
  usage: 'update',
  summary: 'refresh what is known about the vessels of the default target (GetVessels)',
  run: async (ctx) => {
    const { report, gone } = await refresh(ctx, ctx.state.defaultVessels())
    const lines = reportLines('update', report)
    if (gone.length > 0) lines.push(`gone from their nodes (forgotten): ${gone.join(', ')}`)
    return { lines, fanout: report }
  },
}

const list: CommandSpec = {
  name: 'list',
  usage: 'list',
  summary: 'refresh and print a table of the vessels of the default target (or of %all)',
  run: async (ctx) => {
    const vessels = ctx.state.target === null ? ctx.state.resolve(ALL) : ctx.state.defaultVessels()
    if (vessels.length === 0) return { lines: ['no vessels known: contact a node first'], data: [] }
    const { report, gone } = await refresh(ctx, vessels)
    const me = ctx.state.currentIdentity()?.publicKeyText
    const rows = vessels
      .filter((v) => ctx.state.targets.has(v.longName))
      .map((v) => ({
        id: `%${v.id}`,
        own: v.info?.ownerKey === me ? '*' : '',
        name: v.longName,
        status: report.good.includes(v.longName) ? (v.info?.status ?? '?') : 'unreachable',
        program: v.info?.program ? [v.info.program, ...v.info.args].join(' ') : '',
        ownerInfo: v.info?.ownerInfo ?? '',
      }))
    const lines = table(
      ['ID', 'Own', 'Name', 'Status', 'Program', 'Owner information'],
      rows.map((r) => [r.id, r.own, r.name, r.status, r.program, r.ownerInfo]),
    )
    if (report.failed.length > 0) lines.push(...reportLines('list', report).slice(1))
    if (gone.length > 0) lines.push(`gone from their nodes (forgotten): ${gone.join(', ')}`)
    return { lines, fanout: report, data: rows }
  },
}

export function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [fmt(head), ...rows.map(fmt)]
}

export const showTargets: CommandSpec = {
  name: 'targets',
  usage: 'show targets',
  summary: 'the known vessels, their %N ids and the groups',
  run: (ctx) => {
    const s = ctx.state
    const all = [...s.targets.values()]
    const lines = [`%all (${all.length}): ${all.map((t) => `%${t.id} ${t.longName}`).join(', ') || 'empty'}`]
    for (const [name, members] of s.groups)
      lines.push(`${name} (${members.size}): ${[...members].join(', ') || 'empty'}`)
    const data = {
      all: all.map((t) => ({ id: t.id, name: t.longName, node: s.nodeOf(t).address })),
      groups: Object.fromEntries([...s.groups].map(([k, v]) => [k, [...v]])),
    }
    return { lines, data }
  },
}

export const TARGET_COMMANDS: CommandSpec[] = [contact, browse, on, add, remove, move, update, list]
