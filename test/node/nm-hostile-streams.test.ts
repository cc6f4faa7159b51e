// Streams that send nothing, or only part of a frame, cannot deny service: an idle stream holds a reading slot of
// its own peer only until its first-byte deadline and never a handling slot; a partial frame holds bytes of the
// frame budget only within its peer's share and until its deadline. Other peers and the owner keep being answered.
import type { Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientTransport, type NodeClient } from '../../src/client/node-client.js'
import { createNodeLibp2p } from '../../src/p2p/libp2p-node.js'
import type { NodeLimitsOptions } from '../../src/node/node-limits.js'
import { readNodeLog } from '../../src/node/node-log-reader.js'
import { nodeLogPrefix, nodePaths } from '../../src/node/node-paths.js'
import { LP_OPTIONS } from '../../src/p2p/framing.js'
import { PROTOCOL_ID, decodeResponse, encodeRequest } from '../../src/protocol/messages.js'
import { enc, snapshot, startTestNode, waitFor, type TestNode } from './nm-helpers.js'

const READING_PER_PEER = 32
const FRAME = 400_000
const LIMITS: NodeLimitsOptions = {
  streams: { readingPerPeer: READING_PER_PEER, firstByteMs: 3000, requestBaseMs: 2000, minBytesPerSecond: 1024 * 1024 },
  frames: { total: 4 * 1024 * 1024, perPeer: 1024 * 1024, smallFrame: 64 * 1024, smallReserve: 512 * 1024 },
}

let node: TestNode
let transport: ClientTransport
let owner: NodeClient
let other: NodeClient
let attacker: Libp2p

beforeAll(async () => {
  transport = await ClientTransport.create()
  node = await startTestNode({ transport, limits: LIMITS })
  owner = await node.client('owner')
  other = await node.client('none')
  await owner.call('AddFileToVessel', ['v1', 'keep.txt', enc('keep')])
})
afterAll(async () => {
  await attacker?.stop()
  await node?.stop()
  await transport?.close()
})

/** A fresh peer that speaks the protocol by hand. */
async function newAttacker(): Promise<Libp2p> {
  await attacker?.stop()
  attacker = await createNodeLibp2p()
  return attacker
}

/** Opens `n` streams at once; those libp2p refuses come back as undefined. */
async function openStreams(n: number): Promise<Array<Stream | undefined>> {
  const address = multiaddr(node.address)
  // one exchange first, so the connection is set up on both sides (yamux resets a burst of early streams)
  await answerCode(
    await attacker.dialProtocol(address, PROTOCOL_ID).then(async (s) => {
      await lpStream(s, LP_OPTIONS).write(encodeRequest({ call: 'GetVessels', args: [] }))
      return s
    }),
  )
  return Promise.all(
    Array.from({ length: n }, () =>
      attacker.dialProtocol(address, PROTOCOL_ID, { maxOutboundStreams: 1024 }).catch(() => undefined),
    ),
  )
}

/** The code of the answer on a stream, or 'reset' if it ends without one. */
async function answerCode(stream: Stream | undefined): Promise<string> {
  if (stream === undefined) return 'reset'
  try {
    const response = decodeResponse((await lpStream(stream, LP_OPTIONS).read()).subarray())
    await stream.close().catch(() => undefined)
    return response.ok ? 'ok' : `${response.code}: ${response.message}`
  } catch {
    return 'reset'
  }
}

const tally = (codes: string[]): Record<string, number> =>
  codes.reduce<Record<string, number>>((t, c) => ({ ...t, [c]: (t[c] ?? 0) + 1 }), {})

const idle = async (): Promise<boolean> => {
  const s = node.nm.protocolStats()
  return s.reading === 0 && s.handling === 0 && s.frameBytes === 0
}

describe('hostile streams', () => {
  it('600 idle streams on one connection deny nobody and are closed after the first-byte deadline', async () => {
    const before = await snapshot(owner, node.keys.owner.publicKeyText)
    await newAttacker()
    const streams = await openStreams(600)
    const answers = Promise.all(streams.map(answerCode))
    await waitFor(async () => node.nm.protocolStats().reading === READING_PER_PEER, 'the idle streams to be held')

    // while they are held, another client and the owner are answered
    expect((await other.getVessels()).vessels.length).toBeGreaterThan(0)
    expect(await owner.call('ListFilesInVessel', ['v1'])).toEqual(['keep.txt'])

    const codes = tally(await answers)
    expect(codes[`E_TIMEOUT: no request arrived within 3000 ms of opening the stream`]).toBe(READING_PER_PEER)
    const busy = `E_BUSY: this peer already has ${READING_PER_PEER} requests being received; wait for their answers`
    expect(Object.keys(codes).sort()).toEqual(
      [busy, 'E_TIMEOUT: no request arrived within 3000 ms of opening the stream', 'reset'].sort(),
    )
    expect(codes[busy]! + codes.reset!).toBe(600 - READING_PER_PEER)
    // the node's log holds a few of these refusals (5 per code), not hundreds
    const logged = (readNodeLog(nodeLogPrefix(nodePaths(node.dataDir))) ?? []).filter(
      (e) => e.peer === attacker.peerId.toString(),
    )
    expect(logged.map((e) => [e.level, e.call, e.caller, e.result])).toEqual([
      ...Array.from({ length: 5 }, () => ['warn', null, 'anonymous', 'E_BUSY']),
      ...Array.from({ length: 5 }, () => ['warn', null, 'anonymous', 'E_TIMEOUT']),
    ])
    expect(logged[0]!.msg).toMatch(/^request by anonymous from 12D3KooW\S+: E_BUSY this peer already has/)
    await waitFor(idle, 'the node to hold no stream')
    expect(await snapshot(owner, node.keys.owner.publicKeyText)).toEqual(before)
  })

  it('partial frames of one peer are refused E_BUSY past its share; another peer gets through; the budget returns to zero', async () => {
    await newAttacker()
    const streams = await openStreams(5)
    const prefix = (n: number): Uint8Array => {
      const out: number[] = []
      for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80)
      return Uint8Array.from([...out, n])
    }
    const answers = Promise.all(
      streams.map(async (stream) => {
        if (stream === undefined) return 'not opened'
        stream.send(prefix(FRAME))
        stream.send(new Uint8Array(FRAME - 1000))
        return answerCode(stream)
      }),
    )
    await waitFor(async () => node.nm.protocolStats().frameBytes === 2 * FRAME, 'two frames to be reserved')
    // the other peer, with a request larger than the small-frame size, is not refused
    await owner.call('AddFileToVessel', ['v2', 'big.bin', new Uint8Array(300_000)])
    expect((await other.getVessels()).vessels.length).toBeGreaterThan(0)

    const codes = tally(await answers)
    expect(codes).toEqual({
      [`E_BUSY: this peer's requests being received hold ${2 * FRAME} of its ${1024 * 1024} bytes; a ${FRAME}-byte request must wait for their answers`]: 3,
      [`E_TIMEOUT: the ${FRAME}-byte request did not arrive within ${2000 + Math.ceil((FRAME * 1000) / (1024 * 1024))} ms (${FRAME - 1000} bytes came)`]: 2,
    })
    await waitFor(idle, 'the frame budget to be free')
    expect(await owner.call('ListFilesInVessel', ['v2'])).toEqual(['big.bin'])
  })
})
