// UDP on loopback (docs/REPY.md, 'UDP' and 'Validation rules'): listenformessage, sendmessage, getmessage, close;
// the 9216-byte datagram limit, the errors and the insockets/outsockets items; the cases of repy_v2's UDP tests
// (testsV2). `binding`: a vessel IP that is not an address of this machine. Ports: JavaScript 21400-21449, Repy
// 21450-21499 (udp); 21500-21549 and 21550-21599 (udp-items); 21600-21649 and 21650-21699 (binding).
import { c, jsOnly, ok, pyOnly, raises, same, step, type Area, type Item } from '../case.js'
import { BAD_IPS, BAD_PORTS, NET_HELPERS, netRestrictions } from './net-helpers.js'

const ARG = raises('RepyArgumentError')
const FORBIDDEN = raises('ResourceForbiddenError')
const WOULD_BLOCK = raises('SocketWouldBlockError')
const WHOLE_FLOAT = 'JavaScript has one number type: 21120.0 is the integer 21120'

const GOOD = { js: ['ip', '@P21', "'data'", 'ip', '@P22'], py: ['ip', '@P21', '"data"', 'ip', '@P22'] }
const POSITION = ['destip', 'destport', 'message', 'localip', 'localport']
const BAD_MESSAGES: Array<[string, string, string]> = [
  ['null', 'null', 'None'],
  ['a number', '5', '5'],
  ['a float', '5.5', '5.5'],
  ['a list', "['data']", '["data"]'],
]
const badSends: Item[] = [
  ...[0, 3].flatMap((i) => BAD_IPS.map(([label, js, py]) => ({ i, label, js, py }))),
  ...[1, 4].flatMap((i) => BAD_PORTS.map(([label, js, py]) => ({ i, label, js, py }))),
  ...BAD_MESSAGES.map(([label, js, py]) => ({ i: 2, label, js, py })),
].map(({ i, label, js, py }) => {
  const a = [...GOOD.js]
  const b = [...GOOD.py]
  a[i] = js
  b[i] = py
  return c(
    `sendmessage refuses ${POSITION[i]} ${label}`,
    `sendmessage(${a.join(', ')})`,
    `sendmessage(${b.join(', ')})`,
    ARG,
  )
})
const badListens: Item[] = [
  ...BAD_IPS.map(([label, js, py]) =>
    c(
      `listenformessage refuses the IP ${label}`,
      `listenformessage(${js}, @P23)`,
      `listenformessage(${py}, @P23)`,
      ARG,
    ),
  ),
  ...BAD_PORTS.map(([label, js, py]) =>
    c(`listenformessage refuses the port ${label}`, `listenformessage(ip, ${js})`, `listenformessage(ip, ${py})`, ARG),
  ),
  same('listenformessage without arguments', 'listenformessage()', ARG),
  same('listenformessage with one argument', 'listenformessage(ip)', ARG),
  same('listenformessage with three arguments', 'listenformessage(ip, @P23, 1)', ARG),
]
const A = '@P20'
const B = '@P21'
/** The next datagram on `listener`, as [ip, port - B, message]. */
const next = (listener: string) => ({
  js: `const m = await poll(() => ${listener}.getmessage())\nreturn [m[0], m[1] === ${B}, m[2]]`,
  py: `m = poll(${listener}.getmessage)\nreturn [m[0], m[1] == ${B}, m[2]]`,
})
const got = (label: string, listener: string, message: string) =>
  c(label, next(listener).js, next(listener).py, ok(['127.0.0.1', true, message]))

