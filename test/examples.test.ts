// The tutorial's examples (examples/*.js) run through the real CLI; the network ones talk to servers this test
// starts on 127.0.0.1. Also: the examples typecheck against types/flotilla-guest.d.ts.
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { request } from 'node:http'
import { createServer } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { flotillaRun } from './helpers/flotilla-run.js'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const BIN = join(ROOT, 'bin', 'flotilla')
const EX = join(ROOT, 'examples')

const run = flotillaRun

function httpGet(port: number): Promise<string> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let body = ''
      res.setEncoding('latin1')
      res.on('data', (c: string) => {
        body += c
      })
      res.on('end', () => done(`${res.statusCode} ${body}`))
    })
    req.on('error', fail)
    req.end()
  })
}

async function getWithRetry(port: number, tries = 50): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await httpGet(port)
    } catch (err) {
      if (i >= tries) throw err
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

describe('examples', () => {
  it('hello.js prints Hello World', async () => {
    const r = await run(join(EX, 'restrictions.test'), join(EX, 'hello.js'))
    expect(r).toMatchObject({ code: 0, stdout: 'Hello World\n' })
  })

  it('file-hello.js writes a file and reads it back', async () => {
    const r = await run(join(EX, 'restrictions.test'), join(EX, 'file-hello.js'))
    expect(r).toMatchObject({ code: 0, stdout: 'hello world\n' })
  })

  it('files-list.js lists the files it wrote, then removes them', async () => {
    const r = await run(join(EX, 'restrictions.test'), join(EX, 'files-list.js'), 'one.txt', 'two.txt')
    expect(r.code).toBe(0)
    const [first, second] = r.stdout.split('\n')
    expect(JSON.parse(first!.trim())).toEqual(['files-list.js', 'one.txt', 'two.txt'])
    expect(second).toBe('The files: ["one.txt","two.txt"] should now be missing from ["files-list.js"] ')
  })

  it('files-list.js refuses a file name with a slash', async () => {
    const r = await run(join(EX, 'restrictions.test'), join(EX, 'files-list.js'), 'A/B')
    expect(r.code).toBe(6)
    expect(r.stderr).toContain('RepyArgumentError')
  })

  it('lookup.js resolves localhost and prints the vessel IP', async () => {
    const r = await run('--ip', '10.9.8.7', join(EX, 'restrictions.default'), join(EX, 'lookup.js'))
    expect(r).toMatchObject({ code: 0, stdout: 'localhost -> 127.0.0.1 \nmy ip: 10.9.8.7 \n' })
  })

  it('restrictions.test is the tutorial file and restrictions.default has the example ports', async () => {
    const { parseRestrictions } = await import('../src/runtime/nanny/restrictions.js')
    const { readFileSync } = await import('node:fs')
    const tutorial = parseRestrictions(readFileSync(join(EX, 'restrictions.test'), 'utf8'))
    expect(tutorial.limits).toMatchObject({ cpu: 0.1, memory: 10_000_000, events: 10, random: 100 })
    expect(tutorial.ports).toEqual({ messport: [12345, 12346], connport: [12345] })
    const generous = parseRestrictions(readFileSync(join(EX, 'restrictions.default'), 'utf8'))
    expect(generous.ports).toEqual({ messport: [12345, 12346], connport: [12345, 12346] })
  })

  // ---- network examples: they need the network API (api/tcp.ts, api/udp.ts) ----

  it('fetch-page.js fetches a page from a local server until it closes', async () => {
    const server = createServer((sock) => {
      sock.once('data', (req) => {
        const path = req.toString('latin1').split(' ')[1]
        sock.end(`HTTP/1.0 200 OK\r\nContent-Length: 11\r\n\r\nhello ${path}`)
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    try {
      const r = await run(
        join(EX, 'restrictions.default'),
        join(EX, 'fetch-page.js'),
        '127.0.0.1',
        String(port),
        '/page',
      )
      expect(r.stderr).not.toContain('exit code')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('HTTP/1.0 200 OK')
      expect(r.stdout).toContain('hello /page')
    } finally {
      server.close()
    }
  })

  it('ntp.js decodes the transmit time of a reply from a local UDP responder', async () => {
    const responder = createSocket('udp4')
    const seconds = 3_900_000_000
    responder.on('message', (msg, from) => {
      if (msg.length !== 48 || msg[0] !== 27) return
      const reply = Buffer.alloc(48)
      reply[0] = 0x1c
      reply.write('TEST', 12, 'latin1')
      reply.writeUInt32BE(seconds, 40)
      reply.writeUInt32BE(0x80000000, 44) // half a second
      responder.send(reply, from.port, from.address)
    })
    await new Promise<void>((r) => responder.bind(0, '127.0.0.1', r))
    try {
      const r = await run(
        join(EX, 'restrictions.default'),
        join(EX, 'ntp.js'),
        '127.0.0.1',
        String(responder.address().port),
      )
      expect(r.stderr).not.toContain('exit code')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`From 127.0.0.1:${responder.address().port}, I received NTP data.`)
      expect(r.stdout).toContain('NTP Reference Identifier: TEST')
      expect(r.stdout).toContain(`NTP Transmit Time (in seconds since Jan 1st, 1900): ${seconds + 0.5}`)
    } finally {
      responder.close()
    }
  })

  it('webserver.js serves pages and counts visitors', async () => {
    const child = spawn(process.execPath, [BIN, 'run', join(EX, 'restrictions.default'), join(EX, 'webserver.js')], {
      cwd: ROOT,
    })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    try {
      const first = await getWithRetry(12345)
      const second = await httpGet(12345)
      expect(first).toContain('200 <html>')
      expect(first).toContain('You are visitor 1')
      expect(second).toContain('You are visitor 2')
    } catch (err) {
      throw new Error(`${(err as Error).message}; the program said: ${stderr}`, { cause: err })
    } finally {
      child.kill('SIGINT')
      await new Promise((r) => child.once('exit', r))
    }
  })

  it('webserver-stop.js serves, then stops itself with exitall after callargs[0] seconds', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--json', join(EX, 'restrictions.default'), join(EX, 'webserver-stop.js'), '2'],
      { cwd: ROOT },
    )
    let stdout = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    try {
      const page = await getWithRetry(12345)
      expect(page).toContain('You are visitor 1')
      expect(await exited).toBe(0)
      expect(stdout).toContain('The server is going to close now!')
      expect(stdout).toContain('"code":200')
    } finally {
      child.kill('SIGKILL')
    }
  })

  // ---- editor support ----

  it('typechecks against types/flotilla-guest.d.ts', () => {
    const { program } = examplesProgram()
    expect(diagnosticsText(program)).toBe('')
  })

  it('the declarations catch a wrong call', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-types-'))
    try {
      writeFileSync(join(dir, 'bad.js'), 'openfile(5, true)\nconst n = getruntime().length\nawait sleep()\n')
      const examples = examplesProgram()
      const bad = ts.createProgram({
        rootNames: [join(ROOT, 'types', 'flotilla-guest.d.ts'), join(dir, 'bad.js')],
        options: examples.options,
        oldProgram: examples.program,
      })
      const text = diagnosticsText(bad)
      expect(text).toContain('bad.js(1,10)')
      expect(text).toContain('bad.js(2,')
      expect(text).toContain('bad.js(3,')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

// The TypeScript compiler in this process (two tsc processes would each start up and parse the standard library).
let examples: { program: ts.Program; options: ts.CompilerOptions } | undefined
function examplesProgram(): { program: ts.Program; options: ts.CompilerOptions } {
  if (examples) return examples
  const config = ts.getParsedCommandLineOfConfigFile(
    join(EX, 'jsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (!config) throw new Error('examples/jsconfig.json could not be read')
  examples = { program: ts.createProgram(config.fileNames, config.options), options: config.options }
  return examples
}

function diagnosticsText(program: ts.Program): string {
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  })
}
