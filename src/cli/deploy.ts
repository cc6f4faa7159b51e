// `flotilla deploy --key <name> --nodes <file> <program> [args...]`: upload and start a program on the vessels
// of the key on every listed node, and print a summary table (or JSON). Exit 0 all started, 1 some vessel or node
// failed, 2 a usage error. The shell's engine and its libp2p client load when it runs, not for --help.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { keyRefBase } from '../keys/key-ref.js'
import { UsageError, keyErrorsAsUsage, positiveNumber } from './usage-error.js'
import { DEFAULT_KEYS_DIR } from '../node/node-paths.js'

interface DeployOptions {
  key: string
  keys: string
  nodes: string
  json?: boolean
  concurrency?: string
  timeout?: string
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('Upload and start a program on your vessels (owner or user) on every listed node')
    .argument('<program>', 'the program file (e.g. hello.js)')
    .argument('[args...]', "the program's arguments")
    .requiredOption('--key <name|path>', 'your key pair: a name in --keys, or a path to it')
    .requiredOption('--nodes <file>', 'a file of node multiaddrs, one a line (# comments)')
    .option('--keys <dir>', 'folder of key files', DEFAULT_KEYS_DIR)
    .option('--json', 'print the summary as JSON')
    .option('--concurrency <n>', 'how many nodes to contact at once (default 32)')
    .option('--timeout <seconds>', 'per-node timeout (default 30)')
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Exit status: 0 started on every vessel of the key, 1 some vessel failed, some node was not reached or no node has a
vessel of the key, 2 a mistake in the command line (a missing key or nodes file).`,
    )
    .action(async (file: string, args: string[], options: DeployOptions) => {
      const concurrency = positiveNumber(options.concurrency, '--concurrency', true)
      const timeout = positiveNumber(options.timeout, '--timeout', false)
      if (!existsSync(options.nodes)) throw new UsageError(`no such nodes file: ${options.nodes}`)
      const keyBase = await keyErrorsAsUsage(async () => keyRefBase(options.key, options.keys))
      const [{ Engine }, { ClientConnector }, { deploy, deployLines }] = await Promise.all([
        import('../shell/engine.js'),
        import('../shell/connector.js'),
        import('../shell/deploy.js'),
      ])
      const engine = new Engine({ connector: new ClientConnector() })
      if (concurrency !== undefined) engine.state.concurrency = concurrency
      if (timeout !== undefined) engine.state.timeoutS = timeout
      const report = await deploy(engine, { keyBase, nodesFile: options.nodes, program: file, args })
      await engine.close()
      if (!report.ok) {
        process.stderr.write(`flotilla deploy: ${report.error}\n`)
        process.exit(2)
      }
      process.stdout.write(options.json ? JSON.stringify(report) + '\n' : deployLines(report, file).join('\n') + '\n')
      process.exit(report.failed > 0 || report.unreachable > 0 || report.vessels === 0 ? 1 : 0)
    })
}
