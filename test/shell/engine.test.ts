// Pure parts of the shell: parsing, target resolution, error grouping, fan-out bounds, completion, state encryption.
import { getMaxListeners } from 'node:events'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { isErrorCode, type ErrorCode } from '../../src/protocol/errors.js'
import type { NodeSummary, VesselSummary } from '../../src/protocol/results.js'
import { fanout, groupOutcomes, reportLines } from '../../src/shell/fanout.js'
import { ShellState } from '../../src/shell/model.js'
import { parseStatements } from '../../src/shell/parse.js'
import { decryptState, encryptState } from '../../src/shell/state.js'
import { complete } from '../../src/shell/ui/completion.js'
import { tempDir } from '../helpers/temp-dir.js'

const vessel = (name: string): VesselSummary => ({
  name,
  status: 'Fresh',
  ownerKey: 'k',
  userKeys: [],
  ownerInfo: '',
  advertise: true,
  program: null,
  args: [],
  startedAt: null,
  exit: null,
  ports: [],
})
const node = (peerId: string, names: string[]): NodeSummary => ({
  version: '0',
  peerId,
  addresses: [],
  ip: '127.0.0.1',
  vessels: names.map(vessel),
})

function twoNodes(): ShellState {
  const s = new ShellState()
  s.addNode(
    '/ip4/127.0.0.1/tcp/1000/p2p/12D3KooWAAAAAAaaaaaa',
    node('12D3KooWAAAAAAaaaaaa', ['v1', 'v2']),
    node('x', ['v1', 'v2']).vessels,
  )
  s.addNode(
    '/ip4/127.0.0.2/tcp/2000/p2p/12D3KooWBBBBBBbbbbbb',
    node('12D3KooWBBBBBBbbbbbb', ['v1']),
    node('x', ['v1']).vessels,
  )
  return s
}

describe('parse', () => {
  it('splits statements on ; and newlines, honours quotes and escapes, skips comments', () => {
    const s = parseStatements(`as alice; on %all\n# a comment\nset ownerinfo "a b; c" 'd e' f\\ g\n\nrun hello.js 5`)
    expect(s.map((x) => x.words)).toEqual([
      ['as', 'alice'],
      ['on', '%all'],
      ['set', 'ownerinfo', 'a b; c', 'd e', 'f g'],
      ['run', 'hello.js', '5'],
    ])
  })
  it('an unclosed quote spoils only its own line', () => {
    const s = parseStatements(`list\nset ownerinfo 'x\nshow targets`)
    expect(s.map((x) => x.error ?? x.words.join(' '))).toEqual(['list', "unclosed ' quote", 'show targets'])
  })
})

describe('targets', () => {
  it('gives readable stable names and resolves long names, full peer ids, host:port, %N, groups and %all', () => {
    const s = twoNodes()
    expect([...s.targets.keys()]).toEqual(['aaaaaa:v1', 'aaaaaa:v2', 'bbbbbb:v1'])
    expect(s.resolve('%all')).toHaveLength(3)
    expect(s.resolve('%3')[0]!.longName).toBe('bbbbbb:v1')
    expect(s.resolve('12D3KooWAAAAAAaaaaaa:v2')[0]!.longName).toBe('aaaaaa:v2')
    expect(s.resolve('127.0.0.2:2000:v1')[0]!.longName).toBe('bbbbbb:v1')
    s.setGroup('g', ['aaaaaa:v2'])
    expect(s.resolve('g').map((t) => t.longName)).toEqual(['aaaaaa:v2'])
    expect(() => s.resolve('nope')).toThrow(/unknown target 'nope'/)
    // a second node whose peer id ends the same gets a longer prefix, not a clash
    s.addNode('/ip4/127.0.0.3/tcp/3/p2p/12D3KooWCCCCaaaaaa', node('12D3KooWCCCCaaaaaa', ['v1']), [vessel('v1')])
    expect(s.targets.has('CCCCaaaaaa:v1')).toBe(true)
  })
  it('says what to do when no target or identity is set', () => {
    const s = twoNodes()
    expect(() => s.defaultVessels()).toThrow(/on <target>/)
    expect(() => s.signingIdentity()).toThrow(/no identity/)
    expect(s.prompt()).toBe(' !> ')
    s.identity = 'alice'
    s.target = '%all'
    expect(s.prompt()).toBe('alice@%all !> ')
  })
})

