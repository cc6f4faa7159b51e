// How threads end a program (docs/REPY.md, 'Threads and locks', 'Exit codes'): an uncaught exception in a thread,
// exitall from main and from a thread. Each call's arguments, results and errors are in the conformance table
// (test/conformance/cases/threads.ts).
import { afterAll, describe, expect, it } from 'vitest'
import { sharedGuestHost } from '../../helpers/shared-host.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

describe('uncaught errors and exitall', () => {
  it('ends the program with code 30 and the thread name when a thread throws', async () => {
    const { output, outcome } = await host.run(`
createthread(() => {})
createthread(async () => { await sleep(0.05); throw new FileError('bad thing') })
await sleep(1)
log('not reached')`)
    expect(output).toBe('')
    expect(outcome.status).toBe('Terminated')
    expect(outcome.code).toBe(30)
    expect(outcome.reason).toContain('_EVENT:Thread:2')
    expect(outcome.reason).toContain('FileError: bad thing')
  })

  it('exitall from main ends at once with code 200; nothing after it and no finally block runs', async () => {
    const { output, outcome } = await host.run(`
createthread(async () => { await sleep(0.3); log('thread ran') })
try { log('before '); exitall(); log('after') } finally { log('finally') }
log('end')`)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 200 })
    expect(output).toBe('before ')
  })

  it('exitall from another thread ends the program, main included', async () => {
    const { output, outcome } = await host.run(`
createthread(async () => { await sleep(0.05); log('exiting '); exitall(); log('after exitall') })
try { await sleep(5); log('main woke') } finally { log('finally') }`)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 200 })
    expect(output).toBe('exiting ')
  })
})
