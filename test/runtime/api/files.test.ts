// openfile / readat / writeat / close, listfiles, removefile: Repy's rules (docs/REPY.md, 'Files') through the real
// sandbox, with repy_v2's own file tests (testsV2) as the checklist.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GENEROUS_RESTRICTIONS, runGuest, type GuestRun } from '../../helpers/run-guest.js'
import { CHECKS, okValue, results } from '../../helpers/guest-checks.js'

const PROGRAM =
  CHECKS +
  String.raw`
// filename rules
check('name 120', () => { const f = openfile('a'.repeat(120), true); f.close(); return 'opened' })
check('name 121', () => openfile('a'.repeat(121), true))
check('name upper', () => openfile('Upper', true))
check('name leading dot', () => openfile('.hidden', true))
check('name dot', () => openfile('.', true))
check('name dotdot', () => openfile('..', true))
check('name slash', () => openfile('a/b', true))
check('name parent', () => openfile('../escape', true))
check('name empty', () => openfile('', true))
check('name space', () => openfile('a b', true))
check('name unicode', () => openfile('caf\u00e9', true))
check('name not string', () => openfile(5, true))
check('name allowed chars', () => { const f = openfile('a-z_0.9', true); f.close(); return 'opened' })
// arguments
check('create not bool', () => openfile('x', 1))
check('openfile 1 arg', () => openfile('x'))
check('openfile 3 args', () => openfile('x', true, true))
check('missing no create', () => openfile('missing', false))
// an existing file opens without truncation
check('existing content', () => { const f = openfile('existing', false); const r = f.readat(null, 0); f.close(); return r })
// reading and writing
const f = openfile('data', true)
check('fresh size', () => f.readat(null, 0))
check('write', () => f.writeat('hello world', 0))
check('read all', () => f.readat(null, 0))
check('read limit', () => f.readat(5, 0))
check('read offset', () => f.readat(null, 6))
check('read limit past end', () => f.readat(100, 6))
check('read at end', () => f.readat(null, 11))
check('read at end limit', () => f.readat(3, 11))
check('read past end', () => f.readat(null, 12))
check('read zero', () => f.readat(0, 0))
check('overwrite middle', () => { f.writeat('W', 6); return f.readat(null, 0) })
check('append at end', () => { f.writeat('!', 11); return f.readat(null, 0) })
check('write past end', () => f.writeat('x', 13))
check('write past end left nothing', () => f.readat(null, 0))
check('read negative size', () => f.readat(-1, 0))
check('read negative offset', () => f.readat(1, -1))
check('read float size', () => f.readat(1.5, 0))
check('read string offset', () => f.readat(1, '0'))
check('read 1 arg', () => f.readat(1))
check('read 3 args', () => f.readat(1, 0, 0))
check('write negative offset', () => f.writeat('x', -1))
check('write number', () => f.writeat(5, 0))
check('write wide char', () => f.writeat('\u0100', 0))
check('write 1 arg', () => f.writeat('x'))
check('close arg', () => f.close(1))
f.close()
// binary data: every byte value, NUL included, goes in and out unchanged
check('binary roundtrip', () => {
  let all = ''
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i)
  const b = openfile('binary', true)
  b.writeat(all + all, 0)
  const back = b.readat(null, 0)
  b.close()
  return back === all + all ? back.length : 'different: ' + back.length
})
check('uint8array data', () => {
  const u = openfile('uint8', true)
  u.writeat(new Uint8Array([0, 65, 255]), 0)
  const back = u.readat(null, 0)
  u.close()
  return [back.length, back.charCodeAt(0), back.charCodeAt(1), back.charCodeAt(2)]
})
// in use
const g = openfile('inuse', true)
check('double open', () => openfile('inuse', true))
check('double open no create', () => openfile('inuse', false))
check('remove open file', () => removefile('inuse'))
g.close()
check('reopen after close', () => { const h = openfile('inuse', false); h.close(); return 'reopened' })
// closed handles
check('closed readat', () => f.readat(null, 0))
check('closed writeat', () => f.writeat('x', 0))
check('closed close', () => f.close())
// filesopened: limit 5
const open = []
check('filesopened limit', () => { for (let i = 0; i < 6; i++) open.push(openfile('many' + i, true)); return open.length })
check('filesopened count', () => open.length)
check('filesopened released', () => { open.pop().close(); open.push(openfile('many5', true)); return open.length })
for (const h of open) h.close()
// listfiles and removefile
check('listfiles', () => listfiles())
check('listfiles is array', () => Array.isArray(listfiles()))
check('listfiles arg', () => listfiles(1))
check('remove missing', () => removefile('missing'))
check('remove bad name', () => removefile('../main.js'))
check('remove no args', () => removefile())
check('remove', () => { removefile('many0'); return listfiles().includes('many0') })
check('open removed', () => openfile('many0', false))
`

