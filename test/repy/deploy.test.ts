// A Repy program deployed from the shell to vessels on real node managers: uploaded, started, its log read back,
// the same as a JavaScript program.
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { flotilla, jsonLines, PROJECT, startTestbed, type Testbed } from '../shell/helpers.js'

let bed: Testbed

beforeAll(async () => {
  bed = await startTestbed(2, 1)
  copyFileSync(join(PROJECT, 'examples', 'example.1.1.r2py'), join(bed.dir, 'example.1.1.r2py'))
  writeFileSync(
    join(bed.dir, 'threads.r2py'),
    [
      // Each thread sleeps until the one before it is done: the order is fixed by the program, not by timing.
      'def worker(n):',
      '  def run():',
      '    while len(mycontext["done"]) < n - 1:',
      '      sleep(0.01)',
      '    mycontext["done"].append(n)',
      '  return run',
      'mycontext["done"] = []',
      'for i in [3, 1, 2]:',
      '  createthread(worker(i))',
      'while len(mycontext["done"]) < 3:',
      '  sleep(0.01)',
      'log("order", mycontext["done"], "args", callargs, "\\n")',
      '',
    ].join('\n'),
  )
  writeFileSync(join(bed.dir, 'broken.r2py'), 'def f():\n  return {}["missing"]\nf()\n')
}, 60_000)

afterAll(async () => {
  await bed?.stop()
})

const script = (...commands: string[]) => ['loadkeys alice', 'contact nodes.txt', 'on %all', ...commands].join('; ')
const logs = (out: ReturnType<typeof jsonLines>) => {
  const showLog = out.find((l) => l.command === 'show log')
  return Object.values((showLog as unknown as { results: Record<string, string> }).results)
}

describe('Repy programs on node managers', () => {
  it('the shell runs a .r2py program on every vessel and reads its log', async () => {
    const run = await flotilla(['shell', '--json', '-c', script('run example.1.1.r2py', 'wait', 'show log')], bed.dir)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const found = logs(jsonLines(run.stdout))
    expect(found).toHaveLength(2)
    for (const log of found) expect(log).toContain('Hello World\n')
  }, 60_000)

  it('threads, sleep and callargs work in a vessel', async () => {
    const run = await flotilla(
      ['shell', '--json', '-c', script('run threads.r2py one two', 'wait', 'show log')],
      bed.dir,
    )
    expect(run.code).toBe(0)
    for (const log of logs(jsonLines(run.stdout))) expect(log).toContain("order [1, 2, 3] args ['one', 'two'] \n") // Python 2's print: a space before the last item
  }, 60_000)

  it("an uncaught exception leaves Repy's traceback in the vessel log", async () => {
    const run = await flotilla(
      ['shell', '--json', '-c', script('run broken.r2py', 'wait', 'list', 'show log')],
      bed.dir,
    )
    expect(run.code).toBe(0)
    const out = jsonLines(run.stdout)
    const list = out.find((l) => l.command === 'list') as unknown as { data: Array<{ status: string }> }
    expect(list.data.map((v) => v.status)).toEqual(['Terminated', 'Terminated'])
    for (const log of logs(out)) {
      expect(log).toContain('Uncaught exception!')
      expect(log).toContain('  "broken.r2py", line 3, in <module>\n  "broken.r2py", line 2, in f\n')
      expect(log).toContain("Exception (with type 'exceptions.KeyError'): 'missing'")
    }
  }, 60_000)
})
