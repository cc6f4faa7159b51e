// Repy's static safety check (repy_v2's safe.py, `_check_node`), over our AST. The walk mirrors the Python 2 `compiler`
// module: for each node, first its class (forbidden constructs), then its string attributes (the string rule),
// then its children in `getChildNodes` order; so the first offending node is the one Repy would report.
import type * as A from './ast.js'
import { RepyCodeError } from './errors.js'

const STR_OK = new Set(['__init__', '__del__', '__iter__', '__repr__', '__str__'])
const BAD_PREFIXES = ['im_', 'func_', 'tb_', 'f_', 'co_']
const BAD_EXACT = new Set(['encode', 'decode'])

/** The string rule: may this identifier appear in a Repy program? */
export function isSafeString(s: string): boolean {
  if (STR_OK.has(s)) return true
  if (s.includes('__')) return false
  if (BAD_PREFIXES.some((p) => s.startsWith(p))) return false
  return !BAD_EXACT.has(s)
}

function unsafeCall(what: string, line: number): RepyCodeError {
  return new RepyCodeError('unsafe', line, `Unsafe call '${what}' in line ${line}`, 'CheckNodeException')
}

function unsafeString(value: string, line: number, attr: string): RepyCodeError {
  return new RepyCodeError(
    'unsafe',
    line,
    `Unsafe string '${value}' in line ${line}, node attribute '${attr}'`,
    'CheckStrException',
  )
}

function checkName(s: string, line: number, attr: 'name' | 'attrname'): void {
  if (!isSafeString(s)) throw unsafeString(s, line, attr)
}

/** Throws RepyCodeError('unsafe', ...) for the first construct Repy forbids. */
export function checkModule(m: A.Module): void {
  checkBody(m.body, m.doc, m.body[0]?.line ?? 1)
}

function checkBody(body: A.Stmt[], doc: A.Str | null, ownerLine: number): void {
  let start = 0
  if (doc) {
    if (doc.unicode) throw unsafeString(doc.value, ownerLine, 'doc')
    start = 1
  }
  for (let i = start; i < body.length; i++) checkStmt(body[i]!)
}

function checkStmts(body: A.Stmt[]): void {
  for (const s of body) checkStmt(s)
}

function opt(e: A.Expr | null): void {
  if (e) checkExpr(e)
}

function checkStmt(s: A.Stmt): void {
  switch (s.kind) {
    case 'ForbiddenStmt':
      throw unsafeCall(s.what, s.line)
    case 'ExprStmt':
      // a bare string statement is a Const (its value is exempt), unless unicode
      checkExpr(s.value)
      return
    case 'Assign':
      for (const t of s.targets) checkExpr(t)
      checkExpr(s.value)
      return
    case 'AugAssign':
      checkExpr(s.target)
      checkExpr(s.value)
      return
    case 'Del':
      for (const t of s.targets) checkExpr(t)
      return
    case 'Pass':
    case 'Break':
    case 'Continue':
      return
    case 'Return':
      opt(s.value)
      return
    case 'Raise':
      opt(s.type)
      opt(s.inst)
      opt(s.tb)
      return
    case 'Assert':
      checkExpr(s.test)
      opt(s.msg)
      return
    case 'If':
      checkExpr(s.test)
      checkStmts(s.body)
      checkStmts(s.orelse)
      return
    case 'While':
      checkExpr(s.test)
      checkStmts(s.body)
      checkStmts(s.orelse)
      return
    case 'For':
      checkExpr(s.target)
      checkExpr(s.iter)
      checkStmts(s.body)
      checkStmts(s.orelse)
      return
    case 'Try':
      checkStmts(s.body)
      for (const h of s.handlers) {
        opt(h.type)
        opt(h.name)
        checkStmts(h.body)
      }
      checkStmts(s.orelse)
      checkStmts(s.finalbody)
      return
    case 'FunctionDef':
      checkName(s.name, s.line, 'name')
      if (s.decorators.length) throw unsafeCall('Decorators', s.decorators[0]!.line)
      for (const d of s.defaults) checkExpr(d)
      checkBody(s.body, s.doc, s.line)
      return
    case 'ClassDef':
      checkName(s.name, s.line, 'name')
      if (s.decorators.length) throw unsafeCall('Decorators', s.decorators[0]!.line)
      for (const b of s.bases) checkExpr(b)
      checkBody(s.body, s.doc, s.line)
      return
  }
}

function checkExpr(e: A.Expr): void {
  switch (e.kind) {
    case 'Forbidden':
      throw unsafeCall(e.what, e.line)
    case 'Name':
      checkName(e.id, e.line, 'name')
      return
    case 'Int':
    case 'Long':
    case 'Float':
    case 'Imag':
      return
    case 'Str':
      if (e.unicode) throw unsafeString(e.value, e.line, 'value')
      return
    case 'Tuple':
    case 'List':
      for (const x of e.elts) checkExpr(x)
      return
    case 'Dict':
      for (let i = 0; i < e.keys.length; i++) {
        checkExpr(e.keys[i]!)
        checkExpr(e.values[i]!)
      }
      return
    case 'BinOp':
      checkExpr(e.left)
      checkExpr(e.right)
      return
    case 'UnaryOp':
    case 'Not':
      checkExpr(e.operand)
      return
    case 'BoolOp':
      for (const x of e.values) checkExpr(x)
      return
    case 'Compare':
      checkExpr(e.left)
      for (const x of e.comparators) checkExpr(x)
      return
    case 'Call':
      checkExpr(e.func)
      for (const a of e.args) checkExpr(a)
      for (const k of e.keywords) {
        checkName(k.name, k.line, 'name')
        checkExpr(k.value)
      }
      opt(e.star)
      opt(e.starstar)
      return
    case 'Attribute':
      checkName(e.attr, e.line, 'attrname')
      checkExpr(e.value)
      return
    case 'Subscript':
      checkExpr(e.value)
      if (e.index.kind === 'SliceIndex') {
        opt(e.index.lo)
        opt(e.index.hi)
        opt(e.index.step)
      } else checkExpr(e.index)
      return
    case 'ListComp':
      checkExpr(e.elt)
      for (const g of e.generators) {
        checkExpr(g.target)
        checkExpr(g.iter)
        for (const c of g.ifs) checkExpr(c)
      }
      return
  }
}
