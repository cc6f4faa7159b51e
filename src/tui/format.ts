// Pure text helpers of the console: sizes, rates, durations, bars and fixed-width cells. No I/O, no state.

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const

/** 0 → "0 B", 1536 → "1.5 KB", 10_000_000 → "9.5 MB" (binary multiples, at most 3 significant digits). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?'
  const sign = bytes < 0 ? '-' : ''
  let value = Math.abs(bytes)
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
  return `${sign}${trimZeros(value.toFixed(digits))} ${BYTE_UNITS[unit]}`
}

/** Bytes per second: "1.5 KB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** A share of one core (0.25) as a percentage: "25%"; below 10 % with one decimal: "2.5%". */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return '?'
  const pct = share * 100
  return `${pct < 10 && pct > 0 ? trimZeros(pct.toFixed(1)) : Math.round(pct)}%`
}

/** Whole numbers as they are, others with up to 2 decimals: 5 → "5", 0.333 → "0.33". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '?'
  return Number.isInteger(n) ? String(n) : trimZeros(n.toFixed(2))
}

/** Seconds as a short duration: "42s", "3m05s", "2h07m", "3d04h"; null → "-". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '-'
  const s = Math.floor(seconds)
  if (s < 60) return `${s}s`
  const pad = (n: number): string => String(n).padStart(2, '0')
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`
  return `${Math.floor(s / 86400)}d${pad(Math.floor((s % 86400) / 3600))}h`
}

/** A bar of `width` cells for a fraction (clamped to 0..1), with eighth-cell resolution: "███▌      ". */
export function bar(fraction: number, width: number): string {
  if (width <= 0) return ''
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0
  const eighths = Math.round(f * width * 8)
  const full = Math.floor(eighths / 8)
  const rest = eighths % 8
  const partial = rest === 0 ? '' : PARTIALS[rest]!
  return ('█'.repeat(full) + partial).padEnd(width, '·')
}
const PARTIALS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const

/** used/limit, guarding against a zero limit (0 when both are 0, 1 when something is used of nothing). */
export function fraction(used: number, limit: number): number {
  if (!(limit > 0)) return used > 0 ? 1 : 0
  return Math.max(0, used / limit)
}

/** The color a fraction of a quota deserves. */
export function levelColor(f: number): 'green' | 'yellow' | 'red' {
  return f >= 0.9 ? 'red' : f >= 0.7 ? 'yellow' : 'green'
}

/** Cuts to `width` characters with an ellipsis, then pads to exactly `width` (left or right aligned). */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return ''
  const cut = text.length > width ? (width === 1 ? '…' : text.slice(0, width - 1) + '…') : text
  return align === 'left' ? cut.padEnd(width) : cut.padStart(width)
}

/** "ed25519-pub AbCdEf…" → "AbCdEf" (the first characters of the key's base64, enough to tell keys apart). */
export function shortKey(keyText: string, length = 8): string {
  const body = keyText.startsWith('ed25519-pub ') ? keyText.slice('ed25519-pub '.length) : keyText
  return body.slice(0, length)
}

/** A peer id shortened in the middle: "12D3KooWAbc…xyz9". */
export function shortPeerId(peerId: string, head = 10, tail = 4): string {
  return peerId.length <= head + tail + 1 ? peerId : `${peerId.slice(0, head)}…${peerId.slice(-tail)}`
}

/** A clock time "HH:MM:SS" of ms since the epoch (local time). */
export function clock(ms: number): string {
  const d = new Date(ms)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text
}
