// Guest programs of one test file as vessels of one real sandbox host (dist/), as a node runs them, instead of a
// host process per program (runGuest): a host's start (Node, the host's modules, QuickJS's WebAssembly) cost each
// program about 0.15 s of a core, most of what a short program costs. For files that check what programs do, not
// how `flotilla run` or a host's start behaves. Same options and result as runGuest.
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { FRONT_ENDS_MODULE } from '../../src/front-ends.js'
import type { Outcome } from '../../src/runtime/api/types.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import { GUEST_TIMEOUT_MS, guestProgram, type GuestOptions, type GuestRun } from './run-guest.js'
import { tempDir } from './temp-dir.js'

interface Running {
  output: string
  stopWhen: GuestOptions['stopWhen']
  done: (outcome: Outcome) => void
}

export interface SharedGuestHost {
  /** Runs `source` as a vessel of the shared host (started at the first run) and resolves when it ends. */
  run(source: string, options?: GuestOptions): Promise<GuestRun>
  /** Stops the host; for the file's afterAll. */
  close(): Promise<void>
  /** The host's process id (started at the first run). */
  pid(): Promise<number>
}

export function sharedGuestHost(): SharedGuestHost {
  const root = tempDir('flotilla-test-host-')
  const running = new Map<string, Running>()
  let next = 0
  let host: Promise<SandboxHost> | undefined
  const started = (): Promise<SandboxHost> =>
    (host ??= SandboxHost.start(
      root,
      {
        output: (id, text) => {
          const r = running.get(id)
          if (r === undefined) return
          r.output += text
          if (r.stopWhen?.(r.output)) void started().then((h) => h.stopVessel(id, 'stopped by the test'))
        },
        exit: (id, outcome) => running.get(id)?.done(outcome),
        crash: (reason) => {
          for (const r of running.values()) r.done({ status: 'Terminated', code: 70, reason })
        },
      },
      // a spare thread booted ahead for each next vessel, as in a node; no warm-up (programs are short)
      { frontEnds: FRONT_ENDS_MODULE, longLived: true, warmUp: false },
    ))
  return {
    async run(source, options = {}) {
      const h = await started()
      const id = `v${next++}`
      const dir = mkdtempSync(join(root, `${id}-`))
      const { args, ...spec } = guestProgram(dir, source, options)
      const outcome = new Promise<Outcome>((done) => running.set(id, { output: '', stopWhen: options.stopWhen, done }))
      const timer = setTimeout(() => h.stopVessel(id, 'test timeout'), options.timeoutMs ?? GUEST_TIMEOUT_MS)
      h.startVessel({ vesselId: id, ...spec, callargs: args })
      try {
        const ended = await outcome
        return { output: running.get(id)!.output, outcome: ended, dir }
      } finally {
        clearTimeout(timer)
        running.delete(id)
        if (!options.keepDir) rmSync(dir, { recursive: true, force: true })
      }
    },
    async close() {
      if (host !== undefined) await (await host).shutdown()
      rmSync(root, { recursive: true, force: true })
    },
    async pid() {
      return (await started()).pid!
    },
  }
}
