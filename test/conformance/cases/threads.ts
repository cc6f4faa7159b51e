// createthread, getthreadname, exitall's arguments, locks and getlasterror (docs/REPY.md, 'Threads and locks').
// A step that starts threads waits for what they record (polling with short sleeps), never for a fixed time.
import { c, ok, pyOnly, raises, same, step, type Area } from '../case.js'
import { GENEROUS_RESTRICTIONS } from '../../helpers/run-guest.js'

const ARG = raises('RepyArgumentError')
const EVENTS = { js: 'getresources()[1].events', py: 'getresources()[1]["events"]' }
const events = (label: string, n: number) => c(label, EVENTS.js, EVENTS.py, ok(n))
/** Waits until the main program holds the only events item (every thread has ended). */
const threadsEnded = step(`while (${EVENTS.js} > 1) await sleep(0.01)`, `while ${EVENTS.py} > 1:\n  sleep(0.01)`)

/** [label, JavaScript, Repy] of each refused createthread argument. */
const BAD_THREADS: Array<[string, string, string]> = [
  ['null', 'null', 'None'],
  ['a number', '1', '1'],
  ['a float', '1.5', '1.5'],
  ['a string', "'nothing'", '"nothing"'],
  ['a list of a function', '[nothing]', '[nothing]'],
  ['a dict', '{}', '{}'],
  ['a bool', 'true', 'True'],
  ['no argument', '', ''],
  ['two arguments', 'nothing, nothing', 'nothing, nothing'],
]

export const threads: Area = {
  name: 'threads',
  // main + 3 threads
  restrictions: GENEROUS_RESTRICTIONS.replace(/resource events \d+/, 'resource events 4'),
  items: [
    step('function nothing() {}', 'def nothing():\n  pass'),
    same('the main thread is MainThread', 'getthreadname()', ok('MainThread')),
    same('getthreadname with an argument', 'getthreadname(1)', ARG),
    events('the main program holds one events item', 1),
    ...BAD_THREADS.map(([label, js, py]) =>
      c(`createthread refuses ${label}`, `createthread(${js})`, `createthread(${py})`, ARG),
    ),
    pyOnly(
      'createthread refuses a class',
      'class Callable:\n  pass\nreturn createthread(Callable)',
      ARG,
      'a JavaScript class is a function; Repy takes a function or a method only',
    ),
    pyOnly(
      'createthread refuses a tuple of a function',
      'createthread((nothing,))',
      ARG,
      'JavaScript has no tuples (the list case above)',
    ),
    events('refused threads hold nothing', 1),
    // In JavaScript the bridge tracks the running thread by host calls: code resumed from a promise that no host call
    // settled runs as the thread that made the last host call, and keeps that name in its later host calls
    // (`createthread(() => {}); await null; await null; getthreadname()` in main gives '_EVENT:Thread:1'). A fault
    // found with this table, not yet fixed: these cases run before any thread has run, where the tracking holds.
    step(
      'mycontext.names = []\nconst gate = createlock()\nawait gate.acquire(true)\nfor (let i = 0; i < 3; i++) createthread(async () => { const name = getthreadname(); await gate.acquire(true); mycontext.names.push(name); gate.release() })',
      'mycontext["names"] = []\ngate = createlock()\ngate.acquire(True)\ndef record_name():\n  name = getthreadname()\n  gate.acquire(True)\n  mycontext["names"].append(name)\n  gate.release()\nfor i in range(3):\n  createthread(record_name)',
    ),
    same('the main thread meanwhile', 'getthreadname()', ok('MainThread')),
    events('one events item per running thread', 4),
    c(
      'a fourth thread is over the quota',
      'createthread(nothing)',
      'createthread(nothing)',
      raises('ResourceExhaustedError'),
    ),
    step(
      'gate.release()\nwhile (mycontext.names.length < 3) await sleep(0.01)',
      'gate.release()\nwhile len(mycontext["names"]) < 3:\n  sleep(0.01)',
    ),
    c(
      'threads are named _EVENT:Thread:<n>',
      'mycontext.names.sort()',
      'mycontext["names"].sort()\nreturn mycontext["names"]',
      ok(['_EVENT:Thread:1', '_EVENT:Thread:2', '_EVENT:Thread:3']),
    ),
    threadsEnded,
    same('createthread returns nothing', 'createthread(nothing)', ok(null)),
    threadsEnded,
    step(
      'mycontext.kept = null\ncreatethread(async () => { const first = getthreadname(); await sleep(0.05); mycontext.kept = [first, getthreadname()] })\nwhile (mycontext.kept === null) await sleep(0.01)',
      'mycontext["kept"] = None\ndef keeper():\n  first = getthreadname()\n  sleep(0.05)\n  mycontext["kept"] = [first, getthreadname()]\ncreatethread(keeper)\nwhile mycontext["kept"] is None:\n  sleep(0.01)',
    ),
    c(
      'a thread keeps its name across a wait',
      'mycontext.kept',
      'mycontext["kept"]',
      ok(['_EVENT:Thread:6', '_EVENT:Thread:6']),
    ),
    threadsEnded,
    events('threads give their item back as they end', 1),
    step(
      "mycontext.ran = []\nconst holder = { run() { mycontext.ran.push(this === holder ? 'method' : 'unbound') } }\ncreatethread(holder.run.bind(holder))\ncreatethread(() => { try { openfile('missing', false) } catch (e) { mycontext.ran.push(e.name) } })\nwhile (mycontext.ran.length < 2) await sleep(0.01)",
      'mycontext["ran"] = []\nclass Holder:\n  def run(self):\n    mycontext["ran"].append("method")\ndef catcher():\n  try:\n    openfile("missing", False)\n  except Exception, e:\n    mycontext["ran"].append("FileNotFoundError")\ncreatethread(Holder().run)\ncreatethread(catcher)\nwhile len(mycontext["ran"]) < 2:\n  sleep(0.01)',
    ),
    c(
      'a bound method runs as a thread; a thread catches its own errors',
      'mycontext.ran.sort()',
      'mycontext["ran"].sort()\nreturn mycontext["ran"]',
      ok(['FileNotFoundError', 'method']),
    ),
    same('exitall with an argument', 'exitall(1)', ARG),
  ],
}

