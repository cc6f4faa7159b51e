// Code generation, part 2: statements, functions, classes and the module.
import type * as A from './ast.js'
import { syntaxError } from './errors.js'
import {
  BINOPS,
  ExprCompiler,
  INPLACE,
  JsFunc,
  MAX_SAFE,
  PLAIN_REF,
  SMALL,
  Scope,
  type Sign,
  forEachListComp,
  jsStr,
  local,
  targetNames,
} from './compile-expr.js'
import { inlineBody, numericWhile, type NumericContext } from './numeric-loop.js'

interface Bindings {
  names: Set<string>
  deleted: Set<string>
  /** Names that a loop in the body adds to with `name += ...` (see Scope.sums). */
  sums: Set<string>
}

const isIntLiteral = (e: A.Expr) =>
  e.kind === 'Int' || (e.kind === 'UnaryOp' && e.op === '-' && e.operand.kind === 'Int')

/** Can a range loop over `id` count in a copy of its own (countedRangeLoop)? Its body must not rebind `id`, and
 *  holds no loop, def or class, so that copying it at most doubles the code. */
function countable(id: string, body: A.Stmt[]): boolean {
  if (collectBindings(body).names.has(id)) return false
  const simple = (ss: A.Stmt[]): boolean =>
    ss.every((s) => {
      switch (s.kind) {
        case 'For':
        case 'While':
        case 'FunctionDef':
        case 'ClassDef':
          return false
        case 'If':
          return simple(s.body) && simple(s.orelse)
        case 'Try':
          return simple(s.body) && s.handlers.every((h) => simple(h.body)) && simple(s.orelse) && simple(s.finalbody)
        default:
          return true
      }
    })
  return simple(body)
}

/** Does some `a * b` in the statements have local `id` as an operand? */
function multipliesBy(node: unknown, id: string): boolean {
  if (node === null || typeof node !== 'object') return false
  if (Array.isArray(node)) return node.some((n) => multipliesBy(n, id))
  const n = node as { kind?: string; op?: string; left?: A.Expr; right?: A.Expr; target?: A.Expr; value?: A.Expr }
  const isId = (x: A.Expr | undefined) => x?.kind === 'Name' && x.id === id
  if (n.kind === 'BinOp' && n.op === '*' && (isId(n.left) || isId(n.right))) return true
  if (n.kind === 'AugAssign' && n.op === '*' && (isId(n.target) || isId(n.value))) return true
  return Object.values(node).some((v) => multipliesBy(v, id))
}

/** Every name a function or class body binds (Python scoping: bound anywhere => local to the whole body). */
function collectBindings(body: A.Stmt[]): Bindings {
  const names = new Set<string>()
  const deleted = new Set<string>()
  const sums = new Set<string>()
  let loops = 0
  const expr = (e: A.Expr | null) =>
    forEachListComp(e, (lc) => {
      for (const g of lc.generators) targetNames(g.target, names)
    })
  const delTarget = (t: A.Expr) => {
    if (t.kind === 'Name') {
      names.add(t.id)
      deleted.add(t.id)
    } else if (t.kind === 'Tuple' || t.kind === 'List') t.elts.forEach(delTarget)
    else expr(t)
  }
  const walk = (ss: A.Stmt[]) => {
    for (const s of ss) {
      switch (s.kind) {
        case 'ExprStmt':
          expr(s.value)
          break
        case 'Assign':
          for (const t of s.targets) {
            targetNames(t, names)
            expr(t)
          }
          expr(s.value)
          break
        case 'AugAssign':
          // `n += 1` stays a plain int: a sum's reads cost more than a long counter's additions
          if (loops > 0 && s.op === '+' && s.target.kind === 'Name' && !isIntLiteral(s.value)) sums.add(s.target.id)
          targetNames(s.target, names)
          expr(s.target)
          expr(s.value)
          break
        case 'Del':
          s.targets.forEach(delTarget)
          break
        case 'Return':
          expr(s.value)
          break
        case 'Raise':
          expr(s.type)
          expr(s.inst)
          expr(s.tb)
          break
        case 'Assert':
          expr(s.test)
          expr(s.msg)
          break
        case 'If':
          expr(s.test)
          walk(s.body)
          walk(s.orelse)
          break
        case 'While':
          expr(s.test)
          loops++
          walk(s.body)
          loops--
          walk(s.orelse)
          break
        case 'For':
          targetNames(s.target, names)
          expr(s.target)
          expr(s.iter)
          loops++
          walk(s.body)
          loops--
          walk(s.orelse)
          break
        case 'Try':
          walk(s.body)
          for (const h of s.handlers) {
            expr(h.type)
            if (h.name) {
              targetNames(h.name, names)
              expr(h.name)
            }
            walk(h.body)
          }
          walk(s.orelse)
          walk(s.finalbody)
          break
        case 'FunctionDef':
          names.add(s.name)
          s.defaults.forEach(expr)
          break
        case 'ClassDef':
          names.add(s.name)
          s.bases.forEach(expr)
          break
      }
    }
  }
  walk(body)
  return { names, deleted, sums }
}

