// Recursive-descent parser for Python 2.7's expressions (Grammar/Grammar), producing ./ast.ts nodes, with the
// token helpers the statement parser (./parser.ts) builds on. Forbidden constructs are parsed fully and kept as
// Forbidden nodes for the safety check (./safety.ts).
import type * as A from './ast.js'
import { syntaxError, type RepyCodeError } from './errors.js'
import { isKeyword, type Token } from './lexer.js'

const COMP_OPS = new Set(['<', '>', '==', '>=', '<=', '<>', '!='])

export class ExprParser {
  protected i = 0
  constructor(protected readonly toks: Token[]) {}

  // ---- token helpers ----
  protected cur(): Token {
    return this.toks[this.i]!
  }
  protected peek(k = 1): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!
  }
  protected next(): Token {
    const t = this.toks[this.i]!
    if (this.i < this.toks.length - 1) this.i++
    return t
  }
  protected isOp(v: string, t = this.cur()): boolean {
    return t.type === 'OP' && t.value === v
  }
  protected isKw(v: string, t = this.cur()): boolean {
    return t.type === 'NAME' && t.value === v
  }
  protected error(t = this.cur(), what?: string): RepyCodeError {
    if (t.type === 'INDENT') return syntaxError(t.line, 'unexpected indent')
    if (t.type === 'END') return syntaxError(t.line, what ?? 'unexpected EOF while parsing')
    return syntaxError(t.line, what)
  }
  protected expectOp(v: string): Token {
    if (!this.isOp(v)) throw this.error()
    return this.next()
  }
  protected acceptOp(v: string): boolean {
    if (this.isOp(v)) {
      this.next()
      return true
    }
    return false
  }
  protected expectKw(v: string): Token {
    if (!this.isKw(v)) throw this.error()
    return this.next()
  }
  protected acceptKw(v: string): boolean {
    if (this.isKw(v)) {
      this.next()
      return true
    }
    return false
  }
  protected expectName(): Token {
    const t = this.cur()
    if (t.type !== 'NAME' || isKeyword(t.value)) throw this.error()
    return this.next()
  }

  protected atSmallEnd(): boolean {
    return this.cur().type === 'NEWLINE' || this.isOp(';') || this.cur().type === 'END'
  }

  protected parseYieldExpr(): A.Expr {
    const line = this.expectKw('yield').line
    if (!this.atSmallEnd() && !this.isOp(')') && !this.isOp('=')) this.parseTestList()
    return { kind: 'Forbidden', what: 'Yield', line }
  }

  // ---- expressions ----
  /** Set by parseTestList/parseExprList: whether the returned Tuple was a parenthesized atom (not a bare comma list). */
  protected lastWasParen = false

  protected parseTestList(): A.Expr {
    return this.parseList(
      () => this.parseTest(),
      () => this.startsTest(),
    )
  }
  protected parseExprList(): A.Expr {
    return this.parseList(
      () => this.parseExpr(),
      () => this.startsTest(),
    )
  }

  protected parseList(item: () => A.Expr, starts: () => boolean): A.Expr {
    const line = this.cur().line
    const first = item()
    if (!this.isOp(',')) {
      this.lastWasParen = true
      return first
    }
    const elts = [first]
    while (this.acceptOp(',')) {
      if (!starts()) break
      elts.push(item())
    }
    this.lastWasParen = false
    return { kind: 'Tuple', elts, line }
  }

  protected startsTest(): boolean {
    const t = this.cur()
    if (t.type === 'NUMBER' || t.type === 'STRING') return true
    if (t.type === 'NAME') return !isKeyword(t.value) || t.value === 'not' || t.value === 'lambda'
    if (t.type === 'OP') return ['(', '[', '{', '`', '-', '+', '~'].includes(t.value)
    return false
  }

  parseTest(): A.Expr {
    if (this.isKw('lambda')) return this.parseLambda(true)
    const line = this.cur().line
    const e = this.parseOrTest()
    if (this.isKw('if')) {
      this.next()
      this.parseOrTest()
      this.expectKw('else')
      this.parseTest()
      return { kind: 'Forbidden', what: 'IfExp', line }
    }
    return e
  }

  /** old_test: or_test | old_lambdef (used where a conditional expression would be ambiguous). */
  protected parseOldTest(): A.Expr {
    if (this.isKw('lambda')) return this.parseLambda(false)
    return this.parseOrTest()
  }

  protected parseLambda(full: boolean): A.Expr {
    const line = this.expectKw('lambda').line
    while (!this.isOp(':')) {
      if (this.acceptOp('*') || this.acceptOp('**')) {
        this.expectName()
      } else if (this.acceptOp('(')) {
        this.parseExprList()
        this.expectOp(')')
      } else {
        this.expectName()
        if (this.acceptOp('=')) this.parseTest()
      }
      if (!this.acceptOp(',')) break
    }
    this.expectOp(':')
    if (full) this.parseTest()
    else this.parseOldTest()
    return { kind: 'Forbidden', what: 'Lambda', line }
  }

  protected parseOrTest(): A.Expr {
    const line = this.cur().line
    const first = this.parseAndTest()
    if (!this.isKw('or')) return first
    const values = [first]
    while (this.acceptKw('or')) values.push(this.parseAndTest())
    return { kind: 'BoolOp', op: 'or', values, line }
  }

  protected parseAndTest(): A.Expr {
    const line = this.cur().line
    const first = this.parseNotTest()
    if (!this.isKw('and')) return first
    const values = [first]
    while (this.acceptKw('and')) values.push(this.parseNotTest())
    return { kind: 'BoolOp', op: 'and', values, line }
  }

  protected parseNotTest(): A.Expr {
    if (this.isKw('not')) {
      const line = this.next().line
      return { kind: 'Not', operand: this.parseNotTest(), line }
    }
    return this.parseComparison()
  }

  protected parseComparison(): A.Expr {
    const line = this.cur().line
    const left = this.parseExpr()
    const ops: A.CmpOp[] = []
    const comparators: A.Expr[] = []
    for (;;) {
      let op: A.CmpOp
      if (this.cur().type === 'OP' && COMP_OPS.has(this.cur().value)) {
        const v = this.next().value
        op = (v === '<>' ? '!=' : v) as A.CmpOp
      } else if (this.isKw('in')) {
        this.next()
        op = 'in'
      } else if (this.isKw('not') && this.isKw('in', this.peek())) {
        this.next()
        this.next()
        op = 'not in'
      } else if (this.isKw('is')) {
        this.next()
        op = this.acceptKw('not') ? 'is not' : 'is'
      } else break
      ops.push(op)
      comparators.push(this.parseExpr())
    }
    if (!ops.length) return left
    return { kind: 'Compare', left, ops, comparators, line }
  }

  protected binLevel(ops: string[], sub: () => A.Expr): A.Expr {
    let left = sub()
    while (this.cur().type === 'OP' && ops.includes(this.cur().value)) {
      const t = this.next()
      const right = sub()
      left = { kind: 'BinOp', op: t.value as A.BinOpKind, left, right, line: left.line }
    }
    return left
  }

  parseExpr(): A.Expr {
    return this.binLevel(['|'], () => this.parseXor())
  }
  protected parseXor(): A.Expr {
    return this.binLevel(['^'], () => this.parseAnd())
  }
  protected parseAnd(): A.Expr {
    return this.binLevel(['&'], () => this.parseShift())
  }
  protected parseShift(): A.Expr {
    return this.binLevel(['<<', '>>'], () => this.parseArith())
  }
  protected parseArith(): A.Expr {
    return this.binLevel(['+', '-'], () => this.parseTerm())
  }
  protected parseTerm(): A.Expr {
    return this.binLevel(['*', '/', '%', '//'], () => this.parseFactor())
  }

  protected parseFactor(): A.Expr {
    const t = this.cur()
    if (t.type === 'OP' && (t.value === '+' || t.value === '-' || t.value === '~')) {
      this.next()
      const literal = t.value === '-' && this.cur().type === 'NUMBER'
      const operand = this.parseFactor()
      // Python 2 reads `-5j` as one literal, complex(0, -5); `-(5j)` is complex(-0.0, -5)
      if (literal && operand.kind === 'Imag') return { kind: 'Imag', value: -operand.value, line: t.line }
      return { kind: 'UnaryOp', op: t.value, operand, line: t.line }
    }
    return this.parsePower()
  }

  protected parsePower(): A.Expr {
    let e = this.parseAtom()
    for (;;) {
      if (this.isOp('(')) e = this.parseCallTrailer(e)
      else if (this.isOp('[')) e = this.parseSubscript(e)
      else if (this.isOp('.')) {
        this.next()
        const name = this.expectName()
        e = { kind: 'Attribute', value: e, attr: name.value, line: name.line }
      } else break
    }
    if (this.isOp('**')) {
      const line = this.next().line
      const right = this.parseFactor()
      e = { kind: 'BinOp', op: '**', left: e, right, line: e.line || line }
    }
    return e
  }

  protected parseCallTrailer(func: A.Expr): A.Call {
    const line = this.expectOp('(').line
    const args: A.Expr[] = []
    const keywords: A.Keyword[] = []
    let star: A.Expr | null = null,
      starstar: A.Expr | null = null
    const kwNames = new Set<string>()
    while (!this.isOp(')')) {
      if (this.isOp('*')) {
        if (star || starstar) throw this.error()
        this.next()
        star = this.parseTest()
      } else if (this.isOp('**')) {
        if (starstar) throw this.error()
        this.next()
        starstar = this.parseTest()
      } else {
        if (starstar) throw this.error()
        const aline = this.cur().line
        const e = this.parseTest()
        if (this.isOp('=')) {
          this.next()
          if (e.kind !== 'Name') throw syntaxError(aline, "keyword can't be an expression")
          if (kwNames.has(e.id)) throw syntaxError(aline, 'keyword argument repeated')
          kwNames.add(e.id)
          keywords.push({ name: e.id, value: this.parseTest(), line: e.line })
        } else if (this.isKw('for')) {
          this.parseCompFor()
          args.push({ kind: 'Forbidden', what: 'GenExpr', line: e.line })
        } else {
          if (keywords.length || star) throw syntaxError(aline, 'non-keyword arg after keyword arg')
          args.push(e)
        }
      }
      if (!this.acceptOp(',')) break
    }
    this.expectOp(')')
    return { kind: 'Call', func, args, keywords, star, starstar, line: func.line || line }
  }

  protected parseSubscript(value: A.Expr): A.Subscript {
    const line = this.expectOp('[').line
    const items: Array<A.Expr | A.SliceIndex> = []
    let trailing: boolean
    for (;;) {
      items.push(this.parseSubscriptItem())
      trailing = false
      if (!this.acceptOp(',')) break
      trailing = true
      if (this.isOp(']')) break
    }
    this.expectOp(']')
    let index: A.Expr | A.SliceIndex
    if (items.length === 1 && !trailing) index = items[0]!
    else {
      if (items.some((x) => x.kind === 'SliceIndex')) throw syntaxError(line, 'extended slicing is not supported')
      index = { kind: 'Tuple', elts: items as A.Expr[], line }
    }
    return { kind: 'Subscript', value, index, line: value.line }
  }

  protected parseSubscriptItem(): A.Expr | A.SliceIndex {
    const line = this.cur().line
    if (this.isOp('.') && this.isOp('.', this.peek()) && this.isOp('.', this.peek(2))) {
      throw syntaxError(line, 'Ellipsis is not supported')
    }
    let lo: A.Expr | null = null
    if (!this.isOp(':')) {
      lo = this.parseTest()
      if (!this.isOp(':')) return lo
    }
    this.expectOp(':')
    let hi: A.Expr | null = null,
      step: A.Expr | null = null
    if (!this.isOp(':') && !this.isOp(']') && !this.isOp(',')) hi = this.parseTest()
    if (this.acceptOp(':')) {
      if (!this.isOp(']') && !this.isOp(',')) step = this.parseTest()
    }
    return { kind: 'SliceIndex', lo, hi, step, line }
  }

  protected parseCompFor(): void {
    // comp_for of a generator expression / set or dict comprehension (all forbidden): parse and discard
    while (this.isKw('for') || this.isKw('if')) {
      if (this.acceptKw('for')) {
        this.parseExprList()
        this.expectKw('in')
        this.parseOrTest()
      } else {
        this.next()
        this.parseOldTest()
      }
    }
  }

  protected parseAtom(): A.Expr {
    const t = this.cur()
    const line = t.line
    if (t.type === 'NUMBER') {
      this.next()
      return parseNumber(t.value, line)
    }
    if (t.type === 'STRING') {
      let value = ''
      let unicode = false
      while (this.cur().type === 'STRING') {
        const s = this.next()
        value += s.value
        if (s.unicode) unicode = true
      }
      return { kind: 'Str', value, unicode, line }
    }
    if (t.type === 'NAME') {
      if (isKeyword(t.value)) throw this.error()
      this.next()
      return { kind: 'Name', id: t.value, line }
    }
    if (t.type !== 'OP') throw this.error()
    switch (t.value) {
      case '(': {
        this.next()
        if (this.acceptOp(')')) return { kind: 'Tuple', elts: [], line }
        if (this.isKw('yield')) {
          const y = this.parseYieldExpr()
          this.expectOp(')')
          return y
        }
        const first = this.parseTest()
        if (this.isKw('for')) {
          this.parseCompFor()
          this.expectOp(')')
          return { kind: 'Forbidden', what: 'GenExpr', line }
        }
        if (this.acceptOp(')')) return first
        const elts = [first]
        while (this.acceptOp(',')) {
          if (this.isOp(')')) break
          elts.push(this.parseTest())
        }
        this.expectOp(')')
        return { kind: 'Tuple', elts, line }
      }
      case '[': {
        this.next()
        if (this.acceptOp(']')) return { kind: 'List', elts: [], line }
        const first = this.parseTest()
        if (this.isKw('for')) {
          const generators = this.parseListFor()
          this.expectOp(']')
          return { kind: 'ListComp', elt: first, generators, line }
        }
        const elts = [first]
        while (this.acceptOp(',')) {
          if (this.isOp(']')) break
          elts.push(this.parseTest())
        }
        this.expectOp(']')
        return { kind: 'List', elts, line }
      }
      case '{': {
        this.next()
        if (this.acceptOp('}')) return { kind: 'Dict', keys: [], values: [], line }
        const k = this.parseTest()
        if (this.acceptOp(':')) {
          const v = this.parseTest()
          if (this.isKw('for')) {
            this.parseCompFor()
            this.expectOp('}')
            return { kind: 'Forbidden', what: 'DictComp', line }
          }
          const keys = [k],
            values = [v]
          while (this.acceptOp(',')) {
            if (this.isOp('}')) break
            keys.push(this.parseTest())
            this.expectOp(':')
            values.push(this.parseTest())
          }
          this.expectOp('}')
          return { kind: 'Dict', keys, values, line }
        }
        if (this.isKw('for')) {
          this.parseCompFor()
          this.expectOp('}')
          return { kind: 'Forbidden', what: 'SetComp', line }
        }
        while (this.acceptOp(',')) {
          if (this.isOp('}')) break
          this.parseTest()
        }
        this.expectOp('}')
        return { kind: 'Forbidden', what: 'Set', line }
      }
      case '`': {
        this.next()
        this.parseTestList()
        this.expectOp('`')
        return { kind: 'Forbidden', what: 'Backquote', line }
      }
    }
    throw this.error()
  }

  protected parseListFor(): A.Comprehension[] {
    const gens: A.Comprehension[] = []
    while (this.isKw('for')) {
      const line = this.next().line
      const target = this.parseExprList()
      checkTarget(target, 'assign to')
      this.expectKw('in')
      // testlist_safe: old_test [(',' old_test)+ [',']]
      let iter = this.parseOldTest()
      if (this.isOp(',')) {
        const elts = [iter]
        while (this.acceptOp(',')) {
          if (!this.startsTest()) break
          elts.push(this.parseOldTest())
        }
        iter = { kind: 'Tuple', elts, line: iter.line }
      }
      const ifs: A.Expr[] = []
      while (this.isKw('if')) {
        this.next()
        ifs.push(this.parseOldTest())
      }
      gens.push({ target, iter, ifs, line })
    }
    return gens
  }
}

