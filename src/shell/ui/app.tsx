// The interactive shell: output above (ink <Static>), the progress line of the running command, and the prompt
// `identity@target !> ` with history (up/down) and tab completion. Lines typed while a command runs wait their turn;
// Ctrl-C cancels the running command (and drops the waiting lines), never the shell.
import { Box, Static, Text, useApp, useInput, useStdin, useStdout, type Key } from 'ink'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Engine } from '../engine.js'
import { resultLines, wrapLine } from '../output.js'
import type { CommandResult, Progress } from '../types.js'
import { complete } from './completion.js'
import { EMPTY_LINE, edit, insert, splitKeys, type Line, type SplitKey } from './line-editor.js'
import { ProgressLine } from './progress-line.js'

interface OutputLine {
  id: number
  text: string
  color?: 'red' | 'yellow' | 'gray'
}

export interface AppProps {
  engine: Engine
  cwd: string
  /** called after each command (for the exit code) */
  onResult?: (result: CommandResult) => void
}

export function App({ engine, cwd, onResult }: AppProps) {
  const { exit } = useApp()
  const { isRawModeSupported } = useStdin()
  const { stdout } = useStdout()
  const [output, setOutput] = useState<OutputLine[]>([])
  // The line lives in a ref, so that every key sees what the previous one left; the state only redraws it.
  const line = useRef<Line>(EMPTY_LINE)
  const [shown, setShown] = useState<Line>(EMPTY_LINE)
  const setLine = (next: Line) => {
    line.current = next
    setShown(next)
  }
  const [busy, setBusy] = useState(false)
  const busyRef = useRef(false)
  const waiting = useRef<string[]>([])
  const [progress, setProgress] = useState<Progress | null>(null)
  const [prompt, setPrompt] = useState(engine.state.prompt())
  const history = useRef<string[]>([])
  const historyIndex = useRef(0)
  const nextId = useRef(0)

  const print = useCallback(
    (lines: string[], color?: OutputLine['color']) => {
      const width = (stdout.columns || 80) - 1
      setOutput((old) => [
        ...old,
        ...lines.flatMap((l) => wrapLine(l, width)).map((text) => ({ id: nextId.current++, text, color })),
      ])
    },
    [stdout],
  )

  useEffect(() => {
    let last = 0
    engine.onProgress = (p) => {
      const now = Date.now()
      if (p.done === p.total || p.done === 0 || now - last > 80) {
        last = now
        setProgress(p)
      }
    }
    return () => {
      engine.onProgress = undefined
    }
  }, [engine])

  const replace = (text: string) => setLine({ text, cursor: text.length })

  const submit = async (line: string) => {
    if (line.trim() !== '') {
      history.current.push(line)
      historyIndex.current = history.current.length
    }
    if (busyRef.current) {
      if (line.trim() !== '') waiting.current.push(line)
      return
    }
    busyRef.current = true
    setBusy(true)
    for (let next: string | undefined = line; next !== undefined; next = waiting.current.shift()) {
      print([`${engine.state.prompt()}${next}`], 'gray')
      if (next.trim() === '') continue
      setProgress(null)
      const results = await engine.execute(next)
      for (const r of results) {
        onResult?.(r)
        print(resultLines(r), r.ok ? (r.fanout && r.fanout.failed.length > 0 ? 'yellow' : undefined) : 'red')
      }
      setPrompt(engine.state.prompt())
      if (results.some((r) => r.exit)) return exit()
    }
    busyRef.current = false
    setBusy(false)
    setProgress(null)
  }

  const interrupt = () => {
    if (busyRef.current) {
      const dropped = waiting.current.length
      waiting.current = []
      engine.cancel()
      print([`^C cancelling the running command${dropped > 0 ? ` and ${dropped} waiting` : ''}`], 'yellow')
    } else if (line.current.text !== '') {
      replace('')
    } else {
      print(['^C (Ctrl-C cancels a running command; `exit` or Ctrl-D leaves the shell)'], 'gray')
    }
  }

  const onKey = (input: string, key: SplitKey['key'] & Partial<Key>): void => {
    if (key.ctrl && input === 'c') return interrupt()
    if (key.return) {
      const done = line.current.text
      replace('')
      return void submit(done)
    }
    if (key.upArrow && history.current.length > 0) {
      historyIndex.current = Math.max(0, historyIndex.current - 1)
      replace(history.current[historyIndex.current]!)
    } else if (key.downArrow) {
      historyIndex.current = Math.min(history.current.length, historyIndex.current + 1)
      replace(history.current[historyIndex.current] ?? '')
    } else if (key.tab) {
      const result = complete(engine.state, cwd, line.current.text)
      if (result.candidates.length > 0) print([result.candidates.join('  ')], 'gray')
      if (result.line !== line.current.text) replace(result.line)
    } else if (key.ctrl && input === 'd') {
      if (line.current.text === '' && !busyRef.current) exit()
    } else {
      const edited = edit(line.current, input, key)
      if (edited !== null) setLine(edited)
      else if (!key.ctrl && !key.meta && !key.escape && input !== '') setLine(insert(line.current, input))
    }
  }

  useInput(
    (input, key) => {
      const keys = splitKeys(input)
      if (keys === null) return onKey(input, key)
      for (const k of keys) onKey(k.input, k.key)
    },
    { isActive: isRawModeSupported === true },
  )

  return (
    <Box flexDirection='column'>
      <Static items={output}>
        {(line) => (
          <Text key={line.id} color={line.color}>
            {line.text}
          </Text>
        )}
      </Static>
      {busy && <ProgressLine progress={progress} />}
      <Box>
        <Text bold>{prompt}</Text>
        <Text>
          {shown.text.slice(0, shown.cursor)}
          <Text inverse>{shown.text[shown.cursor] ?? ' '}</Text>
          {shown.text.slice(shown.cursor + 1)}
        </Text>
      </Box>
    </Box>
  )
}
