// Recursive-descent parser for Python 2.7 (the grammar of Python's Grammar/Grammar), producing ./ast.ts nodes.
// Forbidden constructs are parsed fully and kept as Forbidden nodes for the safety check (./safety.ts).
import type * as A from './ast.js'
import { syntaxError, type RepyCodeError } from './errors.js'
import { tokenize, isKeyword, type Token } from './lexer.js'

const AUG_OPS = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '<<=', '>>=', '&=', '|=', '^='])
const COMP_OPS = new Set(['<', '>', '==', '>=', '<=', '<>', '!='])

export function parse(source: string): A.Module {
  return new Parser(tokenize(source)).parseModule()
}

class Parser {
  private i = 0
  constructor(private readonly toks: Token[]) {}

  // ---- token helpers ----
  private cur(): Token { return this.toks[this.i] }
  private peek(k = 1): Token { return this.toks[Math.min(this.i + k, this.toks.length - 1)] }
  private next(): Token { const t = this.toks[this.i]; if (this.i < this.toks.length - 1) this.i++; return t }
  private isOp(v: string, t = this.cur()): boolean { return t.type === 'OP' && t.value === v }
  private isKw(v: string, t = this.cur()): boolean { return t.type === 'NAME' && t.value === v }
  private error(t = this.cur(), what?: string): RepyCodeError {
    if (t.type === 'INDENT') return syntaxError(t.line, 'unexpected indent')
    if (t.type === 'END') return syntaxError(t.line, what ?? 'unexpected EOF while parsing')
    return syntaxError(t.line, what)
  }
  private expectOp(v: string): Token {
    if (!this.isOp(v)) throw this.error()
    return this.next()
  }
  private acceptOp(v: string): boolean {
    if (this.isOp(v)) { this.next(); return true }
    return false
  }
  private expectKw(v: string): Token {
    if (!this.isKw(v)) throw this.error()
    return this.next()
  }
  private acceptKw(v: string): boolean {
    if (this.isKw(v)) { this.next(); return true }
    return false
  }
  private expectName(): Token {
    const t = this.cur()
    if (t.type !== 'NAME' || isKeyword(t.value)) throw this.error()
    return this.next()
  }

  // ---- statements ----
  parseModule(): A.Module {
    const body: A.Stmt[] = []
    while (this.cur().type !== 'END') {
      if (this.cur().type === 'NEWLINE') { this.next(); continue }
      body.push(...this.parseStatement())
    }
    return { body, doc: docOf(body) }
  }

  private parseStatement(): A.Stmt[] {
    const t = this.cur()
    if (t.type === 'INDENT') throw syntaxError(t.line, 'unexpected indent')
    if (t.type === 'DEDENT') throw syntaxError(t.line, 'unindent does not match any outer indentation level')
    if (t.type === 'NAME') {
      switch (t.value) {
        case 'if': return [this.parseIf()]
        case 'while': return [this.parseWhile()]
        case 'for': return [this.parseFor()]
        case 'try': return [this.parseTry()]
        case 'with': return [this.parseWith()]
        case 'def': return [this.parseDef([])]
        case 'class': return [this.parseClass([])]
      }
    }
    if (this.isOp('@')) return [this.parseDecorated()]
    return this.parseSimpleStatements()
  }

  private parseSimpleStatements(): A.Stmt[] {
    const out: A.Stmt[] = [this.parseSmall()]
    while (this.acceptOp(';')) {
      if (this.cur().type === 'NEWLINE') break
      out.push(this.parseSmall())
    }
    if (this.cur().type !== 'NEWLINE') throw this.error()
    this.next()
    return out
  }

  private parseSuite(): A.Stmt[] {
    this.expectOp(':')
    if (this.cur().type !== 'NEWLINE') return this.parseSimpleStatements()
    this.next()
    if (this.cur().type !== 'INDENT') throw syntaxError(this.cur().line, 'expected an indented block')
    this.next()
    const body: A.Stmt[] = []
    while (this.cur().type !== 'DEDENT' && this.cur().type !== 'END') {
      if (this.cur().type === 'NEWLINE') { this.next(); continue }
      body.push(...this.parseStatement())
    }
    if (this.cur().type === 'DEDENT') this.next()
    return body
  }

