// Code generation, part 1: scopes, name resolution, expressions and assignment targets.
// The emitted JavaScript follows src/repy/guest/contract.ts exactly.
import type * as A from './ast.js'
import { syntaxError } from './errors.js'

/** One emitted JavaScript function (a Python function, or the module body): owns the temporaries. Temporaries are
 *  a stack: a statement's temporaries are free again once it is compiled (see `mark` / `release`), so sibling
 *  statements reuse the same few names and the function's frame stays small. */
export class JsFunc {
  /** The function's name as tracebacks show it (`<module>` for the module body). */
  constructor(readonly name: string) {}
  private top = 0
  private max = 0
  private n = 0
  temp(): string {
    const t = `$a${this.top++}`
    if (this.top > this.max) this.max = this.top
    return t
  }
  /** Every temporary name used, for the function's `let`. */
  get temps(): string[] {
    return Array.from({ length: this.max }, (_, i) => `$a${i}`)
  }
  mark(): number {
    return this.top
  }
  /** Frees the temporaries allocated since `mark` (their code is complete and they are no longer read). */
  release(mark: number): void {
    this.top = mark
  }
  /** Some loop counts its back-edges in the function's local `$b` (see StmtCompiler.backEdge). */
  localBudget = false
  /** A unique number for labels and loop variables. */
  uid(): number {
    return this.n++
  }
}

export interface LoopInfo {
  breakLabel: string | null
}

/** A Python scope: the module, a function, or a class body (whose code runs inline in its parent's JsFunc). */
export class Scope {
  /** Definitely assigned locals at the current point (null: the point is unreachable). Functions only. */
  da: Set<string> | null = new Set()
  loops: LoopInfo[] = []
  /** Functions: locals a loop adds to (`total += i*i`). Such a local `x` is two JS variables: `x$`, and `x$d`, a
   *  JS number: `+=` a safe int adds to `x$d` without a type test and without making a bigint each time. `x$d` is a
   *  number (a safe int) only while `x$` is an int, else NaN (unbound, or assigned anything but an int literal, until
   *  the runtime's `+=` finds an int); the value is `x$ + x$d`. Every read folds `x$d` in first (readFrom). */
  sums: Set<string> = new Set()
  /** Functions: locals that hold a JS number (a safe int) at the current point, such as a range loop's counter. */
  nums: Set<string> = new Set()
  /** Functions: locals among `nums` that are at most SMALL in size, so that the sum, difference or product of two
   *  is a safe int with no test (a range loop's counter when the whole range is that small). */
  small: Set<string> = new Set()
  constructor(
    readonly kind: 'module' | 'function' | 'class',
    readonly parent: Scope | null,
    readonly js: JsFunc,
    /** function: its locals (params included); class: the names its body binds */
    readonly names: Set<string>,
    readonly params: Set<string>,
    readonly deleted: Set<string>,
  ) {}
}

/** JS identifier of a Python local (Python names never contain `$`, JS keywords never end with one). */
export const local = (name: string) => `${name}$`

/** A JavaScript string literal, ASCII only. */
export function jsStr(s: string): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x22) out += '\\"'
    else if (c === 0x5c) out += '\\\\'
    else if (c >= 0x20 && c < 0x7f) out += s[i]
    else if (c === 0x0a) out += '\\n'
    else if (c === 0x09) out += '\\t'
    else if (c === 0x0d) out += '\\r'
    else if (c < 0x100) out += '\\x' + c.toString(16).padStart(2, '0')
    else out += '\\u' + c.toString(16).padStart(4, '0')
  }
  return out + '"'
}

export const BINOPS: Record<A.BinOpKind, string> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '//': 'floordiv',
  '%': 'mod',
  '**': 'pow',
  '<<': 'lshift',
  '>>': 'rshift',
  '&': 'bitand',
  '|': 'bitor',
  '^': 'bitxor',
}
/** In-place operators Python implements in place for built-in types (list +=, *=; set -=, &=, |=, ^=). */
export const INPLACE: Record<A.BinOpKind, string> = {
  ...BINOPS,
  '+': 'iadd',
  '*': 'imul',
  '-': 'isub',
  '&': 'ibitand',
  '|': 'ibitor',
  '^': 'ibitxor',
}
const CMPOPS: Partial<Record<A.CmpOp, string>> = {
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
}
const UNOPS = { '-': 'neg', '+': 'pos', '~': 'invert' } as const

export function intLiteral(v: bigint): string {
  if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    const n = Number(v)
    return n < 0 ? `(${n})` : String(n)
  }
  return v < 0n ? `(${v}n)` : `${v}n`
}

