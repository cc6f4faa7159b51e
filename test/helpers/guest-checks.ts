// Many checks in one guest program: the guest logs one line per check (`label -> ok <json>` or `label -> ErrorName`),
// and the test reads them back by label. Each runGuest starts a process, so suites batch their checks this way.

/** Guest-side helpers: `check(label, fn)` and `await acheck(label, asyncFn)`. Prepend to a guest program. */
export const CHECKS = String.raw`
const __show = (r) => { try { return JSON.stringify(r === undefined ? null : r) } catch (e) { return '"unprintable"' } }
const check = (label, fn) => {
  try { log(label + ' -> ok ' + __show(fn()) + '\n') } catch (e) { log(label + ' -> ' + (e && e.name) + '\n') }
}
const acheck = async (label, fn) => {
  try { log(label + ' -> ok ' + __show(await fn()) + '\n') } catch (e) { log(label + ' -> ' + (e && e.name) + '\n') }
}
`

/** label -> result text ('ok <json>' or an error name). A label logged twice keeps the last result. */
export function results(output: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const line of output.split('\n')) {
    const at = line.indexOf(' -> ')
    if (at > 0) map.set(line.slice(0, at), line.slice(at + 4))
  }
  return map
}

/** The value of an 'ok' result, parsed; throws (failing the test) if the check threw instead. */
export function okValue(map: Map<string, string>, label: string): unknown {
  const r = map.get(label)
  if (r === undefined) throw new Error(`no result for check '${label}'`)
  if (!r.startsWith('ok ')) throw new Error(`check '${label}' threw ${r}`)
  return JSON.parse(r.slice(3))
}
