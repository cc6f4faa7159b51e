// TCP on loopback (docs/REPY.md, 'TCP' and 'Validation rules'): listenforconnection, openconnection, getconnection,
// send, recv, close, with the errors Repy defines and the insockets/outsockets quotas; the cases of repy_v2's TCP
// tests (testsV2). Ports: JavaScript 21300-21349, Repy 21350-21399 (see net-helpers.ts for the sets).
import { c, jsOnly, ok, pyOnly, raises, same, step, type Area, type Item } from '../case.js'
import { BAD_IPS, BAD_PORTS, NET_HELPERS, netRestrictions } from './net-helpers.js'

const ARG = raises('RepyArgumentError')
const FORBIDDEN = raises('ResourceForbiddenError')
const WOULD_BLOCK = raises('SocketWouldBlockError')
const WHOLE_FLOAT = 'JavaScript has one number type: 21100.0 is the integer 21100'

/** openconnection's arguments with one replaced, in JavaScript and Repy. */
const GOOD = { js: ['ip', '@P1', 'ip', '@P3', '1'], py: ['ip', '@P1', 'ip', '@P3', '1.0'] }
const connectWith = (index: number, js: string, py: string) => {
  const a = [...GOOD.js]
  const b = [...GOOD.py]
  a[index] = js
  b[index] = py
  return { js: `await openconnection(${a.join(', ')})`, py: `openconnection(${b.join(', ')})` }
}
const POSITION = ['destip', 'destport', 'localip', 'localport', 'timeout']
const BAD_TIMEOUTS: Array<[string, string, string]> = [
  ['a string', "'1'", '"1"'],
  ['0', '0', '0.0'],
  ['-1', '-1', '-1'],
  ['-0.0001', '-0.0001', '-0.0001'],
  ['null', 'null', 'None'],
  ['a bool', 'true', 'True'],
]
const badConnects: Item[] = [
  ...[0, 2].flatMap((i) => BAD_IPS.map(([label, js, py]) => ({ i, label, js, py }))),
  ...[1, 3].flatMap((i) => BAD_PORTS.map(([label, js, py]) => ({ i, label, js, py }))),
  ...BAD_TIMEOUTS.map(([label, js, py]) => ({ i: 4, label, js, py })),
].map(({ i, label, js, py }) => {
  const call = connectWith(i, js, py)
  return c(`openconnection refuses ${POSITION[i]} ${label}`, call.js, call.py, ARG)
})

const listen = (args: string, pyArgs = args) => ({
  js: `listenforconnection(${args})`,
  py: `listenforconnection(${pyArgs})`,
})
const badListens: Item[] = [
  ...BAD_IPS.map(([label, js, py]) => {
    const l = listen(`${js}, @P4`, `${py}, @P4`)
    return c(`listenforconnection refuses the IP ${label}`, l.js, l.py, ARG)
  }),
  ...BAD_PORTS.map(([label, js, py]) => {
    const l = listen(`ip, ${js}`, `ip, ${py}`)
    return c(`listenforconnection refuses the port ${label}`, l.js, l.py, ARG)
  }),
  same('listenforconnection without arguments', 'listenforconnection()', ARG),
  same('listenforconnection with one argument', 'listenforconnection(ip)', ARG),
  same('listenforconnection with three arguments', 'listenforconnection(ip, @P4, 1)', ARG),
]

