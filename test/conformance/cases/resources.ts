// getresources(): [limits, usage, stoptimes] (docs/REPY.md, 'Resources'), fresh copies that grant nothing when
// changed, and usage that follows what the program holds. Ports: JavaScript 21700-21749, Repy 21750-21799:
// connport @P0-@P1, messport @P2-@P3; @P9 is in neither.
import { c, ok, pyOnly, raises, step, type Area } from '../case.js'
import { parseRestrictions } from '../../../src/runtime/nanny/restrictions.js'

const RESTRICTIONS = `
resource cpu .5
resource memory 32000000
resource diskused 2000000
resource events 3
resource filesopened 2
resource fileread 100000
resource filewrite 100000
resource lograte 100000
resource random 2048
resource insockets 4
resource outsockets 6
resource loopsend 50000
resource looprecv 60000
resource connport @P0
resource connport @P1
resource messport @P2
resource messport @P3
`
/** The numeric limits as the restrictions parser reads them (every resource, 0 when left out). */
const NUMERIC = parseRestrictions(RESTRICTIONS.replace(/@P\d/g, '1')).limits
const RATES = ['cpu', 'filewrite', 'fileread', 'netsend', 'netrecv', 'loopsend', 'looprecv', 'lograte', 'random']
const ITEMS = ['events', 'filesopened', 'insockets', 'outsockets']

const R = { js: 'getresources()', py: 'getresources()' }
const usage = (label: string, key: string, expect: ReturnType<typeof ok>) =>
  c(label, `getresources()[1].${key}`, `getresources()[1]["${key}"]`, expect)
const limit = (label: string, key: string, expect: ReturnType<typeof ok>) =>
  c(label, `getresources()[0].${key}`, `getresources()[0]["${key}"]`, expect)
const NUMBERS_ONLY = 'JavaScript has one number type and arrays for sets; Repy gives floats, ints and sets as Repy does'

