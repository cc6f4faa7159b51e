// The command engine: parses statements, runs them against the state and the nodes, and answers results as data.
// It has no terminal: the ink UI and the non-interactive runner both drive it.
import { isAbsolute, resolve } from 'node:path'
import type { KeyPair } from '../keys/key-files.js'
import { isErrorCode, type ErrorCode } from '../protocol/errors.js'
import type { Ctx, FanoutResult, NodeTaskSpec, VesselTaskSpec } from './command.js'
import { lookup } from './commands.js'
import { fanout, groupOutcomes, untilCancelled, type Outcome } from './fanout.js'
import { ShellState, type VesselTarget } from './model.js'
import { parseStatements } from './parse.js'
import { CommandError, type CommandResult, type Connector, type NodeConnection, type Progress } from './types.js'

export interface EngineOptions {
  connector: Connector
  /** folder that relative local paths are resolved against (default: process.cwd()) */
  cwd?: string
  onProgress?: (progress: Progress) => void
  state?: ShellState
}

/** Failures of the connection itself: drop the pooled connection so that the next command dials again. */
const CONNECTION_CODES = new Set<ErrorCode>(['E_UNREACHABLE', 'E_TIMEOUT', 'E_CLIENT'])

export class Engine {
  readonly state: ShellState
  private readonly connector: Connector
  private readonly cwd: string
  /** told how a fan-out advances (the interactive shell draws its progress line from it) */
  onProgress?: (progress: Progress) => void
  /** aborted by cancel(): the statements being executed */
  private running = new AbortController()

  constructor(options: EngineOptions) {
    this.connector = options.connector
    this.cwd = options.cwd ?? process.cwd()
    this.onProgress = options.onProgress
    this.state = options.state ?? new ShellState()
  }

  /** Runs every statement of `input` (`;`- or newline-separated); stops after an exit. */
  async execute(input: string, options: { stopOnError?: boolean } = {}): Promise<CommandResult[]> {
    const results: CommandResult[] = []
    this.running = new AbortController()
    const { signal } = this.running
    for (const s of parseStatements(input)) {
      if (signal.aborted) break
      const result =
        s.error !== undefined ? failure(s.text, new CommandError(s.error)) : await this.run(s.words, s.text)
      results.push(result)
      if (result.exit || (options.stopOnError && !result.ok)) break
    }
    return results
  }

  /** Runs one statement given as words. A user mistake becomes a result with ok false, never an exception. */
  async run(words: string[], text: string): Promise<CommandResult> {
    try {
      const { spec, args, path } = lookup(words)
      if (!spec.run) throw new CommandError(`usage: ${spec.usage}`)
      const partial = await spec.run(this.context(path.replace(/ /g, '')), args)
      return { lines: [], ...partial, command: text, ok: true }
    } catch (err) {
      return failure(text, err)
    }
  }

  /** Cancels the command running now: its remaining targets fail with E_CANCELLED, later statements do not run. */
  cancel(): void {
    this.running.abort()
  }

  close(): Promise<void> {
    return this.connector.close()
  }

  private context(name: string): Ctx {
    return {
      state: this.state,
      name,
      path: (file) => (isAbsolute(file) ? file : resolve(this.cwd, file)),
      onVessels: (spec) => this.onVessels(name, spec),
      onNodes: (spec) => this.onNodes(name, spec),
      onAddresses: (addresses, identity, task) => this.onAddresses(name, addresses, identity, task),
      discover: (keyText) => this.discover(keyText),
      nested: async (words, text) => {
        const result = await this.run(words, text)
        if (!result.ok) throw new CommandError(result.error ?? 'failed')
        return result
      },
      signal: this.running.signal,
    }
  }

  private identityFor(signed: boolean): KeyPair | undefined {
    return signed ? this.state.signingIdentity().keyPair : this.state.currentIdentity()?.keyPair
  }

  private async connect(address: string, identity: KeyPair | undefined): Promise<NodeConnection> {
    return this.connector.connect(address, identity, this.state.timeoutS * 1000)
  }

  /** Runs `task` on a connection; a connection-level failure drops the pooled connection. */
  private async withConnection<T>(
    address: string,
    identity: KeyPair | undefined,
    task: (conn: NodeConnection) => Promise<T>,
  ): Promise<T> {
    try {
      return await task(await this.connect(address, identity))
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (!isErrorCode(code) || CONNECTION_CODES.has(code)) this.connector.drop(address, identity)
      throw err
    }
  }

  private progress(command: string) {
    return (p: Omit<Progress, 'command'>) => this.onProgress?.({ command, ...p })
  }