const items: Item[] = [
  NET_HELPERS,
  ...badConnects,
  pyOnly(
    'openconnection refuses a whole float destport',
    'openconnection(ip, 21100.0, ip, @P3, 1.0)',
    ARG,
    WHOLE_FLOAT,
  ),
  pyOnly(
    'openconnection refuses a whole float localport',
    'openconnection(ip, @P1, ip, 21103.0, 1.0)',
    ARG,
    WHOLE_FLOAT,
  ),
  c(
    'openconnection with four arguments',
    'await openconnection(ip, @P1, ip, @P3)',
    'openconnection(ip, @P1, ip, @P3)',
    ARG,
  ),
  c(
    'openconnection with six arguments',
    'await openconnection(ip, @P1, ip, @P3, 1, 1)',
    'openconnection(ip, @P1, ip, @P3, 1.0, 1)',
    ARG,
  ),
  c(
    'openconnection to itself',
    'await openconnection(ip, @P3, ip, @P3, 1)',
    'openconnection(ip, @P3, ip, @P3, 1.0)',
    ARG,
  ),
  ...badListens,
  pyOnly('listenforconnection refuses a whole float port', 'listenforconnection(ip, 21104.0)', ARG, WHOLE_FLOAT),
  // --- permissions: connport; a local IP other than the vessel's or 127.x cannot be bound (Repy: the bind fails)
  same('listening on a port outside connport', 'listenforconnection(ip, @P49)', FORBIDDEN),
  c(
    'connecting from a port outside connport',
    'await openconnection(ip, @P0, ip, @P49, 1)',
    'openconnection(ip, @P0, ip, @P49, 1.0)',
    FORBIDDEN,
  ),
  same('listening on a messport-only port', 'listenforconnection(ip, @P20)', FORBIDDEN),
  c(
    'listening on a foreign local IP',
    "listenforconnection('8.8.4.4', @P4)",
    'listenforconnection("8.8.4.4", @P4)',
    raises('AddressBindingError'),
  ),
  c(
    'connecting from a foreign local IP',
    "await openconnection(ip, @P0, '10.1.2.3', @P4, 1)",
    'openconnection(ip, @P0, "10.1.2.3", @P4, 1.0)',
    raises('AddressBindingError'),
  ),
  // --- listening
  step('let server = listenforconnection(ip, @P0)', 'server = listenforconnection(ip, @P0)'),
  same('listening twice on one port', 'listenforconnection(ip, @P0)', raises('AlreadyListeningError')),
  c(
    'connecting from a listening port',
    'await openconnection(ip, @P2, ip, @P0, 1)',
    'openconnection(ip, @P2, ip, @P0, 1.0)',
    raises('AlreadyListeningError'),
  ),
  same('getconnection with nothing pending', 'server.getconnection()', WOULD_BLOCK),
  same('getconnection with an argument', 'server.getconnection(1)', ARG),
  // --- one connection
  step(
    'let client = await openconnection(ip, @P0, ip, @P1, 5)\nconst accepted = await poll(() => server.getconnection())\nlet conn = accepted[2]',
    'client = openconnection(ip, @P0, ip, @P1, 5.0)\naccepted = poll(server.getconnection)\nconn = accepted[2]',
  ),
  c(
    'getconnection gives the remote IP and port',
    '[accepted.length, accepted[0], accepted[1] === @P1]',
    '[len(accepted), accepted[0], accepted[1] == @P1]',
    ok([3, '127.0.0.1', true]),
  ),
  pyOnly(
    'getconnection gives a tuple',
    'type(accepted) is tuple',
    ok(true),
    'JavaScript gives an array for a Python tuple',
  ),
  same('a second getconnection', 'server.getconnection()', WOULD_BLOCK),
  c(
    'the same four-tuple again',
    'await openconnection(ip, @P0, ip, @P1, 1)',
    'openconnection(ip, @P0, ip, @P1, 1.0)',
    raises('DuplicateTupleError'),
  ),
  same('recv with nothing sent', 'conn.recv(10)', WOULD_BLOCK),
  c('send gives the count', "client.send('hello')", 'client.send("hello")', ok(5)),
  c(
    'recv without sleeping between tries',
    'for (;;) {\n  try {\n    return conn.recv(3)\n  } catch (e) {\n    if (!(e instanceof SocketWouldBlockError)) throw e\n  }\n}',
    'while True:\n  try:\n    return conn.recv(3)\n  except SocketWouldBlockError:\n    pass',
    ok('hel'),
  ),
  c('recv the rest', 'await recvExactly(conn, 2)', 'recvExactly(conn, 2)', ok('lo')),
  same('recv once everything was read', 'conn.recv(10)', WOULD_BLOCK),
  c('send of nothing', "conn.send('')", 'conn.send("")', ok(0)),
  c('send the other way', "conn.send('world!')", 'conn.send("world!")', ok(6)),
  c('recv gives at most what was asked', 'await poll(() => client.recv(3))', 'poll(client.recv, 3)', ok('wor')),
  c('the rest of it', 'await recvExactly(client, 3)', 'recvExactly(client, 3)', ok('ld!')),
  c(
    'every byte value, more than one recv',
    'const big = every.repeat(200)\nawait sendAll(client, big)\nconst back = await recvExactly(conn, big.length)\nreturn [back === big, back.length]',
    'big = every * 200\nsendAll(client, big)\nback = recvExactly(conn, len(big))\nreturn [back == big, len(back)]',
    ok([true, 51200]),
  ),
  jsOnly(
    'a Uint8Array is data',
    'conn.send(new Uint8Array([0, 255, 10]))\nreturn await recvExactly(client, 3)',
    ok('\x00\xff\n'),
    'Repy data is a str; JavaScript also takes a Uint8Array wherever data goes in',
  ),
  // --- socket argument checks
  ...(
    [
      ['null', 'null', 'None'],
      ['a number', '5', '5'],
      ['a float', '1.5', '1.5'],
      ['a list', "['x']", '["x"]'],
      ['no argument', '', ''],
      ['two arguments', "'a', 'b'", '"a", "b"'],
    ] as const
  ).map(([label, js, py]) => c(`send refuses ${label}`, `client.send(${js})`, `client.send(${py})`, ARG)),
  jsOnly('send refuses a character above \\xff', "client.send('\\u0100')", ARG, 'a Repy str holds bytes only'),
  ...(
    [
      ['0', '0', '0'],
      ['-1', '-1', '-1'],
      ['a float', '1.5', '1.5'],
      ['a bool', 'true', 'True'],
      ['null', 'null', 'None'],
      ['a string', "'10'", '"10"'],
      ['no argument', '', ''],
      ['two arguments', '1, 2', '1, 2'],
    ] as const
  ).map(([label, js, py]) => c(`recv refuses ${label}`, `client.recv(${js})`, `client.recv(${py})`, ARG)),
  pyOnly('recv refuses a whole float', 'client.recv(1.0)', ARG, WHOLE_FLOAT),
  c('close with an argument', 'client.close(1)', 'client.close(True)', ARG),
  c(
    'an int timeout to a closed port',
    'await openconnection(ip, @P5, ip, @P4, 1)',
    'openconnection(ip, @P5, ip, @P4, 1)',
    raises('ConnectionRefusedError'),
  ),
  // --- closing, local and remote
  same('close gives true', 'conn.close()', ok(true)),
  same('close again gives false', 'conn.close()', ok(false)),
  same('recv on a closed socket', 'conn.recv(1)', raises('SocketClosedLocal')),
  c('send on a closed socket', "conn.send('x')", 'conn.send("x")', raises('SocketClosedLocal')),
  c(
    'recv after the remote end closed',
    'await poll(() => client.recv(10))',
    'poll(client.recv, 10)',
    raises('SocketClosedRemote'),
  ),
  c('send after the remote end closed', "client.send('x')", 'client.send("x")', raises('SocketClosedRemote')),
  step('client.close()', 'client.close()'),
  same('recv on the closed client', 'client.recv(1)', raises('SocketClosedLocal')),
  step(
    "client = await openconnection(ip, @P0, ip, @P6, 5)\nconn = (await poll(() => server.getconnection()))[2]\nconn.send('last words')\nconn.close()",
    'client = openconnection(ip, @P0, ip, @P6, 5.0)\nconn = poll(server.getconnection)[2]\nconn.send("last words")\nconn.close()',
  ),
  c('data sent before a close arrives', 'await recvExactly(client, 10)', 'recvExactly(client, 10)', ok('last words')),
  c('then the close', 'await poll(() => client.recv(10))', 'poll(client.recv, 10)', raises('SocketClosedRemote')),
  step('client.close()', 'client.close()'),
  // --- closing the listener keeps its accepted connections
  step(
    'client = await openconnection(ip, @P0, ip, @P7, 5)\nconn = (await poll(() => server.getconnection()))[2]',
    'client = openconnection(ip, @P0, ip, @P7, 5.0)\nconn = poll(server.getconnection)[2]',
  ),
  same('server close gives true', 'server.close()', ok(true)),
  same('server close again gives false', 'server.close()', ok(false)),
  same('getconnection on a closed server', 'server.getconnection()', raises('SocketClosedLocal')),
  c(
    'an accepted connection outlives its listener',
    "client.send('still here')\nconst got = await recvExactly(conn, 10)\nconn.send('yes')\nreturn [got, await recvExactly(client, 3)]",
    'client.send("still here")\ngot = recvExactly(conn, 10)\nconn.send("yes")\nreturn [got, recvExactly(client, 3)]',
    ok(['still here', 'yes']),
  ),
  step('client.close()\nconn.close()', 'client.close()\nconn.close()'),
  c(
    'connecting to a closed server',
    'await openconnection(ip, @P0, ip, @P8, 1)',
    'openconnection(ip, @P0, ip, @P8, 1.0)',
    raises('ConnectionRefusedError'),
  ),
  same('listening again after close', 'listenforconnection(ip, @P0).close()', ok(true)),
  c(
    'connecting where nobody listens',
    'await openconnection(ip, @P9, ip, @P10, 1)',
    'openconnection(ip, @P9, ip, @P10, 1.0)',
    raises('ConnectionRefusedError'),
  ),
  c(
    'nothing is held after closing',
    'const u = getresources()[1]\nreturn [u.insockets, u.outsockets]',
    'u = getresources()[1]\nreturn [u["insockets"], u["outsockets"]]',
    ok([0, 0]),
  ),
  // --- quotas: insockets 3, outsockets 3
  step(
    'const servers = [listenforconnection(ip, @P11), listenforconnection(ip, @P12), listenforconnection(ip, @P13)]',
    'servers = [listenforconnection(ip, @P11), listenforconnection(ip, @P12), listenforconnection(ip, @P13)]',
  ),
  same('one listener more than insockets', 'listenforconnection(ip, @P14)', raises('ResourceExhaustedError')),
  step(
    'servers[2].close()\nservers[2] = listenforconnection(ip, @P14)',
    'servers[2].close()\nservers[2] = listenforconnection(ip, @P14)',
  ),
  c('closing a listener gives its item back', 'getresources()[1].insockets', 'getresources()[1]["insockets"]', ok(3)),
  step(
    'const c1 = await openconnection(ip, @P11, ip, @P15, 5)\nconst a1 = (await poll(() => servers[0].getconnection()))[2]\nconst c2 = await openconnection(ip, @P11, ip, @P16, 5)',
    'c1 = openconnection(ip, @P11, ip, @P15, 5.0)\na1 = poll(servers[0].getconnection)[2]\nc2 = openconnection(ip, @P11, ip, @P16, 5.0)',
  ),
  c(
    'one connection more than outsockets',
    'await openconnection(ip, @P12, ip, @P17, 5)',
    'openconnection(ip, @P12, ip, @P17, 5.0)',
    raises('ResourceExhaustedError'),
  ),
  c(
    'accepting beyond outsockets',
    'await poll(() => servers[0].getconnection())',
    'poll(servers[0].getconnection)',
    raises('ResourceExhaustedError'),
  ),
  c(
    'the refused connection is closed',
    'await poll(() => c2.recv(1))',
    'poll(c2.recv, 1)',
    raises('SocketClosedRemote'),
  ),
  step('c1.close()\nc2.close()', 'c1.close()\nc2.close()'),
  c(
    'closing connections gives their items back',
    "const c3 = await openconnection(ip, @P12, ip, @P17, 5)\nconst a3 = (await poll(() => servers[1].getconnection()))[2]\nc3.send('x')\nconst got = await recvExactly(a3, 1)\nc3.close()\na3.close()\nreturn got",
    'c3 = openconnection(ip, @P12, ip, @P17, 5.0)\na3 = poll(servers[1].getconnection)[2]\nc3.send("x")\ngot = recvExactly(a3, 1)\nc3.close()\na3.close()\nreturn got',
    ok('x'),
  ),
  step('a1.close()\nfor (const s of servers) s.close()', 'a1.close()\nfor s in servers:\n  s.close()'),
]

export const tcp: Area = {
  name: 'tcp',
  restrictions: netRestrictions({ insockets: 3, outsockets: 3 }),
  ports: { js: 21300, py: 21350 },
  items,
}