/** Can this expression's code suspend (a call, or a list comprehension's loop)? */
function exprYields(e: A.Expr | A.SliceIndex | null): boolean {
  if (!e) return false
  switch (e.kind) {
    case 'Call':
    case 'ListComp':
      return true
    case 'Tuple':
    case 'List':
      return e.elts.some(exprYields)
    case 'Dict':
      return e.keys.some(exprYields) || e.values.some(exprYields)
    case 'BinOp':
      return exprYields(e.left) || exprYields(e.right)
    case 'UnaryOp':
    case 'Not':
      return exprYields(e.operand)
    case 'BoolOp':
      return e.values.some(exprYields)
    case 'Compare':
      return exprYields(e.left) || e.comparators.some(exprYields)
    case 'Attribute':
      return exprYields(e.value)
    case 'Subscript':
      return exprYields(e.value) || exprYields(e.index)
    case 'SliceIndex':
      return exprYields(e.lo) || exprYields(e.hi) || exprYields(e.step)
    default:
      return false
  }
}

/** Can these statements' code suspend: a call, a loop (its back-edge is a preemption point), a comprehension?
 *  A function body that cannot is compiled as a plain JavaScript function: no generator object per call. Such a
 *  body runs in bounded time, so preemption at the caller's next loop back-edge or call is as good. */
function stmtsYield(ss: A.Stmt[]): boolean {
  return ss.some((s) => {
    switch (s.kind) {
      case 'While':
      case 'For':
        return true
      case 'ExprStmt':
        return exprYields(s.value)
      case 'Assign':
        return s.targets.some(exprYields) || exprYields(s.value)
      case 'AugAssign':
        return exprYields(s.target) || exprYields(s.value)
      case 'Del':
        return s.targets.some(exprYields)
      case 'Return':
        return exprYields(s.value)
      case 'Raise':
        return exprYields(s.type) || exprYields(s.inst) || exprYields(s.tb)
      case 'Assert':
        return exprYields(s.test) || exprYields(s.msg)
      case 'If':
        return exprYields(s.test) || stmtsYield(s.body) || stmtsYield(s.orelse)
      case 'Try':
        return (
          stmtsYield(s.body) ||
          s.handlers.some((h) => exprYields(h.type) || (h.name !== null && exprYields(h.name)) || stmtsYield(h.body)) ||
          stmtsYield(s.orelse) ||
          stmtsYield(s.finalbody)
        )
      // a nested def's body is its own function; its defaults are evaluated here
      case 'FunctionDef':
        return s.decorators.length > 0 || s.defaults.some(exprYields)
      // a class body runs inline
      case 'ClassDef':
        return s.decorators.length > 0 || s.bases.some(exprYields) || stmtsYield(s.body)
      default:
        return false
    }
  })
}

/** A loop's back-edge, where the thread gives way once its budget is spent (contract.ts, 'Preemption'). */
const BACK_EDGE = 'if (--$rt.budget < 0) yield 0;'
/** How many back-edges a loop without calls counts locally before spending them from the budget (backEdge). */
const BUDGET_STEP = 16

const union = (a: Set<string> | null, b: Set<string> | null) =>
  a === null || b === null ? null : new Set([...a, ...b])
const intersect = (a: Set<string> | null, b: Set<string> | null) =>
  a === null ? b : b === null ? a : new Set([...a].filter((x) => b.has(x)))
const copy = (a: Set<string> | null) => (a === null ? null : new Set(a))

export class StmtCompiler extends ExprCompiler {
  /** The text of the module function expression (see contract.ts). */
  compileModule(m: A.Module): string {
    const js = new JsFunc('<module>')
    this.scope = new Scope('module', null, js, new Set(), new Set(), new Set())
    this.findDirectFns(m.body)
    const body = this.capture(3, () => this.stmts(m.body))
    const direct = [...this.directFns.values()].map((d) => `${d.v} = null`)
    const caches = [...this.globalCaches.values()].map((i) => `$Gc${i}, $Gv${i} = -1`)
    for (let i = 0; i < this.methodCaches; i++) caches.push(`$Mc${i} = null, $Mv${i} = -1, $Mf${i}`)
    const budget = js.localBudget ? ['$b = 0'] : []
    const decl = ['$l = 1', '$t', '$g', ...js.temps, ...budget, ...direct, ...caches].join(', ')
    return [
      '(function ($rt) {',
      '  "use strict";',
      `  const $F = ${jsStr(this.filename)};`,
      ...this.consts.map((c) => '  ' + c),
      '  return function* $module($G) {',
      `    let ${decl};`,
      '    try {',
      '      if (--$rt.budget < 0) yield 0;',
      ...body,
      `    } catch ($x) { throw $rt.frame($x, $F, "<module>", $l) }`,
      '  }',
      '})',
    ].join('\n')
  }

