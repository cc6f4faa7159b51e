// A node that stops with running vessels starts them again; a vessel whose program is gone by then is Stale. The
// node's log says so. A request it handled before the restart is refused as a replay after it.
import { existsSync, rmSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ClientTransport } from '../../src/client/transport.js'
import { NodeClient } from '../../src/client/node-client.js'
import { NodeManager } from '../../src/node/node-manager.js'
import { NodeError } from '../../src/protocol/errors.js'
import { signRequest } from '../../src/protocol/signing.js'
import { readNodeLog } from '../../src/node/node-log-reader.js'
import { nodeLogPrefix, nodePaths } from '../../src/node/node-paths.js'
import { SLEEPER, enc, makeKeys, requireBuild, tempDir, waitFor } from './nm-helpers.js'

const dir = tempDir()
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('node restart', () => {
  it('starts Started vessels again, and marks one whose program is missing Stale with the reason', async () => {
    requireBuild()
    const keysDir = join(dir, 'keys')
    const dataDir = join(dir, 'data')
    const keys = await makeKeys(keysDir)
    const options = {
      dataDir,
      keysDir,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      init: { donatePercent: 20, vessels: 2, listen: ['/ip4/127.0.0.1/tcp/0'] },
    }
    const transport = await ClientTransport.create()
    try {
      let nm = await NodeManager.start(options)
      let owner = await NodeClient.connect(nm.addresses[0]!, { identity: keys.owner, transport })
      for (const v of ['v1', 'v2']) {
        await owner.call('AddFileToVessel', [v, 'sleeper.js', enc(SLEEPER)])
        expect(await owner.call('StartVessel', [v, 'sleeper.js', []])).toBe('Started')
      }
      await nm.stop()
      unlinkSync(join(dataDir, 'files', 'v2', 'sleeper.js'))

      nm = await NodeManager.start(options)
      owner = await NodeClient.connect(nm.addresses[0]!, { identity: keys.owner, transport })
      const vessels = await waitFor(async () => {
        const vs = (await owner.getVessels()).vessels
        return vs.find((v) => v.name === 'v2')?.status === 'Stale' && vs
      }, 'v2 to be marked Stale')
      const v1 = vessels.find((v) => v.name === 'v1')!
      const v2 = vessels.find((v) => v.name === 'v2')!
      expect(v1.status).toBe('Started')
      expect(v2.exit?.reason).toMatch(/program 'sleeper.js' is missing/)
      // v1 really runs again: its program has live usage
      expect((await owner.call('GetVesselUsage', ['v1'])).usage).not.toBeNull()
      // its log tells the first run from the restart
      const log = Buffer.from(await owner.call('ReadVesselLog', ['v1'])).toString('latin1')
      expect(log).toMatch(
        /^--- .* UTC: sleeper\.js ---\n(.*\n)*--- .* UTC: sleeper\.js \(restarted with the node\) ---\n/,
      )
      await nm.stop()
      // and so does the node's own log, with what became of v2
      const events = (readNodeLog(nodeLogPrefix(nodePaths(dataDir))) ?? [])
        .filter((e) => e.vessel !== undefined)
        .map((e) => [e.level, e.msg])
      expect(events).toEqual([
        ['info', 'v1 started: sleeper.js'],
        ['info', 'v2 started: sleeper.js'],
        ['info', 'v1 restarted with the node: sleeper.js'],
        ['warn', "v2 is Stale: could not restart: program 'sleeper.js' is missing"],
      ])
    } finally {
      await transport.close()
    }
  }, 60_000)

  it('refuses a request it handled before it was restarted (E_REPLAY), and does nothing for it', async () => {
    const keysDir = join(dir, 'keys-replay')
    const dataDir = join(dir, 'data-replay')
    const keys = await makeKeys(keysDir)
    const options = {
      dataDir,
      keysDir,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      engineWarmUp: false,
      init: { donatePercent: 20, vessels: 1, listen: ['/ip4/127.0.0.1/tcp/0'] },
    }
    const transport = await ClientTransport.create()
    try {
      let nm = await NodeManager.start(options)
      const request = signRequest(keys.owner.privateKey, {
        call: 'AddFileToVessel',
        args: ['v1', 'once.txt', enc('once')],
        destination: nm.peerId,
      })
      let owner = await NodeClient.connect(nm.addresses[0]!, { identity: keys.owner, transport })
      await owner.send(request)
      await nm.stop()
      // gone, so that a replay that got through would show by making it again
      const file = join(dataDir, 'files', 'v1', 'once.txt')
      unlinkSync(file)

      nm = await NodeManager.start(options)
      owner = await NodeClient.connect(nm.addresses[0]!, { identity: keys.owner, transport })
      const replayed = await owner.send(request).then(
        () => 'ok',
        (err: unknown) => (err instanceof NodeError ? err.code : String(err)),
      )
      expect(replayed).toBe('E_REPLAY')
      expect(existsSync(file)).toBe(false)
      // a fresh request of the same call still passes
      await owner.call('AddFileToVessel', ['v1', 'once.txt', enc('again')])
      expect(existsSync(file)).toBe(true)
      await nm.stop()
    } finally {
      await transport.close()
    }
  }, 60_000)
})
