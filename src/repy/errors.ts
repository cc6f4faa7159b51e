/** A Repy program that does not parse ('syntax') or that Repy's static check rejects ('unsafe'). */
export class RepyCodeError extends Error {
  constructor(
    readonly kind: 'syntax' | 'unsafe',
    readonly line: number,
    message: string,
  ) {
    super(message)
    this.name = 'RepyCodeError'
  }
}

/** A syntax error whose message ends with "(line N)", like Python's. */
export function syntaxError(line: number, what = 'invalid syntax'): RepyCodeError {
  return new RepyCodeError('syntax', line, `${what} (line ${line})`)
}