  /** The functions the module body defines once, at its top level, with plain parameters (no defaults, *args or
   *  **kwargs) and no decorators: calls of their names may go straight to them while the name still holds them. */
  private findDirectFns(body: A.Stmt[]): void {
    const defs = new Map<string, A.FunctionDef[]>()
    for (const s of body) if (s.kind === 'FunctionDef') defs.set(s.name, [...(defs.get(s.name) ?? []), s])
    let i = 0
    for (const [name, [f, ...more]] of defs) {
      if (more.length || !f || f.decorators.length || f.defaults.length || f.star || f.kw) continue
      const plain = !stmtsYield(f.body)
      this.directFns.set(name, {
        v: `$P${i++}`,
        n: f.params.length,
        plain,
        params: f.params,
        inline: plain ? inlineBody(f) : null,
      })
    }
  }

  private stmts(ss: A.Stmt[]): void {
    for (const s of ss) this.stmt(s)
  }

  private block(ss: A.Stmt[]): void {
    this.ind++
    this.stmts(ss)
    this.ind--
  }

  private stmt(s: A.Stmt): void {
    // a bare constant (docstring, or a string used as a comment) has no effect
    if (
      s.kind === 'ExprStmt' &&
      (s.value.kind === 'Str' ||
        s.value.kind === 'Int' ||
        s.value.kind === 'Float' ||
        s.value.kind === 'Imag' ||
        s.value.kind === 'Long' ||
        (s.value.kind === 'Name' && ['True', 'False', 'None'].includes(s.value.id)))
    )
      return
    if (s.kind === 'Pass') return
    const at = this.lines.length
    const late = this.lineOnSlowPath(s)
    if (late) this.lateLine = s.line
    else this.emit(`$l = ${s.line};`)
    const js = this.scope.js
    const mark = js.mark()
    try {
      this.stmtBody(s)
    } finally {
      js.release(mark)
      // a fast path that turned out to have no runtime call leaves the line to be set before the statement
      if (this.lateLine !== null) this.lines.splice(at, 0, '  '.repeat(this.ind) + `$l = ${s.line};`)
      this.lateLine = null
    }
  }

  /** Can the statement raise only in the runtime call of its one inline fast path, so that only that call needs to
   *  set the line (`return a + b`, `x = i * 2`, `n += 1` on locals of a function)? */
  private lineOnSlowPath(s: A.Stmt): boolean {
    const sc = this.scope
    if (sc.kind !== 'function') return false
    const localName = (t: A.Expr) => t.kind === 'Name' && sc.names.has(t.id) && !sc.sums.has(t.id)
    switch (s.kind) {
      case 'Return':
        return s.value !== null && this.isPlainFastPath(s.value)
      case 'Assign':
        return s.targets.length === 1 && localName(s.targets[0]!) && this.isPlainFastPath(s.value)
      case 'AugAssign':
        return (
          localName(s.target) &&
          this.isPlainFastPath({ kind: 'BinOp', op: s.op, left: s.target, right: s.value, line: s.line })
        )
      default:
        return false
    }
  }

  private stmtBody(s: A.Stmt): void {
    const sc = this.scope
    switch (s.kind) {
      case 'ExprStmt':
        // `openfile(name, True)` on its own: nothing refers to the file, which CPython closed at once
        if (s.value.kind === 'Call' && s.value.func.kind === 'Name' && s.value.func.id === 'openfile')
          this.emit(`$rt.discard(${this.expr(s.value)});`)
        else this.emit(`${this.expr(s.value)};`)
        return
      case 'Assign':
        this.assignStmt(s)
        return
      case 'AugAssign':
        this.augAssign(s)
        return
      case 'Del':
        for (const t of s.targets) this.del(t)
        return
      case 'Break': {
        const loop = sc.loops[sc.loops.length - 1]
        if (!loop) throw syntaxError(s.line, "'break' outside loop")
        this.emit(loop.breakLabel ? `break ${loop.breakLabel};` : 'break;')
        sc.da = null
        return
      }
      case 'Continue':
        if (!sc.loops.length) throw syntaxError(s.line, "'continue' not properly in loop")
        this.emit('continue;')
        sc.da = null
        return
      case 'Return':
        if (sc.kind !== 'function') throw syntaxError(s.line, "'return' outside function")
        this.emit(`return ${s.value ? this.expr(s.value) : 'null'};`)
        sc.da = null
        return
      case 'Raise':
        if (!s.type) this.emit('throw $rt.reraise();')
        else if (s.inst) this.emit(`throw $rt.raise(${this.expr(s.type)}, ${this.expr(s.inst)});`)
        else this.emit(`throw $rt.raise(${this.expr(s.type)});`)
        sc.da = null
        return
      case 'Assert': {
        const msg = s.msg ? `, ${this.expr(s.msg)}` : ''
        this.emit(`if (!${this.test(s.test)}) throw $rt.raise($rt.gget($G, "AssertionError")${msg});`)
        return
      }
      case 'If':
        this.ifStmt(s)
        return
      case 'While':
        this.whileStmt(s)
        return
      case 'For':
        this.forStmt(s)
        return
      case 'Try':
        this.tryStmt(s)
        return
      case 'FunctionDef': {
        const direct = sc.kind === 'module' ? this.directFns.get(s.name) : undefined
        this.assignName(s.name, direct ? `(${direct.v} = ${this.funcExpr(s)})` : this.funcExpr(s))
        return
      }
      case 'ClassDef':
        this.classDef(s)
        return
      case 'ForbiddenStmt':
        throw syntaxError(s.line)
    }
  }

