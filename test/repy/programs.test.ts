// Repy language programs (test/repy/programs/*.r2py) run in the real sandbox. Each checks one area of the
// Python 2 subset Repy allows, logs `FAIL: <what>` lines for what is wrong (like repy_v2's own tests) and ends by
// logging how many checks it ran (`checks: <n>`, counted by its check helpers as they run). Its whole output must be
// that line with the count below, so a FAIL line fails the test, and so does a compiler that drops statements (the
// count falls short). The programs in programs/failing/ must fail in a given way.
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { limiter } from '../helpers/limiter.js'
import { runGuest, type GuestOptions, type GuestRun } from '../helpers/run-guest.js'
import { sharedGuestHost } from '../helpers/shared-host.js'

const DIR = resolve(import.meta.dirname, 'programs')
const FAILING = join(DIR, 'failing')
const source = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8')

/** Libraries imported by other programs, not programs themselves. */
const LIBRARIES = ['mylib.r2py', 'helper.r2py']
/** Per-program options beyond the defaults. */
const OPTIONS: Record<string, GuestOptions> = {
  'callargs.r2py': { args: ['one', 'two words', '', '--flag'] },
  'dylink.r2py': { files: Object.fromEntries(LIBRARIES.map((f) => [f, source(DIR, f)])) },
}
/** How many checks each program runs; a change to a program changes its count here. */
const CHECKS: Record<string, number> = {
  'builtins.r2py': 93,
  'callargs.r2py': 9,
  'classes.r2py': 66,
  'control.r2py': 51,
  'dicts.r2py': 63,
  'direct_calls.r2py': 26,
  'dylink.r2py': 10,
  'floats.r2py': 114,
  'getlasterror.r2py': 11,
  'int_loops.r2py': 51,
  'ints.r2py': 106,
  'lists.r2py': 74,
  'longs.r2py': 112,
  'numeric_loops.r2py': 26,
  'sets.r2py': 35,
  'strings.r2py': 170,
  'threads.r2py': 9,
  'tuples.r2py': 41,
  'virtualnamespace.r2py': 11,
}
const PROGRAMS = readdirSync(DIR)
  .filter((f) => f.endsWith('.r2py') && !LIBRARIES.includes(f))
  .sort()

/** Each program runs once, a few at a time, as a vessel of one sandbox host (the failing ones below each in its own,
 *  as `flotilla run` runs them). */
const limited = limiter(3)
const host = sharedGuestHost()
afterAll(() => host.close())
const runs = new Map<string, Promise<GuestRun>>()
function runProgramFile(name: string): Promise<GuestRun> {
  let run = runs.get(name)
  if (!run) {
    run = limited(() => host.run(source(DIR, name), { program: name, timeoutMs: 60_000, ...OPTIONS[name] }))
    run.catch(() => {}) // reported by the program's own test
    runs.set(name, run)
  }
  return run
}

describe('Repy language programs', () => {
  it('finds the programs', () => {
    expect(PROGRAMS).toEqual(Object.keys(CHECKS).sort())
  })

  // start them all now, a few at a time; each test then waits for its own
  for (const name of PROGRAMS) void runProgramFile(name)

  for (const name of PROGRAMS) {
    it(`${name} passes its ${CHECKS[name] ?? '(unlisted)'} checks`, async () => {
      const { output, outcome } = await runProgramFile(name)
      expect(output).toBe(`checks: ${CHECKS[name] ?? 'not listed in CHECKS'}\n`)
      expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: 0 })
    }, 120_000)
  }
})

function failing(name: string, options: GuestOptions = {}) {
  return runGuest(source(FAILING, name), { program: name, ...options })
}

/** The frame lines of the traceback (`"file", line N, in func`), in order. */
function frames(reason: string): string[] {
  return reason
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^".*", line \d+, in /.test(l))
}

describe('Repy programs that fail', () => {
  it('an uncaught exception ends with code 6 and a traceback of the user frames', async () => {
    const { output, outcome } = await failing('uncaught.r2py')
    expect(output).toBe('before\n')
    expect(outcome).toMatchObject({ status: 'Terminated', code: 6 })
    const user = [
      '"uncaught.r2py", line 11, in <module>',
      '"uncaught.r2py", line 3, in foo',
      '"uncaught.r2py", line 8, in bar',
    ]
    // the full traceback, then the user traceback: both end with the user's frames, in order
    const shown = frames(outcome.reason)
    expect(shown.slice(-3)).toEqual(user)
    expect(outcome.reason).toContain('Uncaught exception!')
    expect(outcome.reason).toContain('User traceback:')
    expect(outcome.reason).toContain(
      "Exception (with type 'exceptions.TypeError'): unsupported operand type(s) for +: 'int' and 'str'",
    )
  })

  it('an import is refused before the program runs: code 5, naming the line', async () => {
    const { output, outcome } = await failing('unsafe.r2py')
    // As repy.py does, the two lines go to the program's output as well.
    expect(output).toMatch(/^Specified repy program is unsafe!\nStatic-code analysis failed with error: .*\n$/)
    expect(outcome.code).toBe(5)
    // repy.py's text to the character: the check's exception, wrapped twice in a tuple's repr
    expect(output).toBe(
      'Specified repy program is unsafe!\nStatic-code analysis failed with error: Code failed safety check! Error: ' +
        "('<class \\'exception_hierarchy.CheckNodeException\\'> (\"Unsafe call \\'Import\\' in line 3\",)',)\n",
    )
    expect(outcome.reason).toContain("Unsafe call \\'Import\\' in line 3")
  })

  it('a double-underscore name is refused before the program runs', async () => {
    const { output, outcome } = await failing('unsafe_attribute.r2py')
    // As repy.py does, the two lines go to the program's output as well.
    expect(output).toMatch(/^Specified repy program is unsafe!\nStatic-code analysis failed with error: .*\n$/)
    expect(outcome.code).toBe(5)
    expect(outcome.reason).toContain(
      "('<class \\'exception_hierarchy.CheckStrException\\'> (\"Unsafe string \\'__class__\\' in line 2",
    )
  })

  it('a syntax error ends with code 5, naming the line', async () => {
    const { output, outcome } = await failing('syntax.r2py')
    // As repy.py does, the two lines go to the program's output as well.
    expect(output).toMatch(/^Specified repy program is unsafe!\nStatic-code analysis failed with error: .*\n$/)
    expect(outcome.code).toBe(5)
    expect(outcome.reason).toContain("(\"<type 'exceptions.SyntaxError'> ")
    expect(outcome.reason).toContain('(line 3)",)')
  })

  it('an uncaught exception in a thread ends the program with code 30', async () => {
    const { output, outcome } = await failing('thread_exception.r2py')
    expect(output).toBe('')
    expect(outcome.code).toBe(30)
    expect(outcome.reason).toContain('"thread_exception.r2py", line 4, in bad')
    expect(outcome.reason).toContain('thread failure')
    expect(outcome.reason).toContain('ValueError')
  })

  it('a FAIL line from a self-checking program shows as output', async () => {
    const { output, outcome } = await runGuest('if 1 + 1 != 3:\n  log("FAIL: arithmetic\\n")\n', {
      program: 'selfcheck.r2py',
    })
    expect(output).toBe('FAIL: arithmetic\n')
    expect(outcome.code).toBe(0)
  })
})
