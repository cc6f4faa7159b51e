// Repy programs' API behaviour beyond single calls (what each call gives and raises is in the conformance table,
// test/conformance/): log's output (log.r2py, compared whole), exitall from main and from a thread (code 200;
// exitall.r2py logs its count of checks first), a thread function that needs arguments, a file an `openfile`
// statement discards, a lock handed to its waiter, and a thread waiting alone on a rate quota. FAIL lines in the output fail the test, as any other output does.
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS, type GuestRun } from '../helpers/run-guest.js'
import { sharedGuestHost } from '../helpers/shared-host.js'
import { limiter } from '../helpers/limiter.js'
import { EXITALL_CODE } from '../../src/runtime/api/threads.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

const DIR = resolve(import.meta.dirname, 'programs', 'api')
const PROGRAMS = readdirSync(DIR)
  .filter((f) => f.endsWith('.r2py'))
  .sort()

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
  'exitall.r2py': { output: 'checks: 1\n', code: EXITALL_CODE },
  // nothing before its exitall to count: what it checks is that nothing runs after it
  'exitall_thread.r2py': { output: '', code: EXITALL_CODE },
}

/** Each program runs once, a few at a time. */
const limited = limiter(3)
const runs = new Map<string, Promise<GuestRun>>()
function run(name: string): Promise<GuestRun> {
  let result = runs.get(name)
  if (!result) {
    const source = readFileSync(join(DIR, name), 'utf8')
    result = limited(() => host.run(source, { program: name, timeoutMs: 60_000 }))
    result.catch(() => {}) // reported by the program's own test
    runs.set(name, result)
  }
  return result
}

describe('the Repy V2 API from Python programs', () => {
  it('finds the programs', () => {
    expect(PROGRAMS).toEqual(Object.keys(EXPECTED).sort())
  })

  for (const name of PROGRAMS) void run(name)

  for (const name of PROGRAMS) {
    const expected = EXPECTED[name] ?? { output: 'not in EXPECTED', code: 0 }
    it(`${name} ends with code ${expected.code} and the expected output`, async () => {
      const { output, outcome } = await run(name)
      expect(output).toBe(expected.output)
      expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: expected.code })
    }, 120_000)
  }

  it('createthread of a function that needs arguments fails in the new thread, not in the caller', async () => {
    const source = 'def f(x):\n  pass\ncreatethread(f)\nlog("started\\n")\nsleep(0.5)\nlog("FAIL: still running\\n")\n'
    const { output, outcome } = await limited(() => host.run(source, { program: 'arity.r2py' }))
    expect(output).toBe('started\n')
    expect(outcome).toMatchObject({ status: 'Terminated', code: 30 })
    expect(outcome.reason).toContain('f() takes exactly 1 argument (0 given)')
  }, 60_000)

  it('a statement openfile(name, True) on its own closes the file, as CPython did; a kept file stays open', async () => {
    const source = [
      'openfile("made.txt", True)',
      'removefile("made.txt")',
      'kept = openfile("kept.txt", True)',
      'try:',
      '  removefile("kept.txt")',
      '  log("FAIL: a file held in a name was closed\\n")',
      'except FileInUseError:',
      '  pass',
      'kept.close()',
      'log(listfiles(), "\\n")',
      '',
    ].join('\n')
    const { output, outcome } = await limited(() => host.run(source, { program: 'discard.r2py' }))
    expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe("['discard.r2py', 'kept.txt'] \n")
  }, 60_000)

  it('a lock released by a thread that keeps computing passes to its waiter at once', async () => {
    // Repy locks live in the guest: the waiter must run while the releasing thread is still busy, not after it
    const source = [
      'mycontext["got"] = False',
      'lock = createlock()',
      'lock.acquire(True)',
      'def waiter():',
      '  lock.acquire(True)',
      '  mycontext["got"] = True',
      'createthread(waiter)',
      'sleep(0.05)',
      'lock.release()',
      'released = getruntime()',
      'while not mycontext["got"] and getruntime() - released < 20:',
      '  pass',
      'log(mycontext["got"], lock.acquire(False), "\\n")',
      '',
    ].join('\n')
    const { output, outcome } = await limited(() => host.run(source, { program: 'handoff.r2py' }))
    expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe('True False \n')
  }, 60_000)

  it("a lock's methods called with a wrong argument count or type raise RepyArgumentError, from one call site too", async () => {
    const source = [
      'lock = createlock()',
      'def call(f, args):',
      '  try:',
      '    return f(*args)',
      '  except RepyArgumentError, e:',
      '    return str(e)',
      'def acquire(l, b):',
      '  return l.acquire(b)',
      'out = [call(lock.acquire, ()), call(lock.acquire, (True, 1)), call(lock.release, (1,))]',
      'out += [acquire(lock, True), acquire(lock, False)]',
      'try:',
      '  acquire(lock, 1)',
      'except RepyArgumentError, e:',
      '  out.append(str(e))',
      'lock.release()',
      'try:',
      '  lock.release()',
      'except LockDoubleReleaseError:',
      '  out.append("double")',
      'log(out, "\\n")',
      '',
    ].join('\n')
    const { output, outcome } = await limited(() => host.run(source, { program: 'lockargs.r2py' }))
    expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe(
      "['acquire() takes exactly 1 argument (0 given)', 'acquire() takes exactly 1 argument (2 given)', " +
        "'release() takes exactly 0 arguments (1 given)', True, False, 'acquire: expected a bool, got 1', 'double'] \n",
    )
  }, 60_000)

  it('the API functions of no arguments, given some, raise RepyArgumentError as Repy words it', async () => {
    const names = [
      'getruntime',
      'randombytes',
      'getmyip',
      'getthreadname',
      'exitall',
      'createlock',
      'listfiles',
      'getresources',
      'getlasterror',
    ]
    const source = [
      'def call(f, args):',
      '  try:',
      '    f(*args)',
      '    return "no error"',
      '  except RepyArgumentError, e:',
      '    return str(e)',
      `out = [call(f, (1,)) for f in [${names.join(', ')}]]`,
      'out.append(call(getruntime, (1, 2)))',
      'def direct():',
      '  try:',
      '    getruntime(5)',
      '  except RepyArgumentError, e:',
      '    return str(e)',
      'out.append(direct())',
      'log(out, type(getruntime()) is float, "\\n")',
      '',
    ].join('\n')
    const { output, outcome } = await limited(() => host.run(source, { program: 'zeroargs.r2py' }))
    expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: 0 })
    const one = (f: string) => `'${f}() takes exactly 0 arguments (1 given)'`
    expect(output).toBe(
      `[${names.map(one).join(', ')}, ` +
        `'getruntime() takes exactly 0 arguments (2 given)', ${one('getruntime')}] True \n`,
    )
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
    const { output, outcome } = await limited(() => host.run(source, { program: 'quota.r2py', restrictions }))
    expect(outcome.code).toBe(0)
    expect(output).toBe('ticks during the wait: True \n')
  }, 60_000)
})
