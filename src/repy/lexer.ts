// Tokenizer for Python 2 source (the Repy subset). Input: a latin1-decoded string (one char per byte).
import { syntaxError } from './errors.js'

export type TokType = 'NAME' | 'NUMBER' | 'STRING' | 'OP' | 'NEWLINE' | 'INDENT' | 'DEDENT' | 'END'

export interface Token {
  type: TokType
  /** NAME: the identifier; OP: the operator text; NUMBER: the literal text; STRING: the decoded value. */
  value: string
  line: number
  /** STRING only: a u'' literal. */
  unicode?: boolean
}

const KEYWORDS = new Set([
  'and',
  'as',
  'assert',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'exec',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'not',
  'or',
  'pass',
  'print',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
])
export function isKeyword(s: string): boolean {
  return KEYWORDS.has(s)
}

const OPS3 = ['**=', '//=', '>>=', '<<=']
const OPS2 = ['**', '//', '>>', '<<', '<=', '>=', '==', '!=', '<>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=']
const OPS1 = '+-*/%&|^~<>()[]{},:.;@=`'

/** A number literal (Python 2: hex, octal, binary, decimal, float, long, imaginary). */
const NUMBER_RE =
  /(?:0[xX][0-9a-fA-F]+[lL]?|0[oO][0-7]+[lL]?|0[bB][01]+[lL]?|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[jJlL]?)/y
const isIdStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_'
const isDigit = (c: string) => c >= '0' && c <= '9'
const isIdChar = (c: string) => isIdStart(c) || isDigit(c)

