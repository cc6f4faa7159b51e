// The shell's browse with a fake connector (no network): which nodes it contacts, the browsegood/browsefail groups,
// the settings it needs (set bootstrap, set mdns, show discovery) and that savestate keeps them.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateKeyFiles, type KeyPair } from '../../src/keys/key-files.js'
import type { NodeSummary, VesselSummary } from '../../src/protocol/results.js'
import { Engine } from '../../src/shell/engine.js'
import { decryptState, encryptState } from '../../src/shell/state.js'
import type { Connector, DiscoverOptions, NodeConnection } from '../../src/shell/types.js'
import { tempDir } from '../helpers/temp-dir.js'

const A = '/ip4/127.0.0.1/tcp/1000/p2p/12D3KooWAAAAAAaaaaaa'
const B = '/ip4/127.0.0.2/tcp/2000/p2p/12D3KooWBBBBBBbbbbbb'
const C = '/ip4/127.0.0.3/tcp/3000/p2p/12D3KooWCCCCCCcccccc'

function vessel(name: string, ownerKey: string, userKeys: string[] = []): VesselSummary {
  return {
    name,
    status: 'Fresh',
    ownerKey,
    userKeys,
    ownerInfo: '',
    advertise: true,
    program: null,
    args: [],
    startedAt: null,
    exit: null,
    ports: [],
  }
}

class FakeConnector implements Connector {
  lookups: Array<{ key: string; options: DiscoverOptions }> = []
  constructor(
    private readonly nodes: Record<string, VesselSummary[] | 'down'>,
    private readonly found: string[],
  ) {}
  async connect(address: string): Promise<NodeConnection> {
    const vessels = this.nodes[address]
    if (vessels === undefined || vessels === 'down')
      throw Object.assign(new Error(`cannot reach ${address}`), { code: 'E_UNREACHABLE' })
    const summary: NodeSummary = {
      version: '0',
      peerId: address.slice(address.lastIndexOf('/') + 1),
      addresses: [address],
      ip: '127.0.0.1',
      vessels,
    }
    return { call: (async () => summary) as NodeConnection['call'] }
  }
  drop(): void {}
  async close(): Promise<void> {}
  async discover(key: string, options: DiscoverOptions): Promise<string[]> {
    this.lookups.push({ key, options })
    return this.found
  }
}

async function alice(): Promise<KeyPair> {
  return generateKeyFiles(join(tempDir('flotilla-browse-shell-'), 'keys'), 'alice')
}

describe('shell browse', () => {
  it('contacts the nodes found and puts her vessels in the targets and browsegood, the silent node in browsefail', async () => {
    const key = await alice()
    const connector = new FakeConnector(
      {
        [A]: [vessel('v1', 'other', [key.publicKeyText]), vessel('v2', 'other')],
        [B]: [vessel('v3', key.publicKeyText)],
        [C]: 'down',
      },
      [A, B, C],
    )
    const engine = new Engine({ connector })
    engine.state.addIdentity({ name: 'alice', publicKeyText: key.publicKeyText, keyPair: key })
    engine.state.identity = 'alice'
    // C was contacted earlier: its known vessel goes to browsefail
    engine.state.addNode(
      C,
      { version: '0', peerId: '12D3KooWCCCCCCcccccc', addresses: [], ip: '127.0.0.3', vessels: [] },
      [vessel('v9', key.publicKeyText)],
    )
    const [refused] = await engine.execute('browse')
    expect(refused!.error).toMatch(/set bootstrap <multiaddr>.*set mdns on/)
    const [set, result, show] = await engine.execute(`set bootstrap ${A}; browse; show discovery`)
    expect(set!.ok).toBe(true)
    expect(result!.lines[0]).toBe("browse: 3 nodes advertise 'alice'")
    expect(result!.lines.join('\n')).toMatch(/failed on .*127\.0\.0\.3.*E_UNREACHABLE/)
    expect(connector.lookups).toEqual([
      { key: key.publicKeyText, options: { bootstrap: [A], mdns: false, timeoutMs: 15_000 } },
    ])
    expect([...engine.state.groups.get('browsegood')!]).toEqual(['aaaaaa:v1', 'bbbbbb:v3'])
    expect([...engine.state.groups.get('browsefail')!]).toEqual(['cccccc:v9'])
    expect(show!.lines).toEqual([`bootstrap: ${A}`, 'mdns: off'])
  })

  it('says so when no node advertises the key; refuses bad settings in one line; savestate keeps them', async () => {
    const key = await alice()
    const engine = new Engine({ connector: new FakeConnector({}, []) })
    engine.state.addIdentity({ name: 'alice', publicKeyText: key.publicKeyText, keyPair: key })
    engine.state.identity = 'alice'
    const [mdns, result, badAddr, badMdns] = await engine.execute(
      'set mdns on; browse; set bootstrap /ip4/127.0.0.1/tcp/1; set mdns maybe',
    )
    expect(mdns!.ok).toBe(true)
    expect(result!.lines).toEqual(["browse: no node advertises 'alice' (yet?)"])
    expect(badAddr!.error).toMatch(/must end with \/p2p\/<peer id>/)
    expect(badMdns!.error).toBe('usage: set mdns on|off')
    engine.state.bootstrap = [A]
    const loaded = decryptState(encryptState(engine.state, key), key)
    expect([loaded.bootstrap, loaded.mdns]).toEqual([[A], true])
  })

  it('needs an identity and a shell that can look up', async () => {
    const engine = new Engine({
      connector: {
        connect: async () => {
          throw new Error('no')
        },
        drop: () => undefined,
        close: async () => undefined,
      },
    })
    expect((await engine.execute('browse'))[0]!.error).toMatch(/no identity/)
    engine.state.addIdentity({ name: 'bob', publicKeyText: 'ed25519-pub x' })
    engine.state.identity = 'bob'
    expect((await engine.execute('browse'))[0]!.error).toMatch(/not available in this shell/)
  })
})