/** The largest safe integer: ints beyond it are bigints, so an inline result must be checked against it. */
export const MAX_SAFE = '9007199254740991'
/** 2^26: the product of two ints this small is a safe int. */
export const SMALL = 67108864

/** The value of sum `v` (see Scope.sums): `v$d` folded in. A number plus a number whose total is safe is added
 *  inline (`$g` is read at once); a long, or a total beyond the safe range, takes $rt.add. */
function sumRead(v: string): string {
  const inline = `typeof ${v} === "number" && ($g = ${v} + ${v}d) <= ${MAX_SAFE} && $g >= -${MAX_SAFE} ? (${v}d = 0, ${v} = $g)`
  return `(${v}d === 0 || ${v}d !== ${v}d ? ${v} : ${inline} : (${v} = $rt.add(${v}, ${v}d), ${v}d = 0, ${v}))`
}

/** An operand of an inline fast path: `ref` may be read several times; `set` (if any) evaluates the operand once,
 *  into a temporary; `num` is its value when it is an int literal in the safe range. */
interface Operand {
  ref: string
  set: string | null
  num: number | null
}

/** What is known of a number's sign: 1 never negative, -1 never positive, 0 nothing. */
export type Sign = -1 | 0 | 1

/** The parts of an inline int fast path (see ExprCompiler.fastArith). */
export interface FastArith {
  /** Evaluates non-trivial operands once, into temporaries (`t = ..., ` or ''). */
  sets: string
  /** Holds when both operands are JS numbers and the result stays in the safe range. */
  test: string
  value: string
  slow: string
  /** 1: the fast result is never negative; 0: unknown. */
  sign: Sign
  /** The operands are plain locals or literals: the fast path cannot raise. */
  plain: boolean
}

/** A JS local or a number literal: reading it cannot raise. */
export const PLAIN_REF = /^([A-Za-z_][A-Za-z0-9_]*\$|\(?-?[0-9]+\)?)$/

/** The inline fast paths: on two JS numbers (ints in the safe range) the operation is plain JavaScript, and the
 *  runtime function is called only otherwise (or when the result leaves the safe range). */
const FAST_ARITH: Partial<Record<A.BinOpKind, true>> = { '+': true, '-': true, '*': true }
const FAST_CMP: Partial<Record<A.CmpOp, string>> = {
  '==': '===',
  '!=': '!==',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
}

/** Calls `fn` on every list comprehension inside `e` (outermost first). */
export function forEachListComp(e: A.Expr | A.SliceIndex | null, fn: (lc: A.ListComp) => void): void {
  if (!e) return
  switch (e.kind) {
    case 'ListComp':
      fn(e)
      forEachListComp(e.elt, fn)
      for (const g of e.generators) {
        forEachListComp(g.iter, fn)
        for (const c of g.ifs) forEachListComp(c, fn)
      }
      return
    case 'Tuple':
    case 'List':
      for (const x of e.elts) forEachListComp(x, fn)
      return
    case 'Dict':
      for (const x of [...e.keys, ...e.values]) forEachListComp(x, fn)
      return
    case 'BinOp':
      forEachListComp(e.left, fn)
      forEachListComp(e.right, fn)
      return
    case 'UnaryOp':
    case 'Not':
      forEachListComp(e.operand, fn)
      return
    case 'BoolOp':
      for (const x of e.values) forEachListComp(x, fn)
      return
    case 'Compare':
      forEachListComp(e.left, fn)
      for (const x of e.comparators) forEachListComp(x, fn)
      return
    case 'Call':
      forEachListComp(e.func, fn)
      for (const x of e.args) forEachListComp(x, fn)
      for (const k of e.keywords) forEachListComp(k.value, fn)
      forEachListComp(e.star, fn)
      forEachListComp(e.starstar, fn)
      return
    case 'Attribute':
      forEachListComp(e.value, fn)
      return
    case 'Subscript':
      forEachListComp(e.value, fn)
      forEachListComp(e.index, fn)
      return
    case 'SliceIndex':
      forEachListComp(e.lo, fn)
      forEachListComp(e.hi, fn)
      forEachListComp(e.step, fn)
      return
  }
}

/** Names bound by an assignment target. */
export function targetNames(t: A.Expr, out: Set<string>): void {
  if (t.kind === 'Name') out.add(t.id)
  else if (t.kind === 'Tuple' || t.kind === 'List') for (const x of t.elts) targetNames(x, out)
}

