// `flotilla run`: the real CLI in a child process (bin/flotilla -> dist/cli/main.js).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { flotilla as runCli, type CliResult } from '../helpers/flotilla-run.js'
import { waitForValue } from '../helpers/wait-for.js'

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'bin', 'flotilla')
const work = mkdtempSync(join(tmpdir(), 'flotilla-cli-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const RESTRICTIONS = join(ROOT, 'examples', 'restrictions.test')

const flotilla = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: work, timeoutMs: 20_000 })
function program(name: string, source: string): string {
  const path = join(work, name)
  writeFileSync(path, source)
  return path
}

describe('flotilla run', () => {
  it('runs hello and exits 0', async () => {
    const r = await flotilla('run', RESTRICTIONS, join(ROOT, 'examples', 'hello.js'))
    expect(r.stdout).toBe('Hello World\n')
    expect(r.code).toBe(0)
  })

  it('refuses a bad restrictions file with exit 2 and one line naming the line', async () => {
    const bad = join(work, 'bad.restrictions')
    writeFileSync(bad, 'resource cpu 1\nresource memory 1000000\nresource diskused 100000\nresource bogus 3\n')
    const r = await flotilla('run', bad, program('p.js', 'log("x")'))
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('line 4')
    expect(r.stderr).toContain("unknown resource 'bogus'")
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('refuses a missing restrictions file or program with exit 2', async () => {
    const noProgram = await flotilla('run', RESTRICTIONS, join(work, 'nothere.js'))
    expect(noProgram.code).toBe(2)
    expect(noProgram.stderr).toContain('no program file')
    const noRestrictions = await flotilla('run', join(work, 'nothere.r'), program('p.js', 'log("x")'))
    expect(noRestrictions.code).toBe(2)
    expect(noRestrictions.stderr).toContain('cannot read the restrictions file')
  })

  it('refuses a program that is not .js, .ts or .r2py with exit 2', async () => {
    const r = await flotilla('run', RESTRICTIONS, program('notes.txt', 'log("x")'))
    expect(r).toMatchObject({ code: 2, stdout: '' })
    expect(r.stderr).toBe(
      `flotilla: '${join(work, 'notes.txt')}' is not a program: flotilla runs .js, .ts and .r2py files\n`,
    )
  })

  it('says "finished (exit 0)" after a normal end and after exitall()', async () => {
    expect(await flotilla('run', RESTRICTIONS, program('done.js', 'log("x\\n")'))).toEqual({
      code: 0,
      stdout: 'x\n',
      stderr: 'finished (exit 0)\n',
    })
    const exit = await flotilla('run', RESTRICTIONS, program('exitall.js', 'exitall()'))
    expect(exit).toMatchObject({ code: 0, stderr: 'finished: exitall() called (exit 0)\n' })
  })

  it('Ctrl-C to its process group stops the program (exit 44), without a stack trace', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'run', RESTRICTIONS, program('forever.js', 'for (;;) { log("tick\\n"); await sleep(0.1) }')],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    )
    let stderr = ''
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString()
    })
    await new Promise((r) => child.stdout.once('data', r))
    const exited = new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)))
    process.kill(-child.pid!, 'SIGINT')
    expect(await exited).toBe(44)
    expect(stderr).toBe('Stopped (exit code 44): stopped by Ctrl-C\n')
  })

  // timer-slack.ts: a thread Linux may wake up to 50 µs late made a guest's sleep(0.0001) last about 200 µs. The
  // vessel's thread, booted before the command has read its arguments, once kept that default.
  it("runs the program on a thread whose timer slack is 1 ns, as a node's sandbox host does", async () => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'run',
        join(ROOT, 'examples', 'restrictions.default'),
        program('spin.js', 'log("spinning\\n"); for (;;) {}'),
      ],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    )
    const exited = new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)))
    try {
      // (a program that failed would end instead)
      await Promise.race([new Promise((r) => child.stdout.once('data', r)), exited])
      // the vessel's thread is the one that spins: the busiest of the process's threads other than its main one
      // (read under task/: /proc/<tid>/stat counts the whole process's cpu)
      const busiest = async (): Promise<{ tid: string; ticks: number }> => {
        const threads = readdirSync(`/proc/${child.pid}/task`).filter((tid) => tid !== String(child.pid))
        const ticks = (tid: string): number => {
          const fields = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')
          return Number(fields[11]) + Number(fields[12])
        }
        return threads.map((tid) => ({ tid, ticks: ticks(tid) })).reduce((a, b) => (b.ticks > a.ticks ? b : a))
      }
      const spinner = await waitForValue(busiest, (t) => t.ticks >= 20, 'the vessel thread to spin for 0.2 s', 30_000)
      expect(readFileSync(`/proc/${spinner.tid}/timerslack_ns`, 'utf8').trim()).toBe('1')
    } finally {
      process.kill(-child.pid!, 'SIGINT')
      await exited
    }
  })

  it('prints help with the options and exits 0', async () => {
    const r = await flotilla('run', '--help')
    expect(r.code).toBe(0)
    for (const option of ['--ip', '--cwd', '--logfile', '--log-size', '--json']) expect(r.stdout).toContain(option)
    expect(r.stdout).toContain('Exit status')
  })

  it('gives options after the program name to the program', async () => {
    const r = await flotilla(
      'run',
      RESTRICTIONS,
      program('args.js', 'log(JSON.stringify(callargs))'),
      '--ip',
      'x',
      '-v',
      '--json',
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('["--ip","x","-v","--json"]')
  })

  it('takes --ip for getmyip and refuses a bad one', async () => {
    const ok = await flotilla('run', '--ip', '10.0.0.7', RESTRICTIONS, program('ip.js', 'log(getmyip())'))
    expect(ok.stdout).toBe('10.0.0.7')
    const bad = await flotilla('run', '--ip', 'nope', RESTRICTIONS, program('ip.js', 'log(getmyip())'))
    expect(bad.code).toBe(2)
  })

  it('prints the outcome as JSON with --json', async () => {
    const r = await flotilla('run', '--json', RESTRICTIONS, program('j.js', 'log("out\\n")'))
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toBe('out')
    expect(JSON.parse(lines[1]!)).toEqual({ status: 'Terminated', code: 0, reason: 'finished' })
  })

  it('writes the ring log files with --logfile instead of stdout', async () => {
    const prefix = join(work, 'ring')
    const r = await flotilla('run', '--logfile', prefix, RESTRICTIONS, program('l.js', 'log("to the log\\n")'))
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('')
    const text = ['old', 'new']
      .map((s) => (existsSync(`${prefix}.${s}`) ? readFileSync(`${prefix}.${s}`, 'utf8') : ''))
      .join('')
    expect(text).toBe('to the log\n')
  })

  it('keeps the files in --cwd', async () => {
    const dir = join(work, 'vessel')
    const r = await flotilla(
      'run',
      '--cwd',
      dir,
      RESTRICTIONS,
      program('w.js', 'const f = openfile("kept", true); f.writeat("yes", 0); f.close()'),
    )
    expect(r.code).toBe(0)
    expect(readFileSync(join(dir, 'kept'), 'utf8')).toBe('yes')
  })

  it('exits 6 for an uncaught exception, with the message on stderr', async () => {
    const r = await flotilla('run', RESTRICTIONS, program('throw.js', 'log("a")\nthrow new FileError("oops")'))
    expect(r.code).toBe(6)
    expect(r.stdout).toBe('a')
    expect(r.stderr).toContain('FileError: oops')
  })

  it("an API call refused in a function shows the program's frames, not the runtime's", async () => {
    const r = await flotilla(
      'run',
      RESTRICTIONS,
      program('badcall.js', 'function nap() { sleep("soon") }\nawait nap()\n'),
    )
    expect(r.code).toBe(6)
    expect(r.stderr).toContain(
      'RepyArgumentError: sleep: seconds must be a number, not string\n    at nap (badcall.js:1:',
    )
    expect(r.stderr).toContain('(badcall.js:2:')
    expect(r.stderr).not.toMatch(/flotilla:|\(native\)/)
  })

  // The program's thread is in this process, not in a sandbox host's (src/runtime/local-run.ts): its memory quota
  // still ends it, with its code and reason, and the command reports it.
  it('exits 98 for a program that keeps allocating past its memory quota', async () => {
    const r = await flotilla(
      'run',
      RESTRICTIONS,
      program('grow.js', "log('start')\nconst a = []\nfor (;;) a.push('y'.repeat(1000) + a.length)"),
    )
    expect(r.code).toBe(98)
    expect(r.stdout).toBe('start')
    expect(r.stderr.trim()).toBe('Terminated (exit code 98): memory quota exceeded (10000000 bytes)')
  })

  it('exits 5 for a syntax error, 30 for a thread error and 0 for exitall', async () => {
    expect((await flotilla('run', RESTRICTIONS, program('syntax.js', 'log(('))).code).toBe(5)
    expect(
      (await flotilla('run', RESTRICTIONS, program('thread.js', 'createthread(() => { throw new Error("t") })'))).code,
    ).toBe(30)
    const exit = await flotilla('run', RESTRICTIONS, program('exit.js', 'log("bye"); exitall(); log("no")'))
    expect(exit.code).toBe(0)
    expect(exit.stdout).toBe('bye')
  })
})
