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

/** The heap's current size in bytes. A class, not a closure made per engine: it is read at every host call and
 *  interrupt, and V8 keeps a method's optimized code for the thread's next vessel (vessel-worker.ts). */
export class GuestMemory {
  /** The module's memory as 32-bit words, or null when the slow walk is used. */
  private view: Uint32Array | null = null
  private readonly sizeWord: number = 0
  private readonly initialBytes: number = 0

  /** `limit` is the limit just set on `rt`: finding it at the expected offset proves the struct layout; if it is not
   *  there, the slow but safe walk is used instead. */
  constructor(
    private readonly rt: QuickJSRuntime,
    private readonly ctx: QuickJSContext,
    limit: number,
  ) {
    const internals = rt as unknown as RuntimeInternals
    const ptr = internals.rt?.value
    const heap = internals.module?.HEAPU8
    const view = heap ? new Uint32Array(heap.buffer) : null
    if (typeof ptr === 'number' && view && view[(ptr + MALLOC_LIMIT_OFFSET) >> 2] === limit >>> 0) {
      // In the Emscripten build QuickJS has no malloc_usable_size, so malloc_size grows by only 8 bytes per
      // allocation whatever its size (a 5 MB string counts as 8 bytes). The growth of the WebAssembly memory since
      // the start is a true lower bound of what the guest allocated, so take the larger of the two: a guest can then
      // exceed its quota by at most the free space of the initial memory (16 MB) before it is seen.
      this.view = view
      this.sizeWord = (ptr + MALLOC_SIZE_OFFSET) >> 2
      this.initialBytes = view.byteLength
    }
  }

  used(): number {
    if (this.view === null) return this.walk()
    // The view is made again only once the WebAssembly memory grew, which detaches the old buffer (the view's length
    // is then 0), rather than comparing buffers through getters each time.
    if (this.view.length === 0)
      this.view = new Uint32Array((this.rt as unknown as RuntimeInternals).module.HEAPU8.buffer)
    return Math.max(this.view[this.sizeWord]!, this.view.byteLength - this.initialBytes)
  }

  private walk(): number {
    const h = this.rt.computeMemoryUsage()
    const used = this.ctx.getProp(h, 'memory_used_size').consume((x) => this.ctx.getNumber(x))
    h.dispose()
    return used
  }
}