  private parseSmall(): A.Stmt {
    const t = this.cur()
    const line = t.line
    if (t.type === 'NAME') {
      switch (t.value) {
        case 'pass': this.next(); return { kind: 'Pass', line }
        case 'break': this.next(); return { kind: 'Break', line }
        case 'continue': this.next(); return { kind: 'Continue', line }
        case 'return': {
          this.next()
          const value = this.atSmallEnd() ? null : this.parseTestList()
          return { kind: 'Return', value, line }
        }
        case 'raise': {
          this.next()
          let type: A.Expr | null = null, inst: A.Expr | null = null, tb: A.Expr | null = null
          if (!this.atSmallEnd()) {
            type = this.parseTest()
            if (this.acceptOp(',')) {
              inst = this.parseTest()
              if (this.acceptOp(',')) tb = this.parseTest()
            }
          }
          return { kind: 'Raise', type, inst, tb, line }
        }
        case 'assert': {
          this.next()
          const test = this.parseTest()
          const msg = this.acceptOp(',') ? this.parseTest() : null
          return { kind: 'Assert', test, msg, line }
        }
        case 'del': {
          this.next()
          const e = this.parseExprList()
          const targets = e.kind === 'Tuple' && !this.lastWasParen ? e.elts : [e]
          for (const x of targets) checkTarget(x, 'delete')
          return { kind: 'Del', targets, line }
        }
        case 'print': {
          this.next()
          let trailingComma = false
          if (this.acceptOp('>>')) {
            this.parseTest()
            while (this.acceptOp(',')) {
              if (this.atSmallEnd()) { trailingComma = true; break }
              this.parseTest()
            }
          } else if (!this.atSmallEnd()) {
            this.parseTest()
            while (this.acceptOp(',')) {
              if (this.atSmallEnd()) { trailingComma = true; break }
              this.parseTest()
            }
          }
          return { kind: 'ForbiddenStmt', what: trailingComma ? 'Print' : 'Printnl', line }
        }
        case 'exec': {
          this.next()
          this.parseExpr()
          if (this.acceptKw('in')) { this.parseTest(); if (this.acceptOp(',')) this.parseTest() }
          return { kind: 'ForbiddenStmt', what: 'Exec', line }
        }
        case 'global': {
          this.next()
          this.expectName()
          while (this.acceptOp(',')) this.expectName()
          return { kind: 'ForbiddenStmt', what: 'Global', line }
        }
        case 'import': {
          this.next()
          this.parseDottedAsNames()
          return { kind: 'ForbiddenStmt', what: 'Import', line }
        }
        case 'from': {
          this.next()
          let dots = 0
          while (this.isOp('.')) { this.next(); dots++ }
          if (!this.isKw('import')) this.parseDottedName()
          else if (dots === 0) throw this.error()
          this.expectKw('import')
          if (!this.acceptOp('*')) {
            const paren = this.acceptOp('(')
            this.parseImportAsName()
            while (this.acceptOp(',')) {
              if (paren && this.isOp(')')) break
              if (!paren && this.atSmallEnd()) throw this.error()
              this.parseImportAsName()
            }
            if (paren) this.expectOp(')')
          }
          return { kind: 'ForbiddenStmt', what: 'From', line }
        }
        case 'yield': {
          this.parseYieldExpr()
          return { kind: 'ForbiddenStmt', what: 'Yield', line }
        }
      }
    }
    return this.parseExprStmt()
  }

  private atSmallEnd(): boolean { return this.cur().type === 'NEWLINE' || this.isOp(';') || this.cur().type === 'END' }

  private parseDottedName(): void {
    this.expectName()
    while (this.acceptOp('.')) this.expectName()
  }
  private parseDottedAsNames(): void {
    do {
      this.parseDottedName()
      if (this.acceptKw('as')) this.expectName()
    } while (this.acceptOp(','))
  }
  private parseImportAsName(): void {
    this.expectName()
    if (this.acceptKw('as')) this.expectName()
  }

