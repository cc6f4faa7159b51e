// A vessel's use of each resource against its quota, as bars with numbers, in as many columns as fit.
import React from 'react'
import { Box, Text } from 'ink'
import { levelColor } from '../format.js'
import { gaugeColumns, gaugeLine } from '../layout.js'
import { vesselNote } from '../snapshot-text.js'
import type { VesselView } from '../snapshot.js'

export interface UsageBarsProps {
  vessel: VesselView
  width: number
  /** Rows available, the title line included. */
  height: number
}

export function UsageBars({ vessel, width, height }: UsageBarsProps): React.JSX.Element {
  const perRow = gaugeColumns(width)
  const colWidth = Math.floor((width - 2 * (perRow - 1)) / perRow)
  const rows: Array<typeof vessel.gauges> = []
  for (let i = 0; i < vessel.gauges.length; i += perRow) rows.push(vessel.gauges.slice(i, i + perRow))
  const running = vessel.gauges.some((g) => g.used !== null)
  const note = vesselNote(vessel)
  return (
    <Box flexDirection='column'>
      <Text wrap='truncate'>
        <Text bold>{vessel.name}</Text>
        <Text>{` ${vessel.status}${running ? '' : ' (not running: quotas only)'}`}</Text>
        {note !== '' && <Text dimColor>{'  ' + note}</Text>}
      </Text>
      {rows.slice(0, Math.max(0, height - 1)).map((row, r) => (
        <Box key={r}>
          {row.map((g, i) => {
            const line = gaugeLine(g, colWidth)
            return (
              <Text key={g.resource} wrap='truncate'>
                {(i === 0 ? '' : '  ') + line.label + ' '}
                <Text color={g.used === null ? 'gray' : levelColor(line.fraction)}>{line.bar}</Text>
                {' ' + line.numbers}
              </Text>
            )
          })}
        </Box>
      ))}
    </Box>
  )
}
