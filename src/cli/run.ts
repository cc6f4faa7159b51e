// `flotilla run <restrictions> <program> [args...]`: one program in a sandbox, locally (like repy.py).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { Command, Option } from 'commander'
import { FRONT_ENDS_MODULE, PROGRAM_EXTENSIONS } from '../front-ends.js'
import { isValidIp } from '../runtime/api/validate.js'
import { parseRestrictions, RestrictionsError } from '../runtime/nanny/restrictions.js'
import { RingLog, DEFAULT_LOG_BYTES } from '../runtime/ring-log.js'
import { runLocally } from '../runtime/local-run.js'
import type { Outcome } from '../runtime/api/types.js'
import { UsageError } from './usage-error.js'

interface RunOptions {
  ip: string
  cwd?: string
  logfile?: string
  logSize: number
  json?: boolean
}

/** The process exit code for a program's outcome: 0 when it finished or called exitall, else Repy's code. */
export function exitCodeFor(outcome: Outcome): number {
  return outcome.code === 0 || outcome.code === 200 ? 0 : outcome.code
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run one program in a sandbox on this machine, under a restrictions file (like repy.py)')
    .argument('<restrictions>', 'restrictions file in Seattle format (resource cpu .10 ...)')
    .argument('<program>', 'the guest program: JavaScript (.js), TypeScript (.ts) or Repy (.r2py)')
    .argument('[args...]', 'arguments for the program (its callargs)')
    .option('--ip <ip>', "the vessel's IP address, returned by getmyip()", '127.0.0.1')
    .option(
      '--cwd <dir>',
      "the vessel directory (the program's file area); default: a fresh temp folder with a copy of the program, removed afterwards",
    )
    .option('--logfile <prefix>', 'write output to a bounded ring log PREFIX.old/PREFIX.new instead of the terminal')
    .addOption(
      new Option('--log-size <bytes>', 'size of the ring log').default(DEFAULT_LOG_BYTES).argParser(positiveInt),
    )
    .option('--json', 'print the final outcome as JSON on stdout after the program output')
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Exit status: 0 when the program finished or called exitall(); otherwise Repy's code:
  5 the program could not be loaded or compiled, 6 uncaught exception, 30 uncaught exception in a thread,
  44 stopped (Ctrl-C), 98 memory quota exceeded, 3 an internal error in the sandbox, 70 an internal error of
  flotilla itself. 2 means a mistake in the command line.

Example:
  flotilla run examples/restrictions.default examples/hello.js
  flotilla run examples/restrictions.test examples/example.1.1.r2py`,
    )
    .action(async (restrictionsPath: string, programPath: string, args: string[], options: RunOptions) => {
      process.exitCode = await run(restrictionsPath, programPath, args, options)
    })
}

function positiveInt(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`--log-size must be a positive whole number of bytes, not '${v}'`)
  return n
}

async function run(
  restrictionsPath: string,
  programPath: string,
  args: string[],
  options: RunOptions,
): Promise<number> {
  if (!isValidIp(options.ip)) throw new UsageError(`--ip '${options.ip}' is not a dotted-quad IP address`)
  const restrictions = readRestrictions(restrictionsPath)
  if (!existsSync(programPath) || !statSync(programPath).isFile())
    throw new UsageError(`no program file '${programPath}'`)
  if (!PROGRAM_EXTENSIONS.includes(extname(programPath))) {
    throw new UsageError(`'${programPath}' is not a program: flotilla runs .js, .ts and .r2py files`)
  }

  const tempDir = options.cwd ? null : mkdtempSync(join(tmpdir(), 'flotilla-run-'))
  const cwd = resolve(options.cwd ?? join(tempDir!, 'vessel'))
  const program = basename(programPath)
  try {
    mkdirSync(cwd, { recursive: true })
    if (resolve(dirname(programPath)) !== cwd) copyFileSync(programPath, join(cwd, program))
    const log = options.logfile ? new RingLog(resolve(options.logfile), options.logSize) : null
    const ctrlC = new AbortController()
    const onSignal = () => ctrlC.abort('stopped by Ctrl-C')
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
    let outcome: Outcome
    /** The end of the program's output: a reason it already printed (Repy's unsafe-code lines) is not said twice. */
    let tail = ''
    try {
      outcome = await runLocally(
        { cwd, program, args, ip: options.ip, restrictions },
        {
          output: (text) => {
            tail = (tail + text).slice(-8192)
            if (log) log.write(text)
            else process.stdout.write(text)
          },
          stop: ctrlC.signal,
          frontEnds: FRONT_ENDS_MODULE,
        },
      )
    } finally {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
    if (options.json) process.stdout.write(JSON.stringify(outcome) + '\n')
    process.stderr.write(describeOutcome(outcome, !log && tail.endsWith(`${outcome.reason}\n`)) + '\n')
    return exitCodeFor(outcome)
  } finally {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true })
  }
}

function readRestrictions(path: string) {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new UsageError(`cannot read the restrictions file '${path}'`)
  }
  try {
    return parseRestrictions(text, basename(path))
  } catch (err) {
    if (err instanceof RestrictionsError) throw new UsageError(err.message)
    throw err
  }
}

/** The last line on stderr. A normal end says "finished" rather than the status (Terminated), which reads as killed. */
export function describeOutcome(o: Outcome, reasonShown = false): string {
  if (o.code === 0) return 'finished (exit 0)'
  if (exitCodeFor(o) === 0) return `finished: ${o.reason} (exit 0)`
  return reasonShown ? `${o.status} (exit code ${o.code})` : `${o.status} (exit code ${o.code}): ${o.reason}`
}