  private assignStmt(s: A.Assign): void {
    const v = s.value
    if (s.targets.length === 1) {
      const t = s.targets[0]!
      if (t.kind === 'Name' || (t.kind !== 'Tuple' && t.kind !== 'List' && (this.targetIsPure(t) || this.isPure(v)))) {
        this.assign(t, this.expr(v))
        return
      }
      if (
        (t.kind === 'Tuple' || t.kind === 'List') &&
        (v.kind === 'Tuple' || v.kind === 'List') &&
        v.elts.length === t.elts.length
      ) {
        // `a, b = b, a`: evaluate the items, then assign them (no tuple is built)
        const temps = v.elts.map((x) => {
          if (this.isPure(x) && x.kind !== 'Name') return this.expr(x)
          const tmp = this.temp()
          this.emit(`${tmp} = ${this.expr(x)};`)
          return tmp
        })
        t.elts.forEach((x, i) => this.assign(x, temps[i]!))
        return
      }
    }
    let tmp: string
    if (this.isPure(v)) tmp = this.expr(v)
    else {
      tmp = this.temp()
      this.emit(`${tmp} = ${this.expr(v)};`)
    }
    for (const t of s.targets) this.assign(t, tmp)
  }

  private augAssign(s: A.AugAssign): void {
    const fn = `$rt.${INPLACE[s.op]}`
    const t = s.target
    if (t.kind === 'Name' && s.op === '+' && this.scope.kind === 'function' && this.scope.sums.has(t.id)) {
      this.addToSum(t.id, s.value, s.line)
      return
    }
    if (t.kind === 'Name') {
      this.assignName(t.id, this.arith(s.op, INPLACE[s.op], t, s.value))
      return
    }
    const once = (x: A.Expr): string => {
      if (this.isPure(x)) return this.expr(x)
      const tmp = this.temp()
      this.emit(`${tmp} = ${this.expr(x)};`)
      return tmp
    }
    if (t.kind === 'Attribute') {
      const o = once(t.value)
      const name = jsStr(t.attr)
      this.emit(`$rt.setattr(${o}, ${name}, ${fn}($rt.getattr(${o}, ${name}), ${this.expr(s.value)}));`)
      return
    }
    if (t.kind === 'Subscript') {
      const o = once(t.value)
      if (t.index.kind === 'SliceIndex') {
        const ix = t.index
        const parts = [ix.lo, ix.hi, ix.step].map((x) => (x ? once(x) : 'undefined')).join(', ')
        this.emit(`$rt.setslice(${o}, ${parts}, ${fn}($rt.getslice(${o}, ${parts}), ${this.expr(s.value)}));`)
      } else {
        const k = once(t.index)
        this.emit(`$rt.setitem(${o}, ${k}, ${fn}($rt.getitem(${o}, ${k}), ${this.expr(s.value)}));`)
      }
      return
    }
    throw syntaxError(s.line, 'illegal expression for augmented assignment')
  }

  /** `x += v` for a sum (see Scope.sums): a long plus a safe int only adds to `x$d`, a JS number. When `v` is an
   *  inline int operation (`i*i`), its fast path leads straight to the number case, with no second type test; when
   *  reading the operands cannot raise, the line is set only on the paths that call the runtime. */
  private addToSum(id: string, value: A.Expr, line: number): void {
    const f = value.kind === 'BinOp' ? this.fastArith(value.op, BINOPS[value.op], value.left, value.right) : null
    const v = f ? null : this.operand(value)
    const lateLine = f ? f.plain && f.sets === '' : v!.set === null && PLAIN_REF.test(v!.ref)
    if (lateLine && this.lines[this.lines.length - 1]?.trim() === `$l = ${line};`) this.lines.pop()
    const setLine = lateLine ? `$l = ${line}; ` : ''
    if (f && !f.test) {
      // no test: the operands are small numbers
      const n = this.temp()
      this.emit(`${f.sets}${n} = ${f.value};`)
      this.addNumberToSum(id, n, f.sign, setLine)
    } else if (f) {
      this.emit(`if (${f.sets}${f.test}) {`)
      this.ind++
      let n = f.value
      if (!/^\$a[0-9]+$/.test(n)) {
        n = this.temp()
        this.emit(`${n} = ${f.value};`)
      }
      this.addNumberToSum(id, n, f.sign, setLine)
      this.ind--
      this.emit('} else {')
      this.ind++
      const t = this.temp()
      this.emit(`${setLine}${t} = ${f.slow};`)
      this.addToSumFrom(id, t, null, '')
      this.ind--
      this.emit('}')
    } else {
      if (v!.set) this.emit(`${v!.set};`)
      this.addToSumFrom(id, v!.ref, v!.num, setLine)
    }
    this.scope.da?.add(id)
  }

