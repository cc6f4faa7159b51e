// Who the sandbox host runs as. A node manager running as root starts it as an unprivileged user (default
// nobody:nogroup): setuid away from root leaves it no capabilities, and libuv drops the supplementary groups. If
// that user cannot run the project's node, dist/ and node_modules/ or reach the vessels' root (a clone in a folder
// only root may read), the host runs as the node manager's user instead, with one warning kept for `node status`.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { NodeError } from '../protocol/errors.js'
import { PROJECT_ROOT } from '../runtime/sandbox.js'

export interface SandboxUserSetting {
  user: string
  group: string
}

export const DEFAULT_SANDBOX_USER: Readonly<SandboxUserSetting> = Object.freeze({ user: 'nobody', group: 'nogroup' })

export interface SandboxUser {
  /** set when the sandbox host runs as another user than the node manager */
  uid?: number
  gid?: number
  /** for people: "nobody:nogroup (65534:65534)", or the node manager's own uid */
  runsAs: string
  /** why the host does not run as the unprivileged user though the node manager is root; null if it does */
  warning: string | null
}

/** Parses "user[:group]" (names or numbers); E_USAGE for anything else. */
export function parseSandboxUser(text: string): SandboxUserSetting {
  const m = /^([a-z_][a-z0-9_.-]*\$?|\d+)(?::([a-z_][a-z0-9_.-]*|\d+))?$/i.exec(text)
  if (m === null) throw new NodeError('E_USAGE', `sandbox user '${text}' must be user[:group], like nobody:nogroup`)
  return { user: m[1]!, group: m[2] ?? m[1]! }
}

/** The id of `name` in a passwd/group file (name:x:id:…), or the number itself. */
async function lookupId(file: string, name: string): Promise<number | undefined> {
  if (/^\d+$/.test(name)) return Number(name)
  const text = await readFile(file, 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    const [entry, , id] = line.split(':')
    if (entry === name && id !== undefined && /^\d+$/.test(id)) return Number(id)
  }
  return undefined
}

// Run as the sandbox user: reads dist/, node_modules/ and package.json, lists the folders, and enters the folder
// that holds the vessels' root. Prints the first path it cannot use.
const ACCESS_CHECK = `
const { accessSync, constants: c } = require('node:fs')
const [read, enter] = JSON.parse(process.argv[1])
for (const p of read) { try { accessSync(p, c.R_OK) } catch { console.log(p); process.exit(1) } }
try { accessSync(enter, c.X_OK) } catch { console.log(enter); process.exit(1) }
`

function canUse(uid: number, gid: number, filesRoot: string): Promise<string | null> {
  const read = ['dist', 'dist/runtime/sandbox-host.js', 'node_modules', 'package.json'].map((p) =>
    join(PROJECT_ROOT, p),
  )
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-e', ACCESS_CHECK, JSON.stringify([read, dirname(filesRoot)])],
      { uid, gid, env: {}, cwd: '/' },
      (err, stdout) => {
        if (err === null) resolve(null)
        else if (stdout.trim() !== '') resolve(`it cannot reach ${stdout.trim()}`)
        else resolve(`it cannot run ${process.execPath} (${(err as NodeJS.ErrnoException).code ?? err.message})`)
      },
    )
  })
}

/** Decides who the sandbox host runs as; `filesRoot` is the vessels' root (it is chowned to that user afterwards). */
export async function chooseSandboxUser(setting: SandboxUserSetting, filesRoot: string): Promise<SandboxUser> {
  const self = process.getuid?.()
  if (self !== 0) return { runsAs: `uid ${self ?? '?'} (the node manager's user)`, warning: null }
  const name = `${setting.user}:${setting.group}`
  const fallback = (why: string): SandboxUser => ({
    runsAs: "root (the node manager's user)",
    warning: `the sandbox host runs as root, not ${name}: ${why}`,
  })
  const uid = await lookupId('/etc/passwd', setting.user)
  const gid = await lookupId('/etc/group', setting.group)
  if (uid === undefined) return fallback(`there is no user '${setting.user}'`)
  if (gid === undefined) return fallback(`there is no group '${setting.group}'`)
  if (uid === 0) return fallback('that user is root')
  const problem = await canUse(uid, gid, filesRoot)
  if (problem !== null)
    return fallback(
      `${problem} (let it read the project folder and pass into the data folder, or choose another user with --sandbox-user)`,
    )
  return { uid, gid, runsAs: `${name} (${uid}:${gid})`, warning: null }
}