const items: Item[] = [
  NET_HELPERS,
  ...badSends,
  pyOnly('sendmessage refuses a whole float destport', `sendmessage(ip, 21120.0, "data", ip, ${B})`, ARG, WHOLE_FLOAT),
  pyOnly('sendmessage refuses a whole float localport', `sendmessage(ip, ${A}, "data", ip, 21121.0)`, ARG, WHOLE_FLOAT),
  jsOnly(
    'sendmessage refuses a character above \\xff',
    `sendmessage(ip, ${A}, '\\u0100', ip, ${B})`,
    ARG,
    'a Repy str holds bytes only',
  ),
  c('sendmessage with four arguments', `sendmessage(ip, ${A}, 'data', ip)`, `sendmessage(ip, ${A}, "data", ip)`, ARG),
  c(
    'sendmessage with six arguments',
    `sendmessage(ip, ${A}, 'data', ip, ${B}, 1)`,
    `sendmessage(ip, ${A}, "data", ip, ${B}, 1)`,
    ARG,
  ),
  c('sendmessage to itself', `sendmessage(ip, ${B}, 'data', ip, ${B})`, `sendmessage(ip, ${B}, "data", ip, ${B})`, ARG),
  ...badListens,
  pyOnly('listenformessage refuses a whole float port', 'listenformessage(ip, 21122.0)', ARG, WHOLE_FLOAT),
  // --- permissions: messport; a local IP other than the vessel's or 127.x cannot be bound (Repy: the bind fails)
  same('listening on a port outside messport', 'listenformessage(ip, @P49)', FORBIDDEN),
  c(
    'sending from a port outside messport',
    `sendmessage(ip, ${A}, 'x', ip, @P49)`,
    `sendmessage(ip, ${A}, "x", ip, @P49)`,
    FORBIDDEN,
  ),
  same('listening on a connport-only port', 'listenformessage(ip, @P0)', FORBIDDEN),
  c(
    'sending from a connport-only port',
    `sendmessage(ip, ${A}, 'x', ip, @P0)`,
    `sendmessage(ip, ${A}, "x", ip, @P0)`,
    FORBIDDEN,
  ),
  c(
    'listening on a foreign local IP',
    "listenformessage('8.8.4.4', @P23)",
    'listenformessage("8.8.4.4", @P23)',
    raises('AddressBindingError'),
  ),
  c(
    'sending from a foreign local IP',
    `sendmessage(ip, ${A}, 'x', '10.1.2.3', @P23)`,
    `sendmessage(ip, ${A}, "x", "10.1.2.3", @P23)`,
    raises('AddressBindingError'),
  ),
  // --- one listener
  step(`let listener = listenformessage(ip, ${A})`, `listener = listenformessage(ip, ${A})`),
  same('getmessage with nothing sent', 'listener.getmessage()', WOULD_BLOCK),
  same('getmessage with an argument', 'listener.getmessage(1)', ARG),
  same('listening twice on one port', `listenformessage(ip, ${A})`, raises('AlreadyListeningError')),
  c('nothing of the refused calls arrived', 'listener.getmessage()', 'listener.getmessage()', WOULD_BLOCK),
  c(
    'sendmessage gives the count',
    `sendmessage(ip, ${A}, 'hi there', ip, ${B})`,
    `sendmessage(ip, ${A}, "hi there", ip, ${B})`,
    ok(8),
  ),
  got('the message with its sender', 'listener', 'hi there'),
  pyOnly(
    'getmessage gives a tuple',
    `sendmessage(ip, ${A}, "t", ip, ${B})\nreturn type(poll(listener.getmessage)) is tuple`,
    ok(true),
    'JavaScript gives an array for a Python tuple',
  ),
  same('getmessage once the message was read', 'listener.getmessage()', WOULD_BLOCK),
  c(
    'datagrams keep their boundaries and order',
    `for (const t of ['one', 'two', 'three']) sendmessage(ip, ${A}, t, ip, ${B})\nconst out = []\nfor (let i = 0; i < 3; i++) out.push((await poll(() => listener.getmessage()))[2])\nreturn out`,
    `for t in ["one", "two", "three"]:\n  sendmessage(ip, ${A}, t, ip, ${B})\nout = []\nfor i in range(3):\n  out.append(poll(listener.getmessage)[2])\nreturn out`,
    ok(['one', 'two', 'three']),
  ),
  c('sending an empty message', `sendmessage(ip, ${A}, '', ip, ${B})`, `sendmessage(ip, ${A}, "", ip, ${B})`, ok(0)),
  got('an empty message', 'listener', ''),
  c(
    'every byte value',
    `sendmessage(ip, ${A}, every, ip, ${B})\nreturn (await poll(() => listener.getmessage()))[2] === every`,
    `sendmessage(ip, ${A}, every, ip, ${B})\nreturn poll(listener.getmessage)[2] == every`,
    ok(true),
  ),
  jsOnly(
    'a Uint8Array is data',
    `sendmessage(ip, ${A}, new Uint8Array([0, 200, 255]), ip, ${B})\nreturn (await poll(() => listener.getmessage()))[2]`,
    ok('\x00\xc8\xff'),
    'Repy data is a str; JavaScript also takes a Uint8Array wherever data goes in',
  ),
  c(
    '9216 bytes go',
    `const n = sendmessage(ip, ${A}, 'x'.repeat(9216), ip, ${B})\nreturn [n, (await poll(() => listener.getmessage()))[2] === 'x'.repeat(9216)]`,
    `n = sendmessage(ip, ${A}, "x" * 9216, ip, ${B})\nreturn [n, poll(listener.getmessage)[2] == "x" * 9216]`,
    ok([9216, true]),
  ),
  c(
    '9217 bytes are refused',
    `sendmessage(ip, ${A}, 'x'.repeat(9217), ip, ${B})`,
    `sendmessage(ip, ${A}, "x" * 9217, ip, ${B})`,
    ARG,
  ),
  c(
    '100000 bytes are refused',
    `sendmessage(ip, ${A}, 'x'.repeat(100000), ip, ${B})`,
    `sendmessage(ip, ${A}, "x" * 100000, ip, ${B})`,
    ARG,
  ),
  // a marker sent after the refused messages is the next one to arrive: nothing of theirs came first
  c(
    'nothing of a refused message arrived',
    `sendmessage(ip, ${A}, 'marker', ip, ${B})\nreturn (await poll(() => listener.getmessage()))[2]`,
    `sendmessage(ip, ${A}, "marker", ip, ${B})\nreturn poll(listener.getmessage)[2]`,
    ok('marker'),
  ),
  c(
    'a message sent from a listening port comes from it',
    `const other = listenformessage(ip, ${B})\nsendmessage(ip, ${B}, 'from A', ip, ${A})\nconst m = await poll(() => other.getmessage())\nsendmessage(m[0], m[1], 'reply', ip, ${B})\nconst r = await poll(() => listener.getmessage())\nother.close()\nreturn [m[1] === ${A}, m[2], r[1] === ${B}, r[2]]`,
    `other = listenformessage(ip, ${B})\nsendmessage(ip, ${B}, "from A", ip, ${A})\nm = poll(other.getmessage)\nsendmessage(m[0], m[1], "reply", ip, ${B})\nr = poll(listener.getmessage)\nother.close()\nreturn [m[1] == ${A}, m[2], r[1] == ${B}, r[2]]`,
    ok([true, 'from A', true, 'reply']),
  ),
  c(
    'a TCP and a UDP listener share a port number',
    `const t = listenforconnection(ip, @P40)\nconst u = listenformessage(ip, @P40)\nsendmessage(ip, @P40, 'both', ip, ${B})\nconst m = await poll(() => u.getmessage())\nconst closed = [u.close(), t.close()]\nreturn [m[2], closed]`,
    `t = listenforconnection(ip, @P40)\nu = listenformessage(ip, @P40)\nsendmessage(ip, @P40, "both", ip, ${B})\nm = poll(u.getmessage)\nclosed = [u.close(), t.close()]\nreturn [m[2], closed]`,
    ok(['both', [true, true]]),
  ),
  c(
    'temporary send sockets are given back',
    `for (let i = 0; i < 20; i++) sendmessage(ip, ${A}, 'm' + i, ip, @P24)\nconst out = []\nfor (let i = 0; i < 20; i++) out.push((await poll(() => listener.getmessage()))[2])\nreturn [out.join() === [...Array(20).keys()].map((i) => 'm' + i).join(), getresources()[1].outsockets]`,
    `for i in range(20):\n  sendmessage(ip, ${A}, "m" + str(i), ip, @P24)\nout = []\nfor i in range(20):\n  out.append(poll(listener.getmessage)[2])\nwant = []\nfor i in range(20):\n  want.append("m" + str(i))\nreturn [out == want, getresources()[1]["outsockets"]]`,
    ok([true, 0]),
  ),
  // --- close
  same('close gives true', 'listener.close()', ok(true)),
  same('close again gives false', 'listener.close()', ok(false)),
  same('getmessage on a closed listener', 'listener.getmessage()', raises('SocketClosedLocal')),
  c('insockets after close', 'getresources()[1].insockets', 'getresources()[1]["insockets"]', ok(0)),
  c(
    'listening again after close',
    `listener = listenformessage(ip, ${A})\nsendmessage(ip, ${A}, 'again', ip, ${B})\nconst m = await poll(() => listener.getmessage())\nreturn [m[2], listener.close()]`,
    `l = listenformessage(ip, ${A})\nsendmessage(ip, ${A}, "again", ip, ${B})\nm = poll(l.getmessage)\nreturn [m[2], l.close()]`,
    ok(['again', true]),
  ),
]

