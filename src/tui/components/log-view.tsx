// A vessel's log, followed live: the last lines that fit, or an earlier window when scrolled back.
import React from 'react'
import { Box, Text } from 'ink'
import { cell } from '../format.js'
import { printable } from '../log-lines.js'
import { maxScroll } from '../layout.js'

export interface LogViewProps {
  vessel: string
  lines: readonly string[]
  /** Lines scrolled back from the end (0: following). */
  scroll: number
  width: number
  /** Rows available, the title line included. */
  height: number
  error: string | null
}

export function LogView({ vessel, lines, scroll, width, height, error }: LogViewProps): React.JSX.Element {
  const rows = Math.max(1, height - 1)
  const back = Math.min(scroll, maxScroll(lines.length, rows))
  const end = lines.length - back
  const shown = lines.slice(Math.max(0, end - rows), end)
  const where = back === 0 ? 'following' : `scrolled back ${back} line${back === 1 ? '' : 's'}`
  return (
    <Box flexDirection='column' height={height}>
      <Text wrap='truncate'>
        <Text bold>{`log of ${vessel}`}</Text>
        <Text dimColor>{`  ${lines.length} lines, ${where}`}</Text>
        {error !== null && <Text color='red'>{`  tail failed: ${error}`}</Text>}
      </Text>
      {shown.length === 0 && <Text dimColor>(the log is empty)</Text>}
      {shown.map((line, i) => (
        <Text key={end - shown.length + i}>{cell(printable(line), width)}</Text>
      ))}
    </Box>
  )
}
