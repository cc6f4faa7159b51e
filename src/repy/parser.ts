// Recursive-descent parser for Python 2.7's statements (Python's Grammar/Grammar), producing ./ast.ts nodes; the
// expressions are in ./parser-expr.ts. Forbidden constructs are parsed fully and kept as Forbidden nodes for the
// safety check (./safety.ts).
import type * as A from './ast.js'
import { syntaxError } from './errors.js'
import { tokenize, type Token } from './lexer.js'
import { checkTarget, ExprParser } from './parser-expr.js'

const AUG_OPS = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '<<=', '>>=', '&=', '|=', '^='])

export function parse(source: string): A.Module {
  return new Parser(tokenize(source)).parseModule()
}

class Parser extends ExprParser {
  // ---- statements ----
  parseModule(): A.Module {
    const body: A.Stmt[] = []
    while (this.cur().type !== 'END') {
      if (this.cur().type === 'NEWLINE') {
        this.next()
        continue
      }
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
        case 'if':
          return [this.parseIf()]
        case 'while':
          return [this.parseWhile()]
        case 'for':
          return [this.parseFor()]
        case 'try':
          return [this.parseTry()]
        case 'with':
          return [this.parseWith()]
        case 'def':
          return [this.parseDef([])]
        case 'class':
          return [this.parseClass([])]
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
      if (this.cur().type === 'NEWLINE') {
        this.next()
        continue
      }
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
        case 'pass':
          this.next()
          return { kind: 'Pass', line }
        case 'break':
          this.next()
          return { kind: 'Break', line }
        case 'continue':
          this.next()
          return { kind: 'Continue', line }
        case 'return': {
          this.next()
          const value = this.atSmallEnd() ? null : this.parseTestList()
          return { kind: 'Return', value, line }
        }
        case 'raise': {
          this.next()
          let type: A.Expr | null = null,
            inst: A.Expr | null = null,
            tb: A.Expr | null = null
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
              if (this.atSmallEnd()) {
                trailingComma = true
                break
              }
              this.parseTest()
            }
          } else if (!this.atSmallEnd()) {
            this.parseTest()
            while (this.acceptOp(',')) {
              if (this.atSmallEnd()) {
                trailingComma = true
                break
              }
              this.parseTest()
            }
          }
          return { kind: 'ForbiddenStmt', what: trailingComma ? 'Print' : 'Printnl', line }
        }
        case 'exec': {
          this.next()
          this.parseExpr()
          if (this.acceptKw('in')) {
            this.parseTest()
            if (this.acceptOp(',')) this.parseTest()
          }
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
          while (this.isOp('.')) {
            this.next()
            dots++
          }
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
      let type: A.Expr | null = null,
        name: A.Expr | null = null
      if (!this.isOp(':')) {
        type = this.parseTest()
        if (this.acceptKw('as') || this.acceptOp(',')) {
          name = this.parseTest()
          checkTarget(name, 'assign to')
        }
      }
      if (handlers.length && handlers[handlers.length - 1]!.type === null) {
        throw syntaxError(handlers[handlers.length - 1]!.line, "default 'except:' must be last")
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
    let star: string | null = null,
      kw: string | null = null
    const seen = new Set<string>()
    const addName = (t: Token) => {
      if (seen.has(t.value)) throw syntaxError(t.line, `duplicate argument '${t.value}' in function definition`)
      seen.add(t.value)
      return t.value
    }
    while (!this.isOp(')')) {
      if (this.acceptOp('*')) {
        star = addName(this.expectName())
        if (this.acceptOp(',')) {
          this.expectOp('**')
          kw = addName(this.expectName())
        }
        break
      }
      if (this.acceptOp('**')) {
        kw = addName(this.expectName())
        break
      }
      if (this.isOp('(')) throw syntaxError(this.cur().line, 'tuple parameters are not supported')
      params.push(addName(this.expectName()))
      if (this.acceptOp('=')) defaults.push(this.parseTest())
      else if (defaults.length) throw syntaxError(this.cur().line, 'non-default argument follows default argument')
      if (!this.acceptOp(',')) break
    }
    this.expectOp(')')
    const body = this.parseSuite()
    return {
      kind: 'FunctionDef',
      name: nameTok.value,
      params,
      defaults,
      star,
      kw,
      body,
      decorators,
      doc: docOf(body),
      line,
    }
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
}

function docOf(body: A.Stmt[]): A.Str | null {
  const s = body[0]
  return s && s.kind === 'ExprStmt' && s.value.kind === 'Str' ? s.value : null
}
