// A y/n question on one line.
import React from 'react'
import { Text } from 'ink'

export function Confirm({ question }: { question: string }): React.JSX.Element {
  return (
    <Text wrap='truncate'>
      <Text color='yellow' bold>
        {question}
      </Text>
      <Text>{' (y/n)'}</Text>
    </Text>
  )
}
