// `flotilla node log`: prints the node manager's own log (<data>/logs/node.log.old/.new) from its files, so it works
// whether or not the node runs.
import type { Command } from 'commander'
import { atLeast, isLogLevel, LOG_LEVELS, type LogLevel } from '../log/logger.js'
import { entryText, type LogEntry } from '../node/node-log.js'
import { readNodeLog } from '../node/node-log-reader.js'
import { DEFAULT_DATA_DIR, nodeLogPrefix, nodePaths } from '../node/node-paths.js'
import { positiveNumber, UsageError } from './usage-error.js'

interface LogCommandOptions {
  data: string
  lines?: string
  level?: string
  json?: boolean
}

export function registerNodeLog(node: Command): void {
  node
    .command('log')
    .description(
      "Print the node manager's own log: requests (who called what on which vessel, and how it went), " +
        'vessel starts and ends, discovery, errors',
    )
    .option('--data <dir>', 'data folder (vessels, state, logs)', DEFAULT_DATA_DIR)
    .option('--lines <n>', 'only the last n entries (default all the log holds)')
    .option('--level <level>', `only entries at this level or more severe: ${LOG_LEVELS.join(', ')}`)
    .option('--json', 'one JSON object per line, as stored: time, level, msg, and the fields of its kind')
    .addHelpText(
      'after',
      `
The log is a ring of two files in <data>/logs (node.log.old, node.log.new) the size of a vessel log (--log-size of
node init): the oldest entries make room for new ones. Each request is one entry: the caller's key (its first 10
characters, or "anonymous"), the peer it came from, the call, its vessels and the result. \`node start --log-level\`
sets what is kept (default info; GetVessels and the other read-only calls clients poll are at debug).
Examples:
  flotilla node log --lines 20
  flotilla node log --level warn --json`,
    )
    .action((options: LogCommandOptions) => {
      const lines = positiveNumber(options.lines, '--lines', true)
      let level: LogLevel | undefined
      if (options.level !== undefined) {
        if (!isLogLevel(options.level))
          throw new UsageError(`--level must be one of ${LOG_LEVELS.join(', ')}, not '${options.level}'`)
        level = options.level
      }
      const paths = nodePaths(options.data)
      const all = readNodeLog(nodeLogPrefix(paths))
      if (all === null)
        throw new UsageError(
          `${paths.logs} holds no node log (node.log.old, node.log.new): has a node run from ${paths.data}?`,
        )
      let entries: LogEntry[] = level === undefined ? all : all.filter((e) => atLeast(e.level, level))
      if (lines !== undefined) entries = entries.slice(-lines)
      process.stdout.write(entries.map((e) => (options.json ? JSON.stringify(e) + '\n' : entryText(e))).join(''))
    })
}