/** A function the module defines once, at its top level: calls of its name can go straight to it (see callExpr). */
export interface DirectFn {
  /** The module function's variable that holds it once its def has run (null before). */
  v: string
  /** Its number of parameters (it has no defaults, *args or **kwargs). */
  n: number
  /** Its body cannot pause: a plain JavaScript function, not a generator. */
  plain: boolean
  params: string[]
  /** Its body is `return e`, `e` an int expression of its parameters: a numeric loop may inline it (numeric-loop.ts). */
  inline: A.Expr | null
}

export class ExprCompiler {
  /** The module's top-level functions that calls may reach directly, by name. */
  protected readonly directFns = new Map<string, DirectFn>()
  /** Global names read by the module's code: the index of each one's cache (`$Gc<i>`, `$Gv<i>`) in the module function. */
  protected readonly globalCaches = new Map<string, number>()
  /** How many method call sites keep what they called (`$Mc<i>`, `$Mv<i>`, `$Mf<i>`). */
  protected methodCaches = 0
  protected lines: string[] = []
  protected ind = 0
  /** Module-level constants (hoisted float literals), emitted before the module function. */
  readonly consts: string[] = []
  private readonly constIndex = new Map<string, string>()
  protected scope!: Scope
  /** The statement's line, while it is set only on the slow path of the statement's one inline fast path (see
   *  StmtCompiler.lineOnSlowPath); null when set before the statement. */
  protected lateLine: number | null = null

  /** A runtime call of an inline fast path, setting the line first if that is left to it. */
  protected slowPath(call: string): string {
    if (this.lateLine === null) return call
    const line = this.lateLine
    this.lateLine = null
    return `($l = ${line}, ${call})`
  }

  /** Is `e` an inline fast path whose operands are plain locals or literals, so that only its runtime call can raise? */
  protected isPlainFastPath(e: A.Expr): boolean {
    const plain = (x: A.Expr) => this.intConst(x) !== null || (x.kind === 'Name' && PLAIN_REF.test(this.readName(x.id)))
    let left: A.Expr, right: A.Expr
    if (e.kind === 'BinOp') {
      const k = this.intConst(e.right)
      if (!(FAST_ARITH[e.op] || (e.op === '%' && k !== null && k > 0))) return false
      ;[left, right] = [e.left, e.right]
    } else if (e.kind === 'Compare' && e.ops.length === 1 && FAST_CMP[e.ops[0]!]) {
      ;[left, right] = [e.left, e.comparators[0]!]
    } else return false
    return !(this.intConst(left) !== null && this.intConst(right) !== null) && plain(left) && plain(right)
  }

  constructor(readonly filename: string) {}

  protected emit(s: string): void {
    this.lines.push('  '.repeat(this.ind) + s)
  }

  /** Runs `fn` collecting its emitted lines at indentation `ind`, and returns them. */
  protected capture(ind: number, fn: () => void): string[] {
    const saved = this.lines,
      savedInd = this.ind
    this.lines = []
    this.ind = ind
    try {
      fn()
      return this.lines
    } finally {
      this.lines = saved
      this.ind = savedInd
    }
  }

  protected temp(): string {
    return this.scope.js.temp()
  }

  private floatConst(v: number): string {
    const text = Object.is(v, -0) ? '-0' : String(v)
    return this.constant(text, `$rt.float(${text})`)
  }
  private imagConst(v: number): string {
    const text = Object.is(v, -0) ? '-0' : String(v)
    return this.constant('j' + text, `$rt.complex(0, ${text})`)
  }
  private longConst(v: bigint): string {
    return this.constant(`${v}L`, `$rt.long(${v}n)`)
  }
  /** A module-level constant made once by `init` (a float, complex or long literal's value). */
  private constant(key: string, init: string): string {
    let name = this.constIndex.get(key)
    if (!name) {
      name = `$k${this.constIndex.size}`
      this.constIndex.set(key, name)
      this.consts.push(`const ${name} = ${init};`)
    }
    return name
  }

  // ---- names ----
  /** The function scope that owns local `id` as seen from `s` (skipping class bodies), if any. */
  private owner(s: Scope | null, id: string): Scope | null {
    for (let p = s; p; p = p.parent) {
      if (p.kind === 'module') return null
      if (p.kind === 'function' && p.names.has(id)) return p
    }
    return null
  }

  /** Is local `id` of function scope `f` certainly bound, reading it from scope `from`? */
  private bound(f: Scope, id: string, inline: boolean): boolean {
    if (f.deleted.has(id)) return false
    if (f.params.has(id)) return true
    if (!inline) return false
    return f.da === null || f.da.has(id)
  }

