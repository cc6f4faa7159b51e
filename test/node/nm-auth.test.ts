// The authorization matrix: every request × {unsigned, stranger key, user key, owner key}. Public calls answer
// everyone; user calls need the vessel's owner or a user key; owner calls the owner key. A refused request changes
// nothing (vessels and every file compared before and after).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NodeClient } from '../../src/client/node-client.js'
import type { ArgValue } from '../../src/protocol/messages.js'
import type { NodeSummary } from '../../src/protocol/results.js'
import { CALL_SIGNATURES, type CallName } from '../../src/protocol/validate.js'
import { SLEEPER, enc, outcome, snapshot, startTestNode, type Keys, type TestNode } from './nm-helpers.js'

type Who = keyof Keys | 'none'
const WHO: Who[] = ['none', 'stranger', 'user', 'owner']
const SMALL = 'resource cpu .01\nresource memory 1000000\nresource diskused 1000000\n'

let node: TestNode
const clients = {} as Record<Who, NodeClient>

beforeAll(async () => {
  node = await startTestNode()
  for (const who of WHO) clients[who] = await node.client(who)
  const owner = clients.owner
  for (const v of ['v1', 'v3']) await owner.call('ChangeUsers', [v, [node.keys.user.publicKeyText]])
})
afterAll(async () => {
  await node?.stop()
})

/** Per call: its arguments given the current vessels, and what makes it succeed for an allowed key. */
interface Case {
  args(s: NodeSummary): ArgValue[]
  prepare?(owner: NodeClient, s: NodeSummary): Promise<void>
}
const status = (s: NodeSummary, name: string) => s.vessels.find((v) => v.name === name)?.status

const CASES: Record<CallName, Case> = {
  GetVessels: { args: () => [] },
  GetVesselResources: { args: () => ['v1'] },
  GetOffcutResources: { args: () => [] },
  StartVessel: {
    args: () => ['v1', 'sleeper.js', []],
    prepare: async (o, s) => {
      if (status(s, 'v1') === 'Started') await o.call('StopVessel', ['v1'])
    },
  },
  StopVessel: {
    args: () => ['v1'],
    prepare: async (o, s) => {
      if (status(s, 'v1') !== 'Started') await o.call('StartVessel', ['v1', 'sleeper.js', []])
    },
  },
  ResetVessel: { args: () => ['v1'] },
  AddFileToVessel: { args: () => ['v1', 'added.txt', enc('added')] },
  RetrieveFileFromVessel: { args: () => ['v1', 'data.txt'] },
  ListFilesInVessel: { args: () => ['v1'] },
  DeleteFileInVessel: { args: () => ['v1', 'data.txt'] },
  ReadVesselLog: { args: () => ['v1'] },
  TailVesselLog: { args: () => ['v1', 0] },
  GetVesselUsage: { args: () => ['v1'] },
  ChangeUsers: { args: () => ['v1', [clientsKey('user')]] },
  ChangeOwner: { args: () => ['v3', clientsKey('owner')] },
  ChangeOwnerInformation: { args: () => ['v1', 'lab 42'] },
  ChangeAdvertise: { args: () => ['v1', false] },
  SplitVessel: { args: () => ['v2', SMALL] },
  JoinVessels: { args: (s) => s.vessels.slice(-2).map((v) => v.name) },
}

function clientsKey(who: keyof Keys): string {
  return node.keys[who].publicKeyText
}

function expected(call: CallName, who: Who): string {
  const tier = CALL_SIGNATURES[call].tier
  if (tier === 'public') return 'ok'
  if (who === 'none') return 'E_SIGNATURE'
  if (who === 'stranger') return 'E_PERMISSION'
  if (who === 'user') return tier === 'user' ? 'ok' : 'E_PERMISSION'
  return 'ok'
}

describe('authorization matrix', () => {
  it('answers every request × key as its tier says, and a refusal changes nothing', async () => {
    const owner = clients.owner
    const got: string[] = []
    const want: string[] = []
    for (const call of Object.keys(CALL_SIGNATURES) as CallName[]) {
      for (const who of WHO) {
        // the files the calls work on, as the owner put them (identical content: no change)
        await Promise.all([
          owner.call('AddFileToVessel', ['v1', 'sleeper.js', enc(SLEEPER)]),
          owner.call('AddFileToVessel', ['v1', 'data.txt', enc('data')]),
        ])
        const summary = await owner.getVessels()
        await CASES[call].prepare?.(owner, summary)
        const current = await owner.getVessels()
        const before = await snapshot(owner, node.keys.owner.publicKeyText)
        const result = await outcome(clients[who].callRaw(call, CASES[call].args(current)))
        got.push(`${call} as ${who}: ${result}`)
        want.push(`${call} as ${who}: ${expected(call, who)}`)
        if (result !== 'ok')
          expect(await snapshot(owner, node.keys.owner.publicKeyText), `${call} as ${who}`).toEqual(before)
      }
    }
    expect(got).toEqual(want)
    // the allowed owner calls took effect
    const after = await owner.getVessels()
    expect(after.vessels.find((v) => v.name === 'v1')).toMatchObject({ ownerInfo: 'lab 42', advertise: false })
    expect(after.vessels.map((v) => v.name)).toEqual(['v1', 'v3', 'v6'])
  }, 180_000) // about 600 requests: took more than 60 s on a loaded machine

  it('a user key of one vessel has no rights on another', async () => {
    const [mine, other] = (await clients.owner.getVessels()).vessels.map((v) => v.name)
    await clients.owner.call('ChangeUsers', [mine!, [node.keys.user.publicKeyText]])
    await clients.owner.call('ChangeUsers', [other!, []])
    expect(await outcome(clients.user.call('ListFilesInVessel', [other!]))).toBe('E_PERMISSION')
    expect(await outcome(clients.user.call('ListFilesInVessel', [mine!]))).toBe('ok')
  })
})
