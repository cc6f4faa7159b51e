// A `while` loop whose body only does int arithmetic on locals, in a second copy with no type test and no range
// test per operation (see REPY.md, 'Numeric loops'). The copy runs while, at each iteration's start, every local the
// loop assigns is a JS number within a bound B chosen at compile time so that nothing one iteration computes can
// leave the safe range; at loop entry the locals it only reads are tested once. When a test fails the copy stops
// between two iterations and the ordinary loop goes on from there, with the same variables.
import type * as A from './ast.js'
import { jsStr, local } from './compile-expr.js'

/** A module function a call in the copy stands for: its body is `return <int expression of its parameters>`. */
export interface InlineFn {
  /** The module function's variable that holds the def (a call is inlined while the name still holds it). */
  v: string
  name: string
  params: string[]
  body: A.Expr
}

export interface NumericContext {
  /** Is `id` a local of the function the loop is in? */
  isLocal(id: string): boolean
  /** Is local `id` a sum (`x$` and `x$d`, see Scope.sums)? */
  isSum(id: string): boolean
  inlineFn(id: string, nargs: number): InlineFn | null
  temp(): string
}

/** 2^53 - 1: every int the copy computes must stay within it to be exact. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER
/** The smallest bound worth a copy: below it the loop would leave the copy at once for most values. */
const MIN_BOUND_LOG2 = 10
const ARITH: Partial<Record<A.BinOpKind, true>> = { '+': true, '-': true, '*': true }
const CMP: Partial<Record<A.CmpOp, string>> = { '==': '===', '!=': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }

/** The body of a function that may be inlined: `return e`, `e` an int expression of the parameters only. */
export function inlineBody(f: A.FunctionDef): A.Expr | null {
  const body = f.body.filter((s) => !(s.kind === 'ExprStmt' && s.value.kind === 'Str'))
  const [ret] = body
  if (body.length !== 1 || ret?.kind !== 'Return' || !ret.value) return null
  const params = new Set(f.params)
  const pure = (e: A.Expr): boolean => {
    switch (e.kind) {
      case 'Int':
        return Math.abs(Number(e.value)) <= MAX_SAFE
      case 'Name':
        return params.has(e.id)
      case 'UnaryOp':
        return e.op !== '~' && pure(e.operand)
      case 'BinOp':
        return (ARITH[e.op] === true || modulus(e) !== null) && pure(e.left) && pure(e.right)
      default:
        return false
    }
  }
  return pure(ret.value) ? ret.value : null
}

/** `a % k`, k a positive int literal: its k. */
function modulus(e: A.BinOp): number | null {
  if (e.op !== '%' || e.right.kind !== 'Int') return null
  const k = Number(e.right.value)
  return k > 0 && k <= MAX_SAFE ? k : null
}

class Unfit extends Error {}

/** Walks the loop once to learn what it reads and assigns, throwing Unfit at anything the copy cannot hold. */
class Survey {
  readonly assigned = new Set<string>()
  readonly read = new Set<string>()
  /** Locals read only as a comparison's operand: their size does not matter. */
  readonly arith = new Set<string>()
  readonly calls = new Map<string, InlineFn>()
  constructor(private readonly ctx: NumericContext) {}

  name(id: string, arith: boolean): void {
    if (!this.ctx.isLocal(id)) throw new Unfit()
    this.read.add(id)
    if (arith) this.arith.add(id)
  }

  int(e: A.Expr): void {
    switch (e.kind) {
      case 'Int':
        if (Math.abs(Number(e.value)) > MAX_SAFE) throw new Unfit()
        return
      case 'Name':
        return this.name(e.id, true)
      case 'UnaryOp':
        if (e.op === '~') throw new Unfit()
        return this.int(e.operand)
      case 'BinOp':
        if (!ARITH[e.op] && modulus(e) === null) throw new Unfit()
        this.int(e.left)
        return this.int(e.right)
      case 'Call': {
        const f = e.func.kind === 'Name' && !e.keywords.length && !e.star && !e.starstar ? e.func.id : null
        const fn = f === null ? null : this.ctx.inlineFn(f, e.args.length)
        if (!fn) throw new Unfit()
        this.calls.set(f!, fn)
        return e.args.forEach((a) => this.int(a))
      }
      default:
        throw new Unfit()
    }
  }

