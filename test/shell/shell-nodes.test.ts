// The shell driven non-interactively (-c, a script file, stdin) against three real node managers on 127.0.0.1-3
// with three vessels each: every command, checked by its effect on the nodes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatRestrictions, parseRestrictions } from '../../src/runtime/nanny/restrictions.js'
import { generateKeyFiles } from '../../src/keys/key-files.js'
import { deployLines, type DeployReport } from '../../src/shell/deploy.js'
import {
  HELLO,
  flotilla,
  jsonLines,
  silentServer,
  startTestbed,
  unknownPeerId,
  waitFor,
  type Testbed,
} from './helpers.js'

let bed: Testbed
const SETUP = 'loadkeys alice; contact nodes.txt; on %all'

beforeAll(async () => {
  bed = await startTestbed(3, 3)
  writeFileSync(join(bed.dir, 'hello.js'), HELLO)
  writeFileSync(join(bed.dir, 'data.txt'), 'some data\n')
}, 60_000)
afterAll(async () => {
  await bed?.stop()
})

const vesselsOf = async (i: number) => (await (await bed.client(i)).getVessels()).vessels
/** Waits until no program runs on any node (hello.js ends by itself). */
const idle = () =>
  waitFor(async () => {
    for (let i = 0; i < bed.nodes.length; i++)
      if ((await vesselsOf(i)).some((v) => v.status === 'Started')) return false
    return true
  }, 'programs to end').catch(async (err: Error) => {
    const states = await Promise.all(
      bed.nodes.map(async (_, i) => JSON.stringify((await vesselsOf(i)).map((v) => [v.name, v.status, v.program]))),
    )
    throw new Error(`${err.message}; the vessels: ${states.join(' ')}`)
  })
const byCommand = (lines: ReturnType<typeof jsonLines>, prefix: string) => {
  const found = lines.find((l) => l.command.startsWith(prefix))
  if (!found) throw new Error(`no result for ${prefix}`)
  return found as unknown as Record<string, unknown> & {
    good: string[]
    failed: Array<{ code: string; targets: string[] }>
    results: Record<string, unknown>
    output: string[]
    data?: unknown
  }
}

