// Bad input never crashes the node and never changes state: each refusal has its stable code, and another client
// keeps being served meanwhile. Also: many parallel requests from one key all succeed.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ClientTransport, type NodeClient } from '../../src/client/node-client.js'
import { NodeError } from '../../src/protocol/errors.js'
import {
  MAX_FILE_BYTES,
  MAX_MESSAGE_BYTES,
  encodeCbor,
  encodeRequest,
  type Request,
  type SignedRequest,
} from '../../src/protocol/messages.js'
import { signRequest } from '../../src/protocol/signing.js'
import { enc, outcome, snapshot, startTestNode, type TestNode } from './nm-helpers.js'

let node: TestNode
let other: TestNode
let transport: ClientTransport
let owner: NodeClient

beforeAll(async () => {
  transport = await ClientTransport.create()
  node = await startTestNode({ transport })
  other = await startTestNode({ transport })
  owner = await node.client('owner')
  await owner.call('AddFileToVessel', ['v1', 'keep.txt', enc('keep')])
})
afterAll(async () => {
  await node?.stop()
  await other?.stop()
  await transport?.close()
})

const sign = (
  call: string,
  args: Request['args'],
  extra: Partial<Parameters<typeof signRequest>[1]> = {},
): SignedRequest => signRequest(node.keys.owner.privateKey, { call, args, destination: node.nm.peerId, ...extra })

/** The node's answer to raw bytes: the error code, or 'ok'. */
async function raw(bytes: Uint8Array): Promise<string> {
  const response = await transport.exchange(owner.address, bytes)
  return response.ok ? 'ok' : `${response.code}: ${response.message}`
}

describe('bad input', () => {
  it('answers each bad request with its stable code, changes nothing, and keeps serving others', async () => {
    const before = await snapshot(owner, node.keys.owner.publicKeyText)
    // another client keeps being served by both nodes while the bad requests come in
    let served = 0
    let stop = false
    const busy = (async () => {
      const c = await other.client('owner')
      while (!stop) {
        await c.getVessels()
        await owner.call('ListFilesInVessel', ['v1'])
        served++
      }
    })()

    const good = encodeRequest(sign('AddFileToVessel', ['v1', 'x.txt', enc('x')]))
    expect(await raw(good.subarray(0, good.length - 7))).toMatch(
      /^E_USAGE: malformed request: not valid CBOR \(truncated\)/,
    )
    expect(await raw(randomBytes(64))).toMatch(/^E_USAGE/)
    expect(await raw(encodeCbor([1, 2, 3]))).toMatch(/^E_USAGE: malformed request: expected a map/)
    expect(await raw(encodeCbor({ call: 'GetVessels', args: [], extra: 1 }))).toMatch(
      /^E_USAGE: malformed request: unknown field 'extra'/,
    )
    // a message over the limit is refused from its length prefix, before it is read
    expect(await raw(new Uint8Array(MAX_MESSAGE_BYTES + 1))).toBe(
      `E_SIZE: request is larger than the limit of ${MAX_MESSAGE_BYTES} bytes`,
    )
    // a file over the limit inside a message that fits
    expect(
      await outcome(owner.send(sign('AddFileToVessel', ['v1', 'big.bin', new Uint8Array(MAX_FILE_BYTES + 1)]))),
    ).toBe('E_SIZE')

    const codes: Record<string, string> = {}
    const attempt = async (what: string, request: Request): Promise<void> => {
      try {
        await owner.send(request)
        codes[what] = 'ok'
      } catch (err) {
        codes[what] = err instanceof NodeError ? err.code : String(err)
      }
    }
    await attempt('unknown call', sign('FormatDisk', ['v1']))
    await attempt('unknown call, unsigned', { call: 'FormatDisk', args: [] })
    await attempt('wrongly typed', sign('StartVessel', ['v1', 42, []]))
    await attempt('too few args', sign('StartVessel', ['v1']))
    await attempt('unknown vessel', sign('ListFilesInVessel', ['v99']))
    await attempt('bad vessel name', sign('ListFilesInVessel', ['../v1']))
    for (const name of ['../keep.txt', '.hidden', 'UPPER.txt', 'a/b', '', 'x'.repeat(121)]) {
      await attempt(`filename ${JSON.stringify(name.slice(0, 12))}`, sign('AddFileToVessel', ['v1', name, enc('x')]))
    }
    await attempt('private_ file', sign('AddFileToVessel', ['v1', 'private_x', enc('x')]))
    const once = sign('DeleteFileInVessel', ['v1', 'nothere.txt'])
    await attempt('first use', once)
    await attempt('replayed', once)
    await attempt(
      'expired',
      sign('AddFileToVessel', ['v1', 'late.txt', enc('x')], { timestamp: Date.now() - 3_600_000, lifetimeMs: 60_000 }),
    )
    await attempt(
      'far future',
      sign('AddFileToVessel', ['v1', 'soon.txt', enc('x')], { timestamp: Date.now() + 3_600_000 }),
    )
    await attempt(
      'too long-lived',
      sign('AddFileToVessel', ['v1', 'long.txt', enc('x')], { lifetimeMs: 24 * 3_600_000 }),
    )
    await attempt(
      'misdirected',
      signRequest(node.keys.owner.privateKey, {
        call: 'AddFileToVessel',
        args: ['v1', 'm.txt', enc('x')],
        destination: other.nm.peerId,
      }),
    )
    const tampered = sign('AddFileToVessel', ['v1', 't.txt', enc('x')])
    await attempt('tampered args', { ...tampered, args: ['v1', 't.txt', enc('evil')] })
    await attempt('tampered key', { ...tampered, key: node.keys.user.publicKeyText })
    await attempt('bad key text', { ...tampered, key: 'ed25519-pub nope' })
    await attempt('unsigned user call', { call: 'AddFileToVessel', args: ['v1', 'u.txt', enc('x')] })
    await attempt('ownerinfo with newline', sign('ChangeOwnerInformation', ['v1', 'a\nb']))
    await attempt('bad restrictions', sign('SplitVessel', ['v1', 'resource cpu lots\n']))
    await attempt('retrieve missing file', sign('RetrieveFileFromVessel', ['v1', 'missing.txt']))
    expect(codes).toEqual({
      'unknown call': 'E_UNKNOWN_CALL',
      'unknown call, unsigned': 'E_UNKNOWN_CALL',
      'wrongly typed': 'E_USAGE',
      'too few args': 'E_USAGE',
      'unknown vessel': 'E_NO_VESSEL',
      'bad vessel name': 'E_USAGE',
      'filename "../keep.txt"': 'E_USAGE',
      'filename ".hidden"': 'E_USAGE',
      'filename "UPPER.txt"': 'E_USAGE',
      'filename "a/b"': 'E_USAGE',
      'filename ""': 'E_USAGE',
      'filename "xxxxxxxxxxxx"': 'E_USAGE',
      'private_ file': 'E_PERMISSION',
      'first use': 'E_NOT_FOUND',
      replayed: 'E_REPLAY',
      expired: 'E_EXPIRED',
      'far future': 'E_EXPIRED',
      'too long-lived': 'E_EXPIRED',
      misdirected: 'E_DESTINATION',
      'tampered args': 'E_SIGNATURE',
      'tampered key': 'E_SIGNATURE',
      'bad key text': 'E_SIGNATURE',
      'unsigned user call': 'E_SIGNATURE',
      'ownerinfo with newline': 'E_USAGE',
      'bad restrictions': 'E_USAGE',
      'retrieve missing file': 'E_NOT_FOUND',
    })
    stop = true
    await busy
    expect(served).toBeGreaterThan(0)
    expect(await snapshot(owner, node.keys.owner.publicKeyText)).toEqual(before)
  })

  it('gives clear messages', async () => {
    await expect(owner.callRaw('StartVessel', ['v1', 42, []])).rejects.toThrow(
      "StartVessel: argument 'program' must be a file name",
    )
    await expect(owner.call('ListFilesInVessel', ['v99'])).rejects.toThrow("no vessel 'v99' on this node")
    await expect(
      owner.send(sign('AddFileToVessel', ['v1', 'late.txt', enc('x')], { timestamp: 1000, lifetimeMs: 1000 })),
    ).rejects.toThrow(/request expired at 1970-01-01T00:00:02.000Z/)
  })

  it('a disk quota that is full gives E_QUOTA and writes nothing', async () => {
    const small = 'resource cpu .01\nresource memory 1000000\nresource diskused 10000\n'
    const [, made] = await owner.call('SplitVessel', ['v3', small])
    await owner.call('AddFileToVessel', [made, 'a.bin', new Uint8Array(4000)])
    await expect(owner.call('AddFileToVessel', [made, 'b.bin', new Uint8Array(4000)])).rejects.toMatchObject({
      code: 'E_QUOTA',
    })
    expect(await owner.call('ListFilesInVessel', [made])).toEqual(['a.bin'])
    await owner.call('AddFileToVessel', [made, 'a.bin', new Uint8Array(5000)]) // replacing counts the old size out
  })
})

