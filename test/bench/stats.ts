// Small helpers for benchmarks: medians and percentiles of repeated measurements.
export const median = (xs: number[]): number => percentile(xs, 50)

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))
  return s[i]!
}

export const fmt = (n: number, digits = 2): string => n.toFixed(digits)

export function table(rows: Array<Record<string, string | number>>): void {
  console.table(rows)
}
