// The real CLI (bin/flotilla → dist/) as a child process, with its exit code and both output streams.
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '..', '..')
export const BIN = join(ROOT, 'bin', 'flotilla')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface CliOptions {
  /** working folder (default the project root) */
  cwd?: string
  /** fed to standard input, which is closed after it */
  input?: string
  timeoutMs?: number
  /** added to the environment */
  env?: Record<string, string>
}

/** `flotilla <args>`; a process killed by the timeout or a signal gives code -1. */
export function flotilla(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((done) => {
    // production: React (the ink screens) skips its development checks, as for a user
    const env = { ...process.env, NODE_ENV: 'production', ...options.env }
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? ROOT, env, timeout: options.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr })
      },
    )
    child.stdin?.end(options.input ?? '')
  })
}

/** `flotilla run <args>` from the project root. */
export function flotillaRun(...args: string[]): Promise<CliResult> {
  return flotilla(['run', ...args], { timeoutMs: 20_000 })
}
