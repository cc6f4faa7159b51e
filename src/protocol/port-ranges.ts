/** Ports as people read them: 63100,63101,…,63104,63107 as 63100-63104,63107; 'none' for no port. */
export function portRanges(ports: readonly number[]): string {
  const sorted = [...ports].sort((a, b) => a - b)
  const parts: string[] = []
  for (let i = 0; i < sorted.length; i++) {
    let j = i
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]))
    i = j
  }
  return parts.join(',') || 'none'
}
