// Ask a time server for the time over UDP (tutorial example 4.2): sends a 48-byte NTP request (version 3,
// client mode) from messport 12345 to `ip port` and decodes the reply's transmit time (seconds since 1900).
// Run: node bin/flotilla run examples/restrictions.default examples/ntp.js <ntp-server-ip> 123
/// <reference path="../types/flotilla-guest.d.ts" />

/** An 8-byte NTP timestamp (byte string) as seconds. */
function timestampToSeconds(ts) {
  const integer = ((ts.charCodeAt(0) << 24) >>> 0) + (ts.charCodeAt(1) << 16) + (ts.charCodeAt(2) << 8) + ts.charCodeAt(3)
  const fraction = ((ts.charCodeAt(4) << 24) >>> 0) + (ts.charCodeAt(5) << 16) + (ts.charCodeAt(6) << 8) + ts.charCodeAt(7)
  return integer + fraction / 2 ** 32
}

if (callargs.length < 2) throw new RepyArgumentError('usage: ntp.js server-ip port')
const serverIp = callargs[0]
const serverPort = Number(callargs[1])
const localIp = serverIp.startsWith('127.') ? '127.0.0.1' : getmyip()
const localPort = 12345

const udp = listenformessage(localIp, localPort)
sendmessage(serverIp, serverPort, String.fromCharCode(27) + '\0'.repeat(47), localIp, localPort)
for (;;) {
  try {
    const [ip, port, message] = udp.getmessage()
    log('From ' + ip + ':' + port + ', I received NTP data.\n')
    log('NTP Reference Identifier:', message.slice(12, 16), '\n')
    log('NTP Transmit Time (in seconds since Jan 1st, 1900):', timestampToSeconds(message.slice(40, 48)), '\n')
    udp.close()
    break
  } catch (e) {
    if (e instanceof SocketWouldBlockError) { await sleep(0.1); continue }
    throw e
  }
}
