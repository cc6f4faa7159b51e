// The attacker of the hostile-load benchmark, in its own process so that its CPU is not the measuring client's.
//   node --import tsx test/bench/hostile-attacker.ts <node multiaddr> <keys dir> <vessel with resource cpu .1> <attack,...>
// Runs the named attacks at once until it reads a line on stdin, then prints one JSON line of what it did and the codes
// it got, and exits:
//   streams   4 fresh peers, each holding 600 idle streams and 64 streams with a 16 MB frame less its last 1,000 bytes
//   flood     requests signed by fresh keys (StopVessel with bad arguments, and without permission; 59-minute expiry)
//   bigname   a user's program in v2 that ends with an exception whose name is 20 M characters, started again and again
//   sleeparray a user's program in the cpu .1 vessel calling sleep(new Array(2e6).fill(123456789)) in a loop
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { ClientTransport, NodeClient } from '../../src/client/node-client.js'
import { loadKeyPair } from '../../src/keys/key-files.js'
import { createNodeLibp2p } from '../../src/p2p/libp2p-node.js'
import { LP_OPTIONS } from '../../src/p2p/framing.js'
import { encode as encodeLength } from 'uint8-varint'
import { NodeError } from '../../src/protocol/errors.js'
import { MAX_MESSAGE_BYTES, PROTOCOL_ID, decodeResponse, encodeRequest } from '../../src/protocol/messages.js'
import { signRequest } from '../../src/protocol/signing.js'

const [address, keysDir, slowVessel, names] = process.argv.slice(2) as [string, string, string, string]
const chosen = new Set(names.split(','))
const PEERS = 4
const IDLE_STREAMS = Number(process.env.ATK_IDLE ?? 600)
const PARTIAL_FRAMES = Number(process.env.ATK_PARTIAL ?? 64)
const FLOOD_CONCURRENCY = 16

let running = true
// libp2p can throw from a stream it is still negotiating when the node resets it: count it and carry on
process.on('uncaughtException', (err) => count('streams', `attacker-side ${err.name}`))
const codes: Record<string, Record<string, number>> = Object.fromEntries([...chosen].map((n) => [n, {}]))
const count = (attack: string, code: string): void => {
  const c = (codes[attack] ??= {})
  c[code] = (c[code] ?? 0) + 1
}
const codeOf = (err: unknown): string => (err instanceof NodeError ? err.code : 'error')
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function answer(stream: Stream | undefined): Promise<string> {
  if (stream === undefined) return 'reset'
  try {
    const response = decodeResponse((await lpStream(stream, LP_OPTIONS).read()).subarray())
    stream.abort(new Error('done'))
    return response.ok ? 'ok' : response.code
  } catch {
    return 'reset'
  }
}

/** One peer on one connection: rounds of idle streams, and rounds of partial frames, each round until all are answered. */
async function streamsAttack(peer: Libp2p): Promise<void> {
  const target = multiaddr(address)
  const frame = new Uint8Array(MAX_MESSAGE_BYTES)
  const warm = await peer.dialProtocol(target, PROTOCOL_ID)
  await lpStream(warm, LP_OPTIONS).write(encodeRequest({ call: 'GetVessels', args: [] }))
  await answer(warm)
  const open = (): Promise<Stream | undefined> =>
    peer.dialProtocol(target, PROTOCOL_ID, { maxOutboundStreams: 2048 }).catch(() => undefined)
  const rounds = async (n: number, one: () => Promise<string>): Promise<void> => {
    while (running && n > 0) {
      for (const code of await Promise.all(Array.from({ length: n }, one))) count('streams', code)
    }
  }
  await Promise.all([
    rounds(IDLE_STREAMS, async () => answer(await open())),
    rounds(PARTIAL_FRAMES, async () => {
      const stream = await open()
      try {
        stream?.send(encodeLength(MAX_MESSAGE_BYTES))
        stream?.send(frame.subarray(0, MAX_MESSAGE_BYTES - 1000))
      } catch {
        /* reset meanwhile */
      }
      return answer(stream)
    }),
  ])
}

async function floodAttack(client: NodeClient): Promise<void> {
  await Promise.all(
    Array.from({ length: FLOOD_CONCURRENCY }, async () => {
      while (running) {
        const key = await generateKeyPair('Ed25519')
        for (let i = 0; i < 50 && running; i++) {
          const args = i % 2 === 0 ? ['v1', 'extra'] : ['v1']
          const request = signRequest(key, {
            call: 'StopVessel',
            args,
            destination: client.peerId,
            lifetimeMs: 59 * 60_000,
          })
          try {
            await client.send(request)
            count('flood', 'ok')
          } catch (err) {
            count('flood', codeOf(err))
          }
        }
      }
    }),
  )
}

/** Starts `program` in `vessel` again whenever it is not running. */
async function guestAttack(name: string, client: NodeClient, vessel: string, program: string): Promise<void> {
  while (running) {
    try {
      const v = (await client.getVessels()).vessels.find((x) => x.name === vessel)
      if (v?.status === 'Started') {
        await sleep(100)
        continue
      }
      if (v?.exit) count(name, `exit ${v.exit.code}`)
      await client.call('StartVessel', [vessel, program, []])
      count(name, 'started')
    } catch (err) {
      count(name, codeOf(err))
      await sleep(100)
    }
  }
}

const user = await loadKeyPair(keysDir, 'user')
const peers = chosen.has('streams') ? await Promise.all(Array.from({ length: PEERS }, () => createNodeLibp2p())) : []
const transport = await ClientTransport.create()
const client = await NodeClient.connect(address, { identity: user, transport })
const attacks = [
  ...peers.map(streamsAttack),
  chosen.has('flood') ? floodAttack(client) : undefined,
  chosen.has('bigname') ? guestAttack('bigname', client, 'v2', 'bigname.js') : undefined,
  chosen.has('sleeparray') ? guestAttack('sleeparray', client, slowVessel, 'sleeparray.js') : undefined,
]
console.log('ready')
await new Promise((r) => createInterface({ input: process.stdin }).once('line', r))
running = false
console.log(JSON.stringify(codes))
// the attacks finish their round in the background; nobody waits for them
void attacks
process.exit(0)
