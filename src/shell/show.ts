// show … (what is not with its command group) and set timeout|concurrency.
import { writeFile } from 'node:fs/promises'
import type { CommandSpec, Ctx } from './command.js'
import { portRanges } from '../protocol/port-ranges.js'
import { formatSeconds, reportLines } from './fanout.js'
import { perVessel, showFiles } from './files.js'
import { showIdentities, showKeys } from './keys.js'
import { showLog } from './lifecycle.js'
import type { VesselTarget } from './model.js'
import { setAdvertise, setOwner, setOwnerInfo, setUsers } from './owner.js'
import { readAddresses, refresh, showTargets } from './targets.js'
import { CommandError, type FanoutReport } from './types.js'

/** An identity's name for a key, or an abbreviation of the key. */
function keyName(ctx: Ctx, key: string): string {
  const id = [...ctx.state.identities.values()].find((i) => i.publicKeyText === key)
  return id ? id.name : `${key.slice(0, 20)}…`
}

/** Refreshes the default target's vessels, then prints one line per vessel from its info. */
function fromInfo(
  name: string,
  summary: string,
  line: (ctx: Ctx, v: VesselTarget) => string,
  json: (ctx: Ctx, v: VesselTarget) => unknown,
): CommandSpec {
  return {
    name,
    usage: `show ${name}`,
    summary,
    run: async (ctx, args) => {
      if (args.length !== 0) throw new CommandError(`usage: show ${name}`)
      const vessels = ctx.state.defaultVessels()
      const { report } = await refresh(ctx, vessels)
      const ok = vessels.filter((v) => report.good.includes(v.longName) && v.info)
      for (const v of ok) report.results[v.longName] = json(ctx, v)
      return {
        lines: [...ok.map((v) => `${v.longName}: ${line(ctx, v)}`), ...failures(`show ${name}`, report)],
        fanout: report,
      }
    },
  }
}

/** Report lines only when something failed (the per-vessel lines say the rest). */
function failures(command: string, report: FanoutReport): string[] {
  return report.failed.length === 0 ? [] : reportLines(command, report)
}

const info = (v: VesselTarget) => v.info!

const showInfo = fromInfo(
  'info',
  'status, owner, users, program and ports of each vessel',
  (ctx, v) => {
    const i = info(v)
    const program = i.program ? ` program ${[i.program, ...i.args].join(' ')}` : ''
    const exit = i.exit ? ` exit ${i.exit.code} (${i.exit.reason})` : ''
    return `${i.status}${program}${exit}; owner ${keyName(ctx, i.ownerKey)}; users ${i.userKeys.map((k) => keyName(ctx, k)).join(', ') || 'none'}; ports ${portRanges(i.ports)}`
  },
  (_ctx, v) => info(v),
)
const showUsers = fromInfo(
  'users',
  'the user keys of each vessel',
  (ctx, v) =>
    info(v)
      .userKeys.map((k) => keyName(ctx, k))
      .join(', ') || '(no users)',
  (ctx, v) => info(v).userKeys.map((k) => ({ key: k, identity: keyName(ctx, k) })),
)
const showOwnerInfo = fromInfo(
  'ownerinfo',
  'the owner information of each vessel',
  (_ctx, v) => JSON.stringify(info(v).ownerInfo),
  (_ctx, v) => info(v).ownerInfo,
)
const showAdvertise = fromInfo(
  'advertise',
  'whether each vessel is advertised',
  (_ctx, v) => (info(v).advertise ? 'on' : 'off'),
  (_ctx, v) => info(v).advertise,
)
const showOwner = fromInfo(
  'owner',
  'the owner key of each vessel',
  (ctx, v) => keyName(ctx, info(v).ownerKey),
  (_ctx, v) => info(v).ownerKey,
)

const showIp: CommandSpec = {
  name: 'ip',
  usage: 'show ip [to <file>]',
  complete: ['none', 'file'],
  summary: 'the IP addresses of the nodes of the default target (one a line)',
  run: async (ctx, args) => {
    if (!(args.length === 0 || (args.length === 2 && args[0] === 'to')))
      throw new CommandError('usage: show ip [to <file>]')
    const ips = [...new Set(ctx.state.defaultVessels().map((v) => ctx.state.nodeOf(v).ip))]
    if (args.length === 2) {
      await writeFile(ctx.path(args[1]!), ips.join('\n') + '\n')
      return { lines: [`wrote ${ips.length} address${ips.length === 1 ? '' : 'es'} to ${args[1]}`], data: ips }
    }
    return { lines: ips, data: ips }
  },
}

const showResources: CommandSpec = {
  name: 'resources',
  usage: 'show resources',
  summary: 'the restrictions (resource limits) of each vessel',
  run: async (ctx) => {
    const { report, values } = await ctx.onVessels({
      vessels: ctx.state.defaultVessels(),
      signed: false,
      task: (conn, v) => conn.call('GetVesselResources', [v.vessel]),
    })
    return { lines: [...perVessel(values, (t) => t), ...failures('show resources', report)], fanout: report }
  },
}

const showOffcut: CommandSpec = {
  name: 'offcut',
  usage: 'show offcut',
  summary: 'the per-vessel offcut (the cost of a split) of each node',
  run: async (ctx) => {
    const { report, values } = await ctx.onNodes({
      vessels: ctx.state.defaultVessels(),
      signed: false,
      task: (conn) => conn.call('GetOffcutResources', []),
    })
    const byNode = new Map<string, string>()
    for (const [name, text] of values) {
      const node = ctx.state.nodeOf(ctx.state.resolve(name)[0]!)
      byNode.set(node.short, text)
    }
    return { lines: [...perVessel(byNode, (t) => t), ...failures('show offcut', report)], fanout: report }
  },
}

