// Turns an area of the conformance table into one program per front end. Each case runs inside a function and logs
// `label -> ok <json>` or `label -> <ErrorName>`; the program ends with `conformance: <n> cases run`, counted as the
// cases run, so a front end that drops statements shows a short count. Both front ends print values as JSON so
// that one parser reads both.
import type { Area, Expect, FrontEnd, Side } from './case.js'

export const DONE = 'conformance:'

const JS_PRELUDE = String.raw`
let conformanceRun = 0
const conformanceShow = (r) => { try { return JSON.stringify(r === undefined ? null : r) } catch (e) { return '"unprintable"' } }
async function conformanceCase(label, fn) {
  conformanceRun++
  let line
  try { line = label + ' -> ok ' + conformanceShow(await fn()) } catch (e) { line = label + ' -> ' + (e && e.name) }
  log(line + '\n')
}
`

// Python 2 has no json module in Repy: _show writes None/bools/numbers/str/lists/tuples/sets/dicts as JSON (bytes
// as \u00XX escapes, which JSON.parse reads back as the same one-byte characters). The error name comes from
// str(type(e)) ("<class 'exception_hierarchy.X'>"), as __name__ is out of reach in Repy.
const PY_PRELUDE = String.raw`
_conformance_run = [0]

def _show(v):
  t = type(v)
  if v is None:
    return "null"
  if t is bool:
    if v:
      return "true"
    return "false"
  if t is int or t is long:
    return str(v)
  if t is float:
    if v != v or v in [float("inf"), float("-inf")]:
      return _show(repr(v))
    return repr(v)
  if t is str:
    out = '"'
    for ch in v:
      n = ord(ch)
      if n < 32 or n > 126 or ch == '"' or ch == "\\":
        out += "\\u%04x" % n
      else:
        out += ch
    return out + '"'
  if t is set or t is frozenset:
    items = list(v)
    items.sort()
    return _show(items)
  if t is list or t is tuple:
    parts = []
    for x in v:
      parts.append(_show(x))
    return "[" + ", ".join(parts) + "]"
  if isinstance(v, dict):
    keys = list(v.keys())
    keys.sort()
    parts = []
    for k in keys:
      parts.append(_show(str(k)) + ": " + _show(v[k]))
    return "{" + ", ".join(parts) + "}"
  return _show(repr(v))

def _error_name(e):
  name = str(type(e))
  return name[name.rfind(".") + 1:].rstrip("'>")

def _case(label, function):
  _conformance_run[0] += 1
  try:
    line = label + " -> ok " + _show(function())
  except Exception, e:
    line = label + " -> " + _error_name(e)
  log(line + "\n")
`

const indent = (code: string, by: string) =>
  code
    .split('\n')
    .map((l) => (l.trim() ? by + l : l))
    .join('\n')

/** The code of a side, or null where the front end has no such call. */
export function codeOf(side: Side): string | null {
  if (typeof side === 'string') return side
  return 'code' in side ? side.code : null
}

/** The outcome a front end must give for a case. */
export function expectOf(side: Side, expect: Expect): Expect {
  return typeof side !== 'string' && 'code' in side ? side.expect : expect
}

/** `@P<n>` -> the front end's port base + n. */
export function withPorts(text: string, area: Area, fe: FrontEnd): string {
  return text.replace(/@P(\d+)/g, (_, n: string) => {
    if (!area.ports) throw new Error(`area ${area.name} uses @P${n} but has no ports`)
    return String(area.ports[fe] + Number(n))
  })
}

function jsBody(code: string): string {
  return code.includes('\n') ? `{\n${indent(code, '  ')}\n}` : `(${code})`
}

export function jsProgram(area: Area): string {
  const out = [JS_PRELUDE]
  for (const item of area.items) {
    if (item.kind === 'step') out.push(item.js)
    else {
      const code = codeOf(item.js)
      if (code !== null) out.push(`await conformanceCase(${JSON.stringify(item.label)}, async () => ${jsBody(code)})`)
    }
  }
  out.push(`log('${DONE} ' + conformanceRun + ' cases run\\n')`)
  return withPorts(out.join('\n') + '\n', area, 'js')
}

export function pyProgram(area: Area): string {
  const out = [PY_PRELUDE]
  let n = 0
  for (const item of area.items) {
    if (item.kind === 'step') out.push(item.py)
    else {
      const code = codeOf(item.py)
      if (code === null) continue
      const fn = `_case_${n++}`
      const body = code.includes('\n') ? code : `return ${code}`
      // a JSON string of printable ASCII is a Python string literal too
      out.push(`def ${fn}():\n${indent(body, '  ')}\n_case(${JSON.stringify(item.label)}, ${fn})`)
    }
  }
  out.push(`log("${DONE} " + str(_conformance_run[0]) + " cases run\\n")`)
  return withPorts(out.join('\n') + '\n', area, 'py')
}

/** How many cases a front end runs in an area. */
export function caseCount(area: Area, fe: FrontEnd): number {
  return area.items.filter((i) => i.kind === 'case' && codeOf(i[fe]) !== null).length
}

/** label -> outcome, from a program's output (lines that are not results are ignored). */
export function parseResults(output: string): Map<string, Expect | { unreadable: string }> {
  const map = new Map<string, Expect | { unreadable: string }>()
  for (const line of output.split('\n')) {
    const at = line.indexOf(' -> ')
    if (at <= 0) continue
    const label = line.slice(0, at)
    const rest = line.slice(at + 4)
    if (!rest.startsWith('ok ')) map.set(label, { raises: rest })
    else {
      try {
        map.set(label, { ok: JSON.parse(rest.slice(3)) as unknown })
      } catch {
        map.set(label, { unreadable: rest })
      }
    }
  }
  return map
}
