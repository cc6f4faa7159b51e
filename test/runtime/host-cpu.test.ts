// Work the sandbox host does for a vessel outside its worker thread (here: brokering its sockets on the main
// thread) is charged to that vessel: its cpu usage includes it, so its cpu share holds for the whole process.
// Ports used here: 21830-21831.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { SandboxHost } from '../../src/runtime/sandbox.js'
import type { Outcome } from '../../src/runtime/api/types.js'
import { GENEROUS_RESTRICTIONS } from '../helpers/run-guest.js'

const root = mkdtempSync(join(tmpdir(), 'flotilla-host-cpu-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const [PORT, OUT_PORT] = [21830, 21831]
const restrictions = parseRestrictions(`${GENEROUS_RESTRICTIONS}
resource connport ${PORT}
resource connport ${OUT_PORT}
`)

// Heavy socket traffic with itself until getresources shows cpu charged beyond its thread's own (at most 200 rounds
// of 2000 sends and receives), then one line: the cpu figures, and whether the charge showed.
const traffic = `
const server = listenforconnection('127.0.0.1', ${PORT})
const out = await openconnection('127.0.0.1', ${PORT}, '127.0.0.1', ${OUT_PORT}, 5)
let inbound
for (;;) { try { inbound = server.getconnection()[2]; break } catch (e) { await sleep(0.01) } }
const message = 'x'.repeat(1024)
let usage
for (let round = 0; round < 200; round++) {
  for (let i = 0; i < 2000; i++) {
    try { out.send(message) } catch (e) {}
    try { inbound.recv(65536) } catch (e) {}
  }
  usage = getresources()[1]
  if (usage.cpu > usage.threadcpu) break
  await sleep(0.05)
}
log(JSON.stringify({ cpu: usage.cpu, threadcpu: usage.threadcpu }) + '\\n')
await sleep(60)
`

describe('host cpu charged to vessels', () => {
  it("counts the host's work for a vessel's sockets in the vessel's cpu usage", async () => {
    const dir = mkdtempSync(join(root, 'v-'))
    writeFileSync(join(dir, 'main.js'), traffic)
    let output = ''
    let lineSeen!: () => void
    const line = new Promise<void>((r) => {
      lineSeen = r
    })
    let ended: Outcome | undefined
    const host = await SandboxHost.start(dir, {
      output: (_id, text) => {
        output += text
        if (output.includes('\n')) lineSeen()
      },
      exit: (_id, outcome) => {
        ended = outcome
        lineSeen()
      },
    })
    try {
      host.startVessel({ vesselId: 'v', cwd: dir, program: 'main.js', callargs: [], ip: '127.0.0.1', restrictions })
      await line
      expect(ended).toBeUndefined()
      const { cpu, threadcpu } = JSON.parse(output) as { cpu: number; threadcpu: number }
      expect(cpu).toBeGreaterThan(threadcpu)
      const charged = (await host.hostUsage('v'))!.chargedCpuSeconds
      expect(charged).toBeGreaterThan(0)
    } finally {
      await host.shutdown()
    }
  }, 120_000)
})
