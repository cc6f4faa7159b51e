// A sandbox host for benchmarks of guest speed, running programs one after another, each in a vessel of its own.
// A node's host ('node') is long-lived and warmed up (src/runtime/engine-warm-up.ts), as a node's vessels run;
// runGuest (test/helpers) starts a fresh host for each program instead, whose engine runs its first half second or
// more unoptimized, which would hide most of what a benchmark compares. 'one-program' is such a host, as runGuest
// starts one (`flotilla run` runs its program in its own process: src/runtime/local-run.ts).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FRONT_ENDS_MODULE } from '../../src/front-ends.js'
import type { Outcome } from '../../src/runtime/api/types.js'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import { tempDir } from '../helpers/temp-dir.js'

interface Running {
  output: string
  exited: (outcome: Outcome) => void
  stopAt?: string
}

export class BenchHost {
  private next = 1

  private constructor(
    private readonly root: string,
    private readonly host: SandboxHost,
    private readonly running: Map<string, Running>,
  ) {}

  /** A node's host once its warm-up has ended, or a host for one program once it is ready. */
  static async start(kind: 'node' | 'one-program'): Promise<BenchHost> {
    const root = tempDir('flotilla-bench-host-')
    const running = new Map<string, Running>()
    let warmed!: () => void
    const warmUp = kind === 'node' ? new Promise<void>((r) => (warmed = r)) : undefined
    const host = await SandboxHost.start(
      root,
      {
        output: (id, text) => {
          const r = running.get(id)
          if (!r) return
          r.output += text
          if (r.stopAt !== undefined && r.output.includes(r.stopAt)) {
            r.stopAt = undefined
            host.stopVessel(id)
          }
        },
        exit: (id, outcome) => running.get(id)?.exited(outcome),
        warmedUp: () => warmed(),
      },
      { longLived: kind === 'node', frontEnds: FRONT_ENDS_MODULE },
    )
    await warmUp
    return new BenchHost(root, host, running)
  }

  /** The host's process id (for its cpu, from /proc). */
  get pid(): number {
    return this.host.pid!
  }

  /** Runs `source` as `program` in a vessel of its own, to its end, or stops it once its output holds `stopAt`. */
  async run(
    source: string,
    program: string,
    restrictions: string,
    stopAt?: string,
  ): Promise<{ output: string; outcome: Outcome }> {
    const id = `v${this.next++}`
    const cwd = join(this.root, id)
    mkdirSync(cwd)
    writeFileSync(join(cwd, program), source)
    const running: Running = { output: '', exited: () => undefined, stopAt }
    const ended = new Promise<Outcome>((r) => (running.exited = r))
    this.running.set(id, running)
    this.host.startVessel({
      vesselId: id,
      cwd,
      program,
      callargs: [],
      ip: '127.0.0.1',
      restrictions: parseRestrictions(restrictions),
    })
    const outcome = await ended
    this.running.delete(id)
    return { output: running.output, outcome }
  }

  /** Shuts the host down and removes its vessels' folder. */
  async close(): Promise<void> {
    await this.host.shutdown(30_000)
    rmSync(this.root, { recursive: true, force: true })
  }
}
