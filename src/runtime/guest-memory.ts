// The guest heap's size, read cheaply. QuickJS keeps a running total of its allocations in its runtime struct
// (JSMallocState.malloc_size, the figure its own memory limit is checked against); computeMemoryUsage() walks the
// whole heap instead (≈38 ms at a million objects), far too slow to call from the interrupt handler.
import type { QuickJSContext, QuickJSRuntime } from 'quickjs-emscripten'

// struct JSRuntime { JSMallocFunctions mf (4 pointers); JSMallocState { malloc_count, malloc_size, malloc_limit, opaque } }
const MALLOC_SIZE_OFFSET = 20
const MALLOC_LIMIT_OFFSET = 24

interface RuntimeInternals {
  module: { HEAPU8: Uint8Array }
  rt: { value: number }
}

/** Returns a reader of the heap's current size in bytes. `limit` is the limit just set on `rt`: finding it at the
 *  expected offset proves the struct layout; if it is not there, the slow but safe walk is used instead. */
export function guestMemoryReader(rt: QuickJSRuntime, ctx: QuickJSContext, limit: number): () => number {
  const internals = rt as unknown as RuntimeInternals
  const ptr = internals.rt?.value
  const heap = () => internals.module?.HEAPU8
  let view = heap() ? new Uint32Array(heap().buffer) : null
  if (typeof ptr === 'number' && view && view[(ptr + MALLOC_LIMIT_OFFSET) >> 2] === limit >>> 0) {
    // In the Emscripten build QuickJS has no malloc_usable_size, so malloc_size grows by only 8 bytes per
    // allocation whatever its size (a 5 MB string counts as 8 bytes). The growth of the WebAssembly memory since
    // the start is a true lower bound of what the guest allocated, so take the larger of the two: a guest can then
    // exceed its quota by at most the free space of the initial memory (16 MB) before it is seen.
    const initialBytes = heap().byteLength
    // Read at every host call and interrupt: the view is made again only once the WebAssembly memory grew, which
    // detaches the old buffer (the view's length is then 0), rather than comparing buffers through getters each time.
    return () => {
      if (view!.length === 0) view = new Uint32Array(heap().buffer)
      return Math.max(view![(ptr + MALLOC_SIZE_OFFSET) >> 2]!, view!.byteLength - initialBytes)
    }
  }
  return () => {
    const h = rt.computeMemoryUsage()
    const used = ctx.getProp(h, 'memory_used_size').consume((x) => ctx.getNumber(x))
    h.dispose()
    return used
  }
}
