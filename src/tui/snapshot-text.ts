// A snapshot as plain text (`flotilla node top --once`, or when stdout is not a terminal) and as JSON (`--json`).
import { clock, formatDuration, shortPeerId } from './format.js'
import { gaugeColumns, gaugeLine, headerCells, rowCells, tableColumns } from './layout.js'
import type { NodeSnapshot, VesselView } from './snapshot.js'

/** The parts of the node line shown above the table. */
export function nodeParts(s: NodeSnapshot): string[] {
  const count = `${s.vessels.length} vessel${s.vessels.length === 1 ? '' : 's'}`
  const running = s.vessels.filter((v) => v.status === 'Started').length
  // The address, the longest part, comes last: a one-line header cut to the terminal's width loses only its end.
  return [
    `node ${shortPeerId(s.peerId)} (${s.version})`,
    `${count}, ${running} running`,
    clock(s.takenAt),
    `ip ${s.ip}`,
    `at ${s.address}`,
  ]
}

export function nodeLine(s: NodeSnapshot): string {
  return nodeParts(s).join('  ')
}

/** Parts joined by two spaces into as few lines of at most `width` characters as they fit in; a part wider than a
 *  line by itself goes on over indented lines, so that nothing (an error message, an address) is lost. */
export function fitParts(parts: readonly string[], width: number): string[] {
  const lines: string[] = []
  for (const part of parts) {
    const last = lines.length - 1
    if (last >= 0 && lines[last]!.length + 2 + part.length <= width) lines[last] += '  ' + part
    else lines.push(...wrapPart(part, Math.max(width, 20)))
  }
  return lines
}

/** A long part at spaces where it has them, with continuation lines indented by two. */
function wrapPart(part: string, width: number): string[] {
  const lines: string[] = []
  let rest = part
  while (rest.length > width - (lines.length > 0 ? 2 : 0)) {
    const room = width - (lines.length > 0 ? 2 : 0)
    const space = rest.lastIndexOf(' ', room)
    const cut = space > room / 2 ? space : room
    lines.push((lines.length > 0 ? '  ' : '') + rest.slice(0, cut))
    rest = rest.slice(cut).trimStart()
  }
  lines.push((lines.length > 0 ? '  ' : '') + rest)
  return lines
}

/** One line about a vessel's state beyond the table: exit information, cpu stops, usage errors. */
export function vesselNote(v: VesselView): string {
  return vesselNoteParts(v).join('  ')
}

export function vesselNoteParts(v: VesselView): string[] {
  const parts: string[] = []
  if (v.exit && v.status !== 'Started') parts.push(`exit ${v.exit.code}: ${v.exit.reason}`)
  if (v.stops && v.stops.count > 0)
    parts.push(`cpu stops ${v.stops.count} (${formatDuration(v.stops.seconds)} stopped)`)
  if (v.cpuSeconds !== null) parts.push(`cpu time ${v.cpuSeconds.toFixed(2)}s`)
  if (v.usageError) parts.push(`usage unavailable: ${v.usageError}`)
  return parts
}

/** The gauges of a vessel as text lines, laid out in as many columns as fit in `width`. */
export function gaugeLines(v: VesselView, width: number): string[] {
  const perRow = gaugeColumns(width)
  const colWidth = Math.floor((width - 2 * (perRow - 1)) / perRow)
  const cells = v.gauges.map((g) => {
    const line = gaugeLine(g, colWidth)
    return `${line.label} ${line.bar} ${line.numbers}`
  })
  const lines: string[] = []
  for (let i = 0; i < cells.length; i += perRow)
    lines.push(
      cells
        .slice(i, i + perRow)
        .join('  ')
        .trimEnd(),
    )
  return lines
}

/** The whole snapshot as text for a terminal of `width` columns: node line, vessel table, each running vessel's gauges. */
export function snapshotText(s: NodeSnapshot, width = 100): string {
  const columns = tableColumns(width)
  const out = [...fitParts(nodeParts(s), width), '', headerCells(columns).join(' ').trimEnd()]
  for (const v of s.vessels) out.push(rowCells(v, columns).join(' ').trimEnd())
  if (s.vessels.length === 0) out.push('(no vessels)')
  for (const v of s.vessels) {
    if (v.gauges.length === 0 || v.gauges.every((g) => g.used === null)) {
      const note = vesselNoteParts(v)
      if (note.length > 0) out.push('', ...fitParts([`${v.name}:`, ...note], width))
      continue
    }
    out.push('', ...fitParts([`${v.name} ${v.status}`, ...vesselNoteParts(v)], width))
    out.push(...gaugeLines(v, width - 2).map((l) => '  ' + l))
  }
  return out.join('\n') + '\n'
}

export function snapshotJson(s: NodeSnapshot): string {
  return JSON.stringify(s, null, 2) + '\n'
}
