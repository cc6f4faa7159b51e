// getruntime and sleep (docs/REPY.md, 'Time'): a float clock from the program's start that never goes back, a sleep
// that never returns early; no timers. Timing bounds are lower bounds only (a loaded machine is slow, never fast).
import { c, jsOnly, ok, raises, same, step, type Area } from '../case.js'

const ARG = raises('RepyArgumentError')

/** [label, JavaScript, Repy] of each refused sleep argument. */
const BAD_SLEEPS: Array<[string, string, string]> = [
  ['-1', '-1', '-1'],
  ['-0.5', '-0.5', '-0.5'],
  ['NaN', 'NaN', 'float("nan")'],
  ['null', 'null', 'None'],
  ['true', 'true', 'True'],
  ['a string', "'1'", '"1"'],
  ['a list', '[1]', '[1]'],
  ['no argument', '', ''],
  ['two arguments', '1, 1', '1, 1'],
]

export const time: Area = {
  name: 'time',
  items: [
    c('getruntime gives a float', "typeof getruntime() === 'number'", 'type(getruntime()) is float', ok(true)),
    c(
      'getruntime starts near 0',
      'getruntime() >= 0 && getruntime() < 60',
      'getruntime() >= 0 and getruntime() < 60',
      ok(true),
    ),
    c(
      'getruntime never goes back',
      'let last = getruntime()\nfor (let i = 0; i < 2000; i++) { const t = getruntime(); if (t < last) return [last, t]; last = t }\nreturn []',
      'last = getruntime()\nfor i in range(2000):\n  t = getruntime()\n  if t < last:\n    return [last, t]\n  last = t\nreturn []',
      ok([]),
    ),
    same('getruntime with an argument', 'getruntime(1)', ARG),
    c(
      'getruntime rises over a sleep',
      'const t0 = getruntime()\nawait sleep(0.05)\nreturn getruntime() - t0 >= 0.05',
      't0 = getruntime()\nsleep(0.05)\nreturn getruntime() - t0 >= 0.05',
      ok(true),
    ),
    c('sleep returns nothing', 'await sleep(0)', 'sleep(0)', ok(null)),
    jsOnly(
      'sleep returns a promise',
      'sleep(0) instanceof Promise',
      ok(true),
      'a Repy program blocks in sleep; JavaScript awaits its promise',
    ),
    c(
      'sleep(0.3), a float, waits at least 0.3 s',
      'const t0 = getruntime()\nawait sleep(0.3)\nconst took = getruntime() - t0\nreturn took >= 0.3 && took < 30',
      't0 = getruntime()\nsleep(0.3)\ntook = getruntime() - t0\nreturn took >= 0.3 and took < 30',
      ok(true),
    ),
    c(
      'sleep(1), an int, waits at least 1 s',
      'const t0 = getruntime()\nawait sleep(1)\nconst took = getruntime() - t0\nreturn took >= 1 && took < 30',
      't0 = getruntime()\nsleep(1)\ntook = getruntime() - t0\nreturn took >= 1 and took < 30',
      ok(true),
    ),
    c(
      'short sleeps never return early',
      'let short = Infinity, mixed = Infinity\nfor (let i = 0; i < 200; i++) { const t0 = getruntime(); await sleep(0.0001); short = Math.min(short, getruntime() - t0) }\nfor (let i = 0; i < 20; i++) { const t0 = getruntime(); await sleep(0.0015); mixed = Math.min(mixed, getruntime() - t0) }\nreturn [short >= 0.0001, mixed >= 0.0015]',
      'short = 100.0\nmixed = 100.0\nfor i in range(200):\n  t0 = getruntime()\n  sleep(0.0001)\n  short = min(short, getruntime() - t0)\nfor i in range(20):\n  t0 = getruntime()\n  sleep(0.0015)\n  mixed = min(mixed, getruntime() - t0)\nreturn [short >= 0.0001, mixed >= 0.0015]',
      ok([true, true]),
    ),
    ...BAD_SLEEPS.map(([label, js, py]) => c(`refuses sleep(${label})`, `sleep(${js})`, `sleep(${py})`, ARG)),
    step(
      "mycontext.order = []\ncreatethread(async () => { await sleep(0.2); mycontext.order.push('long') })\ncreatethread(async () => { await sleep(0.05); mycontext.order.push('short') })\nwhile (mycontext.order.length < 2) await sleep(0.01)",
      'mycontext["order"] = []\ndef long_sleeper():\n  sleep(0.2)\n  mycontext["order"].append("long")\ndef short_sleeper():\n  sleep(0.05)\n  mycontext["order"].append("short")\ncreatethread(long_sleeper)\ncreatethread(short_sleeper)\nwhile len(mycontext["order"]) < 2:\n  sleep(0.01)',
    ),
    c('other threads run while one sleeps', 'mycontext.order', 'mycontext["order"]', ok(['short', 'long'])),
    jsOnly(
      'no timers',
      '[typeof setTimeout, typeof setInterval, typeof setImmediate, typeof queueMicrotask]',
      ok(['undefined', 'undefined', 'undefined', 'undefined']),
      "names of JavaScript's host environments; Repy's builtins are checked by test/repy/programs/builtins.r2py",
    ),
  ],
}