  /** `x += n` for a sum, `n` a JS number (a safe int) of the given sign, or any value when `guard` tests that it is
   *  one: added to `x$d` while it is a number, with no type test of the sum (see Scope.sums). */
  private addNumberToSum(id: string, n: string, sign: Sign, setLine: string, guard = ''): void {
    const c = this.temp()
    const safe = sign > 0 ? `<= ${MAX_SAFE}` : sign < 0 ? `>= -${MAX_SAFE}` : `<= ${MAX_SAFE} && ${c} >= -${MAX_SAFE}`
    this.emit(`if (${guard}(${c} = ${local(id)}d + ${n}) ${safe}) ${local(id)}d = ${c};`)
    this.emitSumSlowPath(id, n, setLine)
  }

  /** `x += ref` for a sum, `ref` any value (`num`: its value when it is an int literal). */
  private addToSumFrom(id: string, ref: string, num: number | null, setLine: string): void {
    if (num !== null) this.addNumberToSum(id, ref, num > 0 ? 1 : num < 0 ? -1 : 0, setLine)
    else this.addNumberToSum(id, ref, 0, setLine, `typeof ${ref} === "number" && `)
  }

  /** The runtime's `+=`, after which `x$d` is a number again if `x$` is an int. */
  private emitSumSlowPath(id: string, ref: string, setLine: string): void {
    const x = local(id)
    this.emit(`else { ${setLine}${x} = $rt.iadd(${this.readName(id)}, ${ref});`)
    this.emit(`  ${x}d = typeof ${x} === "number" || typeof ${x} === "bigint" ? 0 : NaN; }`)
  }

  private del(t: A.Expr): void {
    switch (t.kind) {
      case 'Name': {
        const sc = this.scope
        const id = jsStr(t.id)
        if (sc.kind === 'module') this.emit(`$rt.gdel($G, ${id});`)
        else if (sc.kind === 'class') this.emit(`if (!$ns.delete(${id})) $rt.unbound(${id});`)
        else {
          this.emit(`if (${local(t.id)} === undefined) $rt.unbound(${id});`)
          this.emit(`${local(t.id)} = undefined;`)
          if (sc.sums.has(t.id)) this.emit(`${local(t.id)}d = NaN;`)
          sc.da?.delete(t.id)
        }
        return
      }
      case 'Attribute':
        this.emit(`$rt.delattr(${this.expr(t.value)}, ${jsStr(t.attr)});`)
        return
      case 'Subscript': {
        const o = this.expr(t.value)
        if (t.index.kind === 'SliceIndex') this.emit(`$rt.delslice(${o}, ${this.sliceArgs(t.index).join(', ')});`)
        else this.emit(`$rt.delitem(${o}, ${this.expr(t.index)});`)
        return
      }
      case 'Tuple':
      case 'List':
        for (const x of t.elts) this.del(x)
        return
      default:
        throw syntaxError(t.line, "can't delete expression")
    }
  }

  private ifStmt(s: A.If): void {
    const sc = this.scope
    const entry = copy(sc.da)
    this.emit(`if (${this.test(s.test)}) {`)
    this.block(s.body)
    const out1 = sc.da
    sc.da = entry
    if (s.orelse.length) {
      this.emit('} else {')
      this.block(s.orelse)
    }
    this.emit('}')
    sc.da = intersect(out1, sc.da)
  }

  /** Runs a loop body with its own loop entry; returns the label to `break` to when there is an else clause. */
  private loopBody(body: A.Stmt[], orelse: A.Stmt[], emitHead: (label: string | null) => void): void {
    const sc = this.scope
    const label = orelse.length ? `$B${sc.js.uid()}` : null
    const entry = copy(sc.da)
    if (label) {
      this.emit(`${label}: {`)
      this.ind++
    }
    emitHead(label)
    sc.loops.push({ breakLabel: label })
    this.block(body)
    sc.loops.pop()
    this.emit('}')
    sc.da = copy(entry)
    if (label) {
      this.stmts(orelse)
      this.ind--
      this.emit('}')
    }
    sc.da = entry
  }

  /** The preemption point at a loop's back-edge. A loop whose test and body call nothing counts its back-edges in
   *  the function's local `$b` and spends them from `$rt.budget` BUDGET_STEP at a time: a local is cheaper than
   *  `$rt.budget`'s property, and without a call nothing in the loop can start a thread that waits for this one to
   *  give way at once (Scheduler.spawn). */
  private backEdge(body: A.Stmt[], test: A.Expr | null): string {
    if (stmtsYield(body) || (test !== null && exprYields(test))) return BACK_EDGE
    return this.localBackEdge('')
  }

