// getmyip and gethostbyname (docs/REPY.md, 'Addresses'); `forbidden`: calls on a rate whose limit is 0.
import { c, jsOnly, ok, raises, same, type Area } from '../case.js'
import { GENEROUS_RESTRICTIONS } from '../../helpers/run-guest.js'

const ARG = raises('RepyArgumentError')
/** JavaScript awaits gethostbyname's promise; a Repy program's call blocks. */
const lookup = (label: string, js: string, py: string, expect: ReturnType<typeof ok>) =>
  c(label, `await gethostbyname(${js})`, `gethostbyname(${py})`, expect)

export const addresses: Area = {
  name: 'addresses',
  ip: '10.1.2.3',
  items: [
    same('getmyip gives the vessel IP', 'getmyip()', ok('10.1.2.3')),
    same('getmyip with an argument', 'getmyip(1)', ARG),
    jsOnly(
      'gethostbyname gives a promise',
      "const p = gethostbyname('localhost')\np.catch(() => {})\nreturn p instanceof Promise",
      ok(true),
      'a Repy program blocks in gethostbyname; JavaScript awaits its promise',
    ),
    lookup('localhost', "'localhost'", '"localhost"', ok('127.0.0.1')),
    lookup('a dotted quad', "'127.0.0.1'", '"127.0.0.1"', ok('127.0.0.1')),
    lookup(
      'a name that does not resolve',
      "'no-such-host.invalid'",
      '"no-such-host.invalid"',
      raises('NetworkAddressError'),
    ),
    lookup('a number', '5', '5', ARG),
    lookup('null', 'null', 'None', ARG),
    lookup('no argument', '', '', ARG),
    lookup('two arguments', "'localhost', 80", '"localhost", 80', ARG),
    lookup('an empty name', "''", '""', ARG),
    lookup('a name of 254 characters', "'a'.repeat(254)", '"a" * 254', ARG),
  ],
}

export const forbidden: Area = {
  name: 'forbidden',
  restrictions: GENEROUS_RESTRICTIONS.replace(/resource random \d+/, 'resource random 0').replace(
    /resource netsend \d+/,
    'resource netsend 0',
  ),
  items: [
    same('randombytes with random 0', 'randombytes()', raises('ResourceForbiddenError')),
    c(
      'gethostbyname with netsend 0',
      "await gethostbyname('localhost')",
      'gethostbyname("localhost")',
      raises('ResourceForbiddenError'),
    ),
  ],
}
