// Hostile Repy programs: what they try is refused with Repy's errors, and what they cannot be refused (a busy loop,
// a memory bomb, runaway recursion) harms only their own vessel.
import { afterAll, describe, expect, it } from 'vitest'
import { type GuestOptions } from '../helpers/run-guest.js'
import { sharedGuestHost } from '../helpers/shared-host.js'
import { restrict } from '../helpers/restrict.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts): what one does
// must harm no other vessel of the host, nor the next one.
const host = sharedGuestHost()
afterAll(() => host.close())

const py = (source: string, options: GuestOptions = {}) => host.run(source, { program: 'hostile.r2py', ...options })

describe('hostile Repy programs', () => {
  it.each([
    ['a dunder attribute', 'x = (1).__class__', "Unsafe string '__class__' in line 3, node attribute 'attrname'"],
    ['a frame attribute', 'def f():\n  pass\ng = f.func_globals', "Unsafe string 'func_globals' in line 5"],
    ['an import', 'import os', "Unsafe call 'Import' in line 3"],
    ['exec', 'exec "log(1)"', "Unsafe call 'Exec' in line 3"],
    ['a lambda', 'f = lambda: 1', "Unsafe call 'Lambda' in line 3"],
    ['global', 'def f():\n  global x\n  x = 1', "Unsafe call 'Global' in line 4"],
    ['encode', 'x = "a".encode("hex")', "Unsafe string 'encode' in line 3"],
  ])('%s is refused before anything runs (code 5)', async (_what, source, message) => {
    const { output, outcome } = await py(`mycontext['ran'] = True\nlog("ran\\n")\n${source}\n`)
    expect(outcome.code).toBe(5)
    // Repy's verdict holds the message inside a tuple's repr, its quotes escaped
    expect(outcome.reason).toContain(message.replaceAll("'", "\\'"))
    expect(output).not.toContain('ran\n') // lines 1 and 2 never ran
  })

  it('forbidden builtins exist but raise RunBuiltinException when called', async () => {
    const { output, outcome } = await py(
      [
        'try:',
        '  open("x")',
        '  log("FAIL: open worked\\n")',
        'except Exception, e:',
        '  log(str(e)[:18], "\\n")',
        'log(type(type(0)) is type(type(type(0))), "\\n")',
        'getattr(1, "real")',
        '',
      ].join('\n'),
    )
    expect(output).toBe("Unsafe call 'open' \nTrue \n")
    expect(outcome.code).toBe(6)
    expect(outcome.reason).toContain("Unsafe call: Unsafe call 'getattr'")
  })

  it('JavaScript globals are not Python names', async () => {
    const { output, outcome } = await py(
      [
        'for probe in ["globalThis", "Function", "Promise", "callargs"]:',
        '  try:',
        '    v = createvirtualnamespace("x = " + probe, "probe").evaluate({})',
        '    log(probe, "visible\\n")',
        '  except NameError:',
        '    log(probe, "hidden\\n")',
        '',
      ].join('\n'),
    )
    expect(outcome.code).toBe(0)
    expect(output).toBe('globalThis hidden\nFunction hidden\nPromise hidden\ncallargs hidden\n')
  })

  it('code nested deeper than the compiler can follow is refused, as a program and in a namespace', async () => {
    const deep = '('.repeat(50_000) + '1' + ')'.repeat(50_000)
    const program = await py(`x = ${deep}\n`)
    expect(program.outcome.code).toBe(5)
    expect(program.outcome.reason).toContain('the code is nested too deeply to compile')
    const namespace = await py(
      [
        'try:',
        '  createvirtualnamespace("x = " + "-" * 100000 + "1", "deep")',
        'except CodeUnsafeError, e:',
        '  log(str(e), "\\n")',
        '',
      ].join('\n'),
    )
    expect(namespace.outcome.code).toBe(0)
    expect(namespace.output).toBe(
      'Code failed safety check! Error: ("<type \'exceptions.MemoryError\'> the code is nested too deeply to compile",) \n',
    )
  })

  it('runaway recursion is a RuntimeError the program can catch', async () => {
    const { output, outcome } = await py(
      [
        'def down(n):',
        '  return down(n + 1)',
        'try:',
        '  down(0)',
        'except RuntimeError, e:',
        '  log("caught:", str(e), "\\n")',
        'log("still running\\n")',
        '',
      ].join('\n'),
    )
    expect(outcome.code).toBe(0)
    expect(output).toBe('caught: maximum recursion depth exceeded \nstill running\n')
  })

  it('a giant exception message or a deep traceback ends the program with a capped reason', async () => {
    const cut = /\n\[\.\.\. cut: \d+ more characters\]/
    const big = await py('raise RepyArgumentError("m" * 20000000)\n', {
      restrictions: restrict({ memory: 200_000_000 }),
    })
    expect(big.outcome.code).toBe(6)
    expect(big.outcome.reason.length).toBeLessThanOrEqual(4096)
    expect(big.outcome.reason).toMatch(
      new RegExp(`Exception \\(with class 'exception_hierarchy.RepyArgumentError'\\): m+${cut.source}\n---\n$`),
    )
    const thread = await py('def f():\n  raise ValueError("t" * 20000000)\ncreatethread(f)\n', {
      restrictions: restrict({ memory: 200_000_000 }),
    })
    expect(thread.outcome.code).toBe(30)
    expect(thread.outcome.reason.length).toBeLessThanOrEqual(4096)
    expect(thread.outcome.reason).toMatch(cut)
    const deep = await py('def down(n):\n  if n == 0:\n    raise ValueError("bottom")\n  down(n - 1)\ndown(300)\n')
    expect(deep.outcome.code).toBe(6)
    expect(deep.outcome.reason.length).toBeLessThanOrEqual(4096)
    expect(deep.outcome.reason).toMatch(/ {2}\.\.\. 287 more frames\n/)
    expect(deep.outcome.reason).toContain("Exception (with type 'exceptions.ValueError'): bottom\n---")
  }, 60_000)

  it('a memory bomb ends the program with code 98', async () => {
    const { outcome } = await py('x = ["a" * 1000]\nwhile True:\n  x = x + x\n', {
      restrictions: restrict({ memory: 20_000_000 }),
    })
    expect(outcome).toMatchObject({ status: 'Terminated', code: 98 })
  })

  it('a busy loop in every thread is still stopped on request', async () => {
    const { output, outcome } = await py(
      [
        'def spin():',
        '  log("thread spinning\\n")',
        '  while True:',
        '    pass',
        'createthread(spin)',
        'log("main spinning\\n")',
        'while True:',
        '  pass',
        '',
      ].join('\n'),
      { stopWhen: (o) => o.includes('thread spinning\n') && o.includes('main spinning\n') },
    )
    expect(output.split('\n').sort()).toEqual(['', 'main spinning', 'thread spinning'])
    expect(outcome.status).toBe('Stopped')
  })

  it('a thread cannot outlive exitall(), and finally blocks do not run', async () => {
    const { output, outcome } = await py(
      [
        'def forever():',
        '  try:',
        '    while True:',
        '      sleep(0.01)',
        '  finally:',
        '    log("FAIL: finally ran\\n")',
        'createthread(forever)',
        'sleep(0.1)',
        'exitall()',
        'log("FAIL: after exitall\\n")',
        '',
      ].join('\n'),
    )
    expect(output).toBe('')
    expect(outcome.code).toBe(200)
  })
})
