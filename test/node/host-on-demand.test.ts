// The sandbox host runs only while programs do: a node starts without one, its first program starts it, programs
// that follow share it, and it stops once no program has run for hostIdleMs; the next program starts a new one.
import { afterEach, describe, expect, it } from 'vitest'
import type { NodeClient } from '../../src/client/node-client.js'
import { HELLO, SLEEPER, enc, sandboxHostPids, startTestNode, text, waitFor, type TestNode } from './nm-helpers.js'

let node: TestNode | undefined
afterEach(async () => {
  await node?.stop()
  node = undefined
})

const status = async (owner: NodeClient, name: string): Promise<string | undefined> =>
  (await owner.getVessels()).vessels.find((v) => v.name === name)?.status

const logLines = async (owner: NodeClient, name: string, line: string): Promise<number> =>
  text(await owner.call('ReadVesselLog', [name]))
    .split('\n')
    .filter((l) => l === line).length

describe('the sandbox host on demand', () => {
  it('starts with the first program, stays while one runs, stops when idle, and starts again for the next', async () => {
    node = await startTestNode({ node: { hostIdleMs: 300 } })
    const owner = await node.client('owner')
    expect(sandboxHostPids()).toEqual([])

    await owner.call('AddFileToVessel', ['v1', 'sleeper.js', enc(SLEEPER)])
    await owner.call('AddFileToVessel', ['v2', 'hello.js', enc(HELLO)])
    await owner.call('StartVessel', ['v1', 'sleeper.js', []])
    await waitFor(async () => (await logLines(owner, 'v1', 'sleeping')) === 1, 'the sleeper to start')
    const [first] = sandboxHostPids()
    expect(first).toBeDefined()
    await owner.call('StartVessel', ['v2', 'hello.js', []])
    await waitFor(async () => (await status(owner, 'v2')) === 'Terminated', 'hello.js to end')
    expect(await logLines(owner, 'v2', 'Hello World')).toBe(1)
    // hello's end left the sleeper running: the host stays, well past hostIdleMs
    const ran = Date.now()
    await waitFor(async () => Date.now() - ran > 1_000 && (await status(owner, 'v1')) === 'Started', 'a second')
    expect(sandboxHostPids()).toEqual([first])

    expect(await owner.call('StopVessel', ['v1'])).toBe('Stopped')
    await waitFor(async () => sandboxHostPids().length === 0, 'the idle host to stop')

    await owner.call('StartVessel', ['v1', 'sleeper.js', []])
    await waitFor(async () => (await logLines(owner, 'v1', 'sleeping')) === 2, 'the sleeper on a new host')
    const [second] = sandboxHostPids()
    expect(second).toBeDefined()
    expect(second).not.toBe(first)
  })
})
