// Fetch a web page over TCP and log the raw reply (tutorial example 3.1), from a server given as
// `ip port [path]` (e.g. a local one: python3 -m http.server 8000). Logs until the server closes the
// connection (recv raises SocketClosedRemote at the end of the stream).
// Run: node bin/flotilla run examples/restrictions.default examples/fetch-page.js 127.0.0.1 8000 /
/// <reference path="../types/flotilla-guest.d.ts" />

if (callargs.length < 2) throw new RepyArgumentError('usage: fetch-page.js ip port [path]')
const [ip, portText, path = '/'] = callargs
const sock = await openconnection(ip, Number(portText), '127.0.0.1', 12345, 5)
sock.send('GET ' + path + ' HTTP/1.0\r\nHost: ' + ip + '\r\n\r\n')
for (;;) {
  try {
    log(sock.recv(4096))
  } catch (e) {
    if (e instanceof SocketWouldBlockError) { await sleep(0.05); continue }
    if (e instanceof SocketClosedRemote) break
    throw e
  }
}
sock.close()
log('\n')
