// Runs Seattle's own unit tests in Flotilla's sandbox and judges them the way Seattle's utf.py does (its rules are
// below): repy_v2's testsV2/ut_*.r2py, or with --seattle the ut_*.r2py of seattlelib_v2 (its tests/ and
// testlibrepy/). Their code is not part of this repository: point the runner at local copies
// (scripts/repy-testsv2.sh exports testsV2 from a repy_v2 checkout).
//
//   npm run build    # the sandbox host runs from dist/
//   npx tsx scripts/repy-testsv2.ts <testsV2 dir> [--only name] [--json] [--jobs N]
//   npx tsx scripts/repy-testsv2.ts --seattle <seattlelib_v2 dir> [<testsV2 dir>] [--seattle-dylink] [...]
//
// Each test is started as utf.py starts it: `repy.py <restrictions> <the pragma's other words> <test>`, the first of
// those words being the program (seattlelib's `#pragma repy restrictions.default dylink.r2py librepy.r2py` runs
// `dylink.r2py librepy.r2py ut_x.r2py`). By default `dylink.r2py` is dropped from that line (Flotilla's dylink is
// built in, so `librepy.r2py` is the program); with --seattle-dylink seattlelib's own dylink.r2py is the program.
// A fresh vessel directory holds the test's directory's files (with --seattle also the library files at
// seattlelib's top level, as Seattle's build puts them side by side) and the restrictions file the pragma names:
// from the test's directory, seattlelib's top level or the testsV2 directory, else examples/restrictions.default
// plus the ports 63100-63131 that the tests use. The program runs with runProgram (127.0.0.1 as its IP). Its
// log() output is its stdout. When it does not end with code 0 (exitall counts as 0), the outcome's reason is its
// stderr (the traceback), except for code 5 (unsafe code or a syntax error), which repy.py prints on stdout.
// Then utf.py's rules:
//   - `#pragma out TEXT` / `#pragma error TEXT` (may repeat): each TEXT must be a substring of a line of stdout /
//     stderr, in order, one line each; an empty TEXT is a wildcard;
//   - without an out pragma stdout must be empty; without an error pragma stderr must be empty.
// Tests run a few at a time (--jobs, default 4), but never two that use the same port at once, each with a 30 s
// time limit. Skipped: tests that need the Internet, and .py tests (they run plain Python, not Repy).
// Output: PASS/FAIL/SKIP per test with a one-line reason, then `N passed, M failed of T` (T counts the tests run;
// skips are listed separately). Exit status: the number of failures (at most 125), like utf.py.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { parseRestrictions } from '../src/runtime/nanny/restrictions.js'
import { runProgram } from '../src/runtime/run-program.js'
import { FRONT_ENDS_MODULE } from '../src/front-ends.js'

/** Stands in for repy.py in the vessel (the tests only need a file of some kilobytes by that name). */
const REPY_PY_STANDIN = '# repy.py stand-in for the testsV2 runner\n' + 'x = 1\n'.repeat(4000)
import type { Outcome } from '../src/runtime/api/types.js'

const ROOT = resolve(import.meta.dirname, '..')
const TIME_LIMIT_MS = 30_000
const SKIP: Record<string, string> = {
  'ut_repyv2api_openconnectiontimeout.r2py': 'needs the Internet (looks up and connects to www.google.com)',
  'ut_repyv2api_getmyip.r2py': 'needs the Internet',
  // seattlelib_v2's
  'ut_librepy_openconn-args.r2py': 'needs the Internet (connects to google.com)',
  'ut_librepy_openconn-basic.r2py': 'needs the Internet (connects to google.com)',
  'ut_librepy_openconn-cleanup.r2py': 'needs the Internet (connects to google.com)',
  'ut_librepy_sendmess-args.r2py': 'needs the Internet (sends to google.com)',
  'ut_librepy_sendmess-basic.r2py': 'needs the Internet (sends to google.com)',
  'ut_seattlelib_ntptime_resolve_servers.r2py': 'needs the Internet (looks up NTP servers)',
  'ut_seattlelib_advertisepipe_works.r2py': "needs the Internet (Seattle's advertise servers)",
}

interface Pragmas {
  restrictions: string
  args: string[]
  out?: string[]
  error?: string[]
}

export interface TestResult {
  name: string
  verdict: 'PASS' | 'FAIL' | 'SKIP'
  why: string
  ms: number
  stdout?: string
  stderr?: string
  outcome?: Outcome
}

