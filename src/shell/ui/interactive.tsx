// Starts the ink shell on the terminal and answers the exit code once the user leaves.
import { render } from 'ink'
import type { Engine } from '../engine.js'
import { exitCode } from '../output.js'
import type { CommandResult } from '../types.js'
import { App } from './app.js'

export async function runInteractive(engine: Engine, cwd: string, banner: string[] = []): Promise<number> {
  const results: CommandResult[] = []
  if (banner.length > 0) process.stdout.write(banner.join('\n') + '\n')
  const app = render(<App engine={engine} cwd={cwd} onResult={(r) => results.push(r)} />, { exitOnCtrlC: false })
  await app.waitUntilExit()
  // In an interactive session a wrong command was already answered on screen; only target failures count.
  return exitCode(results.filter((r) => r.ok))
}