describe('files', () => {
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(PROGRAM, { files: { existing: 'kept content' }, keepDir: true })
    r = results(run.output)
  })
  afterAll(() => {
    if (run) rmSync(run.dir, { recursive: true, force: true })
  })

  it('runs to the end', () => {
    expect(run.outcome).toMatchObject({ status: 'Terminated', code: 0 })
  })

  it('accepts names of 120 characters from a-z 0-9 . _ -', () => {
    expect(r.get('name 120')).toBe('ok "opened"')
    expect(r.get('name allowed chars')).toBe('ok "opened"')
  })

  it.each([
    'name 121',
    'name upper',
    'name leading dot',
    'name dot',
    'name dotdot',
    'name slash',
    'name parent',
    'name empty',
    'name space',
    'name unicode',
    'name not string',
  ])('refuses a bad filename: %s', (label) => {
    expect(r.get(label)).toBe('RepyArgumentError')
  })

  it('checks the create flag and the argument count', () => {
    expect(r.get('create not bool')).toBe('RepyArgumentError')
    expect(r.get('openfile 1 arg')).toBe('RepyArgumentError')
    expect(r.get('openfile 3 args')).toBe('RepyArgumentError')
  })

  it('raises FileNotFoundError for a missing file without create', () => {
    expect(r.get('missing no create')).toBe('FileNotFoundError')
  })

  it('opens an existing file without truncating it', () => {
    expect(okValue(r, 'existing content')).toBe('kept content')
  })

  it('writes and reads at offsets', () => {
    expect(okValue(r, 'fresh size')).toBe('')
    expect(okValue(r, 'write')).toBe(null)
    expect(okValue(r, 'read all')).toBe('hello world')
    expect(okValue(r, 'read limit')).toBe('hello')
    expect(okValue(r, 'read offset')).toBe('world')
    expect(okValue(r, 'read limit past end')).toBe('world')
    expect(okValue(r, 'read zero')).toBe('')
    expect(okValue(r, 'overwrite middle')).toBe('hello World')
    expect(okValue(r, 'append at end')).toBe('hello World!')
  })

  it('reads "" at the end of the file', () => {
    expect(okValue(r, 'read at end')).toBe('')
    expect(okValue(r, 'read at end limit')).toBe('')
  })

  it('raises SeekPastEndOfFileError past the end, and writes nothing then', () => {
    expect(r.get('read past end')).toBe('SeekPastEndOfFileError')
    expect(r.get('write past end')).toBe('SeekPastEndOfFileError')
    expect(okValue(r, 'write past end left nothing')).toBe('hello World!')
  })

  it.each([
    'read negative size',
    'read negative offset',
    'read float size',
    'read string offset',
    'read 1 arg',
    'read 3 args',
    'write negative offset',
    'write number',
    'write wide char',
    'write 1 arg',
    'close arg',
  ])('refuses bad readat/writeat/close arguments: %s', (label) => {
    expect(r.get(label)).toBe('RepyArgumentError')
  })

  it('keeps every byte value, NUL included', () => {
    expect(okValue(r, 'binary roundtrip')).toBe(512)
    expect(okValue(r, 'uint8array data')).toEqual([3, 0, 65, 255])
  })

  it('raises FileInUseError for a second open and for removing an open file', () => {
    expect(r.get('double open')).toBe('FileInUseError')
    expect(r.get('double open no create')).toBe('FileInUseError')
    expect(r.get('remove open file')).toBe('FileInUseError')
    expect(okValue(r, 'reopen after close')).toBe('reopened')
  })

  it('raises FileClosedError on a closed file', () => {
    expect(r.get('closed readat')).toBe('FileClosedError')
    expect(r.get('closed writeat')).toBe('FileClosedError')
    expect(r.get('closed close')).toBe('FileClosedError')
  })

  it('limits open files to filesopened and gives the item back on close', () => {
    expect(r.get('filesopened limit')).toBe('ResourceExhaustedError')
    expect(okValue(r, 'filesopened count')).toBe(5)
    expect(okValue(r, 'filesopened released')).toBe(5)
  })

  it('lists the vessel directory', () => {
    const names = okValue(r, 'listfiles') as string[]
    expect(names).toEqual(
      expect.arrayContaining(['main.js', 'existing', 'data', 'binary', 'inuse', 'many0', 'a'.repeat(120)]),
    )
    expect(okValue(r, 'listfiles is array')).toBe(true)
    expect(r.get('listfiles arg')).toBe('RepyArgumentError')
  })

  it('removes files and raises FileNotFoundError for a missing one', () => {
    expect(r.get('remove missing')).toBe('FileNotFoundError')
    expect(r.get('remove bad name')).toBe('RepyArgumentError')
    expect(r.get('remove no args')).toBe('RepyArgumentError')
    expect(okValue(r, 'remove')).toBe(false)
    expect(r.get('open removed')).toBe('FileNotFoundError')
  })

  it('left the files in the vessel directory, and nothing for refused names', () => {
    expect(readFileSync(join(run.dir, 'data'), 'latin1')).toBe('hello World!')
    expect(statSync(join(run.dir, 'binary')).size).toBe(512)
    expect(existsSync(join(run.dir, 'many0'))).toBe(false)
    const names = readdirSync(run.dir)
    expect(names).not.toContain('Upper')
    expect(names.some((n) => n.startsWith('.'))).toBe(false)
    expect(existsSync(join(run.dir, '..', 'escape'))).toBe(false)
  })
})