  test(e: A.Expr): void {
    switch (e.kind) {
      case 'Not':
        return this.test(e.operand)
      case 'BoolOp':
        return e.values.forEach((v) => this.test(v))
      case 'Compare':
        ;[e.left, ...e.comparators].forEach((x) => (x.kind === 'Name' ? this.name(x.id, false) : this.int(x)))
        if (e.ops.some((op) => !CMP[op])) throw new Unfit()
        return
      default:
        return this.int(e)
    }
  }

  target(t: A.Expr): void {
    if (t.kind !== 'Name' || !this.ctx.isLocal(t.id)) throw new Unfit()
    this.assigned.add(t.id)
  }

  stmts(ss: A.Stmt[]): void {
    for (const s of ss) {
      switch (s.kind) {
        case 'Pass':
        case 'Break':
        case 'Continue':
          break
        case 'ExprStmt':
          if (s.value.kind !== 'Str') throw new Unfit()
          break
        case 'Assign': {
          const [t] = s.targets
          if (s.targets.length !== 1) throw new Unfit()
          if (t!.kind === 'Tuple' && s.value.kind === 'Tuple' && t.elts.length === s.value.elts.length) {
            s.value.elts.forEach((v) => this.int(v))
            t.elts.forEach((x) => this.target(x))
          } else {
            this.int(s.value)
            this.target(t!)
          }
          break
        }
        case 'AugAssign':
          if (!ARITH[s.op]) throw new Unfit()
          this.int(s.target)
          this.int(s.value)
          this.target(s.target)
          break
        case 'If':
          this.test(s.test)
          this.stmts(s.body)
          this.stmts(s.orelse)
          break
        default:
          throw new Unfit()
      }
    }
  }
}

/** The locals the body assigns before it reads them, at its top level, in every iteration: their value when an
 *  iteration starts does not matter (their type is not tested at entry, nor their size at each iteration). */
function setFirst(body: A.Stmt[], test: A.Expr | null, assigned: Set<string>): Set<string> {
  const seen = new Set<string>()
  const read = (e: A.Expr | null): void => {
    if (!e) return
    if (e.kind === 'Name') seen.add(e.id)
    else if (e.kind === 'BinOp') [e.left, e.right].forEach(read)
    else if (e.kind === 'UnaryOp' || e.kind === 'Not') read(e.operand)
    else if (e.kind === 'BoolOp') e.values.forEach(read)
    else if (e.kind === 'Compare') [e.left, ...e.comparators].forEach(read)
    else if (e.kind === 'Call') e.args.forEach(read)
    else if (e.kind === 'Tuple') e.elts.forEach(read)
  }
  read(test)
  const first = new Set<string>()
  for (const s of body) {
    if (s.kind === 'Assign' && s.targets[0]!.kind === 'Name') {
      read(s.value)
      const id = s.targets[0].id
      if (!seen.has(id)) first.add(id)
      seen.add(id)
      continue
    }
    // anything else (an if, a break) ends the straight run: later assignments may be skipped
    break
  }
  return new Set([...first].filter((id) => assigned.has(id)))
}

/** The largest size of a value `e` computes (or any part of it does), when names are at most their `env` bound. */
function bound(e: A.Expr, env: Map<string, number>, fns: Map<string, InlineFn>, worst: { v: number }): number {
  const seen = (v: number) => ((worst.v = Math.max(worst.v, v)), v)
  switch (e.kind) {
    case 'Int':
      return seen(Math.abs(Number(e.value)))
    case 'Name':
      return env.get(e.id) ?? Infinity
    case 'UnaryOp':
      return bound(e.operand, env, fns, worst)
    case 'BinOp': {
      const a = bound(e.left, env, fns, worst),
        b = bound(e.right, env, fns, worst)
      const k = modulus(e)
      // `(a % k + k) % k`: a % k is below k
      if (k !== null) return seen(2 * k)
      return seen(e.op === '*' ? a * b : a + b)
    }
    case 'Call': {
      const fn = fns.get((e.func as A.Name).id)!
      const inner = new Map(fn.params.map((p, i) => [p, bound(e.args[i]!, env, fns, worst)]))
      return bound(fn.body, inner, fns, worst)
    }
    case 'Compare':
      ;[e.left, ...e.comparators].forEach((x) => x.kind !== 'Name' && bound(x, env, fns, worst))
      return 1
    case 'BoolOp':
      e.values.forEach((v) => bound(v, env, fns, worst))
      return 1
    case 'Not':
      bound(e.operand, env, fns, worst)
      return 1
    default:
      return Infinity
  }
}

