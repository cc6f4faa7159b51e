// A node manager running as root starts its sandbox host as an unprivileged user (nobody:nogroup by default), with
// no capabilities, and gives it the vessels' files; where that user cannot reach the project or the data folder it
// runs the host as root with one warning, which node status shows.
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { LogEntry } from '../../src/node/node-log.js'
import { DEFAULT_SANDBOX_USER, chooseSandboxUser } from '../../src/node/sandbox-user.js'
import { HELLO, PROJECT, enc, sandboxHostPids, startTestNode, text, waitFor, type TestNode } from './nm-helpers.js'

const isRoot = process.getuid?.() === 0
// A checkout in a folder nobody may pass into (a 0700 temp folder) makes every node fall back to root, as the
// second test shows; .ci/run lets nobody pass into its clone so that the first test runs there.
const projectReachable = isRoot && (await chooseSandboxUser(DEFAULT_SANDBOX_USER, PROJECT)).warning === null
const nobody = Number(
  readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('nobody:'))
    ?.split(':')[2],
)

/** Sandbox host processes started by this process, with their /proc/<pid>/status fields. */
function sandboxHosts(): Array<Record<string, string>> {
  return sandboxHostPids().flatMap((pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8')
      return [
        Object.fromEntries(
          status.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
        ),
      ]
    } catch {
      return [] // the process ended meanwhile
    }
  })
}

const WRITER = "const f = openfile('made.txt', true); f.writeat('by the guest', 0); f.close(); log('wrote\\n')\n"

let node: TestNode | undefined
afterEach(async () => {
  await node?.stop()
  node = undefined
})

describe.runIf(isRoot)('sandbox user (node manager running as root)', () => {
  it.runIf(projectReachable)(
    "runs the sandbox host as nobody with no capabilities; vessel directories, uploads and guest files are nobody's",
    async () => {
      const notices: LogEntry[] = []
      node = await startTestNode({ node: { log: { sink: (e) => notices.push(e) } } })
      const owner = await node.client('owner')
      const summary = await owner.getVessels()
      expect(summary.sandboxUser).toEqual({ runsAs: `nobody:nogroup (${nobody}:${nobody})`, warning: null })
      expect(notices.filter((e) => e.event === 'sandbox user')).toEqual([])

      await owner.call('AddFileToVessel', ['v1', 'writer.js', enc(WRITER)])
      await owner.call('StartVessel', ['v1', 'writer.js', []])
      const done = await waitFor(async () => {
        const v = (await owner.getVessels()).vessels[0]
        return v?.status !== 'Started' && v
      }, 'writer.js to end')
      expect(done.exit).toMatchObject({ code: 0 })
      expect(text(await owner.call('ReadVesselLog', ['v1']))).toMatch(/ ---\nwrote\n$/)
      // the host the program ran in (it stays up a while after the last program)
      const [host] = sandboxHosts()
      expect(host?.Uid?.split(/\s+/)).toEqual([String(nobody), String(nobody), String(nobody), String(nobody)])
      expect(host?.CapEff).toBe('0000000000000000')
      expect(host?.CapPrm).toBe('0000000000000000')
      expect(host?.Groups).toBe('')
      const dir = join(node.dataDir, 'files', 'v1')
      for (const path of [dir, join(dir, 'writer.js'), join(dir, 'made.txt')])
        expect(statSync(path).uid, path).toBe(nobody)
      // the store, logs and uploads stay out of its reach
      for (const sub of ['state', 'logs', 'tmp']) expect(statSync(join(node.dataDir, sub)).mode & 0o077, sub).toBe(0)
    },
  )

  it('falls back to root with one warning, shown in node status, when nobody cannot reach the data folder; vessels still run', async () => {
    const notices: LogEntry[] = []
    node = await startTestNode({ passable: false, node: { log: { sink: (e) => notices.push(e) } } })
    const owner = await node.client('owner')
    const { sandboxUser } = await owner.getVessels()
    expect(sandboxUser?.runsAs).toMatch(/^root/)
    // the data folder here; in a checkout under a folder nobody cannot enter (a 0700 temp folder), the project's
    // dist/ is the first thing it cannot reach
    expect(sandboxUser?.warning).toMatch(/runs as root, not nobody:nogroup: it cannot reach .*\/(data|dist) /)
    expect(notices.filter((e) => e.event === 'sandbox user').map((e) => [e.level, e.msg])).toEqual([
      ['warn', sandboxUser?.warning],
    ])
    await owner.call('AddFileToVessel', ['v1', 'hello.js', enc(HELLO)])
    await owner.call('StartVessel', ['v1', 'hello.js', []])
    await waitFor(async () => (await owner.getVessels()).vessels[0]?.status === 'Terminated', 'hello.js to end')
    expect(sandboxHosts()[0]?.Uid?.split(/\s+/)[0]).toBe('0')
    expect(text(await owner.call('ReadVesselLog', ['v1']))).toMatch(/ ---\nHello World\n$/)
  })

  it('names a sandbox user that does not exist in its warning', async () => {
    node = await startTestNode({ node: { sandboxUser: { user: 'no-such-user-x', group: 'nogroup' } } })
    expect(node.nm.sandboxUser.warning).toBe(
      "the sandbox host runs as root, not no-such-user-x:nogroup: there is no user 'no-such-user-x'",
    )
  })
})
