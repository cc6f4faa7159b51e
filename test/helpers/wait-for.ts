/** Polls `fn` every `everyMs` until it gives a value (not undefined or false); fails after `ms`. `what` names the
 *  awaited event; a function gives a description of the state at the time of the failure. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  what: string | (() => string),
  ms = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await fn()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Polls `fn` until its value passes `check`, and answers that value; a timeout names the last value seen. */
export async function waitForValue<T>(
  fn: () => Promise<T>,
  check: (value: T) => boolean,
  what: string,
  ms = 15_000,
  everyMs = 50,
): Promise<T> {
  let last: T | undefined
  const passed = await waitFor(
    async () => (check((last = await fn())) ? { value: last } : false),
    () => `${what}; last: ${JSON.stringify(last)}`,
    ms,
    everyMs,
  )
  return passed.value
}