/** utf.py's parse_pragma: lines starting with `#pragma`; the last `repy` wins; `out` and `error` accumulate. */
export function parsePragmas(source: string): Pragmas {
  const pragmas: Pragmas = { restrictions: 'restrictions.default', args: [] }
  for (const line of source.split(/\r?\n/)) {
    if (!line.startsWith('#pragma')) continue
    const stripped = line.slice('#pragma'.length).trim()
    const space = stripped.indexOf(' ')
    const type = space < 0 ? stripped : stripped.slice(0, space)
    const arg = space < 0 ? '' : stripped.slice(space + 1)
    if (type === 'repy') {
      const words = arg.split(' ').filter((w) => w !== '')
      pragmas.restrictions = words[0] ?? 'restrictions.default'
      pragmas.args = words.slice(1)
    } else if (type === 'out' || type === 'error') {
      ;(pragmas[type] ??= []).push(arg)
    } else {
      throw new Error(`unknown pragma '${type}'`)
    }
  }
  return pragmas
}

/** utf.py's verify_results: null when the output is acceptable, else why not. */
export function verify(kind: 'stdout' | 'stderr', output: string, expected: string[] | undefined): string | null {
  const out = output.replace(/\r\n/g, '\n')
  if (!expected) return out ? `unexpected ${kind}: ${oneLine(out)}` : null
  let remaining = expected.slice()
  for (const line of out.split('\n')) {
    while (remaining.length && !remaining[0]) remaining = remaining.slice(1)
    if (remaining.length && line.includes(remaining[0]!)) remaining = remaining.slice(1)
  }
  while (remaining.length && !remaining[0]) remaining = remaining.slice(1)
  if (!remaining.length) return null
  return `${kind} lacks ${JSON.stringify(remaining[0])}; got: ${oneLine(out) || '(nothing)'}`
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat
}

/** Where a suite's tests are and how they run. */
interface Suite {
  /** Each test's directory, by name. */
  dirOf: Map<string, string>
  /** Directories whose files every vessel gets (besides the test's own directory). */
  shared: string[]
  /** Where restrictions files are looked up after the test's directory. */
  restrictionsDirs: string[]
  /** Run seattlelib's dylink.r2py as the program instead of dropping it from the command line. */
  seattleDylink: boolean
}

/** The restrictions text for a test: the first file of that name, or our default plus the tests' ports. */
function restrictionsText(suite: Suite, testDir: string, name: string): string {
  for (const dir of [testDir, ...suite.restrictionsDirs]) {
    const path = join(dir, name)
    if (existsSync(path)) return readFileSync(path, 'utf8')
  }
  let text = readFileSync(join(ROOT, 'examples', 'restrictions.default'), 'utf8')
  text += "\n# the ports repy_v2's tests use with restrictions.default\n"
  for (let port = 63100; port <= 63131; port++) text += `resource messport ${port}\nresource connport ${port}\n`
  return text
}

/** Ports a test uses: the numbers in its source that its restrictions allow, or that are near them; every port its
 *  restrictions allow when it asks librepy for them (`get_connports`, `get_messports`: each such test takes the first
 *  ones, the same for all). */
function portsOf(source: string, restrictions: string): Set<number> {
  const allowed = new Set<number>()
  for (const m of restrictions.matchAll(/^\s*resource\s+(?:connport|messport)\s+(\d+)/gm)) allowed.add(Number(m[1]))
  if (/\bget_(?:conn|mess)ports\b/.test(source)) return allowed
  const used = new Set<number>()
  for (const m of source.matchAll(/\b(\d{4,5})\b/g)) {
    const n = Number(m[1])
    if (allowed.has(n) || allowed.has(n - 1) || allowed.has(n + 1)) used.add(n)
  }
  return used
}

/** The command line after the restrictions (utf.py: the pragma's words, then the test): program and arguments. */
function commandLine(suite: Suite, pragmas: Pragmas, name: string): { program: string; args: string[] } {
  let words = [...pragmas.args, name]
  if (!suite.seattleDylink) words = words.filter((w) => w !== 'dylink.r2py')
  return { program: words[0]!, args: words.slice(1) }
}