  /** A back-edge counted in the function's local `$b` (see backEdge); `afterYield` runs once the thread is back. */
  private localBackEdge(afterYield: string): string {
    this.scope.js.localBudget = true
    const give = afterYield ? `{ yield 0; ${afterYield} }` : 'yield 0;'
    return `if (--$b < 0) { $b = ${BUDGET_STEP - 1}; if (($rt.budget -= ${BUDGET_STEP}) < 0) ${give} }`
  }

  private whileStmt(s: A.While): void {
    const forever = (s.test.kind === 'Name' && s.test.id === 'True') || (s.test.kind === 'Int' && s.test.value !== 0n)
    const numeric = this.numericCopy(s, forever ? null : s.test)
    if (numeric) {
      this.emit(`${numeric.label}: {`)
      this.ind++
      for (const line of numeric.lines) this.emit(line)
    }
    this.genericWhile(s, forever)
    if (numeric) {
      this.ind--
      this.emit('}')
    }
  }

  /** A copy of a while loop for int arithmetic on locals, run first while it holds (numeric-loop.ts); its `break`
   *  leaves the block `label` around both copies. */
  private numericCopy(s: A.While, test: A.Expr | null): { label: string; lines: string[] } | null {
    const sc = this.scope
    if (sc.kind !== 'function') return null
    const label = `$N${sc.js.uid()}`
    const ctx: NumericContext = {
      isLocal: (id) => sc.names.has(id),
      isSum: (id) => sc.sums.has(id),
      inlineFn: (id, n) => {
        const d = this.directFn(id, n)
        return d?.inline ? { v: d.v, name: id, params: d.params, body: d.inline } : null
      },
      temp: () => this.temp(),
    }
    // the copy calls nothing: its back-edges are counted locally
    const backEdge = (recheck: string) => this.localBackEdge(recheck ? `if (!(${recheck})) break;` : '')
    const lines = numericWhile(s, test, ctx, label, backEdge)
    return lines ? { label, lines } : null
  }

  private genericWhile(s: A.While, forever: boolean): void {
    this.loopBody(s.body, s.orelse, () => {
      this.emit('while (true) {')
      this.emit(`  ${this.backEdge(s.body, forever ? null : s.test)}`)
      if (!forever && this.scope.kind === 'function' && this.isPlainFastPath(s.test)) {
        this.lateLine = s.line
        const test = this.test(s.test)
        if (this.lateLine !== null) this.emit(`  $l = ${s.line};`)
        this.lateLine = null
        this.emit(`  if (!${test}) break;`)
      } else if (!forever) {
        this.emit(`  $l = ${s.line};`)
        this.emit(`  if (!${this.test(s.test)}) break;`)
      }
    })
  }

  /** `for x in xrange(...)` / `range(...)`: the numbers are counted inline when, at loop entry, the name is still
   *  the builtin and the arguments are ints in the safe range (`$rt.rangeN`); otherwise the call's iterator feeds
   *  the same loop body. */
  private rangeLoop(s: A.For): boolean {
    const c = s.iter
    if (c.kind !== 'Call' || c.func.kind !== 'Name' || (c.func.id !== 'xrange' && c.func.id !== 'range')) return false
    if (c.keywords.length || c.star || c.starstar || c.args.length < 1 || c.args.length > 3) return false
    const f = this.temp()
    this.emit(`${f} = ${this.expr(c.func)};`)
    const args = c.args.map((x) => {
      const o = this.operand(x)
      if (o.set) this.emit(`${o.set};`)
      return o.ref
    })
    const [start, stop, step] = args.length === 1 ? ['0', args[0], '1'] : [args[0], args[1], args[2] ?? '1']
    const n = this.temp(),
      cur = this.temp(),
      it = this.temp(),
      v = this.temp()
    const st = /^[0-9]+$/.test(step) ? step : this.temp()
    const call = this.call(`$rt.call(${f}, [${args.join(', ')}])`)
    this.emit(`${it} = (${n} = $rt.rangeN(${f}, ${start}, ${stop}, ${step})) < 0 ? $rt.iter(${call}) : null;`)
    this.emit(`${cur} = ${start};${st !== step ? ` ${st} = ${step};` : ''}`)
    const t = s.target
    const direct = t.kind === 'Name' && this.scope.kind === 'function' && !this.scope.sums.has(t.id)
    const next = st === '1' ? `${cur}++` : `(${cur} += ${st}, ${cur} - ${st})`
    if (direct && countable(t.id, s.body)) {
      this.countedRangeLoop(s, t.id, { n, cur, st, next, it, v })
      return true
    }
    this.loopBody(s.body, s.orelse, () => {
      this.emit('for (;;) {')
      this.ind++
      this.emit('if (--$rt.budget < 0) yield 0;')
      // counting cannot raise: only the iterator's next() needs the line
      if (direct) {
        this.emit(`if (${it} === null) { if (--${n} < 0) break; ${local(t.id)} = ${next}; }`)
        this.emit(`else { $l = ${s.line}; if ((${v} = ${it}.next()) === $rt.STOP) break; ${local(t.id)} = ${v}; }`)
        this.scope.da?.add(t.id)
      } else {
        this.emit(`$l = ${s.line};`)
        this.emit(
          `if (${it} === null) { if (--${n} < 0) break; ${v} = ${next}; } else if ((${v} = ${it}.next()) === $rt.STOP) break;`,
        )
        this.assign(t, v)
      }
      this.ind--
    })
    return true
  }