export const udp: Area = { name: 'udp', restrictions: netRestrictions(), ports: { js: 21400, py: 21450 }, items }

/** insockets 1, outsockets 0: a listener is an insocket; a send needs an outsocket unless a listener holds its
 *  local address. */
export const udpItems: Area = {
  name: 'udp-items',
  restrictions: netRestrictions({ insockets: 1, outsockets: 0 }),
  ports: { js: 21500, py: 21550 },
  items: [
    NET_HELPERS,
    step('const l1 = listenformessage(ip, @P20)', 'l1 = listenformessage(ip, @P20)'),
    same('a second listener', 'listenformessage(ip, @P21)', raises('ResourceExhaustedError')),
    c(
      'a send without an outsocket',
      "sendmessage(ip, @P20, 'x', ip, @P21)",
      'sendmessage(ip, @P20, "x", ip, @P21)',
      raises('ResourceExhaustedError'),
    ),
    c(
      'a send from the listener needs none',
      "sendmessage(ip, @P21, 'x', ip, @P20)",
      'sendmessage(ip, @P21, "x", ip, @P20)',
      ok(1),
    ),
    step('l1.close()', 'l1.close()'),
    same('closing the listener gives its item back', 'listenformessage(ip, @P21).close()', ok(true)),
  ],
}

