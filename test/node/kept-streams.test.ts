// /flotilla/nm/1.1.0: several requests one after another on one kept stream, each answered before the next is read;
// a client keeps its answered streams for the next request and still speaks 1.0.0 to a node that only knows that.
import { afterEach, describe, expect, it } from 'vitest'
import type { Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { KeptStreams, type KeptStream } from '../../src/client/kept-streams.js'
import { ClientTransport } from '../../src/client/transport.js'
import { DEFAULT_STREAM_LIMITS, type NodeManagerProtocolInit } from '../../src/node/protocol-service.js'
import { LP_OPTIONS } from '../../src/p2p/framing.js'
import { decodeResponse, KEPT_PROTOCOL_ID, PROTOCOL_ID } from '../../src/protocol/messages.js'
import { protocolClient, serveProtocol } from '../helpers/protocol-nodes.js'
import { waitFor } from '../helpers/wait-for.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('kept streams', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()))
  })

  const serve = (init: NodeManagerProtocolInit) => serveProtocol(init, stops)
  const client = () => protocolClient(stops)

  /** Echoes the request's text and counts how many requests are handled at once. */
  function echo(): { init: NodeManagerProtocolInit; seen: string[]; mostAtOnce: () => number } {
    const seen: string[] = []
    let now = 0
    let most = 0
    return {
      seen,
      mostAtOnce: () => most,
      init: {
        handle: async (bytes) => {
          most = Math.max(most, ++now)
          seen.push(new TextDecoder().decode(bytes))
          await new Promise((r) => setImmediate(r))
          now--
          return { ok: true, value: `re ${new TextDecoder().decode(bytes)}` }
        },
      },
    }
  }

  /** Answers `re <text>` at once, but a request whose text is `word` only once `release` is called. */
  function holding(word: string): { init: NodeManagerProtocolInit; release: () => void } {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    return {
      release,
      init: {
        handle: async (bytes) => {
          const got = new TextDecoder().decode(bytes)
          if (got === word) await held
          return { ok: true, value: `re ${got}` }
        },
      },
    }
  }

  const keptStreams = (transport: ClientTransport): Stream[] =>
    transport.node.getConnections().flatMap((c) => c.streams.filter((s) => s.protocol === KEPT_PROTOCOL_ID))

  it('a client sends a sequence of requests on one kept stream', async () => {
    const server = echo()
    const node = await serve(server.init)
    const transport = await client()
    const address = node.getMultiaddrs()[0]!
    for (let i = 0; i < 5; i++)
      expect(await transport.exchange(address, text(`r${i}`))).toEqual({ ok: true, value: `re r${i}` })
    expect(server.seen).toEqual(['r0', 'r1', 'r2', 'r3', 'r4'])
    expect(keptStreams(transport)).toHaveLength(1)
    expect(node.services.nodeManager.stats()).toEqual({ reading: 0, handling: 0, frameBytes: 0 })
  })

  it('requests sent ahead on one stream are answered in order, one at a time', async () => {
    const server = echo()
    const node = await serve(server.init)
    const transport = await client()
    const stream = await transport.node.dialProtocol(node.getMultiaddrs()[0]!, KEPT_PROTOCOL_ID)
    const lp = lpStream(stream, LP_OPTIONS)
    const names = Array.from({ length: 200 }, (_, i) => `p${i}`)
    // all 200 frames in one write: the node must split them and read each only once the one before is answered
    await lp.writeV(names.map(text))
    const answers: unknown[] = []
    for (const _ of names) answers.push(decodeResponse((await lp.read()).subarray()))
    expect(answers).toEqual(names.map((n) => ({ ok: true, value: `re ${n}` })))
    expect(server.mostAtOnce()).toBe(1)
    await stream.close()
  })

  it('bytes pushed while a request is handled stop at the stream window; another peer is served meanwhile', async () => {
    const { init, release } = holding('hold')
    const node = await serve(init)
    const flooder = await client()
    const stream = await flooder.node.dialProtocol(node.getMultiaddrs()[0]!, KEPT_PROTOCOL_ID)
    const lp = lpStream(stream, LP_OPTIONS)
    await lp.write(text('hold'))
    const answer = lp.read()
    answer.catch(() => undefined)
    // 8 MiB of 0xff: a length prefix that never ends, refused once read. While the request is handled nothing more
    // is read from the stream and the node grants no more window: had it taken the junk in, the stream would pass
    // libp2p's 4 MiB read-buffer cap and be reset, the answer lost.
    const junk = new Uint8Array(8 * 1024 * 1024).fill(0xff)
    stream.send(junk)
    const kept = () => node.getConnections().flatMap((c) => c.streams.filter((s) => s.protocol === KEPT_PROTOCOL_ID))[0]
    const buffered = await waitFor(
      async () => ((kept()?.readBufferLength ?? 0) >= 200 * 1024 ? kept()!.readBufferLength : false),
      'the junk to fill the window',
    )
    expect(buffered).toBeLessThan(4 * 1024 * 1024)
    const other = await client()
    expect(await other.exchange(node.getMultiaddrs()[0]!, text('beside'))).toEqual({ ok: true, value: 're beside' })
    release()
    expect(decodeResponse((await answer).subarray())).toEqual({ ok: true, value: 're hold' })
    expect(decodeResponse((await lp.read()).subarray())).toMatchObject({ ok: false, code: 'E_SIZE' })
    await waitFor(async () => node.services.nodeManager.stats().frameBytes === 0, 'the budget back at zero')
    expect(node.services.nodeManager.stats()).toEqual({ reading: 0, handling: 0, frameBytes: 0 })
  })

  it('the node closes a kept stream that stays idle', async () => {
    const server = echo()
    const node = await serve({ ...server.init, limits: { streams: { ...DEFAULT_STREAM_LIMITS, idleMs: 200 } } })
    const transport = await client()
    const stream = await transport.node.dialProtocol(node.getMultiaddrs()[0]!, KEPT_PROTOCOL_ID)
    const lp = lpStream(stream, LP_OPTIONS)
    const ended = new Promise<void>((resolve) => stream.addEventListener('remoteCloseWrite', () => resolve()))
    await lp.write(text('once'))
    expect(decodeResponse((await lp.read()).subarray())).toEqual({ ok: true, value: 're once' })
    await ended
    expect(await lp.read().catch(() => null)).toBeNull()
  })

  it('a request on a kept stream that gets no answer in time is E_TIMEOUT; the stream is not kept, the next request goes on a new one', async () => {
    const { init, release } = holding('slow')
    const node = await serve(init)
    const transport = await client()
    const address = node.getMultiaddrs()[0]!
    expect(await transport.exchange(address, text('first'))).toEqual({ ok: true, value: 're first' })
    const [first] = keptStreams(transport)
    // on the stream kept from the first request (new and reused streams alike)
    const late = await transport.exchange(address, text('slow'), 300).catch((err: unknown) => err)
    expect(late).toMatchObject({ code: 'E_TIMEOUT' })
    expect(first!.status).not.toBe('open')
    const late2 = await transport.exchange(address, text('slow'), 300).catch((err: unknown) => err)
    expect(late2).toMatchObject({ code: 'E_TIMEOUT' })
    release()
    expect(await transport.exchange(address, text('after'))).toEqual({ ok: true, value: 're after' })
    expect(keptStreams(transport)).toHaveLength(1)
    expect(keptStreams(transport)[0]).not.toBe(first)
  })

  it("a client's idle kept streams are closed once they have waited their idle time; one taken back is not", async () => {
    const node = await serve(echo().init)
    const transport = await client()
    const target = node.getMultiaddrs()[0]!
    const address = target.toString()
    const open = async () => KeptStreams.wrap(await transport.node.dialProtocol(target, KEPT_PROTOCOL_ID))
    const closed = (s: KeptStream) => async () => s.stream.writeStatus !== 'writable'
    const kept = new KeptStreams(200)
    const [first, second] = [await open(), await open()]
    kept.give(address, first)
    kept.give(address, second)
    await waitFor(closed(first), 'the first idle stream to be closed')
    await waitFor(closed(second), 'the second idle stream to be closed')
    expect(kept.take(address)).toBeUndefined()
    // given back again after the sweep: the timer runs again, and a stream taken back meanwhile stays open
    const [taken, idle] = [await open(), await open()]
    kept.give(address, taken)
    kept.give(address, idle)
    expect(kept.take(address)?.stream).toBe(idle.stream)
    await waitFor(closed(taken), 'the stream left idle to be closed')
    expect(idle.stream.writeStatus).toBe('writable')
    kept.clear()
  })

  it('a client speaks 1.0.0, one stream per request, to a node without kept streams', async () => {
    const server = echo()
    const node = await serve({ ...server.init, protocol: PROTOCOL_ID })
    const transport = await client()
    const address = node.getMultiaddrs()[0]!
    for (let i = 0; i < 3; i++)
      expect(await transport.exchange(address, text(`o${i}`))).toEqual({ ok: true, value: `re o${i}` })
    expect(server.seen).toEqual(['o0', 'o1', 'o2'])
    expect(keptStreams(transport)).toHaveLength(0)
  })

  it('a client whose kept stream the node closed sends its next request on a new one', async () => {
    const server = echo()
    const node = await serve(server.init)
    const transport = await client()
    const address = node.getMultiaddrs()[0]!
    expect(await transport.exchange(address, text('before'))).toEqual({ ok: true, value: 're before' })
    const [first] = keptStreams(transport)
    const closed = new Promise<void>((resolve) => first!.addEventListener('close', () => resolve()))
    await node.services.nodeManager.stop()
    await node.services.nodeManager.start()
    await closed
    expect(await transport.exchange(address, text('after'))).toEqual({ ok: true, value: 're after' })
    expect(keptStreams(transport)).toHaveLength(1)
    expect(keptStreams(transport)[0]).not.toBe(first)
  })

  it('a request whose kept stream fails under it is sent once more; a node that had taken it makes that E_UNREACHABLE', async () => {
    const seen = new Set<string>()
    const cut: { peer?: (peer: string) => Promise<void> } = {}
    const node = await serve({
      handle: async (bytes, peer) => {
        const got = new TextDecoder().decode(bytes)
        // a stand-in for the replay guard: the second copy of a request is refused
        if (seen.has(got)) return { ok: false, code: 'E_REPLAY', message: 'request already seen' }
        seen.add(got)
        if (got === 'cut') await cut.peer?.(peer)
        return { ok: true, value: `re ${got}` }
      },
    })
    cut.peer = async (peer) => {
      await node.hangUp(peerIdFromString(peer))
    }
    const transport = await client()
    const address = node.getMultiaddrs()[0]!
    expect(await transport.exchange(address, text('first'))).toEqual({ ok: true, value: 're first' })
    const failed = await transport.exchange(address, text('cut')).catch((err: unknown) => err)
    expect(failed).toMatchObject({ code: 'E_UNREACHABLE' })
    expect((failed as Error).message).toContain('may have taken effect')
    expect(await transport.exchange(address, text('later'))).toEqual({ ok: true, value: 're later' })
  })
})
