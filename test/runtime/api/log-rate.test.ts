// lograte is charged before the output: a log larger than the rate's one-second bucket goes out in pieces, each
// once the bucket has room for it, so the level never exceeds the quota; a program stopped meanwhile stops.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../../src/runtime/sandbox.js'
import { FRONT_ENDS_MODULE } from '../../../src/front-ends.js'
import type { Outcome } from '../../../src/runtime/api/types.js'
import { GENEROUS_RESTRICTIONS } from '../../helpers/run-guest.js'

const root = mkdtempSync(join(tmpdir(), 'flotilla-lograte-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
const restrictions = parseRestrictions(GENEROUS_RESTRICTIONS.replace(/resource lograte \d+/, 'resource lograte 1000'))

interface Watched {
  host: SandboxHost
  /** Each output event as it arrived. */
  pieces: string[]
  firstPiece: Promise<string>
  ended: Promise<Outcome>
}

async function start(program: string, source: string): Promise<Watched> {
  const dir = mkdtempSync(join(root, 'v-'))
  writeFileSync(join(dir, program), source)
  const pieces: string[] = []
  let first!: (t: string) => void
  let end!: (o: Outcome) => void
  const firstPiece = new Promise<string>((r) => {
    first = r
  })
  const ended = new Promise<Outcome>((r) => {
    end = r
  })
  const host = await SandboxHost.start(
    dir,
    {
      output: (_id, text) => {
        pieces.push(text)
        if (pieces.length === 1) first(text)
      },
      exit: (_id, outcome) => end(outcome),
      crash: (reason) => end({ status: 'Terminated', code: 70, reason }),
    },
    { frontEnds: FRONT_ENDS_MODULE },
  )
  host.startVessel({ vesselId: 'v', cwd: dir, program, callargs: [], ip: '127.0.0.1', restrictions })
  return { host, pieces, firstPiece, ended }
}

/** Waits for the program's normal end and answers its pieces of output that are the 5000 y's: five of them. */
async function fivePiecesOfY(w: Watched): Promise<string[]> {
  const outcome = await w.ended
  await w.host.shutdown()
  expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
  const ys = w.pieces.filter((p) => p.startsWith('y'))
  expect(ys.join('')).toBe('y'.repeat(5000))
  expect(ys.length).toBe(5)
  return ys
}

describe('lograte', () => {
  it("writes a 5000-byte log at 1000 bytes/s in pieces of at most 1000 bytes, taking 4 s of the program's time", async () => {
    const w = await start(
      'main.js',
      `
const t0 = getruntime()
log('y'.repeat(5000))
const took = getruntime() - t0
log('\\n' + JSON.stringify({ took, level: getresources()[1].lograte }))`,
    )
    const ys = await fivePiecesOfY(w)
    for (const p of ys) expect(p.length).toBeLessThanOrEqual(1000)
    const report = JSON.parse(w.pieces.join('').split('\n')[1]!) as { took: number; level: number }
    // The bucket starts empty: the first 1000 bytes go at once, each next 1000 once a second has drained.
    expect(report.took).toBeGreaterThanOrEqual(3.9)
    expect(report.level).toBeLessThanOrEqual(1000)
  })

  it('makes only the logging thread of a Repy program wait, and its usage never exceeds the bucket', async () => {
    const w = await start(
      'main.r2py',
      `
levels = []
done = [False]
def watch():
  while not done[0]:
    levels.append(getresources()[1]['lograte'])
    sleep(0.05)
createthread(watch)
start = getruntime()
log('y' * 5000)
took = getruntime() - start
done[0] = True
sleep(0.1)
log('\\n', took >= 3.9, len(levels) > 10, max(levels) <= 1000, '\\n')
`,
    )
    await fivePiecesOfY(w)
    expect(w.pieces.join('').split('\n')[1]).toBe('True True True ')
  })

  it.each([
    ['main.js', `log('y'.repeat(1000000))`],
    ['main.r2py', `log('y' * 1000000)`],
  ])('stops a program (%s) waiting in a long log', async (program, source) => {
    const w = await start(program, source)
    expect((await w.firstPiece).length).toBe(1000)
    w.host.stopVessel('v')
    const outcome = await w.ended
    await w.host.shutdown()
    expect(outcome).toMatchObject({ status: 'Stopped', code: 44 })
    expect(w.pieces.join('').length).toBeLessThan(1000000)
  })
})