  /** Is this read free of side effects and errors (so it may be evaluated out of order)? */
  protected isPure(e: A.Expr): boolean {
    switch (e.kind) {
      case 'Int':
      case 'Long':
      case 'Float':
      case 'Imag':
      case 'Str':
        return true
      case 'Name': {
        if (e.id === 'True' || e.id === 'False' || e.id === 'None') return true
        if (this.scope.kind !== 'function' || !this.scope.names.has(e.id) || this.scope.sums.has(e.id)) return false
        return this.bound(this.scope, e.id, true)
      }
      default:
        return false
    }
  }

  protected readName(id: string): string {
    if (id === 'True') return 'true'
    if (id === 'False') return 'false'
    if (id === 'None') return 'null'
    const s = this.scope
    if (s.kind === 'class') {
      // the class body runs inline: its parent's locals are read directly
      const outer = this.readFrom(s.parent!, id, true, false)
      return s.names.has(id) ? `($ns.has(${jsStr(id)}) ? $ns.get(${jsStr(id)}) : ${outer})` : outer
    }
    return this.readFrom(s, id, true, s.kind === 'function')
  }

  /** `inFunction`: the read is in a function body, where Python 2 calls a missing name a missing global name. */
  private readFrom(s: Scope, id: string, inline: boolean, inFunction: boolean): string {
    if (s.kind === 'class') return this.readFrom(s.parent!, id, inline, inFunction)
    const f = this.owner(s, id)
    // what the name held while the globals dict is at the version read last time (any change to the dict makes a
    // new version); else the globals dict's own Map first (gget repeats it, then tries the builtins)
    if (!f) {
      let i = this.globalCaches.get(id)
      if (i === undefined) {
        i = this.globalCaches.size
        this.globalCaches.set(id, i)
      }
      const [c, v, name] = [`$Gc${i}`, `$Gv${i}`, jsStr(id)]
      return (
        `(${v} === $G.ver ? ${c} : (${c} = ($g = $G.m.get(${name})) !== undefined ? $g : $rt.gget($G, ${name}${inFunction ? ', true' : ''}), ` +
        `${v} = $G.ver, ${c}))`
      )
    }
    const v = local(id)
    const value = f.sums.has(id) ? sumRead(v) : v
    if (this.bound(f, id, inline && f === s)) return value
    return `(${v} === undefined ? $rt.unbound(${jsStr(id)}) : ${value})`
  }

  /** Emits the binding of Python name `id` to the JS value `v`. */
  protected assignName(id: string, v: string): void {
    const s = this.scope
    if (s.kind === 'module') {
      // PyDict.set's own steps for a name (a str is its own hash key) when no key check applies: a dict without a
      // check, or a name already held, which passed it (a loop at module level sets its globals at every pass).
      // `v` (a def's whole function, say) is evaluated once, into the temporary $g.
      const name = jsStr(id)
      this.emit(
        `$g = ${v}; if ($G.check === null || $G.m.has(${name})) { $G.m.set(${name}, $g ?? null); $G.ver++ } else $rt.gset($G, ${name}, $g);`,
      )
    } else if (s.kind === 'class') this.emit(`$ns.set(${jsStr(id)}, ${v});`)
    else {
      // a sum assigned an int literal can take `+=` into `x$d` at once; anything else first goes through $rt.iadd
      const d = /^\(?-?[0-9]+\)?$/.test(v) ? '0' : 'NaN'
      this.emit(s.sums.has(id) ? `${local(id)} = ${v}; ${local(id)}d = ${d};` : `${local(id)} = ${v};`)
      s.da?.add(id)
    }
  }

  // ---- assignment targets ----
  /** Emits `target = v`, where `v` is a JS expression that may be evaluated late (a temp, local or constant). */
  protected assign(t: A.Expr, v: string): void {
    switch (t.kind) {
      case 'Name':
        this.assignName(t.id, v)
        return
      case 'Attribute':
        this.emit(`$rt.setattr(${this.expr(t.value)}, ${jsStr(t.attr)}, ${v});`)
        return
      case 'Subscript': {
        const o = this.expr(t.value)
        if (t.index.kind === 'SliceIndex') {
          const [lo, hi, step] = this.sliceArgs(t.index)
          this.emit(`$rt.setslice(${o}, ${lo}, ${hi}, ${step}, ${v});`)
        } else {
          this.emit(`$rt.setitem(${o}, ${this.expr(t.index)}, ${v});`)
        }
        return
      }
      case 'Tuple':
      case 'List': {
        const tmp = this.temp()
        this.emit(`${tmp} = $rt.unpack(${v}, ${t.elts.length});`)
        t.elts.forEach((x, i) => this.assign(x, `${tmp}[${i}]`))
        return
      }
      default:
        throw syntaxError(t.line, "can't assign to expression")
    }
  }

