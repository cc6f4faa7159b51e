// The API conformance suite: every case of the table (cases/*.ts) through both front ends, JavaScript and Repy.
// Each area becomes one JavaScript and one Repy program (generate.ts), run once each in a real sandbox, two at a
// time, as vessels of one sandbox host (test/helpers/shared-host.ts); then one test per case and front end compares
// its outcome, so a failing case names itself. Guest ports:
// 21300-21799 (each area's own block of 50 per front end, named in its file).
import { afterAll, describe, expect, it } from 'vitest'
import { AREAS } from './cases/index.js'
import { FRONT_ENDS, type Area, type FrontEnd } from './case.js'
import { DONE, caseCount, codeOf, expectOf, jsProgram, parseResults, pyProgram, withPorts } from './generate.js'
import { GENEROUS_RESTRICTIONS, type GuestRun } from '../helpers/run-guest.js'
import { sharedGuestHost } from '../helpers/shared-host.js'
import { limiter } from '../helpers/limiter.js'
import { rmSync } from 'node:fs'

const PROGRAM: Record<FrontEnd, string> = { js: 'main.js', py: 'main.r2py' }
const NAME: Record<FrontEnd, string> = { js: 'JavaScript', py: 'Repy' }

const limited = limiter(2)
const host = sharedGuestHost()
afterAll(() => host.close())
const runs = new Map<string, Promise<GuestRun>>()
function run(area: Area, fe: FrontEnd): Promise<GuestRun> {
  const key = `${area.name} ${fe}`
  let result = runs.get(key)
  if (!result) {
    const source = fe === 'js' ? jsProgram(area) : pyProgram(area)
    const restrictions = withPorts(area.restrictions ?? GENEROUS_RESTRICTIONS, area, fe)
    result = limited(() =>
      host.run(source, {
        program: PROGRAM[fe],
        restrictions,
        files: area.files,
        ip: area.ip,
        keepDir: area.checkDir !== undefined,
        // a backstop for a loaded machine; a program ends on its own in a few seconds
        timeoutMs: 90_000,
      }),
    )
    result.catch(() => {}) // reported by the area's own tests
    runs.set(key, result)
  }
  return result
}

describe.each(AREAS)('$name', (area) => {
  // start every program now, two at a time; each test then waits for its own
  for (const fe of FRONT_ENDS) void run(area, fe)

  describe.each(FRONT_ENDS)('%s', (fe) => {
    it(`${NAME[fe]}: the program runs every case and ends with code 0`, async () => {
      const { output, outcome, dir } = await run(area, fe)
      try {
        expect(outcome, outcome.reason).toMatchObject({ status: 'Terminated', code: 0 })
        expect(output).toContain(`${DONE} ${caseCount(area, fe)} cases run\n`)
        area.checkDir?.(dir, PROGRAM[fe])
      } finally {
        if (area.checkDir) rmSync(dir, { recursive: true, force: true })
      }
    }, 180_000)

    for (const item of area.items) {
      if (item.kind !== 'case' || codeOf(item[fe]) === null) continue
      it(`${NAME[fe]}: ${item.label}`, async () => {
        const results = parseResults((await run(area, fe)).output)
        expect(results.get(item.label) ?? 'no result: the case did not run').toEqual(expectOf(item[fe], item.expect))
      }, 180_000)
    }
  })
})