  private parseYieldExpr(): A.Expr {
    const line = this.expectKw('yield').line
    if (!this.atSmallEnd() && !this.isOp(')') && !this.isOp('=')) this.parseTestList()
    return { kind: 'Forbidden', what: 'Yield', line }
  }

  private parseExprStmt(): A.Stmt {
    const line = this.cur().line
    const first = this.parseTestList()
    if (this.cur().type === 'OP' && AUG_OPS.has(this.cur().value)) {
      const op = this.next().value.slice(0, -1) as A.AugOp
      if (first.kind !== 'Name' && first.kind !== 'Attribute' && first.kind !== 'Subscript') {
        throw syntaxError(line, 'illegal expression for augmented assignment')
      }
      checkTarget(first, 'assign to')
      const value = this.isKw('yield') ? this.parseYieldExpr() : this.parseTestList()
      return { kind: 'AugAssign', target: first, op, value, line }
    }
    if (this.isOp('=')) {
      const targets: A.Expr[] = [first]
      let value: A.Expr = first
      while (this.acceptOp('=')) {
        value = this.isKw('yield') ? this.parseYieldExpr() : this.parseTestList()
        targets.push(value)
      }
      targets.pop()
      for (const x of targets) checkTarget(x, 'assign to')
      return { kind: 'Assign', targets, value, line }
    }
    return { kind: 'ExprStmt', value: first, line }
  }

  private parseIf(): A.If {
    const line = this.expectKw('if').line
    const test = this.parseTest()
    const body = this.parseSuite()
    let orelse: A.Stmt[] = []
    if (this.isKw('elif')) {
      const t = this.cur()
      t.value = 'if' // parse `elif` like a nested `if`
      orelse = [this.parseIf()]
    } else if (this.acceptKw('else')) {
      orelse = this.parseSuite()
    }
    return { kind: 'If', test, body, orelse, line }
  }

  private parseWhile(): A.While {
    const line = this.expectKw('while').line
    const test = this.parseTest()
    const body = this.parseSuite()
    const orelse = this.acceptKw('else') ? this.parseSuite() : []
    return { kind: 'While', test, body, orelse, line }
  }

  private parseFor(): A.For {
    const line = this.expectKw('for').line
    const target = this.parseExprList()
    checkTarget(target, 'assign to')
    this.expectKw('in')
    const iter = this.parseTestList()
    const body = this.parseSuite()
    const orelse = this.acceptKw('else') ? this.parseSuite() : []
    return { kind: 'For', target, iter, body, orelse, line }
  }

  private parseTry(): A.Try {
    const line = this.expectKw('try').line
    const body = this.parseSuite()
    const handlers: A.Handler[] = []
    let orelse: A.Stmt[] = []
    let finalbody: A.Stmt[] = []
    while (this.isKw('except')) {
      const hline = this.next().line
      let type: A.Expr | null = null, name: A.Expr | null = null
      if (!this.isOp(':')) {
        type = this.parseTest()
        if (this.acceptKw('as') || this.acceptOp(',')) {
          name = this.parseTest()
          checkTarget(name, 'assign to')
        }
      }
      if (handlers.length && handlers[handlers.length - 1].type === null) {
        throw syntaxError(handlers[handlers.length - 1].line, "default 'except:' must be last")
      }
      handlers.push({ type, name, body: this.parseSuite(), line: hline })
    }
    if (handlers.length && this.acceptKw('else')) orelse = this.parseSuite()
    if (this.acceptKw('finally')) finalbody = this.parseSuite()
    else if (!handlers.length) throw this.error()
    return { kind: 'Try', body, handlers, orelse, finalbody, line }
  }

  private parseWith(): A.Stmt {
    const line = this.expectKw('with').line
    do {
      this.parseTest()
      if (this.acceptKw('as')) this.parseExpr()
    } while (this.acceptOp(','))
    this.parseSuite()
    return { kind: 'ForbiddenStmt', what: 'With', line }
  }

