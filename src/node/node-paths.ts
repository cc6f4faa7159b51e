// Where a node manager keeps its data. The sandbox host may write only `files/`, so the database, logs and temp
// files live beside it, out of the guests' reach:
//   <data>/files/<vessel>/   vessel directories (the sandbox host's root)
//   <data>/state/            LevelDB: config, vessel table; replay-journal/: the replay guard's nonces
//   <data>/logs/<vessel>.old|.new   bounded ring logs; node.log.old|.new the node's own log
//   <data>/tmp/              uploads are written here, then renamed into place
import { join, resolve } from 'node:path'
import { PROJECT_ROOT } from '../runtime/sandbox.js'

export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, 'vessels')
export const DEFAULT_KEYS_DIR = join(PROJECT_ROOT, 'keys')
/** Where a node listens unless told: here rather than in libp2p-node.ts, so that the CLI can show it without loading libp2p. */
export const DEFAULT_LISTEN = '/ip4/127.0.0.1/tcp/1224'

export interface NodePaths {
  data: string
  files: string
  state: string
  logs: string
  tmp: string
}

export function nodePaths(dataDir: string): NodePaths {
  const data = resolve(dataDir)
  return {
    data,
    files: join(data, 'files'),
    state: join(data, 'state'),
    logs: join(data, 'logs'),
    tmp: join(data, 'tmp'),
  }
}

export const vesselDir = (paths: NodePaths, vessel: string): string => join(paths.files, vessel)
export const vesselLogPrefix = (paths: NodePaths, vessel: string): string => join(paths.logs, vessel)
/** The node manager's own log: <data>/logs/node.log.old|.new (no vessel name has a dot). */
export const nodeLogPrefix = (paths: NodePaths): string => join(paths.logs, 'node.log')
