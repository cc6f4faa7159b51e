// Every command answers --help, and the ones a script checks the result of list their exit codes there.
import { describe, expect, it } from 'vitest'
import { flotilla } from '../helpers/flotilla-run.js'

describe('--help', () => {
  it.each([
    'run',
    'keygen',
    'shell',
    'deploy',
    'browse',
    'node call',
    'node top',
    'node donate',
    'pool start',
    'pool acquire',
    'pool list',
    'pool renew',
    'pool release',
    'pool status',
  ])('flotilla %s lists its exit codes', async (command) => {
    const help = await flotilla([...command.split(' '), '--help'])
    expect(help.code).toBe(0)
    const exits = /\nExit status: (0 [\s\S]*?)(\n\n|\n[A-Z]|$)/.exec(help.stdout)?.[1] ?? ''
    expect(exits).toMatch(/\b2 /)
  })

  it.each(['node init', 'node start', 'node status'])('flotilla %s has help', async (command) => {
    const help = await flotilla([...command.split(' '), '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: flotilla node \w+/)
  })
})
