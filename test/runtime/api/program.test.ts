// How a program runs and ends (docs/REPY.md, 'Program context' and 'Exit codes'): callargs, mycontext, and exit codes.
import { afterAll, describe, expect, it } from 'vitest'
import { sharedGuestHost } from '../../helpers/shared-host.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

describe('program end', () => {
  it('ends when main and every thread have finished', async () => {
    const { output, outcome } = await host.run(`
createthread(async () => { await sleep(0.3); log('thread end\\n') })
log('main end\\n')`)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0, reason: 'finished' })
    expect(output).toBe('main end\nthread end\n')
  })

  it('does not wait for a sleep nobody awaits', async () => {
    const { output, outcome } = await host.run(
      `
sleep(60).then(() => log('woke'))
log('main end')`,
      { timeoutMs: 20_000 },
    )
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe('main end')
  })

  it('ends with code 6 and the message and line of an uncaught exception in main', async () => {
    const { output, outcome } = await host.run(`log('before ')
const x = 1
throw new FileError('it broke')
log('after')`)
    expect(output).toBe('before ')
    expect(outcome.status).toBe('Terminated')
    expect(outcome.code).toBe(6)
    expect(outcome.reason).toContain('FileError: it broke')
    expect(outcome.reason).toContain('main.js:3')
  })

  it('ends with code 6 for an uncaught exception after an await', async () => {
    const { outcome } = await host.run(`await sleep(0.01)\nnull.property`)
    expect(outcome.code).toBe(6)
    expect(outcome.reason).toContain('TypeError')
    expect(outcome.reason).toContain('main.js:2')
  })

  it('ends with code 6 for a runtime error before the first await', async () => {
    const { outcome } = await host.run(`const o = null\no.property`)
    expect(outcome.code).toBe(6)
    expect(outcome.reason).toContain('TypeError')
  })

  it('ends with code 5 for a syntax error, naming the line', async () => {
    const { output, outcome } = await host.run(`log('never')\nlog('x'\n`)
    expect(output).toBe('')
    expect(outcome.code).toBe(5)
    expect(outcome.reason).toContain('SyntaxError')
    expect(outcome.reason).toMatch(/main\.js:[23]/)
  })
})

describe('callargs and mycontext', () => {
  it('gives callargs as a frozen array of strings and mycontext as a shared object', async () => {
    const { output, outcome } = await host.run(
      CHECKS +
        String.raw`
check('callargs', () => callargs)
check('is array', () => Array.isArray(callargs))
check('frozen', () => Object.isFrozen(callargs))
check('push', () => callargs.push('x'))
check('assign element', () => { callargs[0] = 'changed' })
check('reassign', () => { callargs = [] })
check('unchanged', () => callargs)
check('mycontext', () => [typeof mycontext, Object.keys(mycontext).length])
mycontext.count = 0
createthread(() => { mycontext.count += 1; mycontext.fromThread = getthreadname() })
createthread(async () => { await sleep(0.02); mycontext.count += 1 })
while (mycontext.count < 2) await sleep(0.01) // the threads' writes, whenever they come (the test's timeout bounds it)
check('shared', () => mycontext)
`,
      { args: ['one', '--ip', 'x y', ''] },
    )
    const r = results(output)
    expect(outcome.code).toBe(0)
    expect(okValue(r, 'callargs')).toEqual(['one', '--ip', 'x y', ''])
    expect(okValue(r, 'is array')).toBe(true)
    expect(okValue(r, 'frozen')).toBe(true)
    expect(r.get('push')).toBe('TypeError')
    expect(r.get('assign element')).toBe('TypeError')
    expect(r.get('reassign')).toBe('TypeError')
    expect(okValue(r, 'unchanged')).toEqual(['one', '--ip', 'x y', ''])
    expect(okValue(r, 'mycontext')).toEqual(['object', 0])
    expect(okValue(r, 'shared')).toEqual({ count: 2, fromThread: '_EVENT:Thread:1' })
  })
})
