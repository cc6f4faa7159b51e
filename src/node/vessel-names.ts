// Vessel names (v1, v2, …), apart from vessel-store.ts so that code naming vessels (split-join.ts, and through it
// `flotilla node init`'s donation) does not load LevelDB.

/** The number in a vessel name: v12 → 12. */
export function vesselNumber(name: string): number {
  return Number(name.slice(1))
}

/** Seattle's rule: the next name is `v<max + 1>` (v1 when there are none). */
export function newVesselName(existing: Iterable<string>): string {
  let max = 0
  for (const name of existing) max = Math.max(max, vesselNumber(name))
  return `v${max + 1}`
}