async function runTest(suite: Suite, name: string): Promise<TestResult> {
  const dir = suite.dirOf.get(name)!
  const started = Date.now()
  const done = (verdict: TestResult['verdict'], why: string, extra: Partial<TestResult> = {}): TestResult => ({
    name,
    verdict,
    why,
    ms: Date.now() - started,
    ...extra,
  })
  if (SKIP[name]) return done('SKIP', SKIP[name])
  if (name.endsWith('.py'))
    return done('SKIP', 'a plain Python test (runs repy.py as a subprocess), not a Repy program')
  const source = readFileSync(join(dir, name), 'utf8')
  let pragmas: Pragmas
  let restrictions: string
  try {
    pragmas = parsePragmas(source)
    restrictions = restrictionsText(suite, dir, pragmas.restrictions)
  } catch (err) {
    return done('FAIL', `cannot set up: ${(err as Error).message}`)
  }
  const vessel = mkdtempSync(join(tmpdir(), 'flotilla-testsv2-'))
  try {
    // repy.py runs its tests in the install directory, and several tests rely on it: they open, read and list
    // repy.py and expect more than 50 files there. The vessel gets the test directory's files and a repy.py.
    for (const from of [...suite.shared, dir]) {
      for (const file of readdirSync(from, { withFileTypes: true }))
        if (file.isFile()) copyFileSync(join(from, file.name), join(vessel, file.name))
    }
    writeFileSync(join(vessel, 'repy.py'), REPY_PY_STANDIN)
    writeFileSync(join(vessel, name), source)
    writeFileSync(join(vessel, basename(pragmas.restrictions)), restrictions)
    let stdout = ''
    const stop = new AbortController()
    const timer = setTimeout(() => stop.abort(`time limit of ${TIME_LIMIT_MS / 1000} s`), TIME_LIMIT_MS)
    let outcome: Outcome
    try {
      outcome = await runProgram(
        {
          cwd: vessel,
          ...commandLine(suite, pragmas, name),
          ip: '127.0.0.1',
          restrictions: parseRestrictions(restrictions, pragmas.restrictions),
        },
        {
          output: (text) => {
            stdout += text
          },
          stop: stop.signal,
          // without it a .r2py program would be loaded as JavaScript: the runtime itself knows no other language
          frontEnds: FRONT_ENDS_MODULE,
        },
      )
    } finally {
      clearTimeout(timer)
    }
    let stderr = ''
    const ok = outcome.code === 0 || outcome.code === 200
    if (!ok) {
      const reason = outcome.reason.endsWith('\n') ? outcome.reason : outcome.reason + '\n'
      if (outcome.code === 5) stdout += reason
      else stderr += reason
    }
    const extra = { stdout, stderr, outcome }
    if (outcome.status === 'Stopped') return done('FAIL', `did not finish: ${oneLine(outcome.reason)}`, extra)
    const problem = verify('stdout', stdout, pragmas.out) ?? verify('stderr', stderr, pragmas.error)
    if (problem) return done('FAIL', `${problem} [exit code ${outcome.code}]`, extra)
    return done('PASS', pragmas.out || pragmas.error ? 'expected output' : 'silent', extra)
  } catch (err) {
    return done('FAIL', `runner error: ${(err as Error).message}`)
  } finally {
    rmSync(vessel, { recursive: true, force: true })
  }
}

/** Runs the tests `jobs` at a time, never two that share a port. Results come back in the tests' order. */
async function runAll(
  suite: Suite,
  names: string[],
  jobs: number,
  onResult: (r: TestResult) => void,
): Promise<TestResult[]> {
  const pending = names.map((name) => {
    let ports = new Set<number>()
    try {
      const dir = suite.dirOf.get(name)!
      const source = readFileSync(join(dir, name), 'utf8')
      if (name.endsWith('.r2py'))
        ports = portsOf(source, restrictionsText(suite, dir, parsePragmas(source).restrictions))
    } catch {
      /* reported when it runs */
    }
    return { name, ports }
  })
  const results = new Map<string, TestResult>()
  const busy = new Set<number>()
  let running = 0
  await new Promise<void>((finished) => {
    const next = () => {
      if (!pending.length && !running) return finished()
      for (let i = 0; i < pending.length && running < jobs; i++) {
        const test = pending[i]!
        if ([...test.ports].some((p) => busy.has(p))) continue
        pending.splice(i--, 1)
        running++
        for (const p of test.ports) busy.add(p)
        void runTest(suite, test.name).then((r) => {
          results.set(test.name, r)
          onResult(r)
          running--
          for (const p of test.ports) busy.delete(p)
          next()
        })
      }
    }
    next()
  })
  return names.map((n) => results.get(n)!)
}