export function tokenize(src: string): Token[] {
  src = src.replace(/\r\n/g, '\n')
  const toks: Token[] = []
  const indents = [0]
  let pos = 0
  let line = 1
  let depth = 0 // bracket nesting
  let atLineStart = true
  const n = src.length

  const push = (type: TokType, value: string, l = line) => {
    toks.push({ type, value, line: l })
  }

  while (pos < n || atLineStart) {
    if (atLineStart) {
      atLineStart = false
      // measure indentation
      let col = 0
      let p = pos
      for (; p < n; p++) {
        const c = src[p]
        if (c === ' ') col++
        else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8
        else if (c === '\f') col = 0
        else break
      }
      if (p >= n) {
        pos = p
        break
      }
      const c = src[p]
      if (c === '#' || c === '\n') {
        // blank or comment-only line: no tokens
        while (p < n && src[p] !== '\n') p++
        pos = p + 1
        line++
        atLineStart = true
        if (p >= n) {
          pos = n
          break
        }
        continue
      }
      if (c === '\\' && src[p + 1] === '\n') {
        // a line made only of a continuation: treat as blank joined with the next one
        pos = p
      } else {
        pos = p
        const top = indents[indents.length - 1]!
        if (col > top) {
          indents.push(col)
          push('INDENT', '')
        } else if (col < top) {
          while (col < indents[indents.length - 1]!) {
            indents.pop()
            push('DEDENT', '')
          }
          if (col !== indents[indents.length - 1])
            throw syntaxError(line, 'unindent does not match any outer indentation level')
        }
      }
    }
    if (pos >= n) break
    const c = src[pos]!
    if (c === ' ' || c === '\t' || c === '\f') {
      pos++
      continue
    }
    if (c === '#') {
      while (pos < n && src[pos] !== '\n') pos++
      continue
    }
    if (c === '\n') {
      if (depth === 0) {
        push('NEWLINE', '')
        atLineStart = true
      }
      pos++
      line++
      continue
    }
    if (c === '\\') {
      if (src[pos + 1] === '\n') {
        pos += 2
        line++
        continue
      }
      if (pos + 1 >= n) throw syntaxError(line, 'unexpected EOF while parsing')
      throw syntaxError(line, 'unexpected character after line continuation character')
    }
    // strings (with optional prefix)
    if (isIdStart(c)) {
      const m = /^(?:[uU][rR]?|[bB][rR]?|[rR])(?=['"])/.exec(src.slice(pos, pos + 3))
      if (m) {
        const prefix = m[0].toLowerCase()
        pos += m[0].length
        const startLine = line
        const r = readString(prefix.includes('r'), prefix.includes('u'))
        toks.push({ type: 'STRING', value: r, line: startLine, unicode: prefix.includes('u') })
        continue
      }
      let p = pos + 1
      while (p < n && isIdChar(src[p]!)) p++
      push('NAME', src.slice(pos, p))
      pos = p
      continue
    }
    if (c === '"' || c === "'") {
      const startLine = line
      const r = readString(false, false)
      toks.push({ type: 'STRING', value: r, line: startLine, unicode: false })
      continue
    }
    if (isDigit(c) || (c === '.' && isDigit(src[pos + 1] ?? ''))) {
      // matched in place (sticky): a literal may be as long as the source (a 617-digit key in a test suite)
      NUMBER_RE.lastIndex = pos
      const m = NUMBER_RE.exec(src)
      if (!m) throw syntaxError(line)
      const text = m[0]
      pos += text.length
      if (pos < n && isIdChar(src[pos]!)) throw syntaxError(line)
      push('NUMBER', text)
      continue
    }
    const three = src.slice(pos, pos + 3)
    const two = src.slice(pos, pos + 2)
    let op: string | null = null
    if (OPS3.includes(three)) op = three
    else if (OPS2.includes(two)) op = two
    else if (OPS1.includes(c)) op = c
    if (op === null) throw syntaxError(line)
    if (op === '(' || op === '[' || op === '{') depth++
    else if (op === ')' || op === ']' || op === '}') {
      if (depth > 0) depth--
    }
    push('OP', op)
    pos += op.length
  }
  if (depth > 0) throw syntaxError(toks[toks.length - 1]!.line, 'unexpected EOF while parsing')
  const last = toks[toks.length - 1]
  if (last && last.type !== 'NEWLINE' && last.type !== 'DEDENT' && last.type !== 'INDENT') push('NEWLINE', '')
  while (indents.length > 1) {
    indents.pop()
    push('DEDENT', '')
  }
  push('END', '')
  return toks

  function readString(raw: boolean, unicode: boolean): string {
    const q = src[pos]!
    const triple = src.slice(pos, pos + 3) === q + q + q
    const startLine = line
    pos += triple ? 3 : 1
    let out = ''
    for (;;) {
      if (pos >= n) {
        throw syntaxError(
          triple ? startLine : line,
          triple ? 'EOF while scanning triple-quoted string literal' : 'EOL while scanning string literal',
        )
      }
      const ch = src[pos]
      if (ch === q) {
        if (!triple) {
          pos++
          return out
        }
        if (src.slice(pos, pos + 3) === q + q + q) {
          pos += 3
          return out
        }
        out += ch
        pos++
        continue
      }
      if (ch === '\n') {
        if (!triple) throw syntaxError(line, 'EOL while scanning string literal')
        out += ch
        pos++
        line++
        continue
      }
      if (ch !== '\\') {
        out += ch
        pos++
        continue
      }
      // backslash
      const e = src[pos + 1]
      if (e === undefined) {
        pos++
        continue
      }
      if (raw) {
        // in raw strings a backslash still escapes a quote or newline, but both characters stay
        out += ch + e
        if (e === '\n') line++
        pos += 2
        continue
      }
      pos += 2
      switch (e) {
        case '\n':
          line++
          break
        case '\\':
          out += '\\'
          break
        case "'":
          out += "'"
          break
        case '"':
          out += '"'
          break
        case 'a':
          out += '\x07'
          break
        case 'b':
          out += '\b'
          break
        case 'f':
          out += '\f'
          break
        case 'n':
          out += '\n'
          break
        case 'r':
          out += '\r'
          break
        case 't':
          out += '\t'
          break
        case 'v':
          out += '\v'
          break
        case 'x': {
          const h = src.slice(pos, pos + 2)
          if (!/^[0-9a-fA-F]{2}$/.test(h)) throw syntaxError(line, '(value error) invalid \\x escape')
          out += String.fromCharCode(parseInt(h, 16))
          pos += 2
          break
        }
        case 'u':
        case 'U': {
          if (!unicode) {
            out += '\\' + e
            break
          }
          const len = e === 'u' ? 4 : 8
          const h = src.slice(pos, pos + len)
          if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h))
            throw syntaxError(line, '(unicode error) truncated \\uXXXX escape')
          out += String.fromCodePoint(Math.min(parseInt(h, 16), 0x10ffff))
          pos += len
          break
        }
        default:
          if (e >= '0' && e <= '7') {
            let digits = e
            while (digits.length < 3 && pos < n && src[pos]! >= '0' && src[pos]! <= '7') {
              digits += src[pos]
              pos++
            }
            out += String.fromCharCode(parseInt(digits, 8) & 0xff)
          } else {
            out += '\\' + e // unknown escape: the backslash stays
          }
      }
    }
  }
}