/** [label, JavaScript, Repy] of each refused acquire argument (Repy: a bool, not an int). */
const BAD_ACQUIRES: Array<[string, string, string]> = [
  ['1', '1', '1'],
  ['0', '0', '0'],
  ['null', 'null', 'None'],
  ['1.5', '1.5', '1.5'],
  ['a string', "'true'", '"True"'],
  ['a list', '[true]', '[True]'],
  ['no argument', '', ''],
  ['two arguments', 'true, true', 'True, True'],
]

export const locks: Area = {
  name: 'locks',
  items: [
    c('createlock with an argument', 'createlock(1)', 'createlock(True)', ARG),
    step('const lock = createlock()', 'lock = createlock()'),
    ...BAD_ACQUIRES.map(([label, js, py]) =>
      c(`acquire refuses ${label}`, `lock.acquire(${js})`, `lock.acquire(${py})`, ARG),
    ),
    pyOnly(
      'acquire refuses a whole float',
      'lock.acquire(1.0)',
      ARG,
      'JavaScript has one number type: 1.0 is the integer 1 (the case above)',
    ),
    c('release with an argument', 'lock.release(1)', 'lock.release(True)', ARG),
    c('a refused acquire took nothing', 'lock.acquire(false)', 'lock.acquire(False)', ok(true)),
    same('release returns nothing', 'lock.release()', ok(null)),
    same('releasing a lock never acquired', 'createlock().release()', raises('LockDoubleReleaseError')),
    c('a blocking acquire of a free lock', 'await lock.acquire(true)', 'lock.acquire(True)', ok(true)),
    c('a non-blocking acquire of a held lock', 'lock.acquire(false)', 'lock.acquire(False)', ok(false)),
    step('lock.release()', 'lock.release()'),
    same('releasing twice', 'lock.release()', raises('LockDoubleReleaseError')),
    c('a non-blocking acquire of a free lock', 'lock.acquire(false)', 'lock.acquire(False)', ok(true)),
    // lock is held: a thread blocks on it until main releases it
    step(
      "mycontext.events = []\ncreatethread(async () => { mycontext.events.push('waiting'); const got = await lock.acquire(true); mycontext.events.push(got === true ? 'acquired' : 'got ' + got); lock.release(); mycontext.events.push('released') })\nwhile (!mycontext.events.includes('waiting')) await sleep(0.01)\nawait sleep(0.1)",
      'mycontext["events"] = []\ndef waiter():\n  mycontext["events"].append("waiting")\n  got = lock.acquire(True)\n  if got is True:\n    mycontext["events"].append("acquired")\n  else:\n    mycontext["events"].append("got " + repr(got))\n  lock.release()\n  mycontext["events"].append("released")\ncreatethread(waiter)\nwhile "waiting" not in mycontext["events"]:\n  sleep(0.01)\nsleep(0.1)',
    ),
    c('the waiter is still blocked', 'mycontext.events', 'mycontext["events"]', ok(['waiting'])),
    step(
      "mycontext.events.push('main releases')\nlock.release()\nwhile (!mycontext.events.includes('released')) await sleep(0.01)",
      'mycontext["events"].append("main releases")\nlock.release()\nwhile "released" not in mycontext["events"]:\n  sleep(0.01)',
    ),
    c(
      'a blocking acquire waits for the release',
      'mycontext.events',
      'mycontext["events"]',
      ok(['waiting', 'main releases', 'acquired', 'released']),
    ),
    c('the lock is free again', 'lock.acquire(false)', 'lock.acquire(False)', ok(true)),
    // Repy's locks are not owned: another thread may release a lock main holds
    step(
      'mycontext.releasedBy = false\ncreatethread(() => { lock.release(); mycontext.releasedBy = true })\nwhile (!mycontext.releasedBy) await sleep(0.01)',
      'mycontext["released_by"] = False\ndef releaser():\n  lock.release()\n  mycontext["released_by"] = True\ncreatethread(releaser)\nwhile not mycontext["released_by"]:\n  sleep(0.01)',
    ),
    c('another thread may release a lock', 'lock.acquire(false)', 'lock.acquire(False)', ok(true)),
    step(
      'mycontext.count = 0\nmycontext.done = 0\nconst counter = createlock()\nfor (let t = 0; t < 4; t++) createthread(async () => { for (let i = 0; i < 50; i++) { await counter.acquire(true); const v = mycontext.count; await sleep(0.0001); mycontext.count = v + 1; counter.release() } mycontext.done++ })\nwhile (mycontext.done < 4) await sleep(0.01)',
      'mycontext["count"] = 0\nmycontext["done"] = 0\ncounter = createlock()\ndef incrementer():\n  for i in range(50):\n    counter.acquire(True)\n    value = mycontext["count"]\n    sleep(0.0001)\n    mycontext["count"] = value + 1\n    counter.release()\n  counter.acquire(True)\n  mycontext["done"] += 1\n  counter.release()\nfor t in range(4):\n  createthread(incrementer)\nwhile mycontext["done"] < 4:\n  sleep(0.01)',
    ),
    c('no locked increment is lost (4 threads x 50)', 'mycontext.count', 'mycontext["count"]', ok(200)),
  ],
}
