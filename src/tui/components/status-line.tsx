// The status line: the connection to the node, and the outcome of the last action.
import React from 'react'
import { Text } from 'ink'
import type { LinkStatus } from '../hooks/use-node-poll.js'

export interface Notice {
  text: string
  kind: 'info' | 'error'
}

export function StatusLine({ link, notice }: { link: LinkStatus; notice: Notice | null }): React.JSX.Element {
  return (
    <Text wrap='truncate'>
      <Text color={link.state === 'connected' ? 'green' : 'yellow'}>{link.state === 'connected' ? '● ' : '○ '}</Text>
      <Text color={link.state === 'connected' ? undefined : 'yellow'}>{link.message}</Text>
      {notice !== null && <Text color={notice.kind === 'error' ? 'red' : 'cyan'}>{'  │ ' + notice.text}</Text>}
    </Text>
  )
}