describe('disk quota', () => {
  // diskused counts Σ size + 4096 per file; the program file itself is in the vessel directory.
  const QUOTA = 30000
  const restrictions = GENEROUS_RESTRICTIONS.replace(/resource diskused \d+/, `resource diskused ${QUOTA}`)
  const PROGRAM_DISK =
    CHECKS +
    String.raw`
const used = () => getresources()[1].diskused
const before = used()
const f = openfile('big', true)
check('create charged', () => used() - before)
check('write within quota', () => { f.writeat('a'.repeat(5000), 0); return used() - before })
const room = ${QUOTA} - used()
check('write over quota', () => f.writeat('b'.repeat(room + 1), 5000))
check('nothing written', () => [f.readat(null, 0).length, used() - before])
check('overwrite in place', () => { f.writeat('c'.repeat(5000), 0); return used() - before })
check('write exactly to quota', () => { f.writeat('d'.repeat(room), 5000); return used() })
check('one more byte', () => f.writeat('e', 5000 + room))
check('create over quota', () => openfile('another', true))
f.close()
check('remove frees', () => { removefile('big'); return used() - before })
check('write after remove', () => { const g = openfile('again', true); g.writeat('f'.repeat(5000), 0); g.close(); return 'written' })
`
  let run: GuestRun
  let r: Map<string, string>
  beforeAll(async () => {
    run = await runGuest(PROGRAM_DISK, { restrictions, keepDir: true })
    r = results(run.output)
  })
  afterAll(() => {
    if (run) rmSync(run.dir, { recursive: true, force: true })
  })

  it('charges 4096 for a new file and the size of each write', () => {
    expect(okValue(r, 'create charged')).toBe(4096)
    expect(okValue(r, 'write within quota')).toBe(4096 + 5000)
  })

  it('refuses a write that would exceed the quota with ResourceExhaustedError and writes nothing', () => {
    expect(r.get('write over quota')).toBe('ResourceExhaustedError')
    expect(okValue(r, 'nothing written')).toEqual([5000, 4096 + 5000])
  })

  it('does not charge a write that does not grow the file', () => {
    expect(okValue(r, 'overwrite in place')).toBe(4096 + 5000)
  })

  it('allows writing up to the quota exactly, not one byte more', () => {
    expect(okValue(r, 'write exactly to quota')).toBe(QUOTA)
    expect(r.get('one more byte')).toBe('ResourceExhaustedError')
    expect(r.get('create over quota')).toBe('ResourceExhaustedError')
  })

  it('frees the space of a removed file', () => {
    expect(okValue(r, 'remove frees')).toBe(0)
    expect(okValue(r, 'write after remove')).toBe('written')
    expect(existsSync(join(run.dir, 'another'))).toBe(false)
    expect(statSync(join(run.dir, 'again')).size).toBe(5000)
  })
})