  /** Do the target's own subexpressions allow evaluating the value after them without reordering effects? */
  protected targetIsPure(t: A.Expr): boolean {
    switch (t.kind) {
      case 'Name':
        return true
      case 'Attribute':
        return this.isPure(t.value)
      case 'Subscript':
        if (!this.isPure(t.value)) return false
        if (t.index.kind === 'SliceIndex')
          return [t.index.lo, t.index.hi, t.index.step].every((x) => !x || this.isPure(x))
        return this.isPure(t.index)
      default:
        return false
    }
  }

  protected sliceArgs(s: A.SliceIndex): [string, string, string] {
    const f = (x: A.Expr | null) => (x ? this.expr(x) : 'undefined')
    return [f(s.lo), f(s.hi), f(s.step)]
  }

  // ---- expressions ----
  /** Is the JS value of `e` always a JS boolean (so truth() is not needed)? */
  protected isBool(e: A.Expr): boolean {
    switch (e.kind) {
      case 'Compare':
      case 'Not':
        return true
      case 'Name':
        return e.id === 'True' || e.id === 'False'
      case 'BoolOp':
        return e.values.every((x) => this.isBool(x))
      default:
        return false
    }
  }

  /** A JS boolean expression for Python truth of `e`. */
  protected test(e: A.Expr): string {
    if (e.kind === 'Not') return `!${this.test(e.operand)}`
    if (e.kind === 'BoolOp') return `(${e.values.map((x) => this.test(x)).join(e.op === 'and' ? ' && ' : ' || ')})`
    if (this.isBool(e)) return this.expr(e)
    // a JS boolean needs no runtime call
    const o = this.operand(e)
    return `(${o.set ? o.set + ', ' : ''}${o.ref} === true || ${o.ref} !== false && $rt.truth(${o.ref}))`
  }

  /** An int literal's value, when it is a safe integer. */
  protected intConst(e: A.Expr): number | null {
    let v: bigint
    if (e.kind === 'Int') v = e.value
    else if (e.kind === 'UnaryOp' && e.op === '-' && e.operand.kind === 'Int') v = -e.operand.value
    else return null
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null
  }

  /** Is `ref`, the code read for `e`, always a JS number (an int literal, or a local in Scope.nums)? */
  protected isKnownNumber(e: A.Expr, ref: string): boolean {
    if (this.intConst(e) !== null) return true
    return e.kind === 'Name' && this.scope.nums.has(e.id) && ref === local(e.id)
  }

  /** Is `ref`, the code read for `e`, a JS number at most SMALL in size (a literal, or a local in Scope.small)? */
  private isKnownSmall(e: A.Expr, ref: string): boolean {
    const k = this.intConst(e)
    if (k !== null) return Math.abs(k) <= SMALL
    return e.kind === 'Name' && this.scope.small.has(e.id) && ref === local(e.id)
  }

  protected operand(e: A.Expr): Operand {
    const k = this.intConst(e)
    if (k !== null) return { ref: intLiteral(BigInt(k)), set: null, num: k }
    if (this.isPure(e)) return { ref: this.expr(e), set: null, num: null }
    const t = this.temp()
    return { ref: t, set: `${t} = ${this.expr(e)}`, num: null }
  }

  /** `a + b`, `a - b`, `a * b`, `a % k` (`fn`: the runtime function, add or iadd, ...) with the inline int fast path. */
  protected arith(op: A.BinOpKind, fn: string, left: A.Expr, right: A.Expr): string {
    const f = this.fastArith(op, fn, left, right)
    if (!f) return `$rt.${fn}(${this.expr(left)}, ${this.expr(right)})`
    // no test: both operands are known numbers
    return f.test ? `(${f.sets}${f.test} ? ${f.value} : ${f.slow})` : `(${f.sets}${f.value})`
  }

