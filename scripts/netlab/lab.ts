// A simulated internet on one machine, in network namespaces this process creates (root only): a namespace holding
// the "internet" bridge (11.77.0.0/24, see BRIDGE_NET); public hosts on it; and homes, each a router namespace (WAN address on the
// bridge, LAN 192.168.<k>.0/24) with iptables MASQUERADE — port-preserving ('cone') or with --random-fully
// ('symmetric': a new random port for every destination) — and a host namespace behind it. Node managers and the
// client run as `ip netns exec <ns> flotilla …`. Every address lives inside these namespaces; stop() (and, if the
// process ends first, an exit hook) kills the processes and deletes the namespaces, which removes their links too.
//   const lab = await Netlab.create({ publicHosts: 1, homes: ['cone', 'symmetric'] })
//   const node = await lab.startNode(lab.homes[0]!, { keysDir, owner, bootstrap })
//   await lab.flotilla(lab.client, ['browse', …]);   await lab.stop()
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { NodeSummary } from '../../src/protocol/results.js'

/** The real CLI: the lab runs it in its namespaces (it runs from dist/: `npm run build` first). */
const BIN = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'flotilla')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export type NatKind = 'cone' | 'symmetric'

/** Whether a multiaddr (text) goes through a relay. */
export const isCircuitText = (address: string): boolean => address.includes('/p2p-circuit')

export interface LabHost {
  /** namespace name */
  ns: string
  /** the host's own address */
  ip: string
  /** the NAT in front of it, null on the internet */
  nat: NatKind | null
}

export interface LabNode {
  host: LabHost
  dataDir: string
  process: ChildProcess
  peerId: string
  /** the address it listens on, with /p2p/ */
  address: string
}

export interface NetlabOptions {
  publicHosts: number
  homes: NatKind[]
}

// The internet's addresses must be public to libp2p: DCUtR and AutoNAT ignore private ones (isPrivate of
// @libp2p/utils), which include 10/8, 100.64/10, 198.18/15 and even the documentation ranges (192.0.2/24,
// 198.51.100/24, 203.0.113/24). So a range of the public unicast space: it lives only on links inside the lab's
// namespaces, which have no link to the machine's own network, so no packet to it leaves them.
export const BRIDGE_NET = '11.77.0'

/** Why namespaces cannot be made here (not root, no `ip netns`, no iptables), or null when they can. */
export function netlabUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root: network namespaces need root'
  const probe = `flprobe${process.pid}`
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' })
  } catch (err) {
    return `ip netns add failed: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`
  }
  try {
    execFileSync('ip', ['netns', 'exec', probe, 'iptables', '-t', 'nat', '-L', '-n'], { stdio: 'pipe' })
  } catch (err) {
    return `iptables (nat table) does not work in a namespace: ${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`
  } finally {
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' })
  }
  return null
}

/** Whether `tc qdisc … netem` works in this kernel (sch_netem), tried in `ns` or in a namespace of its own; answers
 *  the error otherwise. */
export function netemUnavailable(ns?: string): string | null {
  const probe = ns ?? `flnetem${process.pid}`
  if (ns === undefined) execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' })
  try {
    const tc = (...args: string[]): void => {
      execFileSync('ip', ['netns', 'exec', probe, 'tc', 'qdisc', ...args], { stdio: 'pipe' })
    }
    tc('add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms')
    tc('del', 'dev', 'lo', 'root')
    return null
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err).trim()
  } finally {
    if (ns === undefined) execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' })
  }
}

const run = (...args: string[]): void => {
  execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' })
}

export class Netlab {
  readonly dir = mkdtempSync(join(tmpdir(), 'flotilla-netlab-'))
  readonly publicHosts: LabHost[] = []
  readonly homes: LabHost[] = []
  client!: LabHost
  private readonly prefix = `fl${process.pid % 100_000}`
  private readonly namespaces: string[] = []
  private readonly children = new Set<ChildProcess>()
  private links = 0
  private readonly bridgePorts: string[] = []
  private stopped = false
  private readonly onExit = (): void => this.removeNow()

  private constructor() {
    process.once('exit', this.onExit)
  }

  /** Builds the namespaces; on a failure half-way, removes what it made and throws. */
  static create(options: NetlabOptions): Netlab {
    const lab = new Netlab()
    try {
      lab.build(options)
    } catch (err) {
      lab.removeNow()
      throw err
    }
    return lab
  }

  get inet(): string {
    return `${this.prefix}inet`
  }

  /** Every namespace of the lab (for netem, counters). */
  get allNamespaces(): readonly string[] {
    return this.namespaces
  }

