// Printing node manager answers for people (tables) and for programs (JSON with bytes as text or base64).
import { reachabilityText } from '../protocol/reachability-text.js'
import { portRanges } from '../protocol/port-ranges.js'
import type { AdvertisedKey, NodeSummary, VesselSummary } from '../protocol/results.js'

const shortKey = (key: string): string => (key.length > 24 ? `${key.slice(12, 22)}…` : key)

export function vesselTable(vessels: readonly VesselSummary[]): string {
  const rows = vessels.map((v) => [
    v.name,
    v.status,
    v.program ? [v.program, ...v.args].join(' ') : '-',
    v.exit ? `${v.exit.code} ${v.exit.reason}` : '-',
    shortKey(v.ownerKey),
    String(v.userKeys.length),
    v.ports.length ? portRanges(v.ports) : '-',
  ])
  const head = ['VESSEL', 'STATUS', 'PROGRAM', 'EXIT', 'OWNER', 'USERS', 'PORTS']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(head), ...rows.map(line)].join('\n') + '\n'
}

export function nodeText(s: NodeSummary): string {
  return (
    `node ${s.peerId} (flotilla ${s.version}), vessel IP ${s.ip}\n` +
    s.addresses.map((a) => `  listening on ${a}\n`).join('') +
    (s.reachability === undefined ? '' : `  reachable: ${reachabilityText(s.reachability)}\n`) +
    (s.sandboxUser === undefined ? '' : `  sandbox host runs as ${s.sandboxUser.runsAs}\n`) +
    (s.sandboxUser?.warning ? `  warning: ${s.sandboxUser.warning}\n` : '') +
    vesselTable(s.vessels) +
    (s.advertising === undefined ? '' : advertisingText(s.advertising)) +
    (s.advertisingLeftOut ? `  … and ${s.advertisingLeftOut} more keys\n` : '')
  )
}

function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000))
  return s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`
}

/** One line per key announced in the DHT, with its last announce result. */
export function advertisingText(keys: readonly AdvertisedKey[], now = Date.now()): string {
  if (keys.length === 0) return 'advertising no keys in the DHT (no vessel with advertise on)\n'
  const lines = keys.map((k) => {
    const last =
      k.lastAttempt === null
        ? 'announcing…'
        : k.error === null
          ? `announced ${ago(k.lastAttempt, now)} to ${k.peers} peer${k.peers === 1 ? '' : 's'}`
          : `last announce failed ${ago(k.lastAttempt, now)}: ${k.error}` +
            (k.lastSuccess === null ? ' (never announced yet)' : ` (last success ${ago(k.lastSuccess, now)})`)
    return `  ${shortKey(k.key)}  ${last}`
  })
  return `advertising ${keys.length} key${keys.length === 1 ? '' : 's'} in the DHT:\n` + lines.join('\n') + '\n'
}

/** JSON for any answer: byte strings become text when they are valid UTF-8, else {"base64": "..."}. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array || (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer')) {
      const buf = v instanceof Uint8Array ? Buffer.from(v) : Buffer.from((v as { data: number[] }).data)
      const text = new TextDecoder('utf-8', { fatal: false }).decode(buf)
      return Buffer.from(text, 'utf8').equals(buf) ? text : { base64: buf.toString('base64') }
    }
    return v
  })
}

/** Human output of a call's answer. */
export function answerText(call: string, value: unknown): string | Uint8Array {
  if (value instanceof Uint8Array) return value
  if (value === null) return 'ok\n'
  if (typeof value === 'string') return value.endsWith('\n') ? value : value + '\n'
  if (call === 'GetVessels') return nodeText(value as NodeSummary)
  if (call === 'ListFilesInVessel') return (value as string[]).join('\n') + ((value as string[]).length ? '\n' : '')
  if (call === 'TailVesselLog') {
    const chunk = value as { data: Uint8Array; nextOffset: number }
    return Buffer.concat([Buffer.from(chunk.data), Buffer.from(`\n(next offset ${chunk.nextOffset})\n`)])
  }
  return JSON.stringify(value, null, 2) + '\n'
}
