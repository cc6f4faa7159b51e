// The keys of the current screen, on the last line.
import React from 'react'
import { Text } from 'ink'

export type Mode = 'table' | 'log'

const KEYS: Record<Mode, Array<[string, string]>> = {
  table: [
    ['↑/↓', 'select'],
    ['Enter', 'log'],
    ['s', 'stop'],
    ['r', 'reset'],
    ['q', 'quit'],
  ],
  log: [
    ['↑/↓ PgUp/PgDn', 'scroll'],
    ['End', 'follow'],
    ['Esc', 'back'],
    ['s', 'stop'],
    ['r', 'reset'],
    ['q', 'quit'],
  ],
}

export function HelpLine({ mode }: { mode: Mode }): React.JSX.Element {
  return (
    <Text wrap='truncate'>
      {KEYS[mode].map(([key, what], i) => (
        <Text key={key}>
          {i === 0 ? '' : '  '}
          <Text bold color='cyan'>
            {key}
          </Text>
          {' ' + what}
        </Text>
      ))}
    </Text>
  )
}
