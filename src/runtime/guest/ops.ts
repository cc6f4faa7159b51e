// The numbered host operations the guest prelude may call. Numbers, not names, cross the boundary on every call
// (a string per call was measurable in the getruntime benchmark).

export const OP_NAMES = [
  'log',
  'getruntime',
  'sleep',
  'randombytes',
  'getmyip',
  'gethostbyname',
  'getresources',
  'getlasterror',
  'getthreadname',
  'exitall',
  'thread.start',
  'thread.enter',
  'thread.end',
  'thread.fail',
  'lock.create',
  'lock.acquire',
  'lock.release',
  'openfile',
  'listfiles',
  'removefile',
  'file.readat',
  'file.writeat',
  'file.close',
  'openconnection',
  'listenforconnection',
  'listenformessage',
  'sendmessage',
  'tcp.send',
  'tcp.recv',
  'tcp.close',
  'tcpserver.getconnection',
  'tcpserver.close',
  'udpserver.getmessage',
  'udpserver.close',
  'namespace.check',
  'checkpoint',
  'repy.compile',
  'repy.uncaught',
  'repy.tick',
  'tcp.sendasync',
  'tcp.recvasync',
  'tcpserver.getconnectionasync',
] as const

export type OpName = (typeof OP_NAMES)[number]

export const OP_ID: Record<OpName, number> = Object.fromEntries(OP_NAMES.map((n, i) => [n, i])) as Record<
  OpName,
  number
>

/** The argument (counted after the operation's number, a handle's id first) that an operation takes as GuestBytes
 *  when the guest passes a narrow string: a socket's data goes into its ring without a host string. */
const BYTES_ARG: Partial<Record<OpName, number>> = { 'tcp.send': 1, 'tcp.sendasync': 1 }

/** BYTES_ARG by operation number (-1: none), read on every call: an array, not a lookup by name. */
export const BYTES_ARG_BY_ID: readonly number[] = OP_NAMES.map((name) => BYTES_ARG[name] ?? -1)
