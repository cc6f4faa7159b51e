// The flotilla command line: one commander program; each command group registers itself from its own file.
// Only the group being run is loaded (libp2p, LevelDB and ink cost ~0.4 s to import); help loads them all.
import type { Command as CommandType } from 'commander'
import { INTERNAL_ERROR_CODE, internalErrorLine, isSystemError } from './internal-error.js'
import { UsageError } from './usage-error.js'

/** Ends the command on an error that is not a usage mistake: one line, no stack trace. */
function fail(err: unknown): never {
  if (isSystemError(err)) {
    process.stderr.write(`flotilla: ${err.message}\n`)
    process.exit(1)
  }
  process.stderr.write(`flotilla: ${internalErrorLine(err)}\n`)
  process.exit(INTERNAL_ERROR_CODE)
}
/**
 * An operation aborted on purpose (a DHT lookup's time limit, a stop) whose library let its own abort escape:
 * kad-dht 16 throws from its query paths' abort listeners when a lookup is aborted while its paths still run (seen
 * under load in `browse`, and possible in a node's announces). The abort already did its work and nothing is lost,
 * so it must end neither a node nor a command.
 */
const isAbort = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')
const failUnlessAbort = (err: unknown): void => {
  if (!isAbort(err)) fail(err)
}
process.on('uncaughtException', failUnlessAbort)
process.on('unhandledRejection', failUnlessAbort)

const first = process.argv.slice(2).find((arg) => !arg.startsWith('-'))
// before the command line library and the command load: `flotilla run`'s vessel thread boots meanwhile
if (first === 'run') {
  const [{ bootThreadAhead }, { FRONT_ENDS_MODULE }] = await Promise.all([
    import('../runtime/vessel-threads.js'),
    import('../front-ends.js'),
  ])
  bootThreadAhead(FRONT_ENDS_MODULE)
}
const { Command, CommanderError } = await import('commander')

const program = new Command()
  .enablePositionalOptions()
  .name('flotilla')
  .description('Flotilla: a peer-to-peer testbed. Run sandboxed programs locally or on vessels of many nodes.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()

const COMMAND_GROUPS: Record<string, (p: CommandType) => Promise<unknown>> = {
  run: async (p) => (await import('./run.js')).registerRun(p),
  keygen: async (p) => (await import('./keygen.js')).registerKeygen(p),
  shell: async (p) => (await import('./shell.js')).registerShell(p),
  deploy: async (p) => (await import('./deploy.js')).registerDeploy(p),
  browse: async (p) => (await import('./browse.js')).registerBrowse(p),
  pool: async (p) => (await import('./pool.js')).registerPool(p),
  node: async (p) => (await import('./top.js')).registerTop((await import('./node.js')).registerNode(p)),
}

for (const [name, register] of Object.entries(COMMAND_GROUPS)) {
  if (first === undefined || !(first in COMMAND_GROUPS) || first === name) await register(program)
}

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2)
  if (err instanceof UsageError) {
    process.stderr.write(`flotilla: ${err.message}\n`)
    process.exit(2)
  }
  fail(err)
}
