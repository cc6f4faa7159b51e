// The terminal's size, following resizes. `onResize` runs first (the console clears the screen there, so the next
// frame is drawn whole at the new size).
import { useEffect, useState } from 'react'
import { useStdout } from 'ink'

export interface TerminalSize {
  columns: number
  rows: number
}

const sizeOf = (stdout: NodeJS.WriteStream): TerminalSize => ({
  columns: stdout.columns > 0 ? stdout.columns : 100,
  rows: stdout.rows > 0 ? stdout.rows : 30,
})

export function useTerminalSize(onResize?: () => void): TerminalSize {
  const { stdout } = useStdout()
  const [size, setSize] = useState(() => sizeOf(stdout))
  useEffect(() => {
    const resized = (): void => {
      onResize?.()
      setSize(sizeOf(stdout))
    }
    stdout.on('resize', resized)
    return () => {
      stdout.off('resize', resized)
    }
  }, [stdout, onResize])
  return size
}
