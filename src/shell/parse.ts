// Command-line parsing: statements split on ';' and newlines, words split on blanks, with '…' and "…" quoting
// and backslash escapes. Lines starting with '#' are comments.
import { CommandError } from './types.js'

export interface Statement {
  /** the statement's text, as typed (trimmed) */
  text: string
  words: string[]
  /** why the line could not be read (an unclosed quote); words is empty then */
  error?: string
}

/** Splits a script or a typed line into statements. A line with an unclosed quote is one statement with an error. */
export function parseStatements(input: string): Statement[] {
  return input.split(/\r\n|\r|\n/).flatMap((line) => {
    try {
      return parseLine(line)
    } catch (err) {
      if (err instanceof CommandError) return [{ text: line.trim(), words: [], error: err.message }]
      throw err
    }
  })
}

/** The statements of one line. Throws CommandError on an unclosed quote. */
export function parseLine(input: string): Statement[] {
  const statements: Statement[] = []
  let words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  let start = 0
  const endWord = () => {
    if (inWord) words.push(word)
    word = ''
    inWord = false
  }
  const endStatement = (end: number) => {
    endWord()
    if (words.length > 0) statements.push({ text: input.slice(start, end).trim(), words })
    words = []
    start = end + 1
  }
  for (let i = 0; i < input.length; i++) {
    const c = input[i]
    if (quote) {
      if (c === quote) quote = null
      else if (c === '\\' && quote === '"' && i + 1 < input.length) word += input[++i]
      else word += c
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      inWord = true
    } else if (c === '\\' && i + 1 < input.length) {
      word += input[++i]
      inWord = true
    } else if (c === '#' && !inWord && words.length === 0) {
      const nl = input.indexOf('\n', i)
      i = nl === -1 ? input.length : nl
      start = i + 1
    } else if (c === ';' || c === '\n' || c === '\r') {
      endStatement(i)
    } else if (c === ' ' || c === '\t') {
      endWord()
    } else {
      word += c
      inWord = true
    }
  }
  if (quote) throw new CommandError(`unclosed ${quote} quote`)
  endStatement(input.length)
  return statements
}

/** Quotes a word so that parseStatements reads it back unchanged. */
export function quoteWord(word: string): string {
  return /^[A-Za-z0-9_%@:./=+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`
}

/** `words` after removing a trailing `<keyword> <value>` pair (e.g. `as id`, `to group`). */
export function takeTrailing(words: string[], keyword: string): { rest: string[]; value?: string } {
  const n = words.length
  if (n >= 2 && words[n - 2] === keyword) return { rest: words.slice(0, n - 2), value: words[n - 1] }
  return { rest: words }
}
