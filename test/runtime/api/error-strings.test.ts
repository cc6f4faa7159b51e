// The bridge keeps exception names and short messages as guest strings (a polling program meets the same few at
// almost every call). Many different messages, interleaved with a repeated one, must each arrive whole while the
// kept strings are renewed. (A renewal that freed a string the same raise had just taken turned a Repy program's
// SocketWouldBlockError into SystemError; the conformance table's tcp area caught it.)
import { describe, expect, it } from 'vitest'
import { runGuest } from '../../helpers/run-guest.js'

describe('exception names and messages', () => {
  it('arrive whole across many different messages and a repeated one', async () => {
    const { output, outcome } = await runGuest(`
let wrong = 0
for (let i = 0; i < 300; i++) {
  for (const name of ['gone' + i, 'same']) {
    try { removefile(name); wrong++ } catch (e) {
      if (e.name !== 'FileNotFoundError' || !(e instanceof FileNotFoundError) || e.message !== "removefile: '" + name + "' does not exist") wrong++
    }
  }
}
log('wrong ' + wrong)
`)
    expect(outcome.code).toBe(0)
    expect(output).toBe('wrong 0')
  })
})
