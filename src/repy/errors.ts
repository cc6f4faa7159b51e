/** A Repy program that does not parse ('syntax') or that Repy's static check rejects ('unsafe'). `check` is the
 *  class of Repy's safety exception ('CheckNodeException' for a forbidden construct, 'CheckStrException' for a
 *  forbidden name); a syntax error has none. */
export class RepyCodeError extends Error {
  constructor(
    readonly kind: 'syntax' | 'unsafe',
    readonly line: number,
    message: string,
    readonly check: 'CheckNodeException' | 'CheckStrException' | null = null,
  ) {
    super(message)
    this.name = 'RepyCodeError'
  }

  /** The verdict as repy.py prints it after "Code failed safety check! Error: ": Repy's safety check runs in a
   *  subprocess that prints `str(type(e)) + " " + str(e)`, and the parent wraps that line in a SafeException,
   *  whose str() is the repr of its argument tuple; Repy's own check exceptions wrap their message the same way.
   *  Tests match this text to the character. */
  get repyText(): string {
    let line: string
    if (this.check) line = `<class 'exception_hierarchy.${this.check}'> ${pyTupleRepr(this.message)}`
    else line = `<type 'exceptions.${pythonSyntaxClass(this.message)}'> ${this.message}`
    return pyTupleRepr(line)
  }
}

/** Python's class for a syntax error with this message. */
function pythonSyntaxClass(message: string): string {
  if (/^(unexpected indent|unindent does not match|expected an indented block)/.test(message)) return 'IndentationError'
  if (message.startsWith('the code is nested too deeply')) return 'MemoryError'
  return 'SyntaxError'
}

/** Python 2's repr of a one-item tuple of a byte string: `('text',)`. */
function pyTupleRepr(s: string): string {
  return `(${pyStrRepr(s)},)`
}

/** Python 2's repr of a byte string: single quotes unless the text has a single quote and no double quote. */
function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    const c = s.charCodeAt(i)
    if (ch === quote || ch === '\\') out += '\\' + ch
    else if (ch === '\t') out += '\\t'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + (c & 0xff).toString(16).padStart(2, '0')
    else out += ch
  }
  return out + quote
}

/** A syntax error whose message ends with "(line N)", like Python's. */
export function syntaxError(line: number, what = 'invalid syntax'): RepyCodeError {
  return new RepyCodeError('syntax', line, `${what} (line ${line})`)
}