/** 203.0.113.0/24 is TEST-NET-3: never local, and a failed bind sends nothing. */
export const binding: Area = {
  name: 'binding',
  ip: '203.0.113.7',
  restrictions: netRestrictions(),
  ports: { js: 21600, py: 21650 },
  items: [
    NET_HELPERS,
    same('getmyip', 'getmyip()', ok('203.0.113.7')),
    c(
      'listenforconnection on the vessel IP',
      "listenforconnection('203.0.113.7', @P0)",
      'listenforconnection("203.0.113.7", @P0)',
      raises('AddressBindingError'),
    ),
    c(
      'openconnection from the vessel IP',
      "await openconnection(ip, @P1, '203.0.113.7', @P0, 1)",
      'openconnection(ip, @P1, "203.0.113.7", @P0, 1.0)',
      raises('AddressBindingError'),
    ),
    c(
      'listenformessage on the vessel IP',
      "listenformessage('203.0.113.7', @P20)",
      'listenformessage("203.0.113.7", @P20)',
      raises('AddressBindingError'),
    ),
    c(
      'sendmessage from the vessel IP',
      "sendmessage(ip, @P21, 'x', '203.0.113.7', @P20)",
      'sendmessage(ip, @P21, "x", "203.0.113.7", @P20)',
      raises('AddressBindingError'),
    ),
    c(
      'the refused binds hold nothing',
      'const u = getresources()[1]\nreturn [u.insockets, u.outsockets]',
      'u = getresources()[1]\nreturn [u["insockets"], u["outsockets"]]',
      ok([0, 0]),
    ),
  ],
}