describe('fan-out', () => {
  it('keeps at most `concurrency` tasks in flight and times each one out', async () => {
    let inFlight = 0
    let most = 0
    const items = Array.from({ length: 40 }, (_, i) => i)
    const outcomes = await fanout(
      items,
      async (i) => {
        most = Math.max(most, ++inFlight)
        await new Promise((r) => setTimeout(r, i === 7 ? 400 : 5))
        inFlight--
        return i * 2
      },
      { concurrency: 10, timeoutMs: 200 },
    )
    expect(most).toBe(10)
    expect(outcomes.filter((o) => o.ok)).toHaveLength(39)
    expect(outcomes[7]).toEqual({ ok: false, error: { code: 'E_TIMEOUT', message: 'request timed out after 0.2 s' } })
  })
  it('32 targets in flight on one cancel signal print no listener warning (a user would see it on the terminal)', async () => {
    const warnings: Error[] = []
    const onWarning = (w: Error) => warnings.push(w)
    process.on('warning', onWarning)
    try {
      const cancel = new AbortController()
      const outcomes = await fanout(
        Array.from({ length: 40 }, (_, i) => i),
        (i) => new Promise<number>((r) => setTimeout(() => r(i), 5)),
        { concurrency: 32, timeoutMs: 0, signal: cancel.signal },
      )
      expect(outcomes.every((o) => o.ok)).toBe(true)
      // the warning is emitted on the next turn of the event loop
      await new Promise((r) => setImmediate(r))
      expect(warnings.map((w) => w.name)).toEqual([])
      expect(getMaxListeners(cancel.signal)).toBe(10)
    } finally {
      process.off('warning', onWarning)
    }
  })
  it("reports every failure with a code of the project's list: a local failure is E_CLIENT", async () => {
    const failures: unknown[] = [
      Object.assign(new Error('no vessel v9'), { code: 'E_NO_VESSEL' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('made up'), { code: 'E_MADE_UP' }),
      new TypeError('x is not a function'),
      'a thrown string',
    ]
    const outcomes = await fanout(
      failures,
      async (f) => {
        throw f
      },
      { concurrency: 2, timeoutMs: 0 },
    )
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual([
      'E_NO_VESSEL',
      'E_UNREACHABLE',
      'E_CLIENT',
      'E_CLIENT',
      'E_CLIENT',
    ])
    expect(outcomes.every((o) => !o.ok && isErrorCode(o.error.code))).toBe(true)
  })
  it('prints each distinct error once with the targets it hit', () => {
    const err = (code: ErrorCode, message: string) => ({ ok: false as const, error: { code, message } })
    const report = groupOutcomes(
      [
        { name: 'a:v1', outcome: { ok: true, value: 1 } },
        { name: 'a:v2', outcome: err('E_PERMISSION', 'no') },
        { name: 'b:v1', outcome: err('E_PERMISSION', 'no') },
        { name: 'c:v1', outcome: err('E_UNREACHABLE', 'down') },
      ],
      1500,
    )
    expect(reportLines('run x', report)).toEqual([
      'run x: 1 ok, 3 failed of 4 vessels (1.5 s)',
      '  failed on a:v2, b:v1: no [E_PERMISSION]',
      '  failed on c:v1: down [E_UNREACHABLE]',
    ])
  })
})

describe('completion', () => {
  it('completes commands, subcommands, targets, groups and local files', () => {
    const s = twoNodes()
    s.setGroup('uploadfail', [])
    const dir = tempDir('flotilla-complete-')
    writeFileSync(join(dir, 'hello.js'), '')
    writeFileSync(join(dir, 'help.txt'), '')
    expect(complete(s, dir, 'upl').line).toBe('upload ')
    expect(complete(s, dir, 'show ide').line).toBe('show identities ')
    expect(complete(s, dir, 'on %a').line).toBe('on %all ')
    expect(complete(s, dir, 'on upl').line).toBe('on uploadfail ')
    expect(complete(s, dir, 'on bbb').line).toBe('on bbbbbb:v1 ')
    expect(complete(s, dir, 'add %1 to up').line).toBe('add %1 to uploadfail ')
    expect(complete(s, dir, 'run hel')).toEqual({ line: 'run hel', candidates: ['hello.js', 'help.txt'] })
    expect(complete(s, dir, 'run hell').line).toBe('run hello.js ')
    expect(complete(s, dir, 'on %all up').line).toBe('on %all up')
    expect(complete(s, dir, 'on %all upd').line).toBe('on %all update ')
  })
})

describe('savestate encryption', () => {
  it('round-trips for the key it was saved for and refuses any other key', async () => {
    const dir = tempDir('flotilla-state-')
    const alice = await generateKeyFiles(dir, 'alice')
    const bob = await generateKeyFiles(dir, 'bob')
    const s = twoNodes()
    s.addIdentity({ name: 'alice', publicKeyText: alice.publicKeyText, keyPair: alice })
    s.setGroup('g', ['aaaaaa:v1'])
    s.identity = 'alice'
    s.timeoutS = 7
    const file = encryptState(s, alice)
    const back = decryptState(file, alice)
    expect([...back.targets.keys()]).toEqual([...s.targets.keys()])
    expect([...(back.groups.get('g') ?? [])]).toEqual(['aaaaaa:v1'])
    expect(back.timeoutS).toBe(7)
    expect(back.identities.get('alice')?.keyPair?.publicKeyText).toBe(alice.publicKeyText)
    expect(() => decryptState(file, bob)).toThrow(/cannot decrypt/)
    const tampered = Buffer.from(file)
    tampered[tampered.length - 1]! ^= 1
    expect(() => decryptState(tampered, alice)).toThrow(/cannot decrypt/)
  })
})
