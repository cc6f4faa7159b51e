// The counting web server that stops itself (tutorial example 1.4): a thread sleeps for callargs[0] seconds
// (default 60), then calls exitall(), which ends the program at once (every thread, no finally blocks).
// Run: node bin/flotilla run examples/restrictions.default examples/webserver-stop.js 10
/// <reference path="../types/flotilla-guest.d.ts" />

function hello(sock) {
  try {
    sock.recv(512)
  } catch (e) {
    if (e instanceof SocketWouldBlockError) { sock.close(); return }
    throw e
  }
  mycontext.pagecount = mycontext.pagecount + 1
  const body = '<html><head><title>Hello World</title></head>' +
    '<body><h1> Hello World!</h1><p>You are visitor ' + mycontext.pagecount + '</body></html>'
  sock.send('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ' + body.length +
    '\r\nConnection: close\r\nServer: Flotilla\r\n\r\n' + body)
  sock.close()
}

/** A thread body that waits `seconds`, then ends the whole program (exitall: code 200, nothing else runs). */
function closeAfter(seconds) {
  return async () => {
    await sleep(seconds)
    log('The server is going to close now!\n')
    exitall()
  }
}

mycontext.pagecount = 0
const seconds = callargs.length >= 1 ? Number(callargs[0]) : 60
const server = listenforconnection('127.0.0.1', 12345)
createthread(closeAfter(seconds))
log('listening on 127.0.0.1:12345 for ' + seconds + ' s\n')
for (;;) {
  try {
    const [, , sock] = server.getconnection()
    await sleep(0.05)
    hello(sock)
  } catch (e) {
    if (e instanceof SocketWouldBlockError) { await sleep(0.1); continue }
    throw e
  }
}
