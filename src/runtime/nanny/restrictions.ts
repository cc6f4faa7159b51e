// Seattle's restrictions file (README.md, 'Restrictions files'): `resource <name> <value>` lines, obsolete RepyV1
// `call ...` lines (kept verbatim, ignored), `#` comments and blank lines.
import {
  MANDATORY_RESOURCES,
  NUMERIC_RESOURCES,
  PORT_RESOURCES,
  RENEWABLE_RESOURCES,
  type NumericResource,
  type PortResource,
  type ResourceName,
  type Restrictions,
} from './resources.js'

const RENEWABLE = new Set<string>(RENEWABLE_RESOURCES)
const PORTS = new Set<string>(PORT_RESOURCES)
const KNOWN = new Set<string>([...NUMERIC_RESOURCES, ...PORT_RESOURCES])
// A plain decimal number with an optional exponent: no sign, no hex, no inf/nan, nothing after it.
const NUMBER = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** A bad restrictions file. `line` is 1-based; it is undefined for a whole-file problem (a missing resource). */
export class RestrictionsError extends Error {
  constructor(
    readonly fileName: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${fileName}: ${reason}` : `${fileName} line ${line}: ${reason}`)
    this.name = 'RestrictionsError'
  }
}

function parseValue(name: ResourceName, text: string): number | string {
  if (text.startsWith('-')) return `value '${text}' for resource '${name}' must not be negative`
  if (!NUMBER.test(text)) return `invalid value '${text}' for resource '${name}'`
  const value = Number(text)
  if (!Number.isFinite(value)) return `value '${text}' for resource '${name}' is too large`
  if (RENEWABLE.has(name)) return value
  if (!Number.isSafeInteger(value)) return `value '${text}' for resource '${name}' must be a whole number`
  if (PORTS.has(name) && (value < 1 || value > 65535)) return `port ${text} for resource '${name}' is not in 1-65535`
  return value
}

export function parseRestrictions(text: string, fileName = 'restrictions'): Restrictions {
  const limits = {} as Record<NumericResource, number>
  const ports: Record<PortResource, Set<number>> = { messport: new Set(), connport: new Set() }
  const calls: string[] = []
  const seen = new Set<string>()

  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.replace(/\r$/, '')
    const fail = (reason: string): never => {
      throw new RestrictionsError(fileName, index + 1, reason)
    }
    const tokens = line
      .replace(/#.*/, '')
      .trim()
      .split(/\s+/)
      .filter((t) => t !== '')
    if (tokens.length === 0) return
    if (tokens[0] === 'call') {
      calls.push(line)
      return
    }
    if (tokens[0] !== 'resource') fail(`unknown line type '${tokens[0]}' (expected 'resource' or 'call')`)
    if (tokens.length !== 3) {
      fail(`a resource line needs exactly 3 words ('resource <name> <value>'), got ${tokens.length}`)
    }
    const [, name, valueText] = tokens as [string, string, string]
    if (!KNOWN.has(name)) fail(`unknown resource '${name}'`)
    const resource = name as ResourceName
    const value = parseValue(resource, valueText)
    if (typeof value === 'string') fail(value)
    if (resource === 'messport' || resource === 'connport') {
      ports[resource].add(value as number)
      return
    }
    if (seen.has(resource)) fail(`resource '${resource}' is given twice`)
    seen.add(resource)
    limits[resource] = value as number
  })

  for (const name of MANDATORY_RESOURCES) {
    if (!seen.has(name)) throw new RestrictionsError(fileName, undefined, `missing mandatory resource '${name}'`)
  }
  for (const name of NUMERIC_RESOURCES) limits[name] ??= 0
  const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b)
  return { limits, ports: { messport: sorted(ports.messport), connport: sorted(ports.connport) }, calls }
}

/** Writes a restrictions file that parseRestrictions reads back to the same value. */
export function formatRestrictions(r: Restrictions): string {
  const lines = NUMERIC_RESOURCES.map((name) => `resource ${name} ${r.limits[name]}`)
  for (const name of PORT_RESOURCES) for (const port of r.ports[name]) lines.push(`resource ${name} ${port}`)
  return [...lines, ...r.calls].join('\n') + '\n'
}
