// A bounded stop: libp2p's stop() can wait forever on a connection that never closes (seen in `flotilla browse`:
// connectionManager.stop() never finished and Node, with nothing left to run, exited 13 before printing).
/** Stops `node`, waiting at most `ms`; answers whether the stop finished in time. A failed stop counts as done. */
export async function stopWithin(node: { stop(): Promise<void> | void }, ms = 3_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  // the timer is kept referenced: it is what keeps the process alive while a stuck stop has nothing else to run
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  const stopped = Promise.resolve()
    .then(() => node.stop())
    .then(
      () => true,
      () => true,
    )
  try {
    return await Promise.race([stopped, late])
  } finally {
    clearTimeout(timer)
  }
}