  private build(options: NetlabOptions): void {
    this.addNs(this.inet)
    run('ip', '-n', this.inet, 'link', 'add', 'br0', 'type', 'bridge')
    run('ip', '-n', this.inet, 'link', 'set', 'br0', 'up')
    for (let i = 0; i < options.publicHosts; i++) {
      const ns = this.addNs(`${this.prefix}p${i}`)
      const ip = `${BRIDGE_NET}.${1 + i}`
      this.plugIn(ns, ip)
      this.publicHosts.push({ ns, ip, nat: null })
    }
    const clientNs = this.addNs(`${this.prefix}c`)
    this.plugIn(clientNs, `${BRIDGE_NET}.250`)
    this.client = { ns: clientNs, ip: `${BRIDGE_NET}.250`, nat: null }
    options.homes.forEach((nat, k) => {
      const router = this.addNs(`${this.prefix}r${k}`)
      const host = this.addNs(`${this.prefix}h${k}`)
      const wan = this.plugIn(router, `${BRIDGE_NET}.${100 + k}`)
      const lan = `192.168.${k + 1}`
      this.link(router, `${lan}.1`, host, `${lan}.2`)
      run('ip', '-n', host, 'route', 'add', 'default', 'via', `${lan}.1`)
      run('ip', 'netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1')
      const masquerade = ['-t', 'nat', '-A', 'POSTROUTING', '-o', wan, '-j', 'MASQUERADE']
      run('ip', 'netns', 'exec', router, 'iptables', ...masquerade, ...(nat === 'symmetric' ? ['--random-fully'] : []))
      this.homes.push({ ns: host, ip: `${lan}.2`, nat })
    })
  }

  private addNs(name: string): string {
    run('ip', 'netns', 'add', name)
    this.namespaces.push(name)
    run('ip', '-n', name, 'link', 'set', 'lo', 'up')
    return name
  }

  /** A veth pair from `a` (address aIp/24) to `b` (bIp/24, or into the bridge when bIp is null); answers a's end. */
  private link(a: string, aIp: string, b: string, bIp: string | null): string {
    const n = this.links++
    const aEnd = `${this.prefix}x${n}`
    const bEnd = `${this.prefix}y${n}`
    run('ip', 'link', 'add', aEnd, 'type', 'veth', 'peer', 'name', bEnd)
    run('ip', 'link', 'set', aEnd, 'netns', a)
    run('ip', 'link', 'set', bEnd, 'netns', b)
    run('ip', '-n', a, 'addr', 'add', `${aIp}/24`, 'dev', aEnd)
    run('ip', '-n', a, 'link', 'set', aEnd, 'up')
    if (bIp === null) {
      run('ip', '-n', b, 'link', 'set', bEnd, 'master', 'br0')
      this.bridgePorts.push(bEnd)
    } else run('ip', '-n', b, 'addr', 'add', `${bIp}/24`, 'dev', bEnd)
    run('ip', '-n', b, 'link', 'set', bEnd, 'up')
    return aEnd
  }

  /** Plugs a namespace into the internet bridge at `ip`; answers its interface name. */
  private plugIn(ns: string, ip: string): string {
    return this.link(ns, ip, this.inet, null)
  }

  /** Delay (`delay` one way, ± `jitter`) and loss on every port of the internet bridge, towards each host. */
  addNetem(delay: string, jitter: string, loss: string): void {
    for (const port of this.bridgePorts)
      run(
        'ip',
        'netns',
        'exec',
        this.inet,
        'tc',
        'qdisc',
        'add',
        'dev',
        port,
        'root',
        'netem',
        'delay',
        delay,
        jitter,
        'loss',
        loss,
      )
  }