describe('parallel requests', () => {
  it('50 parallel requests from one key all succeed', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => owner.call('AddFileToVessel', ['v2', `p${i}.txt`, enc(`file ${i}`)])),
    )
    expect(results).toEqual(Array(50).fill(null))
    const files = await owner.call('ListFilesInVessel', ['v2'])
    expect(files).toHaveLength(50)
    const reads = await Promise.all(files.map((f) => owner.call('RetrieveFileFromVessel', ['v2', f])))
    expect(reads.map((b) => Buffer.from(b).toString()).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `file ${i}`).sort(),
    )
  })

  it('requests handled side by side are each refused with their own code', async () => {
    const add = (name: string, extra: Partial<Parameters<typeof signRequest>[1]> = {}, key = node.keys.owner) =>
      signRequest(key.privateKey, {
        call: 'AddFileToVessel',
        args: ['v2', name, enc(name)],
        destination: node.nm.peerId,
        ...extra,
      })
    const good = Array.from({ length: 30 }, (_, i) => add(`q${i}.txt`))
    const forged = add('forged.txt')
    const requests: Request[] = [
      ...good,
      { ...forged, signature: forged.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) },
      add('elsewhere.txt', { destination: other.nm.peerId }),
      add('expired.txt', { timestamp: Date.now() - 120_000, lifetimeMs: 60_000 }),
      add('stranger.txt', {}, node.keys.stranger),
      good[0]!,
    ]
    const codes = await Promise.all(
      requests.map((r) =>
        owner.send(r).then(
          () => 'ok',
          (err: unknown) => (err instanceof NodeError ? err.code : String(err)),
        ),
      ),
    )
    expect(codes.slice(1, 30)).toEqual(Array(29).fill('ok'))
    expect(codes.slice(30, 34)).toEqual(['E_SIGNATURE', 'E_DESTINATION', 'E_EXPIRED', 'E_PERMISSION'])
    // the same request twice at once: exactly one copy takes effect
    expect([codes[0], codes[34]].sort()).toEqual(['E_REPLAY', 'ok'])
    const files = await owner.call('ListFilesInVessel', ['v2'])
    expect(files.filter((f) => f.startsWith('q'))).toEqual(good.map((_, i) => `q${i}.txt`).sort())
    for (const refused of ['forged.txt', 'elsewhere.txt', 'expired.txt', 'stranger.txt'])
      expect(files).not.toContain(refused)
  })
})
