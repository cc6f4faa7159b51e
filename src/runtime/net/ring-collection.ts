// A closed connection's rings (a SharedArrayBuffer of 2 x RING_BYTES, made by the host's broker and sent to the
// vessel's thread) are freed only once both threads have collected their objects on them, and V8 counts that memory
// in neither thread's heap, so neither collects sooner for it. A program connecting, sending 64 KiB each way and
// closing 3000 or 8000 times in `flotilla run` left the process at 108-111 and up to 177 MB (from 70); with a full
// collection after every RING_COLLECT_BYTES of rings closed, in each thread (an eager memory measurement, a few ms
// of cpu), at 83 MB.
import { measureMemory } from 'node:vm'
import { RING_BYTES } from './tcp-shm.js'

const RING_COLLECT_BYTES = 32 << 20
/** Rings closed in this thread since its last such collection. */
let closedBytes = 0

/** A connection was closed in this thread (the broker's, or the program's in the vessel's thread). */
export function ringsClosed(): void {
  closedBytes += 2 * RING_BYTES
  if (closedBytes < RING_COLLECT_BYTES) return
  closedBytes = 0
  measureMemory({ mode: 'summary', execution: 'eager' }).catch(() => undefined)
}