  /** A range loop in two copies: one counting inline, where the body knows its counter is a JS number (Scope.nums)
   *  and tests its type nowhere, and one fed by the call's iterator. */
  private countedRangeLoop(
    s: A.For,
    id: string,
    r: { n: string; cur: string; st: string; next: string; it: string; v: string },
  ): void {
    const sc = this.scope
    const x = local(id)
    const chunked = !stmtsYield(s.body)
    const label = s.orelse.length || chunked ? `$B${sc.js.uid()}` : null
    const entry = copy(sc.da)
    if (label) {
      this.emit(`${label}: {`)
      this.ind++
    }
    const body = (counted: boolean, small = false) => {
      sc.da?.add(id)
      if (counted) sc.nums.add(id)
      if (small) sc.small.add(id)
      sc.loops.push({ breakLabel: label })
      try {
        this.block(s.body)
      } finally {
        sc.loops.pop()
        sc.nums.delete(id)
        sc.small.delete(id)
      }
      sc.da = copy(entry)
    }
    // a body that multiplies by the counter has a third copy for ranges within +-SMALL, where the products need no
    // range test
    if (chunked && r.st === '1' && multipliesBy(s.body, id)) {
      this.emit(`if (${r.it} === null && ${r.cur} >= -${SMALL} && ${r.cur} + ${r.n} <= ${SMALL}) {`)
      this.ind++
      this.chunkedCount(r, x, () => body(true, true))
      this.ind--
      this.emit(`} else if (${r.it} === null) {`)
    } else this.emit(`if (${r.it} === null) {`)
    this.ind++
    if (chunked) this.chunkedCount(r, x, () => body(true))
    else {
      this.emit('for (;;) {')
      this.emit(`  ${BACK_EDGE}`)
      this.emit(`  if (--${r.n} < 0) break; ${x} = ${r.next};`)
      body(true)
      this.emit('}')
    }
    this.ind--
    this.emit('} else {')
    this.ind++
    this.emit('for (;;) {')
    // the iterator's next() is a call
    this.emit(`  ${BACK_EDGE}`)
    this.emit(`  $l = ${s.line}; if ((${r.v} = ${r.it}.next()) === $rt.STOP) break; ${x} = ${r.v};`)
    body(false)
    this.emit('}')
    this.ind--
    this.emit('}')
    if (label) {
      this.stmts(s.orelse)
      this.ind--
      this.emit('}')
    }
    sc.da = entry
  }

  /** A counted range loop whose body calls nothing, in chunks of BUDGET_STEP numbers: the budget is spent once a
   *  chunk and the inner loop tests only its own counter. The body's `break` leaves both loops (its label is on the
   *  block around them); its `continue` goes on with the chunk. */
  private chunkedCount(r: { n: string; cur: string; st: string; next: string }, x: string, body: () => void): void {
    const c = this.temp()
    this.emit('for (;;) {')
    this.emit(`  if (${r.n} <= 0) break;`)
    this.emit(`  if (($rt.budget -= ${BUDGET_STEP}) < 0) yield 0;`)
    this.emit(`  ${c} = ${r.n} < ${BUDGET_STEP} ? ${r.n} : ${BUDGET_STEP}; ${r.n} -= ${c};`)
    this.ind++
    if (r.st === '1') {
      // the counter itself runs through the chunk; after it, it holds the chunk's last number, as Python leaves it
      this.emit(`for (${x} = ${r.cur}, ${c} += ${r.cur}; ${x} < ${c}; ${x}++) {`)
      body()
      this.emit('}')
      this.emit(`${r.cur} = ${x}--;`)
    } else {
      this.emit(`while (--${c} >= 0) {`)
      this.emit(`  ${x} = ${r.next};`)
      body()
      this.emit('}')
    }
    this.ind--
    this.emit('}')
  }

  private forStmt(s: A.For): void {
    if (this.rangeLoop(s)) return
    const u = this.scope.js.uid()
    const it = `$i${u}`,
      v = `$v${u}`
    this.loopBody(s.body, s.orelse, () => {
      this.emit(`for (const ${it} = $rt.iter(${this.expr(s.iter)});;) {`)
      this.ind++
      this.emit('if (--$rt.budget < 0) yield 0;')
      this.emit(`$l = ${s.line};`)
      this.emit(`const ${v} = ${it}.next(); if (${v} === $rt.STOP) break;`)
      this.assign(s.target, v)
      this.ind--
    })
  }