describe('flotilla shell on real nodes', () => {
  it('-c: contact, list, upload, run, files, cat, download, resources, users, ownerinfo, advertise, groups, savestate', async () => {
    const script = [
      SETUP,
      'list',
      'upload data.txt',
      'upload hello.js',
      'show files',
      'cat data.txt',
      'download data.txt got',
      'show resources',
      'show offcut',
      'show ip',
      'show timeout',
      'loadpub bob',
      'set users bob',
      'show users',
      'set ownerinfo hello there',
      'show ownerinfo',
      'set advertise off',
      'show advertise',
      'add %1 to first',
      'add %2 to first',
      'move %3 to second',
      'remove %2 from first',
      'show targets',
      'run hello.js 5',
      'show info',
      'savestate st.bin',
    ].join('; ')
    const run = await flotilla(['shell', '--json', '-c', script], bed.dir)
    expect(run.stderr).toBe('')
    expect(
      run.code,
      run.stdout
        .split('\n')
        .filter((l) => l.includes('"ok":false'))
        .join('\n'),
    ).toBe(0)
    const out = jsonLines(run.stdout)
    expect(out.every((l) => l.ok)).toBe(true)
    expect(byCommand(out, 'contact').good).toHaveLength(3)
    expect((byCommand(out, 'list').data as unknown[]).length).toBe(9)
    expect(byCommand(out, 'run').good).toHaveLength(9)
    expect(Object.values(byCommand(out, 'show files').results)).toEqual(Array(9).fill(['data.txt', 'hello.js']))
    expect(Object.values(byCommand(out, 'cat').results)).toEqual(Array(9).fill('some data\n'))
    expect(byCommand(out, 'show resources').output.join('\n')).toContain('resource cpu')
    expect(byCommand(out, 'show ip').data).toEqual(['127.0.0.1', '127.0.0.2', '127.0.0.3'])
    expect(byCommand(out, 'show users').output[0]).toMatch(/: bob$/)
    expect(byCommand(out, 'show ownerinfo').output[0]).toMatch(/: "hello there"$/)
    expect(byCommand(out, 'show advertise').output[0]).toMatch(/: off$/)
    const groups = (byCommand(out, 'show targets').data as { groups: Record<string, string[]> }).groups
    expect(groups.first).toHaveLength(1)
    expect(groups.second).toHaveLength(1)
    // the effect on the nodes
    for (let i = 0; i < 3; i++) {
      for (const v of await vesselsOf(i)) {
        expect(v.userKeys).toEqual([bed.bob.publicKeyText])
        expect(v.ownerInfo).toBe('hello there')
        expect(v.advertise).toBe(false)
        expect(v.program).toBe('hello.js')
        expect(v.args).toEqual(['5'])
      }
      const files = await (await bed.client(i)).call('ListFilesInVessel', ['v2'])
      expect(files).toEqual(['data.txt', 'hello.js'])
    }
    const short = bed.nodes[0]!.peerId.slice(-6)
    expect(readFileSync(join(bed.dir, `got.${short}_v1`), 'utf8')).toBe('some data\n')
    expect(existsSync(join(bed.dir, 'st.bin'))).toBe(true)
    expect(readFileSync(join(bed.dir, 'st.bin')).includes(Buffer.from('hello there'))).toBe(false)
  })

  it('deploy: uploads and starts on every vessel of the key and prints a table; an unreachable node is a row and exit 1', async () => {
    await idle()
    writeFileSync(
      join(bed.dir, 'more.txt'),
      `${readFileSync(join(bed.dir, 'nodes.txt'), 'utf8')}/ip4/127.0.0.9/tcp/9/p2p/${await unknownPeerId()}\n`,
    )
    const json = await flotilla(
      ['deploy', '--key', 'alice', '--keys', 'keys', '--nodes', 'more.txt', '--json', 'hello.js', 'deployed'],
      bed.dir,
    )
    expect(json.code).toBe(1)
    const report = JSON.parse(json.stdout) as DeployReport
    expect(report).toMatchObject({ ok: true, vessels: 9, started: 9, failed: 0, unreachable: 1 })
    expect(report.rows.find((r) => r.node === '-')?.errors[0]).toContain('E_UNREACHABLE')
    const table = { code: json.code, stderr: json.stderr, stdout: deployLines(report, 'hello.js').join('\n') + '\n' }
    expect(table.stderr).toBe('')
    expect(table.code).toBe(1)
    expect(table.stdout).toMatch(/^NODE +ADDRESS +VESSELS +STARTED +FAILED +ERROR\n/)
    expect(table.stdout).toMatch(/\n- +\/ip4\/127.0.0.9\/tcp\/9 +0 +0 +0 +cannot reach .*\[E_UNREACHABLE\]\n/)
    expect(table.stdout).toContain('hello.js: started on 9 of 9 vessels on 3 nodes; 1 node not reached')
    await idle()
  })

  it('deploy: an absolute nodes path and a key path; a node without a vessel of the key is reached, not unreachable', async () => {
    await generateKeyFiles(join(bed.dir, 'keys'), 'carol')
    const nodesPath = join(bed.dir, 'nodes.txt')
    const run = await flotilla(
      ['deploy', '--key', join(bed.dir, 'keys', 'carol.privatekey'), '--nodes', nodesPath, 'hello.js'],
      bed.dir,
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)
    expect(run.stdout.match(/reached, no vessel for carol/g)).toHaveLength(3)
    expect(run.stdout).toContain('hello.js: started on 0 of 0 vessels on 3 nodes (')
    expect(run.stdout).not.toContain('not reached')
    writeFileSync(join(bed.dir, 'empty.txt'), '# no nodes yet\n')
    const empty = await flotilla(
      ['deploy', '--key', 'carol', '--keys', 'keys', '--nodes', join(bed.dir, 'empty.txt'), 'hello.js'],
      bed.dir,
    )
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('lists no node addresses')
  })

  it('node call: a key named by path, a missing user key and a malformed peer id are usage mistakes (exit 2)', async () => {
    const address = bed.nodes[0]!.address
    const byPath = await flotilla(
      ['node', 'call', address, 'ReadVesselLog', 'v1', '--key', join(bed.dir, 'keys', 'alice')],
      bed.dir,
    )
    expect(byPath.stderr).toBe('')
    expect(byPath.code).toBe(0)
    const before = (await (await bed.client(0)).call('GetVessels', [])).vessels.find((v) => v.name === 'v3')
    const noBob = await flotilla(
      ['node', 'call', address, 'ChangeUsers', 'v3', 'nobody-here', '--key', 'alice', '--keys', 'keys'],
      bed.dir,
    )
    expect(noBob.code).toBe(2)
    expect(noBob.stderr).toMatch(/nobody-here\.publickey: no such key file/)
    const after = (await (await bed.client(0)).call('GetVessels', [])).vessels.find((v) => v.name === 'v3')
    expect(after?.userKeys).toEqual(before?.userKeys)
    const badPeer = await flotilla(['node', 'call', address.replace(/\/p2p\/.*$/, '/p2p/xyz'), 'GetVessels'], bed.dir)
    expect(badPeer.code).toBe(2)
    expect(badPeer.stderr).toContain("'xyz' is not a peer id")
    expect(badPeer.stderr).not.toMatch(/multibase|\n +at /)
  })

  it('a script file: loadstate, show log, delete, start, as bob (a user), reset', async () => {
    await idle()
    writeFileSync(
      join(bed.dir, 'script.txt'),
      [
        '# state saved by the first test',
        'loadkeys alice',
        'loadstate st.bin',
        'loadkeys bob',
        'show targets',
        'on %all',
        'show log',
        'delete data.txt',
        'start hello.js again',
        'as bob on first show files',
        'on second reset',
      ].join('\n'),
    )
    const run = await flotilla(['shell', '--json', 'script.txt'], bed.dir)
    expect(run.stderr).toBe('')
    expect(run.code, run.stdout).toBe(0)
    const out = jsonLines(run.stdout)
    expect(
      (byCommand(out, 'show targets').data as { all: unknown[]; groups: Record<string, string[]> }).all,
    ).toHaveLength(9)
    expect(
      Object.values(byCommand(out, 'show log').results).every((log) => String(log).includes('Hello World deployed')),
    ).toBe(true)
    expect(byCommand(out, 'delete').good).toHaveLength(9)
    expect(byCommand(out, 'start').good).toHaveLength(9)
    const bobFiles = byCommand(out, 'as bob')
    expect(Object.values(bobFiles.results)).toEqual([['hello.js']])
    expect(byCommand(out, 'on second reset').good).toHaveLength(1)
    const second = (byCommand(out, 'show targets').data as { groups: Record<string, string[]> }).groups.second![0]!
    const [short, vessel] = second.split(':') as [string, string]
    const node = bed.nodes.findIndex((n) => n.peerId.endsWith(short))
    await waitFor(
      async () => (await vesselsOf(node)).find((v) => v.name === vessel)?.status === 'Fresh',
      'reset vessel Fresh',
    )
    expect(await (await bed.client(node)).call('ListFilesInVessel', [vessel])).toEqual([])
    expect(await (await bed.client(1)).call('ListFilesInVessel', ['v3'])).toEqual(['hello.js'])
  })

  it('wait: returns once no program runs, and says which still run when its time is up', async () => {
    await idle()
    writeFileSync(
      join(bed.dir, 'ticks.js'),
      "for (let i = 0; i < 3; i++) { log('tick ' + i + '\\n'); await sleep(0.3) }\n",
    )
    writeFileSync(join(bed.dir, 'forever.js'), "log('on\\n')\nwhile (true) await sleep(0.2)\n")
    const ended = jsonLines(
      (await flotilla(['shell', '--json', '-c', `${SETUP}; on %1 run ticks.js; on %1 wait; on %1 show log`], bed.dir))
        .stdout,
    )
    expect(byCommand(ended, 'on %1 wait')).toMatchObject({ ok: true, good: [expect.any(String)] })
    expect(Object.values(byCommand(ended, 'on %1 show log').results)[0]).toMatch(/tick 0\ntick 1\ntick 2\n$/)
    const timedOut = await flotilla(
      ['shell', '--keep-going', '-c', `${SETUP}; on %2 run forever.js; on %2 wait 0.5; on %2 stop; on %2 wait`],
      bed.dir,
    )
    expect(timedOut.code).not.toBe(0)
    expect(timedOut.stderr).toMatch(/^error: still running after 0\.5 s: \S+:v\d\n$/)
    expect(timedOut.stdout).toMatch(/on %2 wait: ok on 1 vessel|wait: ok on 1 vessel/)
  })

  it('a failure on one vessel is grouped, makes <cmd>good/<cmd>fail, and the failed part can be retried (stdin)', async () => {
    await idle()
    const first = jsonLines(
      (
        await flotilla(
          ['shell', '--json', '-c', `${SETUP}; loadkeys bob; on %1 set users alice bob; on %1 set owner bob`],
          bed.dir,
        )
      ).stdout,
    )
    expect(byCommand(first, 'on %1 set owner').good).toHaveLength(1)
    const script = `${SETUP}\nloadkeys bob\nas alice\nset ownerinfo changed\nshow targets\non setownerinfofail\nas bob set ownerinfo changed\n`
    const run = await flotilla(['shell', '--json'], bed.dir, script)
    expect(run.code, run.stdout + run.stderr).toBe(1)
    const out = jsonLines(run.stdout)
    const change = byCommand(out, 'set ownerinfo')
    expect(change.good).toHaveLength(8)
    expect(change.failed).toEqual([
      expect.objectContaining({ code: 'E_PERMISSION', targets: [expect.stringMatching(/:v1$/)] }),
    ])
    expect(change.groups).toEqual(['setownerinfogood', 'setownerinfofail'])
    expect(byCommand(out, 'as bob').good).toHaveLength(1)
    expect((await vesselsOf(0)).map((v) => v.ownerInfo)).toEqual(['changed', 'changed', 'changed'])
    // the text form prints the error once with the vessels it hit
    const text = await flotilla(['shell', '-c', `${SETUP}; set ownerinfo again`], bed.dir)
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/set ownerinfo: 8 ok, 1 failed of 9 vessels/)
    expect(text.stdout).toMatch(/failed on \w+:v1: .* \[E_PERMISSION\]/)
    expect(text.stdout).toContain('groups: setownerinfogood, setownerinfofail')
  })

  it('split and join: the owner splits a vessel (split1/split2 groups) and joins the halves again', async () => {
    await idle()
    const current = parseRestrictions(await (await bed.client(1)).call('GetVesselResources', ['v2']))
    const half = {
      ...current,
      limits: Object.fromEntries(
        Object.entries(current.limits).map(([k, v]) => [k, Number.isInteger(v) ? Math.floor(v / 4) : v / 4]),
      ) as typeof current.limits,
      ports: { messport: current.ports.messport.slice(0, 3), connport: current.ports.connport.slice(0, 3) },
    }
    writeFileSync(join(bed.dir, 'quarter.txt'), formatRestrictions(half))
    const n1 = bed.nodes[1]!.peerId.slice(-6)
    const run = await flotilla(
      [
        'shell',
        '--json',
        '-c',
        `${SETUP}; on ${n1}:v2 split quarter.txt; show targets; on split1 add split2; on split1 join; list`,
      ],
      bed.dir,
    )
    expect(run.stderr).toBe('')
    const out = jsonLines(run.stdout)
    const split = byCommand(out, `on ${n1}`)
    expect(split.good, JSON.stringify(split)).toEqual([`${n1}:v2`])
    const [left, made] = split.results[`${n1}:v2`] as string[]
    const groups = (byCommand(out, 'show targets').data as { groups: Record<string, string[]> }).groups
    expect(groups.split1).toEqual([left])
    expect(groups.split2).toEqual([made])
    const afterSplit = byCommand(out, 'on split1 join')
    expect(afterSplit.good).toHaveLength(2)
    const joined = (afterSplit.data as { joined: string[] }).joined
    expect(joined).toHaveLength(1)
    const names = (await vesselsOf(1)).map((v) => v.name)
    expect(names).toHaveLength(3)
    expect(names).toContain(joined[0]!.split(':')[1])
    expect((byCommand(out, 'list').data as unknown[]).length).toBe(9)
  })

  it('bad input: each mistake is one line, the shell keeps going, exit 2', async () => {
    const silent = await silentServer('127.0.0.4')
    try {
      const refused = `/ip4/127.0.0.5/tcp/9/p2p/${await unknownPeerId()}`
      const script = [
        'frobnicate',
        'upload',
        'loadkeys nobody',
        'contact nodes.txt',
        'show bogus',
        "set ownerinfo 'unclosed",
        'loadkeys alice',
        'run hello.js',
        `contact ${refused}`,
        'set timeout 1',
        `contact ${silent.address}`,
        'set timeout 30',
        'contact nodes.txt',
        'on %all',
        'run nothere.js',
        'upload hello.js BAD.js',
        'on nosuchgroup',
        'show timeout',
      ].join('\n')
      const run = await flotilla(['shell', '--keep-going', 'script.bad'], bed.dir).catch(() => null)
      expect(run?.code).toBe(2) // no such script file
      writeFileSync(join(bed.dir, 'script.bad'), script)
      const res = await flotilla(['shell', '--keep-going', 'script.bad'], bed.dir)
      expect(res.code).toBe(2)
      const errors = res.stderr.trim().split('\n')
      expect(errors).toEqual([
        expect.stringMatching(/^error: unknown command 'frobnicate'/),
        'error: usage: upload <localfile> [remotefile]',
        expect.stringMatching(/^error: .*nobody.publickey: no such key file/),
        expect.stringMatching(/^error: no identity/),
        expect.stringMatching(/^error: unknown 'show bogus'/),
        expect.stringMatching(/^error: unclosed ' quote/),
        expect.stringMatching(/^error: no target/),
        expect.stringMatching(/^error: no such local file: nothere.js/),
        expect.stringMatching(/^error: 'BAD.js' is not a valid vessel file name/),
        expect.stringMatching(/^error: unknown target 'nosuchgroup'/),
      ])
      expect(res.stderr).not.toMatch(/\n\s+at /)
      expect(res.stdout).toMatch(/contact: 0 ok, 1 failed of 1 node .*\n.*\[E_UNREACHABLE\]/)
      expect(res.stdout).toMatch(/contact: 0 ok, 1 failed of 1 node .*\n.*timed out after 1 s \[E_TIMEOUT\]/)
      expect(res.stdout).toContain('contact: ok on 3 nodes')
      expect(res.stdout).toContain('timeout 30 s per node')
      // without --keep-going a script stops at the first command error
      const stop = await flotilla(['shell', '-c', 'frobnicate; show timeout'], bed.dir)
      expect(stop.code).toBe(2)
      expect(stop.stdout).toBe('')
    } finally {
      await silent.close()
    }
  })
})