/** The ut_* tests of these directories (a later directory's test of the same name is ignored). */
function testsIn(dirs: string[]): Map<string, string> {
  const found = new Map<string, string>()
  for (const dir of dirs) {
    if (!existsSync(dir)) continue
    for (const f of readdirSync(dir).sort())
      if (f.startsWith('ut_') && (f.endsWith('.r2py') || f.endsWith('.py')) && !found.has(f)) found.set(f, dir)
  }
  return found
}

async function main(argv: string[]): Promise<number> {
  let dir: string | undefined
  let seattle: string | undefined
  let seattleDylink = false
  let only: string | undefined
  let json = false
  let jobs = 4
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--json') json = true
    else if (a === '--only') only = argv[++i]
    else if (a === '--jobs') jobs = Math.max(1, Number(argv[++i]) || 1)
    else if (a === '--seattle') seattle = argv[++i]
    else if (a === '--seattle-dylink') seattleDylink = true
    else if (a === '-h' || a === '--help') {
      process.stdout.write(usage())
      return 0
    } else if (!dir && !a.startsWith('-')) dir = a
    else {
      process.stderr.write(usage())
      return 2
    }
  }
  if ((!dir && !seattle) || (dir && !existsSync(dir)) || (seattle && !existsSync(join(seattle, 'dylink.r2py')))) {
    process.stderr.write(usage())
    return 2
  }
  if (!existsSync(join(ROOT, 'dist', 'runtime', 'sandbox-host.js'))) {
    process.stderr.write('dist/ is missing: run `npm run build` first\n')
    return 2
  }
  const testsv2 = dir ? resolve(dir) : undefined
  const lib = seattle ? resolve(seattle) : undefined
  const suite: Suite = lib
    ? {
        dirOf: testsIn([join(lib, 'tests'), join(lib, 'testlibrepy')]),
        shared: [lib],
        restrictionsDirs: [lib, ...(testsv2 ? [testsv2] : [])],
        seattleDylink,
      }
    : { dirOf: testsIn([testsv2!]), shared: [], restrictionsDirs: [], seattleDylink }
  let names = [...suite.dirOf.keys()].sort()
  if (only) names = names.filter((n) => n === only || n.includes(only))
  if (!names.length) {
    process.stderr.write(`no ut_* tests${only ? ` matching '${only}'` : ''} in ${lib ?? testsv2}\n`)
    return 2
  }

  const width = Math.max(...names.map((n) => n.length))
  const results = await runAll(suite, names, jobs, (r) => {
    if (!json)
      process.stdout.write(`${r.verdict} ${r.name.padEnd(width)} ${(r.ms / 1000).toFixed(1).padStart(5)} s  ${r.why}\n`)
  })
  const passed = results.filter((r) => r.verdict === 'PASS').length
  const failed = results.filter((r) => r.verdict === 'FAIL').length
  const skipped = results.filter((r) => r.verdict === 'SKIP').length
  if (json) {
    process.stdout.write(JSON.stringify({ passed, failed, skipped, total: passed + failed, results }, null, 2) + '\n')
  } else {
    process.stdout.write(
      `\n${passed} passed, ${failed} failed of ${passed + failed}${skipped ? ` (${skipped} skipped)` : ''}\n`,
    )
  }
  return Math.min(failed, 125)
}

function usage(): string {
  return (
    'usage: npx tsx scripts/repy-testsv2.ts <testsV2 dir> [--only name] [--json] [--jobs N]\n' +
    '       npx tsx scripts/repy-testsv2.ts --seattle <seattlelib_v2 dir> [<testsV2 dir>] [--seattle-dylink] [--only name] [--json] [--jobs N]\n' +
    "  --seattle DIR      run seattlelib_v2's ut_*.r2py (tests/, testlibrepy/) with its libraries beside them;\n" +
    '                     a testsV2 dir given too supplies restrictions files (restrictions.threeports, ...)\n' +
    "  --seattle-dylink   run seattlelib's dylink.r2py as the program, as Seattle does (default: Flotilla's built-in dylink)\n"
  )
}

process.exitCode = await main(process.argv.slice(2))
// nothing should be left running; if something is, do not hang
setTimeout(() => process.exit(), 2000).unref()