  private parseDecorated(): A.Stmt {
    const decorators: A.Decorator[] = []
    while (this.isOp('@')) {
      const line = this.next().line
      let expr: A.Expr = { kind: 'Name', id: this.expectName().value, line }
      while (this.acceptOp('.')) expr = { kind: 'Attribute', value: expr, attr: this.expectName().value, line }
      if (this.isOp('(')) expr = this.parseCallTrailer(expr)
      if (this.cur().type !== 'NEWLINE') throw this.error()
      this.next()
      decorators.push({ line, expr })
    }
    if (this.isKw('def')) return this.parseDef(decorators)
    if (this.isKw('class')) return this.parseClass(decorators)
    throw this.error()
  }

  private parseDef(decorators: A.Decorator[]): A.FunctionDef {
    this.expectKw('def')
    const nameTok = this.expectName()
    const line = nameTok.line
    this.expectOp('(')
    const params: string[] = []
    const defaults: A.Expr[] = []
    let star: string | null = null, kw: string | null = null
    const seen = new Set<string>()
    const addName = (t: Token) => {
      if (seen.has(t.value)) throw syntaxError(t.line, `duplicate argument '${t.value}' in function definition`)
      seen.add(t.value)
      return t.value
    }
    while (!this.isOp(')')) {
      if (this.acceptOp('*')) {
        star = addName(this.expectName())
        if (this.acceptOp(',')) { this.expectOp('**'); kw = addName(this.expectName()) }
        break
      }
      if (this.acceptOp('**')) { kw = addName(this.expectName()); break }
      if (this.isOp('(')) throw syntaxError(this.cur().line, 'tuple parameters are not supported')
      params.push(addName(this.expectName()))
      if (this.acceptOp('=')) defaults.push(this.parseTest())
      else if (defaults.length) throw syntaxError(this.cur().line, 'non-default argument follows default argument')
      if (!this.acceptOp(',')) break
    }
    this.expectOp(')')
    const body = this.parseSuite()
    return { kind: 'FunctionDef', name: nameTok.value, params, defaults, star, kw, body, decorators, doc: docOf(body), line }
  }

  private parseClass(decorators: A.Decorator[]): A.ClassDef {
    this.expectKw('class')
    const nameTok = this.expectName()
    let bases: A.Expr[] = []
    if (this.acceptOp('(')) {
      if (!this.isOp(')')) {
        const e = this.parseTestList()
        bases = e.kind === 'Tuple' && !this.lastWasParen ? e.elts : [e]
      }
      this.expectOp(')')
    }
    const body = this.parseSuite()
    return { kind: 'ClassDef', name: nameTok.value, bases, body, decorators, doc: docOf(body), line: nameTok.line }
  }

  // ---- expressions ----
  /** Set by parseTestList/parseExprList: whether the returned Tuple was a parenthesized atom (not a bare comma list). */
  private lastWasParen = false

  private parseTestList(): A.Expr { return this.parseList(() => this.parseTest(), () => this.startsTest()) }
  private parseExprList(): A.Expr { return this.parseList(() => this.parseExpr(), () => this.startsTest()) }

  private parseList(item: () => A.Expr, starts: () => boolean): A.Expr {
    const line = this.cur().line
    const first = item()
    if (!this.isOp(',')) { this.lastWasParen = true; return first }
    const elts = [first]
    while (this.acceptOp(',')) {
      if (!starts()) break
      elts.push(item())
    }
    this.lastWasParen = false
    return { kind: 'Tuple', elts, line }
  }

