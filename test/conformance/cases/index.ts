// Every area of the API conformance table, in the order the suite runs them (the slow network areas first).
import type { Area } from '../case.js'
import { addresses, forbidden } from './addresses.js'
import { exceptions, lasterror } from './exceptions.js'
import { disk, files } from './files.js'
import { namespace } from './namespace.js'
import { random } from './random.js'
import { resources } from './resources.js'
import { tcp } from './tcp.js'
import { locks, threads } from './threads.js'
import { time } from './time.js'
import { binding, udp, udpItems } from './udp.js'

export const AREAS: Area[] = [
  tcp,
  udp,
  udpItems,
  binding,
  files,
  disk,
  threads,
  locks,
  time,
  random,
  resources,
  exceptions,
  lasterror,
  namespace,
  addresses,
  forbidden,
]
