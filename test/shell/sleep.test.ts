// `sleep <seconds>`: scripts wait for programs before reading their logs.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const BIN = join(new URL('../../', import.meta.url).pathname, 'bin/flotilla')
const shell = (command: string) =>
  new Promise<{ code: number; stdout: string; stderr: string; ms: number }>((resolve) => {
    const t0 = performance.now()
    execFile(process.execPath, [BIN, 'shell', '-c', command], (err, stdout, stderr) => {
      resolve({
        code: err ? Number((err as { code?: number }).code ?? 1) : 0,
        stdout,
        stderr,
        ms: performance.now() - t0,
      })
    })
  })

describe('shell sleep', () => {
  it('waits the given seconds', async () => {
    const r = await shell('sleep 0.4')
    expect(r.code).toBe(0)
    expect(r.ms).toBeGreaterThanOrEqual(400)
  })

  it.each(['sleep', 'sleep -1', 'sleep soon', 'sleep 1 2', 'sleep 3601'])(
    'refuses `%s` with a one-line usage message and exit 2',
    async (command) => {
      const r = await shell(command)
      expect(r.code).toBe(2)
      expect(r.stdout + r.stderr).toMatch(/usage: sleep <seconds> \(a number from 0 to 3600\)/)
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /)
    },
  )
})
