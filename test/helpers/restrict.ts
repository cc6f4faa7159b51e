// Restrictions for nanny tests: GENEROUS_RESTRICTIONS with some values replaced (or added) and port lines appended.
import { GENEROUS_RESTRICTIONS } from './run-guest.js'

export function restrict(
  values: Record<string, number>,
  ports: { connport?: number[]; messport?: number[] } = {},
): string {
  let text = GENEROUS_RESTRICTIONS
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^resource ${name} .*$`, 'm')
    text = line.test(text) ? text.replace(line, `resource ${name} ${value}`) : `${text}resource ${name} ${value}\n`
  }
  for (const p of ports.connport ?? []) text += `resource connport ${p}\n`
  for (const p of ports.messport ?? []) text += `resource messport ${p}\n`
  return text
}
