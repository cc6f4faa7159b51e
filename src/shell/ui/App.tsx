// The interactive shell: output above (ink <Static>), then either the progress line of the running command or
// the prompt `identity@target !> ` with history (up/down) and tab completion.
import { Box, Static, Text, useApp, useInput, useStdin } from 'ink'
import TextInput from 'ink-text-input'
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Engine } from '../engine.js'
import { resultLines } from '../output.js'
import type { CommandResult, Progress } from '../types.js'
import { complete } from './completion.js'
import { ProgressLine } from './ProgressLine.js'

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
  const [output, setOutput] = useState<OutputLine[]>([])
  const [value, setValue] = useState('')
  // A new key remounts TextInput so that its cursor goes to the end of a value set from outside.
  const [inputKey, setInputKey] = useState(0)
  const [busy, setBusy] = useState(false)
  const [progress, setProgress] = useState<Progress | null>(null)
  const [prompt, setPrompt] = useState(engine.state.prompt())
  const history = useRef<string[]>([])
  const historyIndex = useRef(0)
  const nextId = useRef(0)

  const print = useCallback((lines: string[], color?: OutputLine['color']) => {
    setOutput((old) => [...old, ...lines.map((text) => ({ id: nextId.current++, text, color }))])
  }, [])

  useEffect(() => {
    let last = 0
    engine.onProgress = (p) => {
      const now = Date.now()
      if (p.done === p.total || p.done === 0 || now - last > 80) {
        last = now
        setProgress(p)
      }
    }
    return () => { engine.onProgress = undefined }
  }, [engine])

  const replace = (text: string) => {
    setValue(text)
    setInputKey((k) => k + 1)
  }

  const submit = async (line: string) => {
    replace('')
    print([`${engine.state.prompt()}${line}`], 'gray')
    if (line.trim() === '') return
    history.current.push(line)
    historyIndex.current = history.current.length
    setBusy(true)
    setProgress(null)
    const results = await engine.execute(line)
    for (const r of results) {
      onResult?.(r)
      print(resultLines(r), r.ok ? (r.fanout && r.fanout.failed.length > 0 ? 'yellow' : undefined) : 'red')
    }
    setBusy(false)
    setProgress(null)
    setPrompt(engine.state.prompt())
    if (results.some((r) => r.exit)) exit()
  }

  const onChange = (text: string) => {
    // Text and Enter in one chunk (a paste, tmux send-keys): submit each line.
    const parts = text.split(/\r\n|\r|\n/)
    if (parts.length === 1) return setValue(text)
    const lines = parts.slice(0, -1)
    replace(parts[parts.length - 1])
    void (async () => { for (const l of lines) await submit(l) })()
  }

  useInput((input, key) => {
    if (busy) return
    if (key.upArrow && history.current.length > 0) {
      historyIndex.current = Math.max(0, historyIndex.current - 1)
      replace(history.current[historyIndex.current])
    } else if (key.downArrow) {
      historyIndex.current = Math.min(history.current.length, historyIndex.current + 1)
      replace(history.current[historyIndex.current] ?? '')
    } else if (key.tab) {
      const result = complete(engine.state, cwd, value)
      if (result.candidates.length > 0) print([result.candidates.join('  ')], 'gray')
      if (result.line !== value) replace(result.line)
    } else if (key.ctrl && input === 'd' && value === '') {
      exit()
    }
  }, { isActive: isRawModeSupported === true })

  return (
    <Box flexDirection='column'>
      <Static items={output}>
        {(line) => <Text key={line.id} color={line.color}>{line.text}</Text>}
      </Static>
      {busy
        ? <ProgressLine progress={progress} />
        : (
          <Box>
            <Text bold>{prompt}</Text>
            <TextInput key={inputKey} value={value} onChange={onChange} onSubmit={(l) => void submit(l)} focus={!busy} />
          </Box>
        )}
    </Box>
  )
}
