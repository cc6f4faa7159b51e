// Pure layout of the console's text: the vessel table's columns for a terminal width, a vessel's cells, and a
// gauge's line. Shared by the ink components and the plain-text snapshot (`top --once`).
import { bar, cell, formatBytes, formatCount, formatDuration, formatPercent, formatRate, fraction } from './format.js'
import { GAUGES, type Gauge, type VesselView } from './snapshot.js'

export type ColumnKey = 'name' | 'status' | 'owner' | 'users' | 'program' | 'uptime' | 'cpu' | 'cpubar' | 'memory'

export interface Column {
  key: ColumnKey
  title: string
  width: number
  align: 'left' | 'right'
}

const FIXED: Column[] = [
  { key: 'name', title: 'VESSEL', width: 7, align: 'left' },
  { key: 'status', title: 'STATUS', width: 10, align: 'left' },
  { key: 'owner', title: 'OWNER', width: 8, align: 'left' },
  { key: 'users', title: 'USERS', width: 5, align: 'right' },
  { key: 'program', title: 'PROGRAM', width: 0, align: 'left' },
  { key: 'uptime', title: 'UPTIME', width: 7, align: 'right' },
  { key: 'cpu', title: 'CPU/QUOTA', width: 11, align: 'right' },
  { key: 'cpubar', title: '', width: 10, align: 'left' },
  { key: 'memory', title: 'MEMORY/QUOTA', width: 17, align: 'right' },
]

/** The table's columns for a terminal `width`: narrow terminals drop the cpu bar, then owner and users. */
export function tableColumns(width: number): Column[] {
  const drop = new Set<ColumnKey>()
  const total = (): number => FIXED.filter((c) => !drop.has(c.key)).reduce((n, c) => n + c.width + 1, 0)
  for (const key of ['cpubar', 'owner', 'users', 'memory'] as const) {
    if (total() + 12 <= width) break
    drop.add(key)
  }
  const programWidth = Math.max(8, Math.min(40, width - total() - 1))
  return FIXED.filter((c) => !drop.has(c.key)).map((c) => (c.key === 'program' ? { ...c, width: programWidth } : c))
}

export function columnsWidth(columns: readonly Column[]): number {
  return columns.reduce((n, c) => n + c.width, 0) + Math.max(0, columns.length - 1)
}

export function headerCells(columns: readonly Column[]): string[] {
  return columns.map((c) => cell(c.title, c.width, c.align))
}

/** The text of each column for a vessel, padded to its width. */
export function rowCells(v: VesselView, columns: readonly Column[]): string[] {
  const cpu = v.gauges.find((g) => g.resource === 'cpu')
  const memory = v.gauges.find((g) => g.resource === 'memory')
  return columns.map((c) => {
    switch (c.key) {
      case 'name':
        return cell(v.name, c.width)
      case 'status':
        return cell(v.status, c.width)
      case 'owner':
        return cell(v.owner, c.width)
      case 'users':
        return cell(String(v.users), c.width, 'right')
      case 'program':
        return cell(programText(v), c.width)
      case 'uptime':
        return cell(formatDuration(v.uptimeSeconds), c.width, 'right')
      case 'cpu':
        return cell(cpu ? `${usedText(cpu)}/${formatPercent(cpu.limit)}` : '-', c.width, 'right')
      case 'cpubar':
        return cpu && cpu.used !== null ? bar(fraction(cpu.used, cpu.limit), c.width) : ' '.repeat(c.width)
      case 'memory':
        return cell(memory ? `${usedText(memory)}/${formatBytes(memory.limit)}` : '-', c.width, 'right')
    }
  })
}

export function programText(v: VesselView): string {
  if (v.program === null) return '-'
  return [v.program, ...v.args].join(' ')
}

/** A gauge's figure of use alone ("24%", "1.2 MB", "300 B/s", "2"), "-" when not running. */
export function usedText(g: Gauge): string {
  if (g.used === null) return '-'
  return amountText(g, g.used)
}

function amountText(g: Gauge, n: number): string {
  switch (g.kind) {
    case 'share':
      return formatPercent(n)
    case 'bytes':
      return formatBytes(n)
    case 'rate':
      return formatRate(n)
    case 'count':
      return formatCount(n)
  }
}

/** "24% of 25%", "1.2 MB of 64 MB", "- of 10 KB/s" */
export function gaugeNumbers(g: Gauge): string {
  return `${usedText(g)} of ${amountText(g, g.limit)}`
}

export const GAUGE_LABEL_WIDTH = 12
export const GAUGE_NUMBERS_WIDTH = 22

/** One gauge as `width` characters: label, bar, numbers. */
export function gaugeLine(g: Gauge, width: number): { label: string; bar: string; numbers: string; fraction: number } {
  const barWidth = Math.max(0, width - GAUGE_LABEL_WIDTH - GAUGE_NUMBERS_WIDTH - 2)
  const f = g.used === null ? 0 : fraction(g.used, g.limit)
  return {
    label: cell(g.label, GAUGE_LABEL_WIDTH),
    bar: bar(f, barWidth),
    numbers: cell(gaugeNumbers(g), GAUGE_NUMBERS_WIDTH, 'right'),
    fraction: f,
  }
}

/** How many gauge columns fit in `width` (each at least 50 characters wide), 1 to 3. */
export function gaugeColumns(width: number): number {
  return Math.max(1, Math.min(3, Math.floor((width + 2) / 50)))
}

/** Rows for the table's vessels and for the usage panel in `avail` rows (the table's header and more-line aside). */
export function splitRows(avail: number, vessels: number, width: number): { tableRows: number; usageRows: number } {
  // the usage panel gets at least its title and 4 gauge rows (cpu, memory, disk, threads), then what the table leaves
  const usageMin = 2 + Math.min(4, Math.ceil(GAUGES.length / gaugeColumns(width)))
  const tableRows = Math.min(Math.max(1, vessels), Math.max(3, avail - 2 - usageMin))
  return { tableRows, usageRows: Math.max(0, avail - 2 - tableRows) }
}

/** The first row to show so that `selected` is visible in a window of `height` rows. */
export function scrollStart(count: number, selected: number, height: number): number {
  if (count <= height) return 0
  return Math.min(count - height, Math.max(0, selected - Math.floor(height / 2)))
}

/** The largest useful scroll value for a log of `count` lines in a window of `rows` lines. */
export function maxScroll(count: number, rows: number): number {
  return Math.max(0, count - rows)
}
