// The Repy tutorial's examples (examples/example.*.r2py, copied unmodified from the tutorial) run through the real
// CLI, like test/examples.test.ts does for their JavaScript ports. The web servers are given a port as callargs[0]
// (the tutorial's "running remotely" path: they then listen on getmyip(), which is --ip) with a restrictions file
// that allows it, so they never collide with other tests on 12345. The tutorial's Internet examples (3.x, 4.x)
// name www.google.com and NIST time servers; without Internet access they must fail in gethostbyname with
// NetworkAddressError at the right line, which is what is checked then. example.1.4 closes its server after 60 s;
// it runs from a copy that closes after EXIT_AFTER_S instead, so that the test ends on the program's own exitall
// rather than waiting out the tutorial's minute.
import { spawn } from 'node:child_process'
import { lookup } from 'node:dns/promises'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { flotillaRun } from '../helpers/flotilla-run.js'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..', '..')
const BIN = join(ROOT, 'bin', 'flotilla')
const EX = join(ROOT, 'examples')
const TEST_RESTRICTIONS = join(EX, 'restrictions.test')
const DEFAULT_RESTRICTIONS = join(EX, 'restrictions.default')
/** example.1.4's server lifetime in the copy the test runs: long enough for the test's three connections on a
 *  loaded machine (the timer starts once the server listens) */
const EXIT_AFTER_S = 15

const run = flotillaRun

/** `"file", line N, in func`: a frame line of a Repy traceback, N being the line of `text` in the example. */
function frame(file: string, text: string, func = '<module>'): string {
  const line =
    readFileSync(join(EX, file), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes(text)) + 1
  if (line === 0) throw new Error(`no line with ${text} in ${file}`)
  return `"${file}", line ${line}, in ${func}`
}

const temps: string[] = []
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true })
})
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-repy-ex-'))
  temps.push(dir)
  return dir
}

/** A free TCP port on 127.0.0.1 and a restrictions file (restrictions.default) that allows it as a connport. */
async function portAndRestrictions(): Promise<{ port: number; restrictions: string }> {
  const probe = createServer()
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
  const port = (probe.address() as { port: number }).port
  await new Promise((r) => probe.close(r))
  const restrictions = join(tempDir(), 'restrictions.port')
  writeFileSync(restrictions, readFileSync(DEFAULT_RESTRICTIONS, 'utf8') + `resource connport ${port}\n`)
  return { port, restrictions }
}

/** Sends `request` on a new connection and resolves with everything the server sends until it closes
 *  (latin1). Raw sockets, because the tutorial's servers end header lines with a bare \n. */
function exchange(port: number, request: string, timeoutMs = 3000): Promise<string> {
  return new Promise((done, fail) => {
    const sock = connect(port, '127.0.0.1')
    let text = ''
    sock.setEncoding('latin1')
    sock.setTimeout(timeoutMs, () => {
      sock.destroy()
      fail(new Error('timed out'))
    })
    sock.on('connect', () => sock.write(request))
    sock.on('data', (c: string) => {
      text += c
    })
    sock.on('end', () => {
      sock.destroy()
      done(text)
    })
    sock.on('error', fail)
  })
}

const GET = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'

/** GET / until the server answers: it may not listen yet, and a server that polls getconnection() may pick a
 *  connection up before the request arrived (its recv then raises SocketWouldBlockError and the page is lost). */
async function getPage(port: number, server?: { running: boolean }, tries = 60): Promise<string> {
  for (let i = 0; ; i++) {
    // a lost page shows as an error (the request written into a closed socket) or as a close with no answer
    let failure: unknown = new Error('the server closed the connection without an answer')
    try {
      const page = await exchange(port, GET)
      if (page !== '') return page
    } catch (err) {
      failure = err
    }
    if (i >= tries || (server && !server.running)) throw failure
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Starts `flotilla run` in the background; `stop()` interrupts it (Ctrl-C) and resolves with its exit code. */
function start(...args: string[]) {
  const child = spawn(process.execPath, [BIN, 'run', ...args], { cwd: ROOT })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('latin1')
  })
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  let running = true
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      running = false
      r(code)
    }),
  )
  return {
    exited,
    get running() {
      return running
    },
    get stdout() {
      return stdout
    },
    get stderr() {
      return stderr
    },
    async stop() {
      child.kill('SIGINT')
      const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))])
      child.kill('SIGKILL')
      return code
    },
  }
}

function visitorPage(count: number): string {
  const body =
    '<html><head><title>Hello World</title></head><body><h1> Hello World!</h1>' +
    `<p>You are visitor ${count}</body></html>`
  return `HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: ${body.length}\nServer: Seattle Testbed\n\n${body}`
}

