// A worker finds its program's front end in the registry module it is given (the built src/front-ends.ts), so the
// runtime itself imports no language; without a registry every program is JavaScript.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FRONT_ENDS_MODULE } from '../../src/front-ends.js'
import { isUnsafeProgramError } from '../../src/runtime/front-end.js'
import { javascriptFrontEnd, loadFrontEnd } from '../../src/runtime/program-loader.js'
import { PROJECT_ROOT } from '../../src/runtime/sandbox.js'
import { requireBuild } from '../helpers/build.js'

const registry = join(PROJECT_ROOT, 'dist', FRONT_ENDS_MODULE)
const dir = mkdtempSync(join(tmpdir(), 'flotilla-front-end-'))
beforeAll(() => requireBuild())
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}

describe('program front ends', () => {
  it('without a registry, every program is JavaScript', async () => {
    expect(await loadFrontEnd(undefined, 'main.r2py')).toBe(javascriptFrontEnd)
  })

  it("the registry gives JavaScript and TypeScript programs the runtime's own front end", async () => {
    const js = await loadFrontEnd(registry, 'main.js')
    const ts = await loadFrontEnd(registry, 'main.ts')
    expect(js).toMatchObject({ deferRateWaits: false })
    expect(js.compile).toBeUndefined()
    expect(js.runtimeScript).toBeUndefined()
    writeFileSync(join(dir, 'typed.ts'), 'const n: number = 1\nlog(String(n))\n')
    expect(ts.programSource(dir, 'typed.ts')).toBe('const n = 1\nlog(String(n))\n')
  })

  it('the registry gives Repy programs the Repy front end: its runtime, its compiler and its refusals', async () => {
    const repy = await loadFrontEnd(registry, 'main.r2py')
    expect(repy.deferRateWaits).toBe(true)
    expect(repy.runtimeScript?.()).toContain('__flotilla_repy')
    writeFileSync(join(dir, 'ok.r2py'), 'log("hi\\n")\n')
    expect(repy.programSource(dir, 'ok.r2py')).toMatch(/^await __flotilla_repy\(/)
    writeFileSync(join(dir, 'unsafe.r2py'), 'import os\n')
    expect(isUnsafeProgramError(thrown(() => repy.programSource(dir, 'unsafe.r2py')))).toBe(true)
    expect(repy.compile?.('x = 1', 'v')).toContain('function')
    expect(isUnsafeProgramError(thrown(() => repy.compile?.('x = __import__("os")', 'v')))).toBe(true)
  })

  it('a module that is not a registry is a clear error', async () => {
    await expect(loadFrontEnd(join(PROJECT_ROOT, 'dist', 'runtime', 'cap-text.js'), 'main.js')).rejects.toThrow(
      /not a front-end registry/,
    )
  })
})