export const resources: Area = {
  name: 'resources',
  restrictions: RESTRICTIONS,
  ports: { js: 21700, py: 21750 },
  items: [
    step(`const first = ${R.js}`, `first = ${R.py}`),
    c(
      'gives [limits, usage, stoptimes]',
      "[Array.isArray(first), first.length, typeof first[0] === 'object', typeof first[1] === 'object', Array.isArray(first[2])]",
      '[type(first) is tuple, len(first), type(first[0]) is dict, type(first[1]) is dict, type(first[2]) is list]',
      ok([true, 3, true, true, true]),
    ),
    c('getresources with an argument', 'getresources(1)', 'getresources(None)', raises('RepyArgumentError')),
    // ports are @P-relative: compared in the guest
    c(
      'the limits: every resource of the restrictions',
      'const l = { ...first[0] }\nconst ports = [l.connport, l.messport]\ndelete l.connport\ndelete l.messport\nconst base = getresources()[0].connport[0]\nreturn [l, ports.map((p) => p.map((n) => n - base))]',
      'l = dict(first[0])\nbase = min(l["connport"])\nports = []\nfor key in ["connport", "messport"]:\n  offsets = []\n  for n in l[key]:\n    offsets.append(n - base)\n  offsets.sort()\n  ports.append(offsets)\n  del l[key]\nreturn [l, ports]',
      ok([
        NUMERIC,
        [
          [0, 1],
          [2, 3],
        ],
      ]),
    ),
    pyOnly(
      'rates are floats, items ints, ports sets',
      `l = first[0]\nbad = []\nfor k in ${JSON.stringify(RATES)}:\n  if type(l[k]) is not float:\n    bad.append(k)\nfor k in ${JSON.stringify([...ITEMS, 'memory', 'diskused'])}:\n  if type(l[k]) is not int:\n    bad.append(k)\nfor k in ["connport", "messport"]:\n  if type(l[k]) is not set:\n    bad.append(k)\nreturn bad`,
      ok([]),
      NUMBERS_ONLY,
    ),
    c(
      'usage has the limits and threadcpu',
      'Object.keys(first[1]).sort()',
      'k = list(first[1].keys())\nk.sort()\nreturn k',
      ok([...Object.keys(NUMERIC), 'connport', 'messport', 'threadcpu'].sort()),
    ),
    c(
      'usage at the start: one event for main, nothing held',
      'const u = first[1]\nreturn [u.events, u.filesopened, u.insockets, u.outsockets, u.connport, u.messport]',
      'u = first[1]\nreturn [u["events"], u["filesopened"], u["insockets"], u["outsockets"], u["connport"], u["messport"]]',
      ok([1, 0, 0, 0, [], []]),
    ),
    c(
      'rates, cpu and memory are non-negative numbers',
      `const u = first[1]\nreturn ${JSON.stringify([...RATES, 'threadcpu', 'memory', 'diskused'])}.filter((k) => !(typeof u[k] === 'number' && u[k] >= 0))`,
      `u = first[1]\nbad = []\nfor k in ${JSON.stringify([...RATES, 'threadcpu', 'memory', 'diskused'])}:\n  if type(u[k]) not in [int, long, float] or u[k] < 0:\n    bad.append(k)\nreturn bad`,
      ok([]),
    ),
    pyOnly(
      'usage: rates are floats, items ints, ports sets',
      `u = first[1]\nbad = []\nfor k in ${JSON.stringify([...RATES, 'threadcpu'])}:\n  if type(u[k]) is not float:\n    bad.append(k)\nfor k in ${JSON.stringify(ITEMS)}:\n  if type(u[k]) is not int:\n    bad.append(k)\nfor k in ["connport", "messport"]:\n  if type(u[k]) is not set:\n    bad.append(k)\nreturn bad`,
      ok([]),
      NUMBERS_ONLY,
    ),
    c(
      'memory is in use; the program file is on the disk',
      '[first[1].memory > 0, first[1].diskused > 4096]',
      '[first[1]["memory"] > 0, first[1]["diskused"] > 4096]',
      ok([true, true]),
    ),
    c(
      'stoptimes are [time, seconds] pairs',
      "first[2].filter((s) => !(Array.isArray(s) && s.length === 2 && typeof s[0] === 'number' && typeof s[1] === 'number'))",
      'bad = []\nfor s in first[2]:\n  if type(s) is not tuple or len(s) != 2 or type(s[0]) is not float or type(s[1]) is not float:\n    bad.append(s)\nreturn bad',
      ok([]),
    ),
    // changing the copies changes nothing and grants nothing
    step(
      'first[0].events = 1000\nfirst[0].filesopened = 1000\nfirst[1].events = 99\nfirst[1].filesopened = 5\nfirst[0].connport.push(@P9)\nfirst[0].messport.push(@P9)\nfirst[1].connport.push(@P0)\nfirst[2].push([1, 2])\ndelete first[0].cpu\nfirst[0].extra = 1',
      'first[0]["events"] = 1000\nfirst[0]["filesopened"] = 1000\nfirst[1]["events"] = 99\nfirst[1]["filesopened"] = 5\nfirst[0]["connport"].add(@P9)\nfirst[0]["messport"].add(@P9)\nfirst[1]["connport"].add(@P0)\nfirst[2].append((1.0, 2.0))\ndel first[0]["cpu"]\nfirst[0]["extra"] = 1',
    ),
    c(
      'the limits after changing a copy',
      "const l = getresources()[0]\nreturn [l.events, l.filesopened, l.cpu, 'extra' in l, l.connport.length, l.messport.length]",
      'l = getresources()[0]\nreturn [l["events"], l["filesopened"], l["cpu"], "extra" in l, len(l["connport"]), len(l["messport"])]',
      ok([3, 2, 0.5, false, 2, 2]),
    ),
    c(
      'the usage after changing a copy',
      'const u = getresources()[1]\nreturn [u.events, u.filesopened, u.connport]',
      'u = getresources()[1]\nreturn [u["events"], u["filesopened"], u["connport"]]',
      ok([1, 0, []]),
    ),
    c(
      'stoptimes after changing a copy',
      'getresources()[2].some((s) => s[0] === 1 && s[1] === 2)',
      '(1.0, 2.0) in getresources()[2]',
      ok(false),
    ),
    c(
      'a port added to the connport copy',
      "listenforconnection('127.0.0.1', @P9)",
      'listenforconnection("127.0.0.1", @P9)',
      raises('ResourceForbiddenError'),
    ),
    c(
      'a port added to the messport copy',
      "listenformessage('127.0.0.1', @P9)",
      'listenformessage("127.0.0.1", @P9)',
      raises('ResourceForbiddenError'),
    ),
    c(
      'a raised filesopened limit',
      "const a = openfile('a', true), b = openfile('b', true)\ntry {\n  return openfile('c', true)\n} finally {\n  a.close()\n  b.close()\n}",
      'a = openfile("a", True)\nb = openfile("b", True)\ntry:\n  return openfile("c", True)\nfinally:\n  a.close()\n  b.close()',
      raises('ResourceExhaustedError'),
    ),
    // usage follows what is held
    step(
      "const base = getresources()[1].diskused\nconst held = openfile('held', true)\nheld.writeat('x'.repeat(10000), 0)\nconst udp = listenformessage('127.0.0.1', @P2)\nconst tcp = listenforconnection('127.0.0.1', @P0)",
      'base = getresources()[1]["diskused"]\nheld = openfile("held", True)\nheld.writeat("x" * 10000, 0)\nudp = listenformessage("127.0.0.1", @P2)\ntcp = listenforconnection("127.0.0.1", @P0)',
    ),
    c(
      'usage while holding a file and two listeners',
      'const u = getresources()[1]\nreturn [u.filesopened, u.diskused - base, u.insockets, u.connport.join() === "@P0", u.messport.join() === "@P2"]',
      'u = getresources()[1]\nreturn [u["filesopened"], u["diskused"] - base, u["insockets"], u["connport"] == set([@P0]), u["messport"] == set([@P2])]',
      ok([1, 10000 + 4096, 2, true, true]),
    ),
    step('held.close()\nudp.close()\ntcp.close()', 'held.close()\nudp.close()\ntcp.close()'),
    c(
      'usage after closing them',
      'const u = getresources()[1]\nreturn [u.filesopened, u.insockets, u.connport, u.messport]',
      'u = getresources()[1]\nreturn [u["filesopened"], u["insockets"], u["connport"], u["messport"]]',
      ok([0, 0, [], []]),
    ),
    step(
      'const hold = createlock()\nawait hold.acquire(true)\ncreatethread(async () => { await hold.acquire(true); hold.release() })',
      'hold = createlock()\nhold.acquire(True)\ndef waiter():\n  hold.acquire(True)\n  hold.release()\ncreatethread(waiter)',
    ),
    usage('events with a thread running', 'events', ok(2)),
    step('hold.release()', 'hold.release()'),
    // a rate is reported as of its last charge (Repy's table), not drained since: live, 100,000 bytes/s would
    // have drained one block to 0 within 41 ms
    step(
      "const g = openfile('charged', true)\nawait sleep(1.2)\ng.writeat('y', 0)\nawait sleep(0.3)",
      'g = openfile("charged", True)\nsleep(1.2)\ng.writeat("y", 0)\nsleep(0.3)',
    ),
    usage('filewrite after one block, 0.3 s later', 'filewrite', ok(4096)),
    step('g.close()', 'g.close()'),
    limit('the limit of a resource the restrictions leave out', 'netsend', ok(0)),
  ],
}
