// The flotilla command line: one commander program; each command group registers itself from its own file.
import { Command, CommanderError } from 'commander'
import { registerBrowse } from './browse.js'
import { registerKeygen } from './keygen.js'
import { registerNode } from './node.js'
import { registerRun } from './run.js'
import { registerShell } from './shell.js'
import { registerTop } from './top.js'
import { registerDeploy } from './deploy.js'
import { UsageError } from './usage-error.js'

const program = new Command()
  .enablePositionalOptions()
  .name('flotilla')
  .description('Flotilla: a peer-to-peer testbed. Run sandboxed programs locally or on vessels of many nodes.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()

registerRun(program)
registerKeygen(program)
registerShell(program)
registerDeploy(program)
registerBrowse(program)
registerTop(registerNode(program))

try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2)
  if (err instanceof UsageError) {
    process.stderr.write(`flotilla: ${err.message}\n`)
    process.exit(2)
  }
  throw err
}
