// A web server that counts its visitors (tutorial example 1.3): the count lives in mycontext, shared by all
// threads (Repy programs have no globals to share). Listens on 127.0.0.1:12345, or on getmyip() at the port
// given as the first argument. Stop it with Ctrl-C (or see webserver-stop.js).
// Run: node bin/flotilla run examples/restrictions.default examples/webserver.js
//      then open http://127.0.0.1:12345/
/// <reference path="../types/flotilla-guest.d.ts" />

function hello(sock) {
  try {
    sock.recv(512) // the browser's request header; ignored
  } catch (e) {
    if (!(e instanceof SocketWouldBlockError)) throw e
  }
  mycontext.pagecount = mycontext.pagecount + 1
  const body = '<html><head><title>Hello World</title></head>' +
    '<body><h1> Hello World!</h1><p>You are visitor ' + mycontext.pagecount + '</body></html>'
  sock.send('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ' + body.length +
    '\r\nConnection: close\r\nServer: Flotilla\r\n\r\n' + body)
  sock.close()
}

mycontext.pagecount = 0
if (callargs.length > 1) throw new RepyArgumentError('Too many call arguments')
const port = callargs.length === 1 ? Number(callargs[0]) : 12345
const ip = callargs.length === 1 ? getmyip() : '127.0.0.1'

const server = listenforconnection(ip, port)
log('listening on ' + ip + ':' + port + '\n')
for (;;) {
  try {
    const [, , sock] = server.getconnection()
    await sleep(0.05) // give the request a moment to arrive
    hello(sock)
  } catch (e) {
    if (!(e instanceof SocketWouldBlockError)) throw e
    await sleep(0.1)
  }
}
