// The node owner's console: the vessel table with the selected vessel's usage bars, or a vessel's log followed live.
// Keys: arrows select, Enter follows the log, Esc/Backspace goes back, s stops, r resets (after y/n), q quits.
import React, { useCallback, useState } from 'react'
import { Box, Text, useApp, useInput, useStdin } from 'ink'
import { Confirm } from './components/confirm.js'
import { HelpLine, type Mode } from './components/help-line.js'
import { LogView } from './components/log-view.js'
import { StatusLine, type Notice } from './components/status-line.js'
import { UsageBars } from './components/usage-bars.js'
import { VesselTable } from './components/vessel-table.js'
import { errorText, type Connect, type ConsoleClient } from './connection.js'
import { useLogTail } from './hooks/use-log-tail.js'
import { useNodePoll } from './hooks/use-node-poll.js'
import { useTerminalSize } from './hooks/use-terminal-size.js'
import { visibleLines } from './log-lines.js'
import { maxScroll, splitRows } from './layout.js'
import type { NodeSnapshot } from './snapshot.js'
import { nodeLine } from './snapshot-text.js'

export interface AppProps {
  /** The connection made before the console opened. */
  client: ConsoleClient
  /** The snapshot taken before the console opened, if any. */
  initial?: NodeSnapshot | null
  /** Makes a new connection after the node went away. */
  connect: Connect
  address: string
  intervalMs: number
  /** Called on a terminal resize before the new size is drawn. */
  onResize?: () => void
}

type Action = 'StopVessel' | 'ResetVessel'

export function App({
  client: first,
  initial = null,
  connect,
  address,
  intervalMs,
  onResize,
}: AppProps): React.JSX.Element {
  const { exit } = useApp()
  const { isRawModeSupported } = useStdin()
  const { columns, rows } = useTerminalSize(onResize)
  const poll = useNodePoll(first, initial, connect, address, intervalMs)
  const [mode, setMode] = useState<Mode>('table')
  const [selectedName, setSelectedName] = useState<string | null>(null)
  const [confirm, setConfirm] = useState<string | null>(null)
  const [notice, setNotice] = useState<Notice | null>(null)
  const [scroll, setScroll] = useState(0)

  const vessels = poll.snapshot?.vessels ?? []
  const found = vessels.findIndex((v) => v.name === selectedName)
  const index = found >= 0 ? found : 0
  const selected = vessels[index] ?? null
  const logVessel = mode === 'log' ? selectedName : null
  const log = useLogTail(poll.client, logVessel)
  const logLines = visibleLines(log)

  const height = Math.max(5, rows - 1)
  const width = Math.max(20, columns - 1)
  const avail = height - 3
  const logRows = Math.max(1, avail - 1)

  const { client: currentClient, refresh } = poll
  const act = useCallback(
    (action: Action, vessel: string) => {
      const c = currentClient()
      if (c === null) {
        setNotice({
          kind: 'error',
          text: `not connected: cannot ${action === 'StopVessel' ? 'stop' : 'reset'} ${vessel} now`,
        })
        return
      }
      const [verb, doing, done] =
        action === 'StopVessel' ? ['stop', 'stopping', 'stopped'] : ['reset', 'resetting', 'reset']
      setNotice({ kind: 'info', text: `${doing} ${vessel}…` })
      c.call(action, [vessel])
        .then(
          () => setNotice({ kind: 'info', text: `${vessel} ${done}` }),
          (err: unknown) => setNotice({ kind: 'error', text: `${verb} ${vessel} failed: ${errorText(err)}` }),
        )
        .finally(refresh)
    },
    [currentClient, refresh],
  )

  useInput(
    (input, key) => {
      if (confirm !== null) {
        if (input === 'y' || input === 'Y') act('ResetVessel', confirm)
        else setNotice({ kind: 'info', text: `reset of ${confirm} cancelled` })
        setConfirm(null)
        return
      }
      if (input === 'q') {
        exit()
        return
      }
      const target = mode === 'log' ? selectedName : (selected?.name ?? null)
      if (input === 's' && target !== null) {
        act('StopVessel', target)
        return
      }
      if (input === 'r' && target !== null) {
        setConfirm(target)
        return
      }
      if (mode === 'table') {
        const move = (to: number): void => {
          const v = vessels[Math.min(vessels.length - 1, Math.max(0, to))]
          if (v) setSelectedName(v.name)
        }
        const page = Math.max(1, splitRows(avail, vessels.length, width).tableRows - 1)
        if (key.upArrow) move(index - 1)
        else if (key.downArrow) move(index + 1)
        else if (key.pageUp) move(index - page)
        else if (key.pageDown) move(index + page)
        else if (key.home) move(0)
        else if (key.end) move(vessels.length - 1)
        else if (key.return && selected) {
          setSelectedName(selected.name)
          setScroll(0)
          setMode('log')
        }
        return
      }
      const limit = maxScroll(logLines.length, logRows)
      const scrollBy = (n: number): void => setScroll((s) => Math.min(limit, Math.max(0, Math.min(s, limit) + n)))
      if (key.escape || key.backspace || key.delete || key.leftArrow) {
        setMode('table')
        setScroll(0)
      } else if (key.upArrow) scrollBy(1)
      else if (key.downArrow) scrollBy(-1)
      else if (key.pageUp) scrollBy(logRows - 1)
      else if (key.pageDown) scrollBy(-(logRows - 1))
      else if (key.home) setScroll(limit)
      else if (key.end) setScroll(0)
    },
    { isActive: isRawModeSupported === true },
  )

  const { tableRows, usageRows } = splitRows(avail, vessels.length, width)
  return (
    <Box flexDirection='column' height={height} width={width}>
      <Text bold wrap='truncate'>
        {poll.snapshot ? nodeLine(poll.snapshot) : `flotilla top: ${address}`}
      </Text>
      <StatusLine link={poll.link} notice={notice} />
      <Box flexDirection='column' height={avail}>
        {poll.snapshot === null && <Text dimColor>waiting for the node…</Text>}
        {poll.snapshot !== null && mode === 'table' && (
          <>
            <VesselTable vessels={vessels} selected={index} width={width} height={tableRows} />
            {selected !== null && usageRows > 1 && (
              <Box marginTop={1}>
                <UsageBars vessel={selected} width={width} height={usageRows - 1} />
              </Box>
            )}
          </>
        )}
        {mode === 'log' && selectedName !== null && (
          <LogView
            vessel={selectedName}
            lines={logLines}
            scroll={scroll}
            width={width}
            height={avail}
            error={log.error}
          />
        )}
      </Box>
      {confirm !== null ? (
        <Confirm question={`Reset ${confirm}? This stops its program and deletes its files and log.`} />
      ) : (
        <HelpLine mode={mode} />
      )}
    </Box>
  )
}