  private tryStmt(s: A.Try): void {
    const sc = this.scope
    const entry = copy(sc.da)
    if (s.finalbody.length) {
      this.emit('try {')
      this.ind++
    }
    let after: Set<string> | null
    if (s.handlers.length) {
      const label = s.orelse.length ? `$T${sc.js.uid()}` : null
      if (label) {
        this.emit(`${label}: {`)
        this.ind++
      }
      this.emit('try {')
      this.block(s.body)
      let bodyOut = sc.da
      const e = `$e${sc.js.uid()}`
      this.emit(`} catch (${e}) {`)
      this.ind++
      this.emit(`${e} = $rt.catch(${e}, $F, ${jsStr(sc.js.name)}, $l);`)
      let handlersOut: Set<string> | null = null
      let first = true
      let catchAll = false
      for (const h of s.handlers) {
        sc.da = copy(entry)
        if (h.type) {
          this.emit(`${first ? '' : '} else '}if (($l = ${h.line}, $rt.matches(${e}, ${this.expr(h.type)}))) {`)
        } else {
          this.emit(first ? '{' : '} else {')
          catchAll = true
        }
        if (!h.type) this.emit(`  $l = ${h.line};`)
        this.ind++
        if (h.name) this.assign(h.name, e)
        this.stmts(h.body)
        this.ind--
        handlersOut = first ? sc.da : intersect(handlersOut, sc.da)
        first = false
      }
      this.emit(catchAll ? '}' : `} else throw ${e};`)
      if (label) this.emit(`break ${label};`)
      this.ind--
      this.emit('}')
      if (label) {
        sc.da = bodyOut
        this.stmts(s.orelse)
        bodyOut = sc.da
        this.ind--
        this.emit('}')
      }
      after = intersect(bodyOut, handlersOut)
    } else {
      this.stmts(s.body)
      after = sc.da
    }
    if (s.finalbody.length) {
      this.ind--
      this.emit('} finally {')
      sc.da = copy(entry)
      this.block(s.finalbody)
      this.emit('}')
      after = union(after, sc.da)
    }
    sc.da = after
  }

  /** `$rt.func(function* ...)` for a def; defaults are evaluated here (def time). */
  private funcExpr(f: A.FunctionDef): string {
    const { names, deleted, sums } = collectBindings(f.body)
    const params = [...f.params, ...(f.star ? [f.star] : []), ...(f.kw ? [f.kw] : [])]
    for (const p of params) names.add(p)
    const defaults = f.defaults.map((d) => this.expr(d))
    const js = new JsFunc(f.name)
    const outer = this.scope
    const scope = new Scope('function', outer, js, names, new Set(params), deleted)
    scope.sums = sums
    scope.da = new Set(params)
    this.scope = scope
    let body: string[]
    try {
      body = this.capture(this.ind + 2, () => {
        this.stmts(f.body)
        if (scope.da !== null) this.emit('return null;')
      })
    } finally {
      this.scope = outer
    }
    const pad = '  '.repeat(this.ind)
    const plain = !stmtsYield(f.body)
    const localNames = [...names].filter((n) => !scope.params.has(n)).map(local)
    const sumParts = [...sums].map((n) => `${local(n)}d = NaN`)
    // `var`, not `let`: a `let` without a value still costs QuickJS an instruction at each call, a `var` none
    const budget = js.localBudget ? ['$b = 0'] : []
    const decl = [`$l = ${f.line}`, '$t', '$g', ...js.temps, ...budget, ...localNames, ...sumParts].join(', ')
    const meta =
      `{ name: ${jsStr(f.name)}, params: [${f.params.map(jsStr).join(', ')}], defaults: [${defaults.join(', ')}], ` +
      `star: ${f.star ? jsStr(f.star) : 'null'}, kw: ${f.kw ? jsStr(f.kw) : 'null'}, file: $F, line: ${f.line} }`
    return [
      `$rt.func(function${plain ? '' : '*'} $f_${f.name}(${params.map(local).join(', ')}) {`,
      `${pad}  var ${decl};`,
      `${pad}  try {`,
      // a plain function's work is bounded (no call, no loop): like a builtin's, it is paid for at its caller's
      // preemption points
      ...(plain ? [] : [`${pad}    ${BACK_EDGE}`]),
      ...body,
      `${pad}  } catch ($x) { throw $rt.frame($x, $F, ${jsStr(f.name)}, $l) }`,
      `${pad}}, ${meta})`,
    ].join('\n')
  }

  private classDef(c: A.ClassDef): void {
    const outer = this.scope
    const bases = this.temp()
    this.emit(`${bases} = [${c.bases.map((b) => this.expr(b)).join(', ')}];`)
    const cls = this.temp()
    const { names } = collectBindings(c.body)
    const scope = new Scope('class', outer, outer.js, names, new Set(), new Set())
    scope.da = null
    this.emit('{')
    this.ind++
    this.emit('const $ns = new Map();')
    this.scope = scope
    try {
      this.stmts(c.body)
    } finally {
      this.scope = outer
    }
    this.emit(`${cls} = $rt.makeClass(${jsStr(c.name)}, ${bases}, $ns);`)
    this.ind--
    this.emit('}')
    this.assignName(c.name, cls)
  }
}
