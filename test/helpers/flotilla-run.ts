// `flotilla run <args>` as a child process from dist/, with its exit code and both output streams.
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'

export const ROOT = resolve(import.meta.dirname, '..', '..')
const BIN = join(ROOT, 'bin', 'flotilla')

export interface CliResult { code: number; stdout: string; stderr: string }

export function flotillaRun(...args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, 'run', ...args], { cwd: ROOT, timeout: 20_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr })
    })
  })
}
