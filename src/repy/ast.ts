// AST of the Repy subset of Python 2. Every node carries `line` (1-based line in the source file).
// Constructs that Repy forbids are still parsed (so that syntax errors anywhere are reported first) and kept as
// `Forbidden` nodes named after the Python 2 `compiler` module node class that safe.py would reject.

export type ForbiddenKind =
  | 'Import'
  | 'From'
  | 'Print'
  | 'Printnl'
  | 'Exec'
  | 'Global'
  | 'With'
  | 'Yield'
  | 'Lambda'
  | 'GenExpr'
  | 'IfExp'
  | 'Backquote'
  | 'Set'
  | 'SetComp'
  | 'DictComp'

export interface Forbidden {
  kind: 'Forbidden'
  what: ForbiddenKind
  line: number
}

// ---- expressions ----
export interface Name {
  kind: 'Name'
  id: string
  line: number
}
export interface Int {
  kind: 'Int'
  value: bigint
  line: number
}
/** A long literal (`5L`). */
export interface Long {
  kind: 'Long'
  value: bigint
  line: number
}
export interface Float {
  kind: 'Float'
  value: number
  line: number
}
/** An imaginary literal (`5j`): its imaginary part. */
export interface Imag {
  kind: 'Imag'
  value: number
  line: number
}
export interface Str {
  kind: 'Str'
  value: string
  unicode: boolean
  line: number
}
export interface Tuple {
  kind: 'Tuple'
  elts: Expr[]
  line: number
}
export interface List {
  kind: 'List'
  elts: Expr[]
  line: number
}
export interface Dict {
  kind: 'Dict'
  keys: Expr[]
  values: Expr[]
  line: number
}
export type BinOpKind = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '<<' | '>>' | '&' | '|' | '^'
export interface BinOp {
  kind: 'BinOp'
  op: BinOpKind
  left: Expr
  right: Expr
  line: number
}
export interface UnaryOp {
  kind: 'UnaryOp'
  op: '+' | '-' | '~'
  operand: Expr
  line: number
}
export interface Not {
  kind: 'Not'
  operand: Expr
  line: number
}
export interface BoolOp {
  kind: 'BoolOp'
  op: 'and' | 'or'
  values: Expr[]
  line: number
}
export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'is' | 'is not' | 'in' | 'not in'
export interface Compare {
  kind: 'Compare'
  left: Expr
  ops: CmpOp[]
  comparators: Expr[]
  line: number
}
export interface Keyword {
  name: string
  value: Expr
  line: number
}
/** Python 2 requires keyword arguments after positional ones, so args-then-keywords is source order. */
export interface Call {
  kind: 'Call'
  func: Expr
  args: Expr[]
  keywords: Keyword[]
  star: Expr | null
  starstar: Expr | null
  line: number
}
export interface Attribute {
  kind: 'Attribute'
  value: Expr
  attr: string
  line: number
}
export interface SliceIndex {
  kind: 'SliceIndex'
  lo: Expr | null
  hi: Expr | null
  step: Expr | null
  line: number
}
export interface Subscript {
  kind: 'Subscript'
  value: Expr
  index: Expr | SliceIndex
  line: number
}
export interface Comprehension {
  target: Expr
  iter: Expr
  ifs: Expr[]
  line: number
}
export interface ListComp {
  kind: 'ListComp'
  elt: Expr
  generators: Comprehension[]
  line: number
}

export type Expr =
  | Name
  | Int
  | Float
  | Imag
  | Long
  | Str
  | Tuple
  | List
  | Dict
  | BinOp
  | UnaryOp
  | Not
  | BoolOp
  | Compare
  | Call
  | Attribute
  | Subscript
  | ListComp
  | Forbidden

// ---- statements ----
export interface ExprStmt {
  kind: 'ExprStmt'
  value: Expr
  line: number
}
export interface Assign {
  kind: 'Assign'
  targets: Expr[]
  value: Expr
  line: number
}
export type AugOp = BinOpKind
export interface AugAssign {
  kind: 'AugAssign'
  target: Expr
  op: AugOp
  value: Expr
  line: number
}
export interface Del {
  kind: 'Del'
  targets: Expr[]
  line: number
}
export interface Pass {
  kind: 'Pass'
  line: number
}
export interface Break {
  kind: 'Break'
  line: number
}
export interface Continue {
  kind: 'Continue'
  line: number
}
export interface Return {
  kind: 'Return'
  value: Expr | null
  line: number
}
export interface Raise {
  kind: 'Raise'
  type: Expr | null
  inst: Expr | null
  tb: Expr | null
  line: number
}
export interface Assert {
  kind: 'Assert'
  test: Expr
  msg: Expr | null
  line: number
}
export interface If {
  kind: 'If'
  test: Expr
  body: Stmt[]
  orelse: Stmt[]
  line: number
}
export interface While {
  kind: 'While'
  test: Expr
  body: Stmt[]
  orelse: Stmt[]
  line: number
}
export interface For {
  kind: 'For'
  target: Expr
  iter: Expr
  body: Stmt[]
  orelse: Stmt[]
  line: number
}
export interface Handler {
  type: Expr | null
  name: Expr | null
  body: Stmt[]
  line: number
}
export interface Try {
  kind: 'Try'
  body: Stmt[]
  handlers: Handler[]
  orelse: Stmt[]
  finalbody: Stmt[]
  line: number
}
export interface Decorator {
  line: number
  expr: Expr
}
export interface FunctionDef {
  kind: 'FunctionDef'
  name: string
  params: string[]
  defaults: Expr[]
  star: string | null
  kw: string | null
  body: Stmt[]
  decorators: Decorator[]
  doc: Str | null
  line: number
}
export interface ClassDef {
  kind: 'ClassDef'
  name: string
  bases: Expr[]
  body: Stmt[]
  decorators: Decorator[]
  doc: Str | null
  line: number
}
export interface ForbiddenStmt {
  kind: 'ForbiddenStmt'
  what: ForbiddenKind
  line: number
}

export type Stmt =
  | ExprStmt
  | Assign
  | AugAssign
  | Del
  | Pass
  | Break
  | Continue
  | Return
  | Raise
  | Assert
  | If
  | While
  | For
  | Try
  | FunctionDef
  | ClassDef
  | ForbiddenStmt

export interface Module {
  body: Stmt[]
  doc: Str | null
}