  /** `flotilla <args>` run inside a namespace. */
  flotilla(host: LabHost, args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
    return new Promise((done) => {
      const child = execFile(
        'ip',
        ['netns', 'exec', host.ns, process.execPath, BIN, ...args],
        { cwd: this.dir, env: { ...process.env, NODE_ENV: 'production' }, timeout: timeoutMs },
        (err, stdout, stderr) => {
          this.children.delete(child)
          done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr })
        },
      )
      this.children.add(child)
    })
  }

  /** Writes `program` and the node list into the lab folder, then runs `flotilla deploy --json` from the client as
   *  `key` (in `keysDir`) to those addresses. */
  deploy(addresses: readonly string[], program: string, key: string, keysDir: string): Promise<CliResult> {
    writeFileSync(join(this.dir, 'nodes.txt'), addresses.join('\n') + '\n')
    writeFileSync(join(this.dir, 'program.js'), program)
    const files = ['--nodes', join(this.dir, 'nodes.txt'), '--json', join(this.dir, 'program.js')]
    return this.flotilla(this.client, ['deploy', '--key', key, '--keys', keysDir, ...files])
  }

  /** Starts a node manager on `host` (set up at first start with `owner` from `keysDir`, one vessel, unless `node
   *  init` set it up already); answers when it printed its summary. */
  async startNode(
    host: LabHost,
    options: { name: string; keysDir: string; owner?: string; bootstrap: string[]; extra?: string[] },
  ): Promise<LabNode> {
    const dataDir = this.dataDirOf(options.name)
    const args = ['node', 'start', '--data', dataDir, '--keys', options.keysDir]
    if (options.owner !== undefined) args.push('--owner', options.owner)
    args.push('--listen', `/ip4/${host.ip}/tcp/4001`, '--json', '--quiet')
    for (const b of options.bootstrap) args.push('--bootstrap', b)
    args.push(...(options.extra ?? []))
    const { child, summary } = await this.spawnService(host, options.name, args)
    return { host, dataDir, process: child, peerId: summary.peerId, address: summary.addresses[0]! }
  }

  /** The data folder of the node or pool called `name`. */
  dataDirOf(name: string): string {
    return join(this.dir, name)
  }

  /** Starts a pool on `host` at port 4002 (its key made in its data folder's keys); answers its address. */
  async startPool(host: LabHost, options: { name: string; bootstrap: string[]; extra?: string[] }): Promise<string> {
    const dataDir = this.dataDirOf(options.name)
    const args = ['pool', 'start', '--data', dataDir, '--keys', join(dataDir, 'keys')]
    args.push('--listen', `/ip4/${host.ip}/tcp/4002`, '--json', '--quiet')
    for (const b of options.bootstrap) args.push('--bootstrap', b)
    args.push(...(options.extra ?? []))
    const { summary } = await this.spawnService(host, options.name, args)
    return summary.addresses[0]!
  }

  /** Runs `flotilla <args>` in `host`'s namespace until the stop; answers the JSON line it prints once started. */
  private async spawnService(
    host: LabHost,
    name: string,
    args: readonly string[],
  ): Promise<{ child: ChildProcess; summary: { peerId: string; addresses: string[] } }> {
    const child = spawn('ip', ['netns', 'exec', host.ns, process.execPath, BIN, ...args], {
      cwd: this.dir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.children.add(child)
    child.once('exit', () => this.children.delete(child))
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8_000) stderr += d.toString()
    })
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve)
      child.once('exit', (code) => reject(new Error(`${name} exited (${code}) at start: ${stderr}`)))
    })
    const summary = JSON.parse(line) as Pick<NodeSummary, 'peerId' | 'addresses'>
    if (summary.addresses[0] === undefined) throw new Error(`${name} started with no address: ${line}`)
    return { child, summary }
  }

  /** `node status --json` of a running node, asked inside its namespace. */
  async status(node: LabNode): Promise<NodeSummary | undefined> {
    const result = await this.flotilla(node.host, ['node', 'status', '--json', '--data', node.dataDir], 30_000)
    return result.code === 0 ? (JSON.parse(result.stdout) as NodeSummary) : undefined
  }

  /** Bytes the internet bridge port of `host`'s namespace (or its router's, for a home) sent and received. */
  bytesOf(ns: string): number {
    const out = execFileSync('ip', ['-n', ns, '-s', '-j', 'link', 'show'], { encoding: 'utf8' })
    const links = JSON.parse(out) as Array<{
      ifname: string
      stats64?: { rx: { bytes: number }; tx: { bytes: number } }
    }>
    return links
      .filter((l) => l.ifname.startsWith(`${this.prefix}x`))
      .reduce((sum, l) => sum + (l.stats64 ? l.stats64.rx.bytes + l.stats64.tx.bytes : 0), 0)
  }

  /** Stops every process (SIGTERM, then SIGKILL after 10 s) and removes the namespaces and the temp folder. */
  async stop(): Promise<void> {
    if (this.stopped) return
    await Promise.all(
      [...this.children].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
            child.once('exit', () => {
              clearTimeout(timer)
              resolve()
            })
            child.kill('SIGTERM')
          }),
      ),
    )
    this.removeNow()
  }

  /** Synchronous: what must go even when the process is exiting. */
  private removeNow(): void {
    if (this.stopped) return
    this.stopped = true
    process.removeListener('exit', this.onExit)
    for (const child of this.children) child.kill('SIGKILL')
    for (const ns of this.namespaces.reverse()) {
      try {
        run('ip', 'netns', 'del', ns)
      } catch {
        // already gone
      }
    }
    // veth ends not yet moved into a namespace when a step failed
    for (let n = 0; n < this.links; n++) {
      try {
        run('ip', 'link', 'del', `${this.prefix}x${n}`)
      } catch {
        // moved (and deleted with its namespace)
      }
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}