  /** The inline int fast path of `a op b`, in parts (null when there is none): when `sets` and then `test` hold,
   *  `value` is the result, a safe int of the given sign; otherwise `slow` computes it. An empty `test` always holds. */
  protected fastArith(op: A.BinOpKind, fn: string, left: A.Expr, right: A.Expr): FastArith | null {
    const k = this.intConst(right)
    const both = this.intConst(left) !== null && k !== null
    if (both || !(FAST_ARITH[op] || (op === '%' && k !== null && k > 0))) return null
    const a = this.operand(left),
      b = this.operand(right)
    const slow = this.slowPath(`$rt.${fn}(${a.ref}, ${b.ref})`)
    const sets = [a.set, b.set]
      .filter((x) => x !== null)
      .map((x) => x + ', ')
      .join('')
    const checks = [
      ...new Set(
        [a, b]
          .filter((x, i) => !this.isKnownNumber(i ? right : left, x.ref))
          .map((x) => `typeof ${x.ref} === "number"`),
      ),
    ]
    const c = this.temp()
    const square = op === '*' && a.ref === b.ref
    const plain = [a, b].every((x) => x.set === null && PLAIN_REF.test(x.ref))
    if (op === '%') {
      // Python's modulo takes the divisor's sign; `+ 0` turns -0 into 0
      const value = `((${c} = ${a.ref} % ${b.ref}) < 0 ? ${c} + ${b.ref} : ${c} + 0)`
      return { sets, test: checks.join(' && '), value, slow, sign: 1, plain }
    }
    let val = `${a.ref} ${op} ${b.ref}`
    // 0 * -3 is -0 in JavaScript (a positive literal factor keeps the other's sign)
    if (op === '*' && !square && !((a.num ?? 0) > 0) && !((b.num ?? 0) > 0)) val += ' + 0'
    // which end of the safe range the result may leave: a literal operand of + or - fixes the direction
    let hi = true,
      lo = true
    if (op === '+' && (a.num !== null || b.num !== null)) {
      const n = (a.num ?? b.num)!
      hi = n > 0
      lo = n < 0
    }
    if (op === '-' && b.num !== null) {
      hi = b.num < 0
      lo = b.num > 0
    }
    if (square) lo = false
    if (this.isKnownSmall(left, a.ref) && this.isKnownSmall(right, b.ref)) hi = lo = false
    let range = `(${c} = ${val})`
    if (hi && lo) range += ` <= ${MAX_SAFE} && ${c} >= -${MAX_SAFE}`
    else if (hi) range += ` <= ${MAX_SAFE}`
    else if (lo) range += ` >= -${MAX_SAFE}`
    // nothing to test: the value is the result
    else if (!checks.length) return { sets, test: '', value: `(${val})`, slow, sign: square ? 1 : 0, plain }
    else range = `(${range}, true)`
    return { sets, test: [...checks, range].join(' && '), value: c, slow, sign: square ? 1 : 0, plain }
  }

  protected call(inner: string): string {
    return `(($t = ${inner}) instanceof $rt.G ? yield* $t : $t)`
  }

  protected expr(e: A.Expr): string {
    switch (e.kind) {
      case 'Name':
        return this.readName(e.id)
      case 'Int':
        return intLiteral(e.value)
      case 'Float':
        return this.floatConst(e.value)
      case 'Imag':
        return this.imagConst(e.value)
      case 'Long':
        return this.longConst(e.value)
      case 'Str':
        return jsStr(e.value)
      case 'Tuple':
        return `$rt.tuple([${e.elts.map((x) => this.expr(x)).join(', ')}])`
      case 'List':
        return `[${e.elts.map((x) => this.expr(x)).join(', ')}]`
      case 'Dict': {
        const kv: string[] = []
        e.keys.forEach((k, i) => {
          kv.push(this.expr(k), this.expr(e.values[i]!))
        })
        return `$rt.dict([${kv.join(', ')}])`
      }
      case 'BinOp':
        return this.arith(e.op, BINOPS[e.op], e.left, e.right)
      case 'UnaryOp': {
        if (e.op === '-' && e.operand.kind === 'Int') return intLiteral(-e.operand.value)
        if (e.op === '-' && e.operand.kind === 'Float') return this.floatConst(-e.operand.value)
        if (e.op === '-') {
          const o = this.operand(e.operand)
          return `(${o.set ? o.set + ', ' : ''}typeof ${o.ref} === "number" ? 0 - ${o.ref} : $rt.neg(${o.ref}))`
        }
        return `$rt.${UNOPS[e.op]}(${this.expr(e.operand)})`
      }
      case 'Not':
        return `!${this.test(e.operand)}`
      case 'BoolOp':
        return this.boolOp(e)
      case 'Compare':
        return this.compare(e)
      case 'Call':
        return this.callExpr(e)
      case 'Attribute':
        return `$rt.getattr(${this.expr(e.value)}, ${jsStr(e.attr)})`
      case 'Subscript': {
        const o = this.expr(e.value)
        if (e.index.kind === 'SliceIndex') return `$rt.getslice(${o}, ${this.sliceArgs(e.index).join(', ')})`
        return `$rt.getitem(${o}, ${this.expr(e.index)})`
      }
      case 'ListComp':
        return this.listComp(e)
      case 'Forbidden':
        throw syntaxError(e.line)
    }
  }

