// A pool's settings and folders: what `flotilla pool start` takes on its first start (allowances, lease length, who
// may acquire) and stores, and where its state, key and address file live.
import { join, resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { NodeError } from '../protocol/errors.js'
import { generateKeyFiles, keyFilePaths, loadKeyPair, type KeyPair } from '../keys/key-files.js'
import { loadKeyPairRef } from '../keys/key-ref.js'
import type { PoolSettings } from './pool-calls.js'

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..')
export const DEFAULT_POOL_DATA_DIR = join(PROJECT_ROOT, 'pool')
export const DEFAULT_POOL_LISTEN = '/ip4/127.0.0.1/tcp/1230'
export const POOL_KEY_NAME = 'pool'

export const DEFAULT_POOL_SETTINGS: PoolSettings = {
  baseAllowance: 10,
  perDonated: 2,
  leaseMs: 7 * 24 * 3600_000,
  allow: null,
}

export interface PoolPaths {
  data: string
  /** LevelDB */
  state: string
  /** the pool's multiaddr, written at start, read by the pool commands when --pool is not given */
  address: string
}

export function poolPaths(data: string): PoolPaths {
  const dir = resolve(data)
  return { data: dir, state: join(dir, 'state'), address: join(dir, 'address') }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/** A duration in ms from '60s', '15m', '2h', '7d' or a number of seconds; E_USAGE otherwise. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim())
  const ms = m === null ? NaN : Number(m[1]) * (UNITS[m[2] || 's'] ?? NaN) * 1000
  if (!Number.isFinite(ms) || ms < 1000 || ms > 366 * 86400_000)
    throw new NodeError(
      'E_USAGE',
      `${what} must be a duration like 60s, 15m, 2h, 7d or seconds (1 s to 366 d), not '${text}'`,
    )
  return Math.round(ms)
}

/** Checks settings given by the operator (E_USAGE). */
export function checkSettings(settings: PoolSettings): PoolSettings {
  const whole = (n: number, what: string): void => {
    if (!Number.isSafeInteger(n) || n < 0 || n > 1_000_000)
      throw new NodeError('E_USAGE', `${what} must be a whole number 0..1000000, not ${n}`)
  }
  whole(settings.baseAllowance, 'the base allowance')
  whole(settings.perDonated, 'the allowance per donated vessel')
  if (!Number.isSafeInteger(settings.leaseMs) || settings.leaseMs < 1000)
    throw new NodeError('E_USAGE', `the lease must be at least 1 s, not ${settings.leaseMs} ms`)
  return settings
}

/** The pool's key: `ref` if given (a name in keysDir or a path), else `<keysDir>/pool`, made on first use. */
export async function poolKey(keysDir: string, ref?: string): Promise<KeyPair> {
  if (ref !== undefined) return loadKeyPairRef(ref, keysDir)
  if (existsSync(keyFilePaths(keysDir, POOL_KEY_NAME).privateKeyFile)) return loadKeyPair(keysDir, POOL_KEY_NAME)
  return generateKeyFiles(keysDir, POOL_KEY_NAME)
}

/** The web page's address from `--http`: 'host:port' or '[v6 host]:port' (port 0: any free one); E_USAGE otherwise. */
export function parseHttpAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim())
  const port = m === null ? NaN : Number(m[3])
  if (m === null || port > 65535)
    throw new NodeError('E_USAGE', `--http must be host:port, like 127.0.0.1:8880 or [::1]:8880, not '${text}'`)
  return { host: m[1] ?? m[2]!, port }
}