/** The largest value any statement of one iteration computes, locals starting at their `env` bound. */
function iterationWorst(
  test: A.Expr | null,
  body: A.Stmt[],
  env: Map<string, number>,
  fns: Map<string, InlineFn>,
): number {
  const worst = { v: 0 }
  const stmts = (ss: A.Stmt[], env: Map<string, number>): Map<string, number> => {
    for (const st of ss) {
      if (st.kind === 'Assign') {
        const t = st.targets[0]!
        if (t.kind === 'Tuple') {
          const vs = (st.value as A.Tuple).elts.map((v) => bound(v, env, fns, worst))
          t.elts.forEach((x, i) => env.set((x as A.Name).id, vs[i]!))
        } else env.set((t as A.Name).id, bound(st.value, env, fns, worst))
      } else if (st.kind === 'AugAssign') {
        const v = bound({ kind: 'BinOp', op: st.op, left: st.target, right: st.value, line: st.line }, env, fns, worst)
        env.set((st.target as A.Name).id, v)
      } else if (st.kind === 'If') {
        bound(st.test, env, fns, worst)
        const a = stmts(st.body, new Map(env)),
          b = stmts(st.orelse, new Map(env))
        for (const id of new Set([...a.keys(), ...b.keys()]))
          env.set(id, Math.max(a.get(id) ?? Infinity, b.get(id) ?? Infinity))
      }
    }
    return env
  }
  if (test) bound(test, env, fns, worst)
  stmts(body, new Map(env))
  return worst.v
}

/** JS for the copy's expressions: plain JS arithmetic on numbers. */
class Emitter {
  constructor(
    private readonly fns: Map<string, InlineFn>,
    private readonly ctx: NumericContext,
  ) {}

  int(e: A.Expr, names: (id: string) => string): string {
    switch (e.kind) {
      case 'Int': {
        const n = Number(e.value)
        return n < 0 ? `(${n})` : String(n)
      }
      case 'Name':
        return names(e.id)
      case 'UnaryOp':
        if (e.op === '+') return this.int(e.operand, names)
        if (e.operand.kind === 'Int') return `(${-Number(e.operand.value)})`
        // 0 - x: never -0
        return `(0 - ${this.int(e.operand, names)})`
      case 'BinOp': {
        const a = this.int(e.left, names),
          b = this.int(e.right, names)
        const k = modulus(e)
        // Python's modulo takes the divisor's sign
        if (k !== null) return `((${a} % ${k} + ${k}) % ${k})`
        // 0 * -3 is -0 in JavaScript
        if (e.op === '*') return `(${a} * ${b} + 0)`
        return `(${a} ${e.op} ${b})`
      }
      case 'Call': {
        const fn = this.fns.get((e.func as A.Name).id)!
        const args = new Map(fn.params.map((p, i) => [p, this.int(e.args[i]!, names)]))
        return this.int(fn.body, (id) => `(${args.get(id)!})`)
      }
      default:
        throw new Unfit()
    }
  }

  test(e: A.Expr): string {
    const names = local
    switch (e.kind) {
      case 'Not':
        return `!${this.test(e.operand)}`
      case 'BoolOp':
        return `(${e.values.map((v) => this.test(v)).join(e.op === 'and' ? ' && ' : ' || ')})`
      case 'Compare': {
        const xs = [e.left, ...e.comparators].map((x) => this.int(x, names))
        return `(${e.ops.map((op, i) => `${xs[i]} ${CMP[op]} ${xs[i + 1]}`).join(' && ')})`
      }
      default:
        return `(${this.int(e, names)} !== 0)`
    }
  }

