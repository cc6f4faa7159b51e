// The live progress line of a command running on many targets: done / failed / remaining.
import { Text } from 'ink'
import type { Progress } from '../types.js'

export function progressText(p: Progress): string {
  const remaining = p.total - p.done
  return `${p.command}: ${p.done}/${p.total} done, ${p.failed} failed, ${remaining} remaining`
}

export function ProgressLine({ progress }: { progress: Progress | null }) {
  if (progress === null) return <Text dimColor>working…</Text>
  return <Text color={progress.failed > 0 ? 'yellow' : 'cyan'}>{progressText(progress)}</Text>
}
