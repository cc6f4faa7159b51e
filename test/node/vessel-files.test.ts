// VesselFiles.list: a small vessel directory is listed on the main thread, a big one through the thread pool
// (SYNC_LIST_DIR_BYTES); both must answer the same thing: every regular file with a valid name, sorted, private_*
// only when asked, and nothing for a vessel without a directory.
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodePaths } from '../../src/node/node-paths.js'
import { SYNC_LIST_DIR_BYTES, VesselFiles } from '../../src/node/vessel-files.js'
import { tempDir } from '../helpers/temp-dir.js'

function filesWith(names: string[]): { files: VesselFiles; dir: string } {
  const files = new VesselFiles(nodePaths(tempDir('flotilla-vessel-files-')))
  const dir = files.dir('v1')
  mkdirSync(dir, { recursive: true })
  for (const name of names) writeFileSync(join(dir, name), 'x')
  mkdirSync(join(dir, 'sub.dir')) // not a regular file: never listed
  return { files, dir }
}

describe('VesselFiles.list', () => {
  it('lists a small directory (on the main thread): regular files with valid names, sorted', async () => {
    const { files, dir } = filesWith(['b.txt', 'a.js', 'private_key', 'Bad Name'])
    expect(statSync(dir).size).toBeLessThanOrEqual(SYNC_LIST_DIR_BYTES)
    expect(await files.list('v1')).toEqual(['a.js', 'b.txt'])
    expect(await files.list('v1', true)).toEqual(['a.js', 'b.txt', 'private_key'])
  })

  it('lists a directory bigger than the synchronous bound whole (through the thread pool)', async () => {
    const names = Array.from({ length: 2000 }, (_, i) => `file-with-a-longer-name-${String(i).padStart(4, '0')}.txt`)
    const { files, dir } = filesWith([...names, 'private_x'])
    expect(statSync(dir).size).toBeGreaterThan(SYNC_LIST_DIR_BYTES)
    expect(await files.list('v1')).toEqual(names)
    expect(await files.list('v1', true)).toEqual([...names, 'private_x'])
  })

  it('answers an empty list for a vessel without a directory', async () => {
    const files = new VesselFiles(nodePaths(tempDir('flotilla-vessel-files-')))
    expect(await files.list('v9')).toEqual([])
  })
})