  stmts(ss: A.Stmt[], breakLabel: string, out: string[], ind: string): void {
    for (const s of ss) {
      switch (s.kind) {
        case 'Break':
          out.push(`${ind}break ${breakLabel};`)
          break
        case 'Continue':
          out.push(`${ind}continue;`)
          break
        case 'Assign': {
          const t = s.targets[0]!
          if (t.kind === 'Tuple') {
            const temps = (s.value as A.Tuple).elts.map((v) => {
              const tmp = this.ctx.temp()
              out.push(`${ind}${tmp} = ${this.int(v, local)};`)
              return tmp
            })
            t.elts.forEach((x, i) => out.push(`${ind}${local((x as A.Name).id)} = ${temps[i]};`))
          } else out.push(`${ind}${local((t as A.Name).id)} = ${this.int(s.value, local)};`)
          break
        }
        case 'AugAssign': {
          const v = this.int({ kind: 'BinOp', op: s.op, left: s.target, right: s.value, line: s.line }, local)
          out.push(`${ind}${local((s.target as A.Name).id)} = ${v};`)
          break
        }
        case 'If':
          out.push(`${ind}if (${this.test(s.test)}) {`)
          this.stmts(s.body, breakLabel, out, ind + '  ')
          if (s.orelse.length) {
            out.push(`${ind}} else {`)
            this.stmts(s.orelse, breakLabel, out, ind + '  ')
          }
          out.push(`${ind}}`)
          break
        default:
          break
      }
    }
  }
}

/** The copy of while loop `s` (`test` null: `while True`), as JS lines, or null when the loop does not fit. Python's
 *  `break` in the copy leaves the block labelled `breakLabel`, which holds both copies and the else clause.
 *  `backEdge(recheck)` is the preemption point, given what to test again after the thread gave way. */
export function numericWhile(
  s: A.While,
  test: A.Expr | null,
  ctx: NumericContext,
  breakLabel: string,
  backEdge: (recheck: string) => string,
): string[] | null {
  const survey = new Survey(ctx)
  try {
    if (test) survey.test(test)
    survey.stmts(s.body)
  } catch (e) {
    if (e instanceof Unfit) return null
    throw e
  }
  const fns = survey.calls
  const fresh = setFirst(s.body, test, survey.assigned)
  const carried = [...survey.assigned].filter((id) => !fresh.has(id))
  const invariant = [...survey.read].filter((id) => !survey.assigned.has(id))
  const sized = invariant.filter((id) => survey.arith.has(id))
  let log2 = 52
  for (; log2 >= MIN_BOUND_LOG2; log2--) {
    const b = 2 ** log2
    const env = new Map<string, number>([...carried, ...sized].map((id) => [id, b]))
    for (const id of invariant) if (!env.has(id)) env.set(id, Infinity)
    if (iterationWorst(test, s.body, env, fns) <= MAX_SAFE) break
  }
  if (log2 < MIN_BOUND_LOG2) return null
  const B = String(2 ** log2)
  const within = (id: string) => `${local(id)} <= ${B} && ${local(id)} >= -${B}`
  // the globals dict itself, not the name's lookup: a name not defined yet must not raise before the loop runs
  const callees = [...fns.values()].map((f) => `$G.m.get(${jsStr(f.name)}) === ${f.v}`)
  // a sum whose `x$d` is 0 or NaN has its whole value in `x$`, so the copy may use and assign `x$` alone
  const sums = [...survey.read, ...survey.assigned].filter((id, i, all) => ctx.isSum(id) && all.indexOf(id) === i)
  const entry = [
    ...sums.map((id) => `(${local(id)}d === 0 || ${local(id)}d !== ${local(id)}d)`),
    ...[...carried, ...invariant].map((id) => `typeof ${local(id)} === "number"`),
    ...sized.map(within),
    ...callees,
  ]
  const emitter = new Emitter(fns, ctx)
  const out = [`if (${entry.join(' && ') || 'true'}) {`, '  for (;;) {']
  out.push(`    ${backEdge(callees.join(' && '))}`)
  if (carried.length) out.push(`    if (!(${carried.map(within).join(' && ')})) break;`)
  if (test) out.push(`    if (!${emitter.test(test)}) break;`)
  emitter.stmts(s.body, breakLabel, out, '    ')
  out.push('  }', '}')
  return out
}
