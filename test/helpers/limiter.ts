// Runs jobs a few at a time: each program test starts its own sandbox host, and all at once would crowd 2 cores.
export function limiter(concurrency: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0
  const waiting: Array<() => void> = []
  return async (job) => {
    if (running >= concurrency) await new Promise<void>((r) => waiting.push(r))
    running++
    try {
      return await job()
    } finally {
      running--
      waiting.shift()?.()
    }
  }
}
