// Temp folders for tests. Each one made here is removed when its test file ends (remove-temp-dirs.ts, a setup file of
// vitest's), also when a test failed before its own clean-up, so a run leaves nothing behind in the temp folder.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made = new Set<string>()

export function tempDir(prefix = 'flotilla-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.add(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
  made.clear()
}
