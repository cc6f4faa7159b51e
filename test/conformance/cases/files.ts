// Files: openfile / readat / writeat / close, listfiles, removefile (docs/REPY.md, 'Files' and 'Validation
// rules'), with repy_v2's file tests (testsV2) as the checklist; and the disk quota (`disk`).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { c, jsOnly, ok, pyOnly, raises, same, step, type Area, type Item } from '../case.js'
import { GENEROUS_RESTRICTIONS } from '../../helpers/run-guest.js'

const ARG = raises('RepyArgumentError')

/** [label, JavaScript, Repy] of each refused filename. */
const BAD_NAMES: Array<[string, string, string]> = [
  ['121 characters', "'a'.repeat(121)", '"a" * 121'],
  ['upper case', "'Upper'", '"Upper"'],
  ['leading dot', "'.hidden'", '".hidden"'],
  ['dot', "'.'", '"."'],
  ['dotdot', "'..'", '".."'],
  ['three dots', "'...'", '"..."'],
  ['slash', "'a/b'", '"a/b"'],
  ['parent', "'../escape'", '"../escape"'],
  ['empty', "''", '""'],
  ['space', "'a b'", '"a b"'],
  ['tab and newline', "'\\t\\n'", '"\\t\\n"'],
  ['star', "'a*b'", '"a*b"'],
  ['byte above 127', "'caf\\xe9'", '"caf\\xe9"'],
  ['a number', '123', '123'],
  ['a float', '1.5', '1.5'],
  ['null', 'null', 'None'],
  ['a list', "['x']", '["x"]'],
]

/** [label, JavaScript, Repy] of each refused `create` flag (Repy: a bool, not an int). */
const BAD_FLAGS: Array<[string, string, string]> = [
  ['123', '123', '123'],
  ['1', '1', '1'],
  ['0', '0', '0'],
  ['null', 'null', 'None'],
  ['1.5', '1.5', '1.5'],
  ['a string', "'True'", '"True"'],
]

/** [sizelimit, offset] of refused readat calls, in JavaScript and Repy. */
const BAD_READS: Array<[string, string]> = [
  ['-1, 0', '-1, 0'],
  ['0, -1', '0, -1'],
  ['false, 0', 'False, 0'],
  ['true, 0', 'True, 0'],
  ['1, null', '1, None'],
  ['1, false', '1, False'],
  ['1.5, 0', '1.5, 0'],
  ['1, 0.5', '1, 0.5'],
  ["'1', 0", '"1", 0'],
  ["1, '0'", '1, "0"'],
  ['null, -5', 'None, -5'],
]

/** [data, offset] of refused writeat calls, in JavaScript and Repy. */
const BAD_WRITES: Array<[string, string]> = [
  ["'test', -1", '"test", -1'],
  ["'test', null", '"test", None'],
  ['null, 0', 'None, 0'],
  ['1, 0', '1, 0'],
  ["'x', 1.5", '"x", 1.5'],
  ["'x', false", '"x", False'],
  ["'x', true", '"x", True'],
  ["['x'], 0", '["x"], 0'],
]

const inUse = (label: string, n: number) =>
  c(label, 'getresources()[1].filesopened', 'getresources()[1]["filesopened"]', ok(n))