const NOT_ASSIGNABLE: Partial<Record<A.Expr['kind'], string>> = {
  Int: 'literal',
  Float: 'literal',
  Str: 'literal',
  Dict: 'literal',
  BinOp: 'operator',
  UnaryOp: 'operator',
  Not: 'operator',
  BoolOp: 'operator',
  Compare: 'comparison',
  Call: 'function call',
  ListComp: 'list comprehension',
}

/** Validates an assignment / del / for target (Python 2.7 messages). */
export function checkTarget(e: A.Expr, verb: 'assign to' | 'delete'): void {
  switch (e.kind) {
    case 'Name':
      if (e.id === 'None') throw syntaxError(e.line, `cannot ${verb === 'delete' ? 'delete' : 'assign to'} None`)
      return
    case 'Attribute':
    case 'Subscript':
      return
    case 'Tuple':
    case 'List':
      if (verb === 'assign to' && e.kind === 'Tuple' && e.elts.length === 0)
        throw syntaxError(e.line, "can't assign to ()")
      for (const x of e.elts) checkTarget(x, verb)
      return
    case 'Forbidden': {
      const names: Record<string, string> = {
        Lambda: 'lambda',
        GenExpr: 'generator expression',
        IfExp: 'conditional expression',
        Backquote: 'repr',
        Yield: 'yield expression',
        Set: 'literal',
        SetComp: 'set comprehension',
        DictComp: 'dict comprehension',
      }
      throw syntaxError(e.line, `can't ${verb} ${names[e.what] ?? 'expression'}`)
    }
    default:
      throw syntaxError(e.line, `can't ${verb} ${NOT_ASSIGNABLE[e.kind] ?? 'expression'}`)
  }
}

function parseNumber(text: string, line: number): A.Expr {
  let t = text
  if (/[jJ]$/.test(t)) return { kind: 'Imag', value: Number(t.slice(0, -1)), line }
  const isLong = /[lL]$/.test(t)
  if (isLong) t = t.slice(0, -1)
  if (/[.eE]/.test(t) && !/^0[xX]/.test(t)) {
    if (isLong) throw syntaxError(line)
    return { kind: 'Float', value: Number(t), line }
  }
  const value = intText(t, line)
  return isLong ? { kind: 'Long', value, line } : { kind: 'Int', value, line }
}
function intText(t: string, line: number): bigint {
  if (/^0[xX]/.test(t) || /^0[bB]/.test(t)) return BigInt(t)
  if (/^0[oO]/.test(t)) return BigInt('0o' + t.slice(2))
  if (t.length > 1 && t[0] === '0') {
    if (!/^[0-7]+$/.test(t)) throw syntaxError(line)
    return BigInt('0o' + t.slice(1))
  }
  return BigInt(t)
}
