// Pieces the TCP and UDP areas share: restrictions with the area's ports, and guest helpers that retry a call while
// it would block (data in flight on loopback), waiting for the event rather than for a time.
import { step } from '../case.js'

/** Generous restrictions with connports @P0-@P19 and @P40, messports @P20-@P29 and @P40 (@P49 is in neither). */
export function netRestrictions(o: { insockets?: number; outsockets?: number } = {}): string {
  const ports = (kind: string, from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => `resource ${kind} @P${from + i}`)
  return (
    [
      'resource cpu 1',
      'resource memory 64000000',
      'resource diskused 10000000',
      'resource events 10',
      'resource filesopened 5',
      'resource fileread 10000000',
      'resource filewrite 10000000',
      `resource insockets ${o.insockets ?? 5}`,
      `resource outsockets ${o.outsockets ?? 5}`,
      'resource loopsend 100000000',
      'resource looprecv 100000000',
      'resource netsend 10000000',
      'resource netrecv 10000000',
      'resource lograte 10000000',
      ...ports('connport', 0, 19),
      'resource connport @P40',
      ...ports('messport', 20, 29),
      'resource messport @P40',
    ].join('\n') + '\n'
  )
}

/** poll(fn, ...args): the call's result once it stops raising SocketWouldBlockError (10 s at most);
 *  recvExactly(socket, n), sendAll(socket, data). */
export const NET_HELPERS = step(
  String.raw`
async function poll(fn, ...args) {
  const deadline = getruntime() + 10
  for (;;) {
    try { return fn(...args) } catch (e) { if (!(e instanceof SocketWouldBlockError) || getruntime() > deadline) throw e }
    await sleep(0.005)
  }
}
async function recvExactly(sock, n) {
  let got = ''
  while (got.length < n) got += await poll(() => sock.recv(n - got.length))
  return got
}
async function sendAll(sock, data) {
  let sent = 0
  while (sent < data.length) sent += await poll(() => sock.send(data.slice(sent)))
}
let every = ''
for (let i = 0; i < 256; i++) every += String.fromCharCode(i)
const ip = '127.0.0.1'`,
  String.raw`
def poll(function, *args):
  deadline = getruntime() + 10
  while True:
    try:
      return function(*args)
    except SocketWouldBlockError:
      if getruntime() > deadline:
        raise
    sleep(0.005)

def recvExactly(sock, n):
  got = ""
  while len(got) < n:
    got += poll(sock.recv, n - len(got))
  return got

def sendAll(sock, data):
  sent = 0
  while sent < len(data):
    sent += poll(sock.send, data[sent:])

every = ""
for i in range(256):
  every += chr(i)
ip = "127.0.0.1"`,
)

/** [label, JavaScript, Repy] of refused IP addresses (as a destination or a local IP). */
export const BAD_IPS: Array<[string, string, string]> = [
  ['a number', '123', '123'],
  ['a name', "'foo.com'", '"foo.com"'],
  ['localhost', "'localhost'", '"localhost"'],
  ['five parts', "'127.0.0.1.1'", '"127.0.0.1.1"'],
  ['three parts', "'1.2.3'", '"1.2.3"'],
  ['a part over 255', "'1.2.3.256'", '"1.2.3.256"'],
  ['256 first', "'256.0.0.1'", '"256.0.0.1"'],
  ['0 first', "'0.1.2.3'", '"0.1.2.3"'],
  ['0.0.0.0', "'0.0.0.0'", '"0.0.0.0"'],
  ['multicast', "'224.0.0.1'", '"224.0.0.1"'],
  ['234 first', "'234.1.2.3'", '"234.1.2.3"'],
  ['broadcast', "'255.255.255.255'", '"255.255.255.255"'],
  ['192.168.0.0', "'192.168.0.0'", '"192.168.0.0"'],
  ['empty', "''", '""'],
  ['null', 'null', 'None'],
]

/** [label, JavaScript, Repy] of refused ports. */
export const BAD_PORTS: Array<[string, string, string]> = [
  ['a string', "'21100'", '"21100"'],
  ['0', '0', '0'],
  ['65536', '65536', '65536'],
  ['-1', '-1', '-1'],
  ['5423452', '5423452', '5423452'],
  ['a float', '1.5', '1.5'],
  ['a bool', 'true', 'True'],
  ['null', 'null', 'None'],
]
