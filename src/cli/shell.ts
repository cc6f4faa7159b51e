// `flotilla shell [script] [-c commands] [--json]`: the seash-style shell. Interactive (ink) on a terminal;
// otherwise it runs -c, a script file, or the commands on stdin. Exit code: 0 all ok, 1 some target failed,
// 2 a command or usage error. The shell's engine and its libp2p client load when it runs, not for --help.
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { UsageError, positiveNumber } from './usage-error.js'
import { prepareInkTerminal } from './ink-terminal.js'

interface ShellOptions {
  command?: string
  json?: boolean
  concurrency?: string
  timeout?: string
  keepGoing?: boolean
  bootstrap?: string[]
  mdns?: boolean
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

export function registerShell(program: Command): void {
  program
    .command('shell')
    .description('seash-style shell: drive vessels on many nodes at once (interactive, or a script, -c or stdin)')
    .argument('[script]', 'a file of shell commands (one a line, or separated by ;)')
    .option('-c, --command <commands>', 'run these commands (separated by ;) and exit')
    .option('--json', 'print one JSON object per command')
    .option('--concurrency <n>', 'how many nodes to contact at once (default 32)')
    .option('--timeout <seconds>', 'per-node timeout (default 30)')
    .option('--keep-going', 'do not stop a script at a command error')
    .option(
      '--bootstrap <multiaddr>',
      "a node's DHT address for browse, …/p2p/<peer id> (repeatable; also `set bootstrap`)",
      collect,
    )
    .option('--mdns', 'browse also finds DHT nodes on the LAN by mDNS (also `set mdns on`)')
    .addHelpText(
      'after',
      `
Exit status: 0 every command succeeded on every target, 1 some target failed, 2 a command error (or a mistake in
the command line). Inside, \`help\` lists the commands.`,
    )
    .action(async (script: string | undefined, options: ShellOptions) => {
      const concurrency = positiveNumber(options.concurrency, '--concurrency', true)
      const timeout = positiveNumber(options.timeout, '--timeout', false)
      if (script !== undefined && options.command !== undefined)
        throw new UsageError('give either a script file or -c, not both')
      let text: string | undefined = options.command
      if (script !== undefined) {
        text = await readFile(script, 'utf8').catch(() => {
          throw new UsageError(`cannot read script file: ${script}`)
        })
      } else if (text === undefined && !process.stdin.isTTY) {
        text = await readStdin()
      }
      const [{ Engine }, { ClientConnector }, { runScript }] = await Promise.all([
        import('../shell/engine.js'),
        import('../shell/connector.js'),
        import('../shell/runner.js'),
      ])
      const engine = new Engine({ connector: new ClientConnector() })
      if (concurrency !== undefined) engine.state.concurrency = concurrency
      if (timeout !== undefined) engine.state.timeoutS = timeout
      for (const address of options.bootstrap ?? []) {
        if (!/^\/.+\/p2p\/[A-Za-z0-9]+$/.test(address))
          throw new UsageError(`--bootstrap ${address}: give a multiaddr ending with /p2p/<peer id>`)
      }
      engine.state.bootstrap = options.bootstrap ?? []
      engine.state.mdns = options.mdns === true
      let code: number
      if (text !== undefined) {
        code = await runScript(engine, text, { json: options.json, keepGoing: options.keepGoing })
      } else {
        prepareInkTerminal()
        const { runInteractive } = await import('../shell/ui/interactive.js')
        code = await runInteractive(engine, process.cwd(), [
          'Flotilla shell: `help` lists the commands, `exit` leaves.',
        ])
      }
      await engine.close()
      process.exit(code)
    })
}