  private boolOp(e: A.BoolOp): string {
    if (this.isBool(e)) return this.test(e)
    const vals = e.values
    let res = this.expr(vals[vals.length - 1]!)
    for (let i = vals.length - 2; i >= 0; i--) {
      const x = vals[i]!
      if (this.isBool(x)) {
        res = e.op === 'and' ? `(${this.expr(x)} ? ${res} : false)` : `(${this.expr(x)} ? true : ${res})`
      } else {
        const t = this.temp()
        res =
          e.op === 'and'
            ? `($rt.truth(${t} = ${this.expr(x)}) ? ${res} : ${t})`
            : `($rt.truth(${t} = ${this.expr(x)}) ? ${t} : ${res})`
      }
    }
    return res
  }

  private compare(e: A.Compare): string {
    const operands = [e.left, ...e.comparators]
    const n = e.ops.length
    // middle operands are evaluated once, into temps
    const temps = operands.map((x, i) => (i > 0 && i < n && !this.isPure(x) ? this.temp() : null))
    const parts: string[] = []
    for (let i = 0; i < n; i++) {
      const op = e.ops[i]!
      const lx = operands[i]!,
        rx = operands[i + 1]!
      let left: string
      if (i === 0) left = this.expr(lx)
      else left = temps[i] ?? this.expr(lx)
      let right = this.expr(rx)
      if (temps[i + 1]) right = `(${temps[i + 1]} = ${right})`
      const fn = CMPOPS[op]
      const jsOp = FAST_CMP[op]
      if (jsOp) {
        // operands read twice go through temporaries; a middle operand's temporary is read by the next comparison
        let set = ''
        if (i === 0 && !this.isPure(lx) && this.intConst(lx) === null) {
          const t = this.temp()
          set += `${t} = ${left}, `
          left = t
        }
        const rt = temps[i + 1]
        if (rt) {
          set += `${right}, `
          right = rt
        } else if (!this.isPure(rx) && this.intConst(rx) === null) {
          const t = this.temp()
          set += `${t} = ${right}, `
          right = t
        }
        const checks = (
          [
            [lx, left],
            [rx, right],
          ] satisfies Array<[A.Expr, string]>
        )
          .filter(([x, r]) => !this.isKnownNumber(x, r))
          .map(([, r]) => `typeof ${r} === "number"`)
        // no check: both are known numbers
        if (!checks.length) parts.push(`(${set}${left} ${jsOp} ${right})`)
        else {
          const slow = this.slowPath(`$rt.${fn}(${left}, ${right})`)
          parts.push(`(${set}${checks.join(' && ')} ? ${left} ${jsOp} ${right} : ${slow})`)
        }
      } else if (fn) parts.push(`$rt.${fn}(${left}, ${right})`)
      else if (op === 'is') parts.push(`(${left} === ${right})`)
      else if (op === 'is not') parts.push(`(${left} !== ${right})`)
      else {
        // contains(container, item): the item (left) must still be evaluated first
        const neg = op === 'not in' ? '!' : ''
        if (i === 0 && !this.isPure(lx)) {
          const t = this.temp()
          parts.push(`(${t} = ${left}, ${neg}$rt.contains(${right}, ${t}))`)
        } else {
          parts.push(`${neg}$rt.contains(${right}, ${left})`)
        }
      }
    }
    return parts.length === 1 ? parts[0]! : `(${parts.join(' && ')})`
  }

  /** `o.name(a, b)` with what the call site looked up last kept while it still holds (see contract.ts). */
  private cachedMethodCall(obj: string, name: string, args: A.Expr[], argv: string[]): string {
    const i = this.methodCaches++
    const [c, v, f] = [`$Mc${i}`, `$Mv${i}`, `$Mf${i}`]
    const o = this.temp()
    const sets = [`${o} = ${obj}`]
    const refs = args.map((x, k) => {
      if (this.isPure(x)) return argv[k]!
      const t = this.temp()
      sets.push(`${t} = ${argv[k]!}`)
      return t
    })
    const callArgs = [o, ...refs].join(', ')
    return (
      `(${sets.join(', ')}, ${o} != null && ${o}.cls === ${c} && ${v} === $rt.tver && (${o}.attrs.size === 0 || !${o}.attrs.has(${name})) ? ${f}(${callArgs}) : ` +
      `(${f} = $rt.instanceMethod(${o}, ${name}, ${refs.length})) !== undefined ? (${c} = ${o}.cls, ${v} = $rt.tver, ${f}(${callArgs})) : ` +
      `(${v} = -1, $rt.callMethod${refs.length}(${[o, name, ...refs].join(', ')})))`
    )
  }

