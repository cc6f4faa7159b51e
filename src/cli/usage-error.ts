import { KeyFileError } from '../keys/key-file-error.js'

/** A mistake of the user's (bad argument, missing file): printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** A number > 0 from an option's text (`integer`: a whole number); undefined when the option was not given. */
export function positiveNumber(text: string | undefined, what: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`${what} must be a ${integer ? 'whole ' : ''}number > 0, got '${text}'`)
  return n
}

/** Runs `work`, turning a missing or malformed key file into a usage mistake. */
export async function keyErrorsAsUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (err) {
    if (err instanceof KeyFileError) throw new UsageError(err.message)
    throw err
  }
}
