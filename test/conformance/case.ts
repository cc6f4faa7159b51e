// The shape of the API conformance table (test/conformance/cases/*.ts): each case is one call written for both
// front ends, JavaScript and Repy, with the outcome both must give. generate.ts turns an area's cases into one
// program per front end; conformance.test.ts runs them and compares every case.

/** What a call must give: a value (compared as JSON: None is null, tuples and sets are arrays) or an error name. */
export type Expect = { ok: unknown } | { raises: string }

export const ok = (value: unknown): Expect => ({ ok: value })
export const raises = (name: string): Expect => ({ raises: name })

/** A front end's code for a case whose outcome there deliberately differs from the case's `expect`. */
export interface Differs {
  code: string
  expect: Expect
  why: string
}
/** A front end that has no such call, and why. */
export interface Absent {
  absent: string
}
/**
 * One front end's side of a case: an expression (JavaScript may `await`), or statements ending in `return` when it
 * has more than one line. Case code runs inside a function: it reads the area's names but cannot rebind them (Repy
 * has no `global`), so state changes go in steps.
 */
export type Side = string | Differs | Absent

export interface Case {
  kind: 'case'
  /** Printable ASCII, unique in its area: a failing case names itself by it. */
  label: string
  js: Side
  py: Side
  expect: Expect
}

/** Top-level code run between cases (opening a file, starting a thread), one piece per front end. */
export interface Step {
  kind: 'step'
  js: string
  py: string
}

export type Item = Case | Step

export const FRONT_ENDS = ['js', 'py'] as const
export type FrontEnd = (typeof FRONT_ENDS)[number]

/** One API area: its items run in order in one program per front end. */
export interface Area {
  name: string
  items: Item[]
  /** The restrictions file; `@P<n>` is replaced by the front end's port base + n. Default: generous, no ports. */
  restrictions?: string
  /** Files placed in the vessel before the program starts. */
  files?: Record<string, string>
  /** The vessel's IP (getmyip). */
  ip?: string
  /** Each front end's first port (`@P0`); the JavaScript and Repy programs of an area run side by side. */
  ports?: Record<FrontEnd, number>
  /** Checks on the vessel directory the program left, per front end (throws to fail). */
  checkDir?: (dir: string, program: string) => void
}

export const c = (label: string, js: Side, py: Side, expect: Expect): Case => ({ kind: 'case', label, js, py, expect })
/** A case whose call is the same text in both front ends. */
export const same = (label: string, code: string, expect: Expect): Case => c(label, code, code, expect)
export const step = (js: string, py: string): Step => ({ kind: 'step', js, py })
export const jsOnly = (label: string, js: string, expect: Expect, why: string): Case =>
  c(label, js, { absent: why }, expect)
export const pyOnly = (label: string, py: string, expect: Expect, why: string): Case =>
  c(label, { absent: why }, py, expect)