  private callExpr(e: A.Call): string {
    // the callee (or the method's object) is evaluated before the arguments
    const f = this.expr(e.func.kind === 'Attribute' ? e.func.value : e.func)
    const argv = e.args.map((x) => this.expr(x))
    const args = `[${argv.join(', ')}]`
    const hasKw = e.keywords.length > 0 || e.star !== null || e.starstar !== null
    let kwPart = ''
    if (hasKw) {
      const kw = `[${e.keywords.map((k) => `[${jsStr(k.name)}, ${this.expr(k.value)}]`).join(', ')}]`
      kwPart = `, ${kw}`
      if (e.star || e.starstar) kwPart += `, ${e.star ? this.expr(e.star) : 'undefined'}`
      if (e.starstar) kwPart += `, ${this.expr(e.starstar)}`
    }
    if (e.func.kind === 'Attribute') {
      const name = jsStr(e.func.attr)
      if (!hasKw && argv.length <= 2) return this.call(this.cachedMethodCall(f, name, e.args, argv))
      return this.call(
        hasKw ? `$rt.callMethodKw(${f}, ${name}, ${args}${kwPart})` : `$rt.callMethod(${f}, ${name}, ${args})`,
      )
    }
    const direct = !hasKw && e.func.kind === 'Name' ? this.directFn(e.func.id, argv.length) : undefined
    if (direct) {
      // The callee, then the arguments, each evaluated once into a temporary (a local or a literal is read as it
      // is). While the name holds the module's own def (it may have been rebound), that function is called
      // without the generic dispatch, and a plain one without the generator check.
      const callee = this.temp()
      const sets = [`${callee} = ${f}`]
      const refs = e.args.map((x, i) => {
        if (this.isPure(x)) return argv[i]!
        const t = this.temp()
        sets.push(`${t} = ${argv[i]!}`)
        return t
      })
      const fast = `${direct.v}(${refs.join(', ')})`
      const generic = this.call(
        refs.length <= 3
          ? `$rt.call${refs.length}(${[callee, ...refs].join(', ')})`
          : `$rt.call(${callee}, [${refs.join(', ')}])`,
      )
      return `(${sets.join(', ')}, ${callee} === ${direct.v} ? ${direct.plain ? fast : `(yield* ${fast})`} : ${generic})`
    }
    if (!hasKw && argv.length <= 3) return this.call(`$rt.call${argv.length}(${[f, ...argv].join(', ')})`)
    return this.call(hasKw ? `$rt.callKw(${f}, ${args}${kwPart})` : `$rt.call(${f}, ${args})`)
  }

  /** The module's own function `id`, when a call here with `n` positional arguments may go straight to it: the name
   *  is read from the globals here (not a local, not in a class body). */
  protected directFn(id: string, n: number): DirectFn | undefined {
    const d = this.directFns.get(id)
    if (!d || d.n !== n || this.scope.kind === 'class' || this.owner(this.scope, id) !== null) return undefined
    return d
  }

  /** A list comprehension: an inline generator, delegated to. Loop variables are bound in the enclosing scope. */
  private listComp(e: A.ListComp): string {
    const js = this.scope.js
    const da = this.scope.da
    if (da) this.scope.da = new Set(da)
    const body = this.capture(0, () => {
      this.emit('const $r = [];')
      const open = (k: number): void => {
        if (k === e.generators.length) {
          this.emit(`$r.push(${this.expr(e.elt)});`)
          return
        }
        const g = e.generators[k]!
        const u = js.uid()
        this.emit(`for (const $i${u} = $rt.iter(${this.expr(g.iter)});;) {`)
        this.emit('if (--$rt.budget < 0) yield 0;')
        this.emit(`const $v${u} = $i${u}.next(); if ($v${u} === $rt.STOP) break;`)
        this.assign(g.target, `$v${u}`)
        const conds = g.ifs.map((c) => this.test(c))
        if (conds.length) this.emit(`if (${conds.join(' && ')}) {`)
        open(k + 1)
        if (conds.length) this.emit('}')
        this.emit('}')
      }
      open(0)
      this.emit('return $r;')
    })
    this.scope.da = da
    return `(yield* (function* () { ${body.join(' ')} })())`
  }
}
