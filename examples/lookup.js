// Look up a host name and this vessel's IP (tutorial example 3.3). gethostbyname returns a promise.
// Run: node bin/flotilla run examples/restrictions.default examples/lookup.js localhost
/// <reference path="../types/flotilla-guest.d.ts" />

const name = callargs[0] ?? 'localhost'
try {
  log(name, '->', await gethostbyname(name), '\n')
} catch (e) {
  if (!(e instanceof NetworkAddressError)) throw e
  log(name, 'does not resolve:', e.message, '\n')
}
log('my ip:', getmyip(), '\n')