  private async onVessels<T>(name: string, spec: VesselTaskSpec<T>): Promise<FanoutResult<T>> {
    const identity = this.identityFor(spec.signed)
    const started = Date.now()
    const outcomes = await fanout(
      spec.vessels,
      (v) => this.withConnection(this.state.nodeOf(v).address, identity, (c) => spec.task(c, v)),
      {
        concurrency: this.state.concurrency,
        timeoutMs: this.state.timeoutS * 1000 + (spec.extraTimeoutMs ?? 0),
        onProgress: this.progress(name),
        signal: this.running.signal,
      },
    )
    return this.finish(name, spec.vessels, outcomes, started, spec.toJson, spec.groups)
  }

  private async onNodes<T>(name: string, spec: NodeTaskSpec<T>): Promise<FanoutResult<T>> {
    const identity = this.identityFor(spec.signed)
    const byNode = new Map<string, VesselTarget[]>()
    for (const v of spec.vessels) byNode.set(v.peerId, [...(byNode.get(v.peerId) ?? []), v])
    const nodes = [...byNode.entries()]
    const started = Date.now()
    const nodeOutcomes = await fanout(
      nodes,
      ([peerId, vessels]) =>
        this.withConnection(this.state.nodeOf(vessels[0]!).address, identity, (c) => spec.task(c, peerId, vessels)),
      {
        concurrency: this.state.concurrency,
        timeoutMs: this.state.timeoutS * 1000,
        onProgress: this.progress(name),
        signal: this.running.signal,
      },
    )
    const perNode = new Map(nodes.map(([peerId], i) => [peerId, nodeOutcomes[i]]))
    const outcomes = spec.vessels.map((v) => perNode.get(v.peerId) as Outcome<T>)
    return this.finish(name, spec.vessels, outcomes, started, spec.toJson, spec.groups ?? false)
  }

  private finish<T>(
    name: string,
    vessels: VesselTarget[],
    outcomes: Outcome<T>[],
    started: number,
    toJson?: (value: T, vessel: VesselTarget) => unknown,
    makeGroups = true,
  ): FanoutResult<T> {
    const named = vessels.map((v, i) => ({ name: v.longName, outcome: outcomes[i]! }))
    const report = groupOutcomes(named, Date.now() - started)
    const values = new Map<string, T>()
    vessels.forEach((v, i) => {
      const outcome = outcomes[i]!
      if (!outcome.ok) return
      values.set(v.longName, outcome.value)
      if (toJson) report.results[v.longName] = toJson(outcome.value, v)
    })
    if (makeGroups) {
      const good = `${name}good`
      const fail = `${name}fail`
      if (report.failed.length > 0) {
        this.state.setGroup(good, report.good)
        this.state.setGroup(
          fail,
          report.failed.flatMap((f) => f.targets),
        )
        report.groups = [good, fail]
      } else if (this.state.target !== fail) {
        this.state.groups.delete(fail)
      }
    }
    return { report, values }
  }

  /** Browse lookups take at most the per-node timeout, and 15 s at most: it answers what it found by then. */
  private async discover(keyText: string): Promise<string[]> {
    if (!this.connector.discover) throw new CommandError('browse is not available in this shell (no DHT client)')
    const { bootstrap, mdns } = this.state
    if (bootstrap.length === 0 && !mdns) {
      throw new CommandError(
        "browse needs a way into the DHT: `set bootstrap <multiaddr>` (a node's DHT address, …/p2p/<peer id>) or `set mdns on`",
      )
    }
    this.onProgress?.({ command: 'browse', total: 1, done: 0, failed: 0 })
    return untilCancelled(
      this.connector.discover(keyText, { bootstrap, mdns, timeoutMs: Math.min(this.state.timeoutS, 15) * 1000 }),
      this.running.signal,
    )
  }

  private async onAddresses<T>(
    name: string,
    addresses: string[],
    identity: KeyPair | undefined,
    task: (conn: NodeConnection, address: string) => Promise<T>,
  ): Promise<FanoutResult<T>> {
    const started = Date.now()
    const outcomes = await fanout(addresses, (a) => this.withConnection(a, identity, (c) => task(c, a)), {
      concurrency: this.state.concurrency,
      timeoutMs: this.state.timeoutS * 1000,
      onProgress: this.progress(name),
      signal: this.running.signal,
    })
    const report = groupOutcomes(
      addresses.map((a, i) => ({ name: a, outcome: outcomes[i]! })),
      Date.now() - started,
    )
    const values = new Map<string, T>()
    addresses.forEach((a, i) => {
      const o = outcomes[i]!
      if (o.ok) values.set(a, o.value)
    })
    return { report, values }
  }
}

function failure(command: string, err: unknown): CommandResult {
  if (err instanceof CommandError) return { command, ok: false, error: err.message, lines: [] }
  const e = err as { code?: unknown; message?: unknown }
  // Anything unexpected is still one line: the shell keeps running.
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : String(err)
  return { command, ok: false, error: typeof e?.code === 'string' ? `${message} [${e.code}]` : message, lines: [] }
}
