// A vessel's table of open handles (handle-table.ts): a closed handle is forgotten, and its id still reads as closed,
// not as a handle the program never had.
import { describe, expect, it } from 'vitest'
import { RepyError } from '../../../src/runtime/errors.js'
import { HandleTable } from '../../../src/runtime/api/handle-table.js'

const refusal = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    if (err instanceof RepyError) return `${err.repyName}: ${err.message}`
    throw err
  }
  return 'no error'
}

describe('handle table', () => {
  it('finds open handles, reads closed ones as null, and holds only the open ones', () => {
    const table = new HandleTable<string>('socket')
    for (let id = 1; id <= 1000; id++) table.add(id, `socket ${id}`)
    for (let id = 1; id <= 999; id++) table.close(id)
    expect(table.size).toBe(1)
    expect([...table.values()]).toEqual(['socket 1000'])
    expect(table.find('recv', 1000)).toBe('socket 1000')
    expect(table.find('recv', 1)).toBeNull()
    expect(table.find('recv', 999)).toBeNull()
  })

  it('refuses an id it never gave out, and one that is not a whole number', () => {
    const table = new HandleTable<string>('file')
    table.add(3, 'f')
    expect(refusal(() => table.find('readat', 4))).toBe('RepyArgumentError: readat: not a file')
    expect(refusal(() => table.find('readat', 0))).toBe('RepyArgumentError: readat: not a file')
    expect(refusal(() => table.find('readat', -1))).toBe('RepyArgumentError: readat: handle must be at least 0')
    expect(refusal(() => table.find('readat', 'x'))).toMatch(/^RepyArgumentError: readat: /)
    expect(refusal(() => table.find('readat', 1.5))).toMatch(/^RepyArgumentError: readat: /)
    expect(table.find('readat', 3)).toBe('f')
  })
})
