// The timers of a vessel's run. A vessel thread serves one vessel after another (vessel-threads.ts), and a timer a
// vessel's code set (a sleep, a log's delay, a wait on a connection) must not fire into the next vessel's run: its
// callback would settle a promise of the torn-down engine, or keep that vessel's objects alive until it fires. All
// host code in the thread is the runtime's own, so the thread's global timer functions are wrapped once to record
// what is pending, and the end of a run cancels all of it.
const timeouts = new Set<NodeJS.Timeout>()
const immediates = new Set<NodeJS.Immediate>()

/** Wraps the thread's timer functions; call once, before any vessel code runs. */
export function trackTimers(): void {
  const {
    setTimeout: set,
    clearTimeout: clear,
    setInterval: every,
    setImmediate: soon,
    clearImmediate: unsoon,
  } = globalThis
  const wrappedSet = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): NodeJS.Timeout => {
    const t = set(() => {
      timeouts.delete(t)
      fn(...args)
    }, ms)
    timeouts.add(t)
    return t
  }
  const wrappedEvery = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): NodeJS.Timeout => {
    const t = every(fn, ms, ...args)
    timeouts.add(t)
    return t
  }
  const wrappedClear = (t: string | number | NodeJS.Timeout | undefined): void => {
    if (typeof t === 'object') timeouts.delete(t)
    clear(t)
  }
  const wrappedSoon = (fn: (...args: unknown[]) => void, ...args: unknown[]): NodeJS.Immediate => {
    const i = soon(() => {
      immediates.delete(i)
      fn(...args)
    })
    immediates.add(i)
    return i
  }
  const wrappedUnsoon = (i: NodeJS.Immediate | undefined): void => {
    if (i) immediates.delete(i)
    unsoon(i)
  }
  Object.assign(globalThis, {
    setTimeout: wrappedSet,
    setInterval: wrappedEvery,
    clearTimeout: wrappedClear,
    clearInterval: wrappedClear,
    setImmediate: wrappedSoon,
    clearImmediate: wrappedUnsoon,
  })
}

/** Cancels every timer and immediate still pending. */
export function cancelTimers(): void {
  for (const t of timeouts) clearTimeout(t)
  for (const i of immediates) clearImmediate(i)
  timeouts.clear()
  immediates.clear()
}