const items: Item[] = [
  // --- names and flags
  ...BAD_NAMES.map(([label, js, py]) =>
    c(`refuses the name: ${label}`, `openfile(${js}, true)`, `openfile(${py}, True)`, ARG),
  ),
  ...BAD_FLAGS.map(([label, js, py]) =>
    c(`refuses create = ${label}`, `openfile('valid-name', ${js})`, `openfile("valid-name", ${py})`, ARG),
  ),
  c('openfile with one argument', "openfile('valid-name')", 'openfile("valid-name")', ARG),
  c('openfile with three arguments', "openfile('valid-name', true, true)", 'openfile("valid-name", True, True)', ARG),
  c(
    'a refused openfile created nothing',
    "listfiles().includes('valid-name')",
    '"valid-name" in listfiles()',
    ok(false),
  ),
  inUse('filesopened after refused opens', 0),
  c(
    'a missing file without create',
    "openfile('missing', false)",
    'openfile("missing", False)',
    raises('FileNotFoundError'),
  ),
  inUse('filesopened after FileNotFoundError', 0),
  c(
    'a name of 120 characters',
    "const f = openfile('a'.repeat(120), true)\nf.close()\nreturn 'opened'",
    'f = openfile("a" * 120, True)\nf.close()\nreturn "opened"',
    ok('opened'),
  ),
  c(
    'every allowed character class',
    "const f = openfile('a-z_0.9', true)\nf.close()\nreturn 'opened'",
    'f = openfile("a-z_0.9", True)\nf.close()\nreturn "opened"',
    ok('opened'),
  ),
  c(
    'an existing file opens without truncation',
    "const f = openfile('existing', false)\nconst r = f.readat(null, 0)\nf.close()\nreturn r",
    'f = openfile("existing", False)\nr = f.readat(None, 0)\nf.close()\nreturn r',
    ok('kept content'),
  ),

  // --- reading and writing
  step("const f = openfile('data', true)", 'f = openfile("data", True)'),
  c('a created file is listed', "listfiles().includes('data')", '"data" in listfiles()', ok(true)),
  inUse('filesopened with one file open', 1),
  c('readat of an empty file', 'f.readat(null, 0)', 'f.readat(None, 0)', ok('')),
  c('writeat returns nothing', "f.writeat('hello world', 0)", 'f.writeat("hello world", 0)', ok(null)),
  c('readat everything', 'f.readat(null, 0)', 'f.readat(None, 0)', ok('hello world')),
  same('readat with a size limit', 'f.readat(5, 0)', ok('hello')),
  same('readat with a size limit at an offset', 'f.readat(2, 1)', ok('el')),
  c('readat from an offset', 'f.readat(null, 6)', 'f.readat(None, 6)', ok('world')),
  same('readat a size limit past the end', 'f.readat(100, 6)', ok('world')),
  c('readat at the end', 'f.readat(null, 11)', 'f.readat(None, 11)', ok('')),
  same('readat a size limit at the end', 'f.readat(3, 11)', ok('')),
  same('readat zero bytes', 'f.readat(0, 0)', ok('')),
  c('readat past the end', 'f.readat(null, 12)', 'f.readat(None, 12)', raises('SeekPastEndOfFileError')),
  same('readat with a limit past the end', 'f.readat(1, 12)', raises('SeekPastEndOfFileError')),
  c('readat far past the end', 'f.readat(null, 500000)', 'f.readat(None, 500000)', raises('SeekPastEndOfFileError')),
  c(
    'writeat overwrites in the middle',
    "f.writeat('W', 6)\nreturn f.readat(null, 0)",
    'f.writeat("W", 6)\nreturn f.readat(None, 0)',
    ok('hello World'),
  ),
  c(
    'writeat at the end appends',
    "f.writeat('!', 11)\nreturn f.readat(null, 0)",
    'f.writeat("!", 11)\nreturn f.readat(None, 0)',
    ok('hello World!'),
  ),
  c('writeat past the end', "f.writeat('x', 13)", 'f.writeat("x", 13)', raises('SeekPastEndOfFileError')),
  c('a refused write changes nothing', 'f.readat(null, 0)', 'f.readat(None, 0)', ok('hello World!')),
  ...BAD_READS.map(([js, py]) => c(`refuses readat(${js})`, `f.readat(${js})`, `f.readat(${py})`, ARG)),
  ...BAD_WRITES.map(([js, py]) => c(`refuses writeat(${js})`, `f.writeat(${js})`, `f.writeat(${py})`, ARG)),
  c(
    'refuses data with a character above \\xff',
    "f.writeat('\\u0100', 0)",
    { absent: 'a Repy str holds bytes only: no character above \\xff can be written' },
    ARG,
  ),
  ...['1.0, 0', '1, 0.0'].map((args) =>
    pyOnly(`refuses readat(${args})`, `f.readat(${args})`, ARG, 'JavaScript has one number type: 1.0 is the integer 1'),
  ),
  pyOnly(
    'refuses writeat("x", 0.0)',
    'f.writeat("x", 0.0)',
    ARG,
    'JavaScript has one number type: 0.0 is the integer 0',
  ),
  same('readat with one argument', 'f.readat(1)', ARG),
  same('readat with three arguments', 'f.readat(1, 0, 0)', ARG),
  c('writeat with one argument', "f.writeat('x')", 'f.writeat("x")', ARG),
  c('close with an argument', 'f.close(1)', 'f.close(True)', ARG),
  c('the refused calls changed nothing', 'f.readat(null, 0)', 'f.readat(None, 0)', ok('hello World!')),
  c(
    'every byte value, NUL included, round trips',
    "let all = ''\nfor (let i = 0; i < 256; i++) all += String.fromCharCode(i)\nconst b = openfile('binary', true)\nb.writeat(all + all, 0)\nconst back = b.readat(null, 0)\nb.close()\nreturn [back === all + all, back.length]",
    'every = ""\nfor i in range(256):\n  every += chr(i)\nb = openfile("binary", True)\nb.writeat(every + every, 0)\nback = b.readat(None, 0)\nb.close()\nreturn [back == every + every, len(back)]',
    ok([true, 512]),
  ),
  jsOnly(
    'a Uint8Array is data',
    "const u = openfile('uint8', true)\nu.writeat(new Uint8Array([0, 65, 255]), 0)\nconst back = u.readat(null, 0)\nu.close()\nreturn back",
    ok('\x00A\xff'),
    'Repy data is a str; JavaScript also takes a Uint8Array wherever data goes in',
  ),

  // --- in use
  step("const g = openfile('inuse', true)", 'g = openfile("inuse", True)'),
  c('opening an open file', "openfile('inuse', false)", 'openfile("inuse", False)', raises('FileInUseError')),
  c('opening an open file with create', "openfile('inuse', true)", 'openfile("inuse", True)', raises('FileInUseError')),
  c('removing an open file', "removefile('inuse')", 'removefile("inuse")', raises('FileInUseError')),
  inUse('filesopened after FileInUseError', 2),
  same('close returns nothing', 'g.close()', ok(null)),
  c(
    'reopening after close',
    "const h = openfile('inuse', false)\nh.close()\nreturn 'reopened'",
    'h = openfile("inuse", False)\nh.close()\nreturn "reopened"',
    ok('reopened'),
  ),

  // --- closed handles
  step('f.close()', 'f.close()'),
  inUse('filesopened after close', 0),
  same('readat after close', 'f.readat(1, 0)', raises('FileClosedError')),
  c('readat to the end after close', 'f.readat(null, 0)', 'f.readat(None, 0)', raises('FileClosedError')),
  c('writeat after close', "f.writeat('', 0)", 'f.writeat("", 0)', raises('FileClosedError')),
  same('close after close', 'f.close()', raises('FileClosedError')),
  c(
    'the content after reopening',
    "const h = openfile('data', true)\nconst r = h.readat(null, 0)\nh.close()\nreturn r",
    'h = openfile("data", True)\nr = h.readat(None, 0)\nh.close()\nreturn r',
    ok('hello World!'),
  ),

  // --- the filesopened quota (5 in the generous restrictions)
  c('the filesopened limit', 'getresources()[0].filesopened', 'getresources()[0]["filesopened"]', ok(5)),
  step(
    "const held = []\nfor (let i = 0; i < 5; i++) held.push(openfile('quota' + i, true))",
    'held = []\nfor i in range(5):\n  held.append(openfile("quota" + str(i), True))',
  ),
  inUse('filesopened at the limit', 5),
  c(
    'one file more than the quota',
    "openfile('quota-extra', true)",
    'openfile("quota-extra", True)',
    raises('ResourceExhaustedError'),
  ),
  c(
    'a file refused by the quota is not created',
    "listfiles().includes('quota-extra')",
    '"quota-extra" in listfiles()',
    ok(false),
  ),
  c(
    'an existing file more than the quota',
    "openfile('data', false)",
    'openfile("data", False)',
    raises('ResourceExhaustedError'),
  ),
  step(
    "held[0].close()\nheld[0] = openfile('quota-extra', true)",
    'held[0].close()\nheld[0] = openfile("quota-extra", True)',
  ),
  inUse('closing one gives its slot back', 5),
  c('the quota again', "openfile('quota0', false)", 'openfile("quota0", False)', raises('ResourceExhaustedError')),
  step('for (const h of held) h.close()', 'for h in held:\n  h.close()'),
  inUse('filesopened after closing all', 0),
  c(
    'a file opens and closes more times than the quota',
    "for (let i = 0; i < 15; i++) openfile('again', true).close()\nremovefile('again')\nreturn 'done'",
    'for i in range(15):\n  openfile("again", True).close()\nremovefile("again")\nreturn "done"',
    ok('done'),
  ),

  // --- listfiles and removefile
  c(
    'listfiles names the files',
    "const names = listfiles()\nreturn ['main.js', 'data', 'existing', 'binary', 'inuse', 'quota0', 'a'.repeat(120)].filter((n) => !names.includes(n))",
    'names = listfiles()\nmissing = []\nfor n in ["main.r2py", "data", "existing", "binary", "inuse", "quota0", "a" * 120]:\n  if n not in names:\n    missing.append(n)\nreturn missing',
    ok([]),
  ),
  c(
    'listfiles is sorted',
    'const n = listfiles()\nreturn n.join() === [...n].sort().join()',
    'n = listfiles()\ns = list(n)\ns.sort()\nreturn n == s',
    ok(true),
  ),
  c('listfiles gives a list', 'Array.isArray(listfiles())', 'type(listfiles()) is list', ok(true)),
  c(
    'listfiles entries are strings',
    "listfiles().every((n) => typeof n === 'string')",
    'n = listfiles()\nfor x in n:\n  if type(x) is not str:\n    return False\nreturn True',
    ok(true),
  ),
  c(
    'refused names left no file',
    "listfiles().filter((n) => n === 'Upper' || n.startsWith('.') || n === 'valid-name')",
    'bad = []\nfor n in listfiles():\n  if n == "Upper" or n.startswith(".") or n == "valid-name":\n    bad.append(n)\nreturn bad',
    ok([]),
  ),
  c('listfiles with an argument', 'listfiles(1)', 'listfiles("x")', ARG),
  c('removefile returns nothing', "removefile('quota0')", 'removefile("quota0")', ok(null)),
  c('a removed file is not listed', "listfiles().includes('quota0')", '"quota0" in listfiles()', ok(false)),
  c('removing a missing file', "removefile('quota0')", 'removefile("quota0")', raises('FileNotFoundError')),
  c('opening a removed file', "openfile('quota0', false)", 'openfile("quota0", False)', raises('FileNotFoundError')),
  ...BAD_NAMES.map(([label, js, py]) =>
    c(`removefile refuses the name: ${label}`, `removefile(${js})`, `removefile(${py})`, ARG),
  ),
  c('removefile of the program name with a path', "removefile('../main.js')", 'removefile("../main.r2py")', ARG),
  same('removefile without arguments', 'removefile()', ARG),
]

