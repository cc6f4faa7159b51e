// The Repy V2 API as Python programs see it (test/repy/programs/api/*.r2py): one self-checking program per area,
// covering what repy_v2's own unit tests (testsV2) check, written afresh. Each logs nothing when all is right and
// `FAIL: <what>` lines otherwise, so each must end with its expected code and no output; log.r2py's output is its
// test, and the exitall programs end with exitall's code, 200.
// Where Flotilla deliberately differs from Repy the programs test Flotilla's behaviour and say so in a comment
// (e.g. a local IP other than the vessel's own or 127.x is ResourceForbiddenError).
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS, runGuest, type GuestRun } from '../helpers/run-guest.js'
import { limiter } from '../helpers/limiter.js'
import { EXITALL_CODE } from '../../src/runtime/api/threads.js'

const DIR = resolve(import.meta.dirname, 'programs', 'api')
const PROGRAMS = readdirSync(DIR)
  .filter((f) => f.endsWith('.r2py'))
  .sort()

const lines = (kind: string, ports: number[]) => ports.map((p) => `resource ${kind} ${p}\n`).join('')
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)
/** The programs use ports 21100-21199 (other suites use 20000-21099): TCP 21100-21119, UDP 21120-21139, 21140
 *  for both; 21150 is in neither, for ResourceForbiddenError. */
export const API_RESTRICTIONS =
  GENEROUS_RESTRICTIONS +
  lines('connport', [...range(21100, 21119), 21140]) +
  lines('messport', [...range(21120, 21139), 21140])

/** log(): Python 2's `print a,` for each argument, softspace carried across calls (see log.r2py). */
const LOG_OUTPUT =
  'a b \n' +
  'x\ny \n' +
  'one two\n' +
  "1 2.5 None True [1, 'a'] (2,) {'k': 3} \n" +
  'tab\tnext\n' +
  'space  x\n' +
  ' z\n' +
  '<shown> \n' +
  '7 8 \n' +
  'no newline at the end \n' +
  '\rcr\n'

const EXPECTED: Record<string, { output: string; code: number }> = {
  'log.r2py': { output: LOG_OUTPUT, code: 0 },
  'exitall.r2py': { output: '', code: EXITALL_CODE },
  'exitall_thread.r2py': { output: '', code: EXITALL_CODE },
}

/** Each program runs once, a few at a time. */
const limited = limiter(3)
const runs = new Map<string, Promise<GuestRun>>()
function run(name: string): Promise<GuestRun> {
  let result = runs.get(name)
  if (!result) {
    const source = readFileSync(join(DIR, name), 'utf8')
    result = limited(() => runGuest(source, { program: name, restrictions: API_RESTRICTIONS, timeoutMs: 60_000 }))
    result.catch(() => {}) // reported by the program's own test
    runs.set(name, result)
  }
  return result
}

describe('the Repy V2 API from Python programs', () => {
  it('finds the programs', () => {
    expect(PROGRAMS).toEqual(
      expect.arrayContaining([
        'files.r2py',
        'locks.r2py',
        'threads.r2py',
        'tcp.r2py',
        'udp.r2py',
        'getresources.r2py',
        'basics.r2py',
        'log.r2py',
        'exitall.r2py',
        'exitall_thread.r2py',
        'virtualnamespace.r2py',
        'getlasterror.r2py',
      ]),
    )
  })

  for (const name of PROGRAMS) void run(name)

  for (const name of PROGRAMS) {
    const expected = EXPECTED[name] ?? { output: '', code: 0 }
    it(`${name} ${expected.code === 0 ? 'passes its own checks' : `ends with code ${expected.code}`}`, async () => {
      const { output, outcome } = await run(name)
      expect(output).toBe(expected.output)
      expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: expected.code })
    }, 120_000)
  }

  it('createthread of a function that needs arguments fails in the new thread, not in the caller', async () => {
    const source = 'def f(x):\n  pass\ncreatethread(f)\nlog("started\\n")\nsleep(0.5)\nlog("FAIL: still running\\n")\n'
    const { output, outcome } = await limited(() => runGuest(source, { program: 'arity.r2py' }))
    expect(output).toBe('started\n')
    expect(outcome).toMatchObject({ status: 'Terminated', code: 30 })
    expect(outcome.reason).toContain('f() takes exactly 1 argument (0 given)')
  }, 60_000)

  it('a thread waiting on a rate quota waits alone: the other threads run meanwhile', async () => {
    // 60,000 bytes at 20,000 bytes/s: the writer waits about 2 s after its write. The main thread, sleeping 0.05 s
    // between ticks, counts about 40 in that time; had the wait held the whole program, it would count 1 or 2.
    const source = [
      'mycontext["ticks"] = 0',
      'mycontext["done"] = False',
      'def writer():',
      '  f = openfile("big.dat", True)',
      '  f.writeat("x" * 60000, 0)',
      '  mycontext["ticks_at_write"] = mycontext["ticks"]',
      '  f.close()',
      '  mycontext["done"] = True',
      'createthread(writer)',
      'while not mycontext["done"]:',
      '  mycontext["ticks"] += 1',
      '  sleep(0.05)',
      'log("ticks during the wait:", mycontext["ticks_at_write"] > 10, "\\n")',
      '',
    ].join('\n')
    const restrictions = GENEROUS_RESTRICTIONS.replace(/resource filewrite \d+/, 'resource filewrite 20000')
    const { output, outcome } = await limited(() => runGuest(source, { program: 'quota.r2py', restrictions }))
    expect(outcome.code).toBe(0)
    expect(output).toBe('ticks during the wait: True \n')
  }, 60_000)
})