  private startsTest(): boolean {
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
  private parseOldTest(): A.Expr {
    if (this.isKw('lambda')) return this.parseLambda(false)
    return this.parseOrTest()
  }

  private parseLambda(full: boolean): A.Expr {
    const line = this.expectKw('lambda').line
    while (!this.isOp(':')) {
      if (this.acceptOp('*') || this.acceptOp('**')) { this.expectName() }
      else if (this.acceptOp('(')) { this.parseExprList(); this.expectOp(')') }
      else { this.expectName(); if (this.acceptOp('=')) this.parseTest() }
      if (!this.acceptOp(',')) break
    }
    this.expectOp(':')
    if (full) this.parseTest(); else this.parseOldTest()
    return { kind: 'Forbidden', what: 'Lambda', line }
  }

  private parseOrTest(): A.Expr {
    const line = this.cur().line
    const first = this.parseAndTest()
    if (!this.isKw('or')) return first
    const values = [first]
    while (this.acceptKw('or')) values.push(this.parseAndTest())
    return { kind: 'BoolOp', op: 'or', values, line }
  }

  private parseAndTest(): A.Expr {
    const line = this.cur().line
    const first = this.parseNotTest()
    if (!this.isKw('and')) return first
    const values = [first]
    while (this.acceptKw('and')) values.push(this.parseNotTest())
    return { kind: 'BoolOp', op: 'and', values, line }
  }

  private parseNotTest(): A.Expr {
    if (this.isKw('not')) {
      const line = this.next().line
      return { kind: 'Not', operand: this.parseNotTest(), line }
    }
    return this.parseComparison()
  }

  private parseComparison(): A.Expr {
    const line = this.cur().line
    const left = this.parseExpr()
    const ops: A.CmpOp[] = []
    const comparators: A.Expr[] = []
    for (;;) {
      let op: A.CmpOp
      if (this.cur().type === 'OP' && COMP_OPS.has(this.cur().value)) {
        const v = this.next().value
        op = (v === '<>' ? '!=' : v) as A.CmpOp
      } else if (this.isKw('in')) { this.next(); op = 'in' }
      else if (this.isKw('not') && this.isKw('in', this.peek())) { this.next(); this.next(); op = 'not in' }
      else if (this.isKw('is')) {
        this.next()
        op = this.acceptKw('not') ? 'is not' : 'is'
      } else break
      ops.push(op)
      comparators.push(this.parseExpr())
    }
    if (!ops.length) return left
    return { kind: 'Compare', left, ops, comparators, line }
  }

  private binLevel(ops: string[], sub: () => A.Expr): A.Expr {
    let left = sub()
    while (this.cur().type === 'OP' && ops.includes(this.cur().value)) {
      const t = this.next()
      const right = sub()
      left = { kind: 'BinOp', op: t.value as A.BinOpKind, left, right, line: left.line }
    }
    return left
  }

  parseExpr(): A.Expr { return this.binLevel(['|'], () => this.parseXor()) }
  private parseXor(): A.Expr { return this.binLevel(['^'], () => this.parseAnd()) }
  private parseAnd(): A.Expr { return this.binLevel(['&'], () => this.parseShift()) }
  private parseShift(): A.Expr { return this.binLevel(['<<', '>>'], () => this.parseArith()) }
  private parseArith(): A.Expr { return this.binLevel(['+', '-'], () => this.parseTerm()) }
  private parseTerm(): A.Expr { return this.binLevel(['*', '/', '%', '//'], () => this.parseFactor()) }

  private parseFactor(): A.Expr {
    const t = this.cur()
    if (t.type === 'OP' && (t.value === '+' || t.value === '-' || t.value === '~')) {
      this.next()
      const operand = this.parseFactor()
      return { kind: 'UnaryOp', op: t.value, operand, line: t.line }
    }
    return this.parsePower()
  }

  private parsePower(): A.Expr {
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

  private parseCallTrailer(func: A.Expr): A.Call {
    const line = this.expectOp('(').line
    const args: A.Expr[] = []
    const keywords: A.Keyword[] = []
    let star: A.Expr | null = null, starstar: A.Expr | null = null
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

  private parseSubscript(value: A.Expr): A.Subscript {
    const line = this.expectOp('[').line
    const items: Array<A.Expr | A.SliceIndex> = []
    let trailing = false
    for (;;) {
      items.push(this.parseSubscriptItem())
      trailing = false
      if (!this.acceptOp(',')) break
      trailing = true
      if (this.isOp(']')) break
    }
    this.expectOp(']')
    let index: A.Expr | A.SliceIndex
    if (items.length === 1 && !trailing) index = items[0]
    else {
      if (items.some((x) => x.kind === 'SliceIndex')) throw syntaxError(line, 'extended slicing is not supported')
      index = { kind: 'Tuple', elts: items as A.Expr[], line }
    }
    return { kind: 'Subscript', value, index, line: value.line }
  }

  private parseSubscriptItem(): A.Expr | A.SliceIndex {
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
    let hi: A.Expr | null = null, step: A.Expr | null = null
    if (!this.isOp(':') && !this.isOp(']') && !this.isOp(',')) hi = this.parseTest()
    if (this.acceptOp(':')) {
      if (!this.isOp(']') && !this.isOp(',')) step = this.parseTest()
    }
    return { kind: 'SliceIndex', lo, hi, step, line }
  }

  private parseCompFor(): void {
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

  private parseAtom(): A.Expr {
    const t = this.cur()
    const line = t.line
    if (t.type === 'NUMBER') { this.next(); return parseNumber(t.value, line) }
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
          const keys = [k], values = [v]
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

  private parseListFor(): A.Comprehension[] {
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

function docOf(body: A.Stmt[]): A.Str | null {
  const s = body[0]
  return s && s.kind === 'ExprStmt' && s.value.kind === 'Str' ? s.value : null
}

const NOT_ASSIGNABLE: Partial<Record<A.Expr['kind'], string>> = {
  Int: 'literal', Float: 'literal', Str: 'literal', Dict: 'literal', BinOp: 'operator', UnaryOp: 'operator',
  Not: 'operator', BoolOp: 'operator', Compare: 'comparison', Call: 'function call', ListComp: 'list comprehension',
}

/** Validates an assignment / del / for target (Python 2.7 messages). */
function checkTarget(e: A.Expr, verb: 'assign to' | 'delete'): void {
  switch (e.kind) {
    case 'Name':
      if (e.id === 'None') throw syntaxError(e.line, `cannot ${verb === 'delete' ? 'delete' : 'assign to'} None`)
      return
    case 'Attribute': case 'Subscript': return
    case 'Tuple': case 'List':
      if (verb === 'assign to' && e.kind === 'Tuple' && e.elts.length === 0) throw syntaxError(e.line, "can't assign to ()")
      for (const x of e.elts) checkTarget(x, verb)
      return
    case 'Forbidden': {
      const names: Record<string, string> = {
        Lambda: 'lambda', GenExpr: 'generator expression', IfExp: 'conditional expression', Backquote: 'repr',
        Yield: 'yield expression', Set: 'literal', SetComp: 'set comprehension', DictComp: 'dict comprehension',
      }
      throw syntaxError(e.line, `can't ${verb} ${names[e.what] ?? 'expression'}`)
    }
    default:
      throw syntaxError(e.line, `can't ${verb} ${NOT_ASSIGNABLE[e.kind] ?? 'expression'}`)
  }
}

function parseNumber(text: string, line: number): A.Expr {
  let t = text
  const isLong = /[lL]$/.test(t)
  if (isLong) t = t.slice(0, -1)
  if (/^0[xX]/.test(t)) return { kind: 'Int', value: BigInt(t), line }
  if (/^0[oO]/.test(t)) return { kind: 'Int', value: BigInt('0o' + t.slice(2)), line }
  if (/^0[bB]/.test(t)) return { kind: 'Int', value: BigInt(t), line }
  if (/[.eE]/.test(t)) {
    if (isLong) throw syntaxError(line)
    return { kind: 'Float', value: Number(t), line }
  }
  if (t.length > 1 && t[0] === '0') {
    if (!/^[0-7]+$/.test(t)) throw syntaxError(line)
    return { kind: 'Int', value: BigInt('0o' + t.slice(1)), line }
  }
  return { kind: 'Int', value: BigInt(t), line }
}