const online = await lookup('www.google.com').then(
  () => true,
  () => false,
)

// concurrent: example.1.4 runs until its timer ends while the others run; no two share a port
describe.concurrent('tutorial examples (.r2py)', () => {
  it('example.1.1.r2py prints Hello World', async () => {
    const r = await run(TEST_RESTRICTIONS, join(EX, 'example.1.1.r2py'))
    expect(r).toMatchObject({ code: 0, stdout: 'Hello World\n' })
  })

  it('example.1.2.r2py serves its hello world page on the port it is given', async () => {
    const { port, restrictions } = await portAndRestrictions()
    const server = start(restrictions, join(EX, 'example.1.2.r2py'), String(port))
    try {
      // the backslash-continued string literal keeps the next line's 16 leading spaces
      const body =
        '<html><head><title>Hello World</title></head>' + ' '.repeat(16) + '<body><h1> Hello World! </h1></body></html>'
      expect(await getPage(port, server)).toBe(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
      expect(await getPage(port, server)).toContain('Hello World!')
    } catch (err) {
      throw new Error(`${(err as Error).message}; the program said: ${server.stderr}`, { cause: err })
    } finally {
      await server.stop()
    }
    expect(server.stdout).toBe('')
  })

  it('example.1.2.r2py raises an uncaught exception with too many call arguments', async () => {
    const r = await run(TEST_RESTRICTIONS, join(EX, 'example.1.2.r2py'), '1', '2')
    expect(r.code).toBe(6)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(frame('example.1.2.r2py', 'raise Exception("Too many call arguments")'))
    expect(r.stderr).toContain("Exception (with type 'exceptions.Exception'): Too many call arguments")
  })

  it("example.1.3.globals.r2py (the tutorial's version with a global) is rejected as unsafe", async () => {
    const r = await run(TEST_RESTRICTIONS, join(EX, 'example.1.3.globals.r2py'))
    expect(r.code).toBe(5)
    // As repy.py does, the check's verdict is printed on stdout, once: the status line on stderr does not repeat it.
    expect(r.stdout).toBe(
      'Specified repy program is unsafe!\nStatic-code analysis failed with error: Code failed safety check! Error: ' +
        "('<class \\'exception_hierarchy.CheckNodeException\\'> (\"Unsafe call \\'Global\\' in line 2\",)',)\n",
    )
    expect(r.stderr).toBe('Terminated (exit code 5)\n')
  })

  it('example.1.3.r2py counts its visitors in mycontext', async () => {
    const { port, restrictions } = await portAndRestrictions()
    const server = start(restrictions, join(EX, 'example.1.3.r2py'), String(port))
    try {
      expect(await getPage(port, server)).toBe(visitorPage(1))
      expect(await getPage(port, server)).toBe(visitorPage(2))
      expect(await getPage(port, server)).toBe(visitorPage(3))
    } catch (err) {
      throw new Error(`${(err as Error).message}; the program said: ${server.stderr}`, { cause: err })
    } finally {
      await server.stop()
    }
  })

  it(`example.1.4.r2py closes a connection that sends nothing, counts real visitors, and exits when its timer ends`, async () => {
    const { port, restrictions } = await portAndRestrictions()
    const tutorial = readFileSync(join(EX, 'example.1.4.r2py'), 'utf8')
    expect(tutorial).toContain('close_server = close_after(60)\n')
    const program = join(tempDir(), 'example.1.4.r2py')
    writeFileSync(program, tutorial.replace('close_after(60)', `close_after(${EXIT_AFTER_S})`))
    const server = start('--json', restrictions, program, String(port))
    const started = Date.now()
    try {
      expect(await getPage(port, server)).toBe(visitorPage(1))
      // a connection without a request: recv raises SocketWouldBlockError, hello closes it without counting
      expect(await exchange(port, '', 5000)).toBe('')
      expect(await getPage(port, server)).toBe(visitorPage(2))
      const code = await Promise.race([
        server.exited,
        new Promise<string>((r) => setTimeout(() => r('still running'), EXIT_AFTER_S * 1000 + 20_000)),
      ])
      expect(code).toBe(0)
      expect((Date.now() - started) / 1000).toBeGreaterThan(EXIT_AFTER_S - 5)
      // exitall ends every thread at once: the loop never gets to log "The server is going to close now!"
      expect(server.stdout).not.toContain('The server is going to close now!')
      expect(server.stdout).toContain('"code":200')
    } catch (err) {
      throw new Error(`${(err as Error).message}; the program said: ${server.stderr}`, { cause: err })
    } finally {
      await server.stop()
    }
  }, 100_000)

  it('example.2.1.r2py writes a file and reads it back', async () => {
    const r = await run(TEST_RESTRICTIONS, join(EX, 'example.2.1.r2py'))
    expect(r).toMatchObject({ code: 0, stdout: 'hello world\n' })
  })

  it('example.2.2.r2py lists the files as it writes them, then removes them', async () => {
    const r = await run(TEST_RESTRICTIONS, join(EX, 'example.2.2.r2py'), 'one.txt', 'two.txt')
    expect(r.stderr).not.toContain('exit code')
    expect(r.code).toBe(0)
    // log() is Python 2's `print x,`: a space before each item unless the output just ended with a newline
    expect(r.stdout).toBe(
      "['example.2.2.r2py', 'one.txt'] ['example.2.2.r2py', 'one.txt', 'two.txt'] \n" +
        "The files: ['one.txt', 'two.txt'] should now be missing from ['example.2.2.r2py']",
    )
  })

  it('example.2.2.r2py refuses a file name with a slash', async () => {
    const r = await run(TEST_RESTRICTIONS, join(EX, 'example.2.2.r2py'), 'A/B')
    expect(r.code).toBe(6)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(frame('example.2.2.r2py', 'myfileobject = openfile(filename, True)'))
    expect(r.stderr).toContain('RepyArgumentError')
  })

  // ---- the Internet examples ----

  for (const file of ['example.3.1.r2py', 'example.3.2.r2py', 'example.3.2.closesocket.r2py', 'example.4.1.r2py']) {
    it.runIf(!online)(`${file} fails to look up www.google.com without Internet access`, async () => {
      const r = await run(DEFAULT_RESTRICTIONS, join(EX, file))
      expect(r.code).toBe(6)
      expect(r.stdout).toBe('')
      expect(r.stderr).toContain(frame(file, 'gethostbyname("www.google.com")'))
      expect(r.stderr).toContain('NetworkAddressError')
    })
  }

  it.runIf(online)('example.4.1.r2py looks up two names and prints the vessel IP', async () => {
    const r = await run('--ip', '10.9.8.7', DEFAULT_RESTRICTIONS, join(EX, 'example.4.1.r2py'))
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\.\d+ \n\d+\.\d+\.\d+\.\d+ \n10\.9\.8\.7 \n$/)
  })

  it('example.4.2.r2py imports randomfloat from random.r2py and picks a time server', async () => {
    const dir = tempDir()
    for (const f of ['example.4.2.r2py', 'random.r2py']) copyFileSync(join(EX, f), join(dir, f))
    const r = await run('--cwd', dir, DEFAULT_RESTRICTIONS, join(dir, 'example.4.2.r2py'))
    const servers = [
      'time-a.nist.gov',
      'time-b.nist.gov',
      'time-a.timefreq.bldrdoc.gov',
      'time-b.timefreq.bldrdoc.gov',
      'time-c.timefreq.bldrdoc.gov',
      'utcnist.colorado.edu',
      'time.nist.gov',
      'nist1.symmetricom.com',
      'nist.netservicesgroup.com',
    ]
    const chosen = /^Using: {2}(\S+) \n/.exec(r.stdout)
    expect(chosen, r.stdout + r.stderr).not.toBeNull()
    expect(servers).toContain(chosen![1])
    if (!online) {
      expect(r.code).toBe(6)
      expect(r.stdout).toBe(`Using:  ${chosen![1]} \n`)
      expect(r.stderr).toContain(frame('example.4.2.r2py', 'serverip = gethostbyname(servername)'))
      expect(r.stderr).toContain('NetworkAddressError')
    }
  })

  it('random.r2py gives floats in [0, 1)', async () => {
    const dir = tempDir()
    copyFileSync(join(EX, 'random.r2py'), join(dir, 'random.r2py'))
    writeFileSync(
      join(dir, 'floats.r2py'),
      [
        'dy_import_module_symbols("random.r2py")',
        'values = []',
        'for i in range(20):',
        '  values.append(randomfloat())',
        'for v in values:',
        '  if type(v) is not float or v < 0.0 or v >= 1.0:',
        '    log("bad", v, "\\n")',
        'if len(set(values)) < 15:',
        '  log("too few distinct values", values, "\\n")',
        'log("done\\n")',
        '',
      ].join('\n'),
    )
    const r = await run('--cwd', dir, DEFAULT_RESTRICTIONS, join(dir, 'floats.r2py'))
    expect(r).toMatchObject({ code: 0, stdout: 'done\n' })
  })
})
