// Opens the live console full screen (the terminal's alternate screen) and resolves when the user quits.
import { render } from 'ink'
import { App } from './app.js'
import type { Connect, ConsoleClient } from './connection.js'
import type { NodeSnapshot } from './snapshot.js'

export interface ConsoleOptions {
  client: ConsoleClient
  initial: NodeSnapshot | null
  connect: Connect
  address: string
  intervalMs: number
}

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[2J\x1b[H'
const LEAVE_ALT_SCREEN = '\x1b[?1049l'
const CLEAR_SCREEN = '\x1b[2J\x1b[H'

export async function runConsole(options: ConsoleOptions): Promise<void> {
  const stdout = process.stdout
  stdout.write(ENTER_ALT_SCREEN)
  let instance: ReturnType<typeof render> | null = null
  // After a resize the old frame no longer lines up: clear the screen and make ink draw the next frame whole.
  const onResize = (): void => {
    stdout.write(CLEAR_SCREEN)
    instance?.clear()
  }
  const quit = (): void => instance?.unmount()
  process.once('SIGTERM', quit)
  process.once('SIGHUP', quit)
  try {
    // Not ink's incrementalRendering: in ink 6.8 it draws a fixed-height frame one line too low. The standard
    // renderer rewrites the frame in one write, inside a synchronized update (no flicker where that is supported).
    instance = render(<App {...options} onResize={onResize} />, { exitOnCtrlC: true, patchConsole: false })
    await instance.waitUntilExit()
  } finally {
    process.off('SIGTERM', quit)
    process.off('SIGHUP', quit)
    stdout.write(LEAVE_ALT_SCREEN)
  }
}