const showTimeout: CommandSpec = {
  name: 'timeout',
  usage: 'show timeout',
  summary: 'the per-node timeout and the fan-out width',
  run: (ctx) => ({
    lines: [
      `timeout ${formatSeconds(ctx.state.timeoutS * 1000)} per node; up to ${ctx.state.concurrency} nodes at once`,
    ],
    data: { timeoutSeconds: ctx.state.timeoutS, concurrency: ctx.state.concurrency },
  }),
}

const setTimeoutCmd: CommandSpec = {
  name: 'timeout',
  usage: 'set timeout <seconds>',
  complete: ['none'],
  summary: 'how long to wait for each node (default 30 s)',
  run: (ctx, args) => {
    const s = args.length === 1 ? Number(args[0]) : NaN
    if (!(Number.isFinite(s) && s > 0 && s <= 86_400))
      throw new CommandError('usage: set timeout <seconds> (a number > 0)')
    ctx.state.timeoutS = s
    return { lines: [`timeout is now ${formatSeconds(s * 1000)}`], data: { timeoutSeconds: s } }
  },
}

const setConcurrency: CommandSpec = {
  name: 'concurrency',
  usage: 'set concurrency <n>',
  complete: ['none'],
  summary: 'how many nodes to contact at once (default 32; seash used 10)',
  run: (ctx, args) => {
    const n = args.length === 1 ? Number(args[0]) : NaN
    if (!(Number.isInteger(n) && n >= 1 && n <= 1024))
      throw new CommandError('usage: set concurrency <n> (a whole number 1-1024)')
    ctx.state.concurrency = n
    return { lines: [`up to ${n} nodes at once`], data: { concurrency: n } }
  },
}

function discoveryLines(ctx: Ctx): string[] {
  const { bootstrap, mdns } = ctx.state
  return [
    bootstrap.length === 0 ? 'bootstrap: none' : `bootstrap: ${bootstrap.join(' ')}`,
    `mdns: ${mdns ? 'on' : 'off'}`,
    ...(bootstrap.length === 0 && !mdns
      ? ['browse needs one of them: `set bootstrap <multiaddr>` or `set mdns on`']
      : []),
  ]
}

const showDiscovery: CommandSpec = {
  name: 'discovery',
  usage: 'show discovery',
  summary: 'how browse finds the DHT: bootstrap addresses and mDNS',
  run: (ctx) => ({ lines: discoveryLines(ctx), data: { bootstrap: [...ctx.state.bootstrap], mdns: ctx.state.mdns } }),
}

const setBootstrap: CommandSpec = {
  name: 'bootstrap',
  usage: 'set bootstrap <multiaddr|file>...|none',
  complete: ['file'],
  summary: "the DHT nodes browse joins through (a node's DHT address, …/p2p/<peer id>)",
  help: ['`flotilla node start` prints its DHT address; a file gives one address a line.'],
  run: async (ctx, args) => {
    if (args.length === 0) throw new CommandError(`usage: ${setBootstrap.usage}`)
    const addresses = args.length === 1 && args[0] === 'none' ? [] : await readAddresses(ctx, args)
    const bad = addresses.find((a) => !/\/p2p\/[A-Za-z0-9]+$/.test(a))
    if (bad !== undefined) throw new CommandError(`bootstrap address '${bad}' must end with /p2p/<peer id>`)
    ctx.state.bootstrap = addresses
    return { lines: discoveryLines(ctx).slice(0, 1), data: { bootstrap: addresses } }
  },
}

const setMdns: CommandSpec = {
  name: 'mdns',
  usage: 'set mdns on|off',
  complete: ['none'],
  summary: 'whether browse also finds DHT nodes on the LAN by multicast DNS (default off)',
  run: (ctx, args) => {
    if (args.length !== 1 || !['on', 'off'].includes(args[0]!)) throw new CommandError(`usage: ${setMdns.usage}`)
    ctx.state.mdns = args[0] === 'on'
    return { lines: [`mdns: ${args[0]}`], data: { mdns: ctx.state.mdns } }
  },
}

const table = (specs: CommandSpec[]) => Object.fromEntries(specs.map((s) => [s.name, s]))

export const SET: CommandSpec = {
  name: 'set',
  usage: 'set users|owner|ownerinfo|advertise|timeout|concurrency|bootstrap|mdns …',
  summary: 'change vessels or shell settings',
  sub: table([setUsers, setOwner, setOwnerInfo, setAdvertise, setTimeoutCmd, setConcurrency, setBootstrap, setMdns]),
}

export const SHOW: CommandSpec = {
  name: 'show',
  usage:
    'show info|users|owner|ownerinfo|advertise|ip|files|log|resources|offcut|targets|identities|keys|timeout|discovery',
  summary: 'print facts about the vessels or the shell',
  sub: table([
    showInfo,
    showUsers,
    showOwner,
    showOwnerInfo,
    showAdvertise,
    showIp,
    showFiles,
    showLog,
    showResources,
    showOffcut,
    showTargets,
    showIdentities,
    showKeys,
    showTimeout,
    showDiscovery,
  ]),
}