export const files: Area = {
  name: 'files',
  items,
  files: { existing: 'kept content' },
  checkDir: (dir) => {
    if (readFileSync(join(dir, 'data'), 'latin1') !== 'hello World!') throw new Error('data holds the wrong bytes')
    if (statSync(join(dir, 'binary')).size !== 512) throw new Error('binary is not 512 bytes')
    const names = readdirSync(dir)
    const wrong = names.filter((n) => n === 'Upper' || n.startsWith('.') || n === 'quota0')
    if (wrong.length) throw new Error(`files that should not exist: ${wrong.join(', ')}`)
    if (existsSync(join(dir, '..', 'escape'))) throw new Error('a file escaped the vessel directory')
  },
}

// diskused counts Σ size + 4096 per file; the program file itself is on the vessel's disk, so the cases measure
// from `before` and compute the room left at run time.
const QUOTA = 30000
const used = { js: 'getresources()[1].diskused', py: 'getresources()[1]["diskused"]' }
export const disk: Area = {
  name: 'disk',
  restrictions: GENEROUS_RESTRICTIONS.replace(/resource diskused \d+/, `resource diskused ${QUOTA}`),
  items: [
    step(
      `const before = ${used.js}\nconst big = openfile('big', true)`,
      `before = ${used.py}\nbig = openfile("big", True)`,
    ),
    c('a new file is charged 4096', `${used.js} - before`, `${used.py} - before`, ok(4096)),
    c(
      'a write is charged its growth',
      `big.writeat('a'.repeat(5000), 0)\nreturn ${used.js} - before`,
      `big.writeat("a" * 5000, 0)\nreturn ${used.py} - before`,
      ok(4096 + 5000),
    ),
    step(`const room = ${QUOTA} - ${used.js}`, `room = ${QUOTA} - ${used.py}`),
    c(
      'a write over the quota',
      "big.writeat('b'.repeat(room + 1), 5000)",
      'big.writeat("b" * (room + 1), 5000)',
      raises('ResourceExhaustedError'),
    ),
    c(
      'a refused write wrote and charged nothing',
      `[big.readat(null, 0).length, ${used.js} - before]`,
      `[len(big.readat(None, 0)), ${used.py} - before]`,
      ok([5000, 4096 + 5000]),
    ),
    c(
      'an overwrite in place is not charged',
      `big.writeat('c'.repeat(5000), 0)\nreturn ${used.js} - before`,
      `big.writeat("c" * 5000, 0)\nreturn ${used.py} - before`,
      ok(4096 + 5000),
    ),
    c(
      'a write exactly to the quota',
      `big.writeat('d'.repeat(room), 5000)\nreturn ${used.js}`,
      `big.writeat("d" * room, 5000)\nreturn ${used.py}`,
      ok(QUOTA),
    ),
    c(
      'one byte more',
      "big.writeat('e', 5000 + room)",
      'big.writeat("e", 5000 + room)',
      raises('ResourceExhaustedError'),
    ),
    c(
      'a new file over the quota',
      "openfile('another', true)",
      'openfile("another", True)',
      raises('ResourceExhaustedError'),
    ),
    c(
      'a file refused by the quota is not created',
      "listfiles().includes('another')",
      '"another" in listfiles()',
      ok(false),
    ),
    step('big.close()', 'big.close()'),
    c(
      'removing frees the space',
      `removefile('big')\nreturn ${used.js} - before`,
      `removefile("big")\nreturn ${used.py} - before`,
      ok(0),
    ),
    c(
      'a write after the removal',
      "const g = openfile('again', true)\ng.writeat('f'.repeat(5000), 0)\ng.close()\nreturn 'written'",
      'g = openfile("again", True)\ng.writeat("f" * 5000, 0)\ng.close()\nreturn "written"',
      ok('written'),
    ),
  ],
}
