// The vessel table: a header and one row per vessel, the selected one highlighted, scrolled to keep it in view.
import React from 'react'
import { Box, Text } from 'ink'
import type { VesselStatus } from '../../protocol/results.js'
import { fraction, levelColor } from '../format.js'
import { headerCells, rowCells, scrollStart, tableColumns } from '../layout.js'
import type { VesselView } from '../snapshot.js'

export interface VesselTableProps {
  vessels: readonly VesselView[]
  selected: number
  width: number
  /** Rows available for vessels (the header comes on top of these). */
  height: number
}

const STATUS_COLORS: Record<VesselStatus, string> = {
  Fresh: 'white',
  Started: 'green',
  Stopped: 'yellow',
  Terminated: 'red',
  ThreadErr: 'red',
  Stale: 'magenta',
}

export function VesselTable({ vessels, selected, width, height }: VesselTableProps): React.JSX.Element {
  const columns = tableColumns(width)
  const rows = Math.max(1, height)
  const start = scrollStart(vessels.length, selected, rows)
  const shown = vessels.slice(start, start + rows)
  const more = vessels.length - start - shown.length
  return (
    <Box flexDirection='column'>
      <Text bold wrap='truncate'>
        {headerCells(columns).join(' ')}
      </Text>
      {vessels.length === 0 && <Text dimColor>(no vessels on this node)</Text>}
      {shown.map((v, i) => {
        const isSelected = start + i === selected
        const cells = rowCells(v, columns)
        const cpu = v.gauges.find((g) => g.resource === 'cpu')
        const cpuColor = cpu && cpu.used !== null ? levelColor(fraction(cpu.used, cpu.limit)) : undefined
        return (
          <Text key={v.name} inverse={isSelected} wrap='truncate'>
            {columns.map((c, j) => {
              const sep = j === 0 ? '' : ' '
              const color = c.key === 'status' ? STATUS_COLORS[v.status] : c.key === 'cpubar' ? cpuColor : undefined
              return (
                <Text key={c.key} color={color}>
                  {sep + cells[j]}
                </Text>
              )
            })}
          </Text>
        )
      })}
      {(start > 0 || more > 0) && (
        <Text
          dimColor
        >{`  ${start > 0 ? `↑ ${start} more` : ''}${start > 0 && more > 0 ? '  ' : ''}${more > 0 ? `↓ ${more} more` : ''}`}</Text>
      )}
    </Box>
  )
}
