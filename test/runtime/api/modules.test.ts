// Modules: `import` loads other files of the vessel directory (Repy filenames only); .ts files are type-stripped.
import { afterAll, describe, expect, it } from 'vitest'
import { sharedGuestHost } from '../../helpers/shared-host.js'

// The programs run as vessels of one sandbox host, as a node runs them (test/helpers/shared-host.ts).
const host = sharedGuestHost()
afterAll(() => host.close())

describe('modules', () => {
  it('imports other files of the vessel directory, which share the API and mycontext', async () => {
    const { output, outcome } = await host.run(
      `
import { twice } from './util.js'
import 'side.js'
mycontext.fromMain = 1
const dyn = await import('./dyn.js')
log(twice(21), mycontext.fromSide, dyn.answer(), '\\n')`,
      {
        files: {
          'util.js': 'export const twice = (x) => x * 2\n',
          'side.js': `log('side effect', getthreadname(), '\\n'); mycontext.fromSide = 'side'\n`,
          'dyn.js': 'export const answer = () => mycontext.fromMain + 41\n',
        },
      },
    )
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe('side effect MainThread \n42 side 42 \n')
  })

  it('runs a .ts program that imports a .ts module', async () => {
    const { output, outcome } = await host.run(
      `
import { twice, type Num } from './util.ts'
interface Shape { n: Num }
const s: Shape = { n: twice(21) }
log(String(s.n) as string)`,
      {
        program: 'main.ts',
        files: { 'util.ts': 'export type Num = number\nexport function twice(x: Num): Num { return x * 2 }\n' },
      },
    )
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).toBe('42')
  })

  it.each([
    ['../x.js', 'a filename may only contain'],
    ['node:fs', 'a filename may only contain'],
    ['./missing.js', 'no such file in the vessel'],
  ])('refuses a static import of %s: the program cannot be loaded (code 5)', async (name, why) => {
    const { output, outcome } = await host.run(`import '${name}'\nlog('ran')`, { files: { 'x.js': 'log("x")' } })
    expect(output).toBe('')
    expect(outcome.status).toBe('Terminated')
    expect(outcome.code).toBe(5)
    expect(outcome.reason).toContain(`cannot import '${name.replace(/^\.\//, '')}'`)
    expect(outcome.reason).toContain(why)
  })

  it('refuses a dynamic import outside the vessel with a catchable error', async () => {
    const { output, outcome } = await host.run(`
for (const name of ['../x.js', '/etc/passwd', 'node:fs', 'fs', 'process', '.hidden.js']) {
  try { await import(name); log(name, 'loaded\\n') } catch (e) { log(name, '->', e.message, '\\n') }
}`)
    expect(outcome).toMatchObject({ status: 'Terminated', code: 0 })
    expect(output).not.toContain('loaded')
    expect(output).toContain("../x.js -> cannot import '../x.js': a filename may only contain")
    expect(output).toContain("/etc/passwd -> cannot import '/etc/passwd'")
    expect(output).toContain("node:fs -> cannot import 'node:fs'")
    expect(output).toContain("fs -> cannot import 'fs': no such file in the vessel")
    expect(output).toContain(".hidden.js -> cannot import '.hidden.js': a filename must not start with")
  })

  it('reports a syntax error in an imported module as a compile error (code 5)', async () => {
    const { outcome } = await host.run(`import './bad.js'`, { files: { 'bad.js': 'export const x = (\n' } })
    expect(outcome.code).toBe(5)
    expect(outcome.reason).toContain('SyntaxError')
    expect(outcome.reason).toContain('bad.js')
  })
})
